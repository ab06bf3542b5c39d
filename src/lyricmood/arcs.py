"""Emotional arcs compared: a song's section vectors resampled to a fixed number of points over its course.

Songs have different numbers of sections, so each arc is resampled to :data:`ARC_POINTS` points by linear
interpolation (section j of S sits at ``(j + ½) / S`` of the song). A song with one section (or none stored: a
song added as a bare vector, whose one "section" is its whole vector) gets a flat arc, that vector at every point:
it matches songs whose feel does not move. Labels that mean "no emotion" (``neutral``) are left out: lyric lines
swing most on them (on the demo catalog their variance across sections is 3× any emotion's), and "both songs turn
neutral in the bridge" is not a shared arc.

Example:
    >>> resample_arc(np.array([[1.0, 0.0], [0.0, 1.0]]), points=4).round(2).tolist()
    [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from .emotions import SongEmotion, emotion_columns
from .index import SongIndex

#: the points every arc is resampled to
ARC_POINTS = 8


def interpolation_matrix(sections: int, points: int = ARC_POINTS) -> np.ndarray:
    """The (points, sections) matrix that resamples ``sections`` rows to ``points`` rows (linear interpolation)."""
    if sections == 1:
        return np.ones((points, 1))
    where = (np.arange(sections) + 0.5) / sections
    at = (np.arange(points) + 0.5) / points
    return np.stack([np.interp(at, where, np.eye(sections)[j]) for j in range(sections)], axis=1)


def resample_arc(section_vectors: np.ndarray, points: int = ARC_POINTS) -> np.ndarray:
    """A song's arc (sections (S, L), S ≥ 1) resampled to ``points`` rows → (points, L)."""
    section_vectors = np.asarray(section_vectors, dtype=np.float64)
    return interpolation_matrix(len(section_vectors), points) @ section_vectors


def song_arc(song: SongEmotion, points: int = ARC_POINTS) -> np.ndarray:
    """A scored song's arc as :func:`catalog_arcs` makes a catalog song's → (points · E,)."""
    return resample_arc(song.section_vectors, points)[:, emotion_columns(song.labels)].reshape(-1)


def catalog_arcs(index: SongIndex, points: int = ARC_POINTS) -> np.ndarray:
    """Every song's resampled arc over its emotions (:func:`emotion_columns`), flattened → (N, points · E);
    songs with the same number of sections at once."""
    counts = np.diff(index.section_offsets)
    arcs = np.zeros((len(index), points, len(index.labels)))
    for count in np.unique(counts):
        songs = np.flatnonzero(counts == count)
        if count == 0:  # no sections stored: the whole song is its one section
            arcs[songs] = index.vectors[songs][:, None, :]
            continue
        starts = index.section_offsets[songs]
        blocks = index.section_vectors[starts[:, None] + np.arange(count)[None, :]]  # (n, count, L)
        arcs[songs] = np.einsum("ps,nsl->npl", interpolation_matrix(int(count), points), blocks)
    return arcs[:, :, emotion_columns(index.labels)].reshape(len(index), -1)
