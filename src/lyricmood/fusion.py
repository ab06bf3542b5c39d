"""Mood and meaning, ranked together.

A song is ranked by two vectors: its **mood** (the emotion model's pooled emotion feature) and its **meaning** (a
semantic embedding of the song read in context, :mod:`lyricmood.meaning`). Each part is compared on its own (centred
on the catalog and unit-normalised by the default similarity) and the two similarities are mixed:

    score = w · similarity(mood) + (1 − w) · similarity(meaning)

``w`` is the **mood weight**: 1 ranks by emotion only, 0 by meaning only. For cosine similarities this is the cosine
of the concatenation ``[√w · mood, √(1 − w) · meaning]`` of the prepared unit vectors, so every song stays one
vector and one matrix product ranks the catalog. On real lyrics the mix finds same-mood songs more often than
either part alone (README, "Real lyrics"); what a listener *sees* (the "why", the plots, ``--mood`` queries) stays
the emotion probabilities.

Example:
    >>> import numpy as np
    >>> from lyricmood.similarity import CatalogSpace
    >>> mood = CatalogSpace(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), "cosine")
    >>> meaning = CatalogSpace(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), "cosine")
    >>> space = MoodAndMeaningSpace(mood, meaning, weight=0.5)
    >>> np.round(space.between([0, 1, 2]), 3).tolist()[0]
    [1.0, 0.497, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .errors import LyricMoodError
from .similarity import CatalogSpace

#: the mood part's share of the score where an index does not say otherwise. Chosen on NJU-MusicMood's train split
#: and the demo catalog's Korean songs among a handful of weights (bench/lyrics_granularity.py; README, "Real lyrics").
DEFAULT_MOOD_WEIGHT = 0.5


def checked_mood_weight(value: Any, field: str = "mood_weight") -> float:
    """``value`` as a mood weight in [0, 1] (``None``: :data:`DEFAULT_MOOD_WEIGHT`); else :class:`LyricMoodError`."""
    if value is None:
        return DEFAULT_MOOD_WEIGHT
    if isinstance(value, bool):
        raise LyricMoodError(f"the mood weight must be a number in [0, 1], got {value!r}", field=field)
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise LyricMoodError(f"the mood weight must be a number in [0, 1], got {value!r}", field=field,
                             hint="1 ranks by emotion only, 0 by meaning only") from None
    if not 0.0 <= weight <= 1.0:  # NaN fails here too
        raise LyricMoodError(f"the mood weight must be in [0, 1], got {value!r}", field=field,
                             hint="1 ranks by emotion only, 0 by meaning only")
    return weight


class MoodAndMeaningSpace:
    """Two :class:`~lyricmood.similarity.CatalogSpace` parts ranked as one: ``w · mood + (1 − w) · meaning``.

    It answers what a ``CatalogSpace`` answers (``rows``, ``mean``, ``items``, ``scores``, ``between``,
    ``pairwise``, ``prepare_queries``), so that whatever ranks songs, the recommender and the dig features use it
    unchanged. A row or query is the concatenation ``[mood, meaning]`` of a song's raw vectors.
    """

    def __init__(self, mood: CatalogSpace, meaning: CatalogSpace, weight: float):
        if len(mood.rows) != len(meaning.rows):
            raise ValueError(f"{len(mood.rows)} mood rows but {len(meaning.rows)} meaning rows")
        self.mood, self.meaning = mood, meaning
        self.weight = checked_mood_weight(weight)
        self.similarity = mood.similarity
        self._split = mood.rows.shape[1]

    def weighted(self, weight: float | None) -> MoodAndMeaningSpace:
        """The same catalog with another mood weight (``None``: this one); the parts are shared, not copied."""
        if weight is None or checked_mood_weight(weight) == self.weight:
            return self
        return MoodAndMeaningSpace(self.mood, self.meaning, weight)

    def _parts(self, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Q = np.atleast_2d(np.asarray(Q, dtype=np.float64))
        if Q.shape[1] != self._split + self.meaning.rows.shape[1]:
            raise LyricMoodError(
                f"a query has {Q.shape[1]} values; this catalog ranks [mood {self._split}, meaning "
                f"{self.meaning.rows.shape[1]}] vectors", hint="score the query with the model that built the index")
        return Q[:, : self._split], Q[:, self._split :]

    @property
    def rows(self) -> JoinedRows:
        """Every song's raw ``[mood, meaning]`` vector (N, D_mood + D_meaning), joined only for the rows asked."""
        return JoinedRows(self.mood.rows, self.meaning.rows)

    @property
    def mean(self) -> np.ndarray:
        return np.concatenate([self.mood.mean, self.meaning.mean])

    @cached_property
    def items(self) -> np.ndarray:
        """The prepared catalog ``[√w · mood, √(1 − w) · meaning]`` (built on first use, then kept): a dot product
        with :meth:`prepare_queries` gives :meth:`scores` (for the cosines, whose prepared vectors are dot-compared).
        """
        return np.hstack([np.sqrt(self.weight) * self.mood.items,
                          np.sqrt(1 - self.weight) * self.meaning.items]).astype(np.float32)

    def prepare_queries(self, Q: np.ndarray) -> np.ndarray:
        mood, meaning = self._parts(Q)
        return np.hstack([np.sqrt(self.weight) * self.mood.prepare_queries(mood),
                          np.sqrt(1 - self.weight) * self.meaning.prepare_queries(meaning)]).astype(np.float32)

    def scores(self, Q: np.ndarray) -> np.ndarray:
        """Similarity of each query row (B, D_mood + D_meaning) to every song → (B, N)."""
        mood, meaning = self._parts(Q)
        # Two products instead of one over the concatenation: no (N, D_mood + D_meaning) copy of the catalog.
        return self.weight * self.mood.scores(mood) + (1 - self.weight) * self.meaning.scores(meaning)

    def between(self, rows: Sequence[int]) -> np.ndarray:
        """Pairwise similarities of catalog rows."""
        return self.weight * self.mood.between(rows) + (1 - self.weight) * self.meaning.between(rows)

    def pairwise(self, A: np.ndarray) -> np.ndarray:
        """Pairwise similarities of raw ``[mood, meaning]`` rows ``A``, compared as catalog songs are."""
        mood, meaning = self._parts(A)
        return self.weight * self.mood.pairwise(mood) + (1 - self.weight) * self.meaning.pairwise(meaning)


class JoinedRows:
    """Two row-aligned matrices read as their concatenation ``[A | B]``, joined only for the rows indexed (the whole
    catalog joined at once would be a copy of both, for every query)."""

    def __init__(self, A: np.ndarray, B: np.ndarray):
        self.A, self.B = A, B

    def __getitem__(self, rows: Any) -> np.ndarray:
        return np.concatenate([self.A[rows], self.B[rows]], axis=-1)

    def __len__(self) -> int:
        return len(self.A)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.A), self.A.shape[1] + self.B.shape[1])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        joined = np.hstack([self.A, self.B])
        return joined if dtype is None else joined.astype(dtype)

