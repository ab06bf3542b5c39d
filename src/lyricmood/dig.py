"""Music digging beyond one song: several seeds, journeys, and lists spread across decades or languages.

Everything here works on the recommender's ranking space alone (:meth:`Recommender.ranking_space
<lyricmood.recommender.Recommender.ranking_space>`: a :class:`~lyricmood.similarity.CatalogSpace`, or anything with
its ``rows``, ``scores``, e.g. mood and meaning, :class:`~lyricmood.fusion.MoodAndMeaningSpace`), so it follows
whatever ranks songs. The recommender's methods
(:meth:`~lyricmood.recommender.Recommender.similar_to_songs`, :meth:`~lyricmood.recommender.Recommender.journey`,
``Filters(dig=...)``) check the input and call these functions.

Example:
    >>> import numpy as np
    >>> from lyricmood.similarity import CatalogSpace
    >>> space = CatalogSpace(np.array([[1.0, 0.0], [0.9, 0.1], [0.5, 0.5], [0.1, 0.9], [0.0, 1.0]]), "cosine")
    >>> rows, scores = walk(space, journey_points(space.rows[0], space.rows[4], 3)[0], np.array([0, 1, 1, 1, 0], bool))
    >>> rows.tolist()
    [1, 2, 3]
    >>> spread_rank([0, 1, 2, 3], ["1990s", "1990s", "1990s", "2000s"], 2)
    [0, 3]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .filters import decade
from .similarity import CatalogSpace, Similarity

if TYPE_CHECKING:  # the recommender imports this module
    from .fusion import MoodAndMeaningSpace
    from .recommender import Recommendation

    RankingSpace = CatalogSpace | MoodAndMeaningSpace

#: how several seeds are combined: ``"mean"`` (the mean of their similarities), ``"every"`` (the smallest)
SEED_FITS = ("mean", "every")
#: the most steps a journey may take
MAX_JOURNEY_STEPS = 100
#: a mood's point in the ranking space is the mean ranking vector of its this many best songs
MOOD_ANCHOR_SONGS = 5
#: ``Filters(dig=...)`` picks among the ``DIG_POOL * k`` songs most similar to the query (the similarity floor)
DIG_POOL = 4


def _dot_product(space: RankingSpace) -> bool:
    """Whether ``space`` scores a query by a dot product of its prepared form with the stored ``items`` (the
    cosines over one :class:`CatalogSpace`), so that scores of combined queries can be combined."""
    return isinstance(space, CatalogSpace) and type(space.similarity).score is Similarity.score


def seed_scores(space: RankingSpace, rows: Sequence[int], fit: str = "mean") -> np.ndarray:
    """How well every song fits the seed songs at catalog ``rows`` → (N,).

    ``"mean"``: the mean of the song's similarities to the seeds. For cosine this is the song's similarity to the
    sum of the seeds' (centred) unit vectors, up to its length: the set's centre, each seed weighing the same,
    whatever its length. ``"every"``: the smallest similarity, so that a song ranks high only if it fits every seed
    (a song between two seeds beats one close to only one of them).
    """
    seeds = space.rows[list(rows)]
    if fit == "mean" and _dot_product(space):
        # The mean of the scores is the score of the mean prepared query: one pass over the catalog, not one per seed.
        query = space.prepare_queries(seeds).mean(axis=0, keepdims=True)
        return space.similarity.score(query, space.items)[0]
    S = space.scores(seeds)
    return S.mean(axis=0) if fit == "mean" else S.min(axis=0)


def journey_points(start: np.ndarray, end: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The ideal points of a journey of ``steps`` steps: point i lies ``i / (steps + 1)`` of the way from ``start``
    to ``end`` (the ends themselves are left out) → (points (steps, D), fractions (steps,))."""
    at = np.arange(1, steps + 1, dtype=np.float64) / (steps + 1)
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    return start[None] + at[:, None] * (end - start)[None], at


