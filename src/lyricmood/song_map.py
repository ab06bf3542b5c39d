"""The catalog on a 2-D map: the ranking space's two principal components, each axis named by the emotions that
rise and fall along it.

The ranking space may have no named dimensions (pooled features, a fused "mood + meaning" space), so the map is
its principal-component projection, taken of the vectors as the similarity compares them (centred cosine: the
centred unit vectors). An axis is named by the emotions its coordinate correlates with most, negatively and
positively ("sadness, grief ↔ joy, amusement"; "–" where none follows it closely), so a listener can read where
a song sits.

Example:
    >>> import numpy as np
    >>> from lyricmood.similarity import CatalogSpace
    >>> emotions = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.0], [0.1, 0.9, 0.0], [0.0, 0.8, 0.2]])
    >>> m = project(CatalogSpace(emotions, "cosine"), emotions, ["joy", "sadness", "fear"])
    >>> m.axes[0], m.top_emotions
    ('PC1 (98%): sadness, fear ↔ joy', ['joy', 'joy', 'sadness', 'sadness'])
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .emotions import emotion_columns
from .similarity import CatalogSpace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .fusion import MoodAndMeaningSpace
    from .recommender import Recommendation, Recommender

#: how many emotions name each end of an axis, at most, and how strongly (|Pearson r|) they must follow it
AXIS_EMOTIONS = 2
AXIS_MIN_CORRELATION = 0.3
#: the axes are fitted on at most this many songs (a seeded sample: plenty for two components), then every song is
#: projected
FIT_ROWS = 100_000


@dataclass
class SongMap:
    """Every catalog song's place on the map: ``xy`` (N, 2), the ``axes``' names, the share of the space's
    variance each axis shows (``explained``), and each song's top emotion (its colour)."""

    xy: np.ndarray
    axes: list[str]
    explained: list[float]
    top_emotions: list[str]


def principal_axes(X: np.ndarray, n: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``n`` principal axes of the rows of ``X`` → (mean (D,), axes (D, n), explained variance share (n,)).

    From the D × D covariance, so that a large catalog is never copied centred; each axis's sign is set so that
    the largest entry is positive (the map does not flip between runs).
    """
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    cov = X.T @ X / len(X) - np.outer(mean, mean)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:n]
    axes = vectors[:, order]
    axes *= np.where(axes[np.abs(axes).argmax(axis=0), range(axes.shape[1])] < 0, -1.0, 1.0)
    total = max(float(values.clip(min=0).sum()), 1e-12)
    return mean, axes, values[order].clip(min=0) / total


def project(space: CatalogSpace | MoodAndMeaningSpace, emotions: np.ndarray, labels: Sequence[str]) -> SongMap:
    """The map of a catalog: ``space`` (the recommender's ranking space) projected on its two principal axes, named
    by their correlation with ``emotions`` (N, L), the songs' emotion probabilities over ``labels``."""
    fit = space.items
    if len(fit) > FIT_ROWS:
        fit = fit[np.sort(np.random.default_rng(0).choice(len(fit), FIT_ROWS, replace=False))]
    mean, axes, explained = principal_axes(fit, 2)
    xy = np.asarray(space.items, dtype=np.float64) @ axes - mean @ axes
    if xy.shape[1] < 2:  # a one-dimensional space: the songs on a line
        xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
        explained = np.pad(explained, (0, 2 - len(explained)))
    emotions = np.asarray(emotions, dtype=np.float64)
    names = [f"PC{i + 1} ({explained[i]:.0%}): {_axis_name(xy[:, i], emotions, labels)}" for i in range(2)]
    columns = emotion_columns(labels)  # argmax: ties go to the earlier label, as ranked_emotions breaks them
    top = [labels[columns[i]] for i in np.argmax(emotions[:, columns], axis=1)]
    return SongMap(xy, names, [float(e) for e in explained], top)


def _axis_name(coordinate: np.ndarray, emotions: np.ndarray, labels: Sequence[str]) -> str:
    """``"low end ↔ high end"``: the emotions most correlated with ``coordinate``, negatively and positively."""
    c = coordinate - coordinate.mean()
    E = emotions - emotions.mean(axis=0)
    denominator = np.linalg.norm(E, axis=0) * max(float(np.linalg.norm(c)), 1e-12)
    corr = np.divide(c @ E, denominator, out=np.zeros(len(labels)), where=denominator > 0)
    # "neutral" may name an end: an axis running from angry songs to flat ones is read as just that
    usable = list(np.lexsort((np.arange(len(labels)), corr)))
    low = [labels[i] for i in usable[:AXIS_EMOTIONS] if corr[i] <= -AXIS_MIN_CORRELATION]
    high = [labels[i] for i in reversed(usable[-AXIS_EMOTIONS:]) if corr[i] >= AXIS_MIN_CORRELATION]
    return f"{', '.join(low) or '–'} ↔ {', '.join(high) or '–'}"


# The map of each ranking space, computed once: the projection reads every song (a refit builds a new space).
_MAPS: weakref.WeakKeyDictionary[object, SongMap] = weakref.WeakKeyDictionary()


def catalog_map(recommender: Recommender, mood_weight: float | None = None) -> SongMap:
    """The map of the songs ``recommender`` ranks, as its ranking space places them (``mood_weight``: as
    ``Filters(mood_weight=...)`` moves it; computed once per space)."""
    space = recommender.ranking_space(mood_weight)
    if space not in _MAPS:
        _MAPS[space] = project(space, recommender.index.vectors, recommender.labels)
    return _MAPS[space]


def map_figure(
    recommender: Recommender,
    query: str | Sequence[str] | None = None,
    results: Sequence[Recommendation] = (),
    *,
    connect: bool = False,
    title: str = "",
    path: str | Path | None = None,
    mood_weight: float | None = None,
) -> Figure:
    """The catalog map with the ``query`` song(s) (ids or titles) starred and the ``results`` circled and named;
    ``connect`` draws a line through the results in order (a journey); ``mood_weight``: the map of the space
    ranked with that weight (as the results were). Written to ``path`` when given."""
    from .plots import plot_song_map

    queries = [] if query is None else [query] if isinstance(query, str) else list(query)
    query_rows = [recommender.index.position(recommender.resolve_id(q)) for q in queries]
    result_rows = [recommender.index.position(r.id) for r in results]
    titles = [str(m.get("title") or song_id) for song_id, m in zip(recommender.index.ids, recommender.index.metadata)]
    return plot_song_map(catalog_map(recommender, mood_weight), titles, query_rows, result_rows, connect=connect,
                         title=title, path=path)