def line_scores(space: RankingSpace, points: np.ndarray) -> np.ndarray:
    """``space.scores(points)`` for points on a line (a journey's), in two passes over the catalog, not one per point.

    Where the space scores by a dot product with the prepared queries, the prepared points span a space of rank r
    (2 for cosine: centring and scaling keep them in the plane of the two ends), so their scores are combinations
    of the scores of r basis vectors. Any other similarity, or points of full rank, are scored as they are.
    """
    if not _dot_product(space) or len(points) <= 2:
        return space.scores(points)
    prepared = np.asarray(space.prepare_queries(points), dtype=np.float64)
    U, sv, Vt = np.linalg.svd(prepared, full_matrices=False)
    rank = int((sv > sv[0] * 1e-6).sum())
    if rank >= len(points):
        return space.scores(points)
    basis = space.similarity.score(Vt[:rank].astype(space.items.dtype), space.items)  # (rank, N)
    return (U[:, :rank] * sv[:rank]).astype(basis.dtype) @ basis


def walk(space: RankingSpace, points: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point in order, the most similar song of ``keep`` not used yet → (rows, their similarities).

    Greedy in journey order, so no song comes twice; ties go to the earlier catalog row. ``keep`` must hold at
    least one song per point.
    """
    S = line_scores(space, points)
    left_out = np.flatnonzero(~keep)
    if len(left_out) <= len(keep) // 2:  # few left out (the ends): mark them, no copy of the (steps, N) scores
        S[:, left_out] = -np.inf
    else:
        S = np.where(keep[None, :], S, -np.inf)
    rows, scores = np.zeros(len(S), dtype=np.int64), np.zeros(len(S))
    for i in range(len(S)):
        rows[i] = np.argmax(S[i])
        scores[i] = S[i, rows[i]]
        S[:, rows[i]] = -np.inf
    return rows, scores


def spread_rank(pool: Sequence[int], groups: Sequence[str], k: int) -> list[int]:
    """``k`` songs of ``pool`` (catalog rows, most relevant first; ``groups``: each one's decade or language)
    spanning as many groups as the pool holds, most relevant first.

    A round robin, which is maximal marginal relevance with a redundancy of "how many songs of my group are
    picked already": each pick is the most relevant song of the group picked least so far. Songs without a group
    (``""``) count as one group.
    """
    picked: Counter[str] = Counter()
    left = list(range(len(pool)))
    chosen = []
    for _ in range(min(k, len(pool))):
        best = min(left, key=lambda i: (picked[groups[i]], i))
        left.remove(best)
        picked[groups[best]] += 1
        chosen.append(best)
    return [pool[i] for i in sorted(chosen)]


def describe_spread(songs: Sequence[Recommendation], dig: str) -> str:
    """``"7 songs, 5 decades (1960s, …)"``: how many decades (or languages) a list of songs spans."""
    groups = sorted({decade(s.year) if dig == "decades" else s.lang for s in songs} - {""})
    noun = {"decades": "decade", "languages": "language"}[dig]
    return f"{len(songs)} songs, {len(groups)} {noun}{'s' if len(groups) != 1 else ''} ({', '.join(groups)})"


@dataclass
class JourneyStep:
    """One song of a journey: ``step`` (1 …), ``at`` (the fraction of the way), ``distance`` (1 − its similarity to
    the ideal point there), its own ``top_emotions``, and the song (``song.score``: the similarity)."""

    step: int
    at: float
    distance: float
    top_emotions: list[str]
    song: Recommendation

    def to_dict(self) -> dict:
        return {"step": self.step, "at": self.at, "distance": self.distance, **self.song.to_dict(),
                "top_emotions": self.top_emotions}


@dataclass
class Journey:
    """An ordered playlist from ``start`` to ``end`` (their names: a song's title, or a mood)."""

    start: str
    end: str
    steps: list[JourneyStep] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "steps": [s.to_dict() for s in self.steps]}

