"""How two emotion vectors are compared: one small object per similarity, found by name in :data:`SIMILARITIES`.

- ``"centered-cosine"`` (default): subtract the catalog's mean vector, then cosine. Emotion probability vectors
  all share a large common part (every song is a little "neutral", a little "love"…), so their plain cosines
  saturate near 1 (the study's top-10 spanned 0.986–0.994) and ranks mean little. Centring compares how each
  song *departs* from the average song.
- ``"cosine"``: cosine of the raw vectors (the study's choice).
- ``"jensen-shannon"``: ``1 − JS distance`` (base 2, in [0, 1]) of the vectors normalised to sum 1.

This is the only module that knows the names: the recommender, the plots, the CLI and the Space ask
:func:`get_similarity` (and :func:`similarity_names` for choices). A new representation or similarity plugs in
by adding one :class:`Similarity` subclass to the registry. No torch here: catalog queries never import it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import LyricMoodError

# Bound the (queries × songs × labels) temporaries of Jensen-Shannon to this many floats.
_JS_BLOCK = 1 << 22


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=-1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def _distributions(X: np.ndarray) -> np.ndarray:
    X = np.clip(np.asarray(X, dtype=np.float64), 0.0, None)
    sums = X.sum(axis=-1, keepdims=True)
    uniform = np.full_like(X, 1.0 / X.shape[-1])
    return np.where(sums > 0, X / np.where(sums > 0, sums, 1.0), uniform)


def jensen_shannon_similarity(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``1 − JS distance`` (base 2) between every row of ``P`` (B, L) and of ``Q`` (N, L) → (B, N), in [0, 1].

    Rows are normalised to sum 1 first (multi-label probabilities do not).
    """
    P, Q = _distributions(np.atleast_2d(P)), _distributions(np.atleast_2d(Q))
    plogp = np.sum(P * np.log2(np.where(P > 0, P, 1.0)), axis=1)  # 0 log 0 = 0
    qlogq = np.sum(Q * np.log2(np.where(Q > 0, Q, 1.0)), axis=1)
    out = np.empty((len(P), len(Q)), dtype=np.float64)
    step = max(1, _JS_BLOCK // max(1, Q.size))
    for start in range(0, len(P), step):
        p = P[start : start + step, None, :]
        m = (p + Q[None, :, :]) / 2
        log_m = np.log2(np.where(m > 0, m, 1.0))
        # JS = ½ Σ p log(p/m) + ½ Σ q log(q/m) = ½ (Σ p log p + Σ q log q) − Σ m log m
        js = 0.5 * (plogp[start : start + step, None] + qlogq[None, :]) - np.sum(m * log_m, axis=2)
        out[start : start + step] = 1.0 - np.sqrt(np.clip(js, 0.0, 1.0))
    return out


class Similarity:
    """One way of comparing vectors. ``signed``: scores span [-1, 1] (else [0, 1]; the heatmap's colour scale).

    The catalog side is prepared once (:meth:`prepare_catalog`), each query batch with :meth:`prepare_queries`,
    and :meth:`score` compares them; ``mean`` is the catalog's mean vector.
    """

    name: str
    signed: bool = True

    def prepare_catalog(self, X: np.ndarray, mean: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def prepare_queries(self, Q: np.ndarray, mean: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score(self, queries: np.ndarray, catalog: np.ndarray) -> np.ndarray:
        """Prepared queries (B, D) against prepared catalog rows (N, D) → (B, N)."""
        return queries @ catalog.T

    def pairwise(self, A: np.ndarray, B: np.ndarray | None = None, center: np.ndarray | None = None) -> np.ndarray:
        """Similarities between the rows of ``A`` and of ``B`` (default ``A``), in float64.

        ``center``: the catalog's mean vector where the similarity uses one (default: the mean of these rows).
        """
        A = np.atleast_2d(np.asarray(A, dtype=np.float64))
        B = A if B is None else np.atleast_2d(np.asarray(B, dtype=np.float64))
        return self._pairwise(A, B, center)

    def _pairwise(self, A: np.ndarray, B: np.ndarray, center: np.ndarray | None) -> np.ndarray:
        return _normalize_rows(A) @ _normalize_rows(B).T

    def mood_query(self, weights: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """The query vector for a mood: emotion weights (summing to 1) over the labels."""
        return weights

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Cosine(Similarity):
    """Cosine of the raw vectors."""

    name = "cosine"

    def prepare_catalog(self, X: np.ndarray, mean: np.ndarray) -> np.ndarray:
        # float32 halves memory and time of the one matrix product per query batch (1M songs: 112 MB).
        return _normalize_rows(X).astype(np.float32)

    def prepare_queries(self, Q: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return _normalize_rows(np.asarray(Q, dtype=np.float64)).astype(np.float32)


class CenteredCosine(Cosine):
    """Cosine of the vectors minus the catalog's mean vector."""

    name = "centered-cosine"

    def prepare_catalog(self, X: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return super().prepare_catalog(X - mean, mean)

    def prepare_queries(self, Q: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return super().prepare_queries(Q - mean, mean)

    def _pairwise(self, A: np.ndarray, B: np.ndarray, center: np.ndarray | None) -> np.ndarray:
        if center is None:
            center = np.concatenate([A, B]).mean(axis=0) if B is not A else A.mean(axis=0)
        return super()._pairwise(A - center, B - center, None)

    def mood_query(self, weights: np.ndarray, mean: np.ndarray) -> np.ndarray:
        # Centred cosine compares directions away from the catalog mean, so the query is ``mean + w``: songs above
        # average on the named emotions (in those proportions) rank first.
        return mean + weights


class JensenShannon(Similarity):
    """``1 − JS distance`` of the vectors normalised to sum 1 (unsigned)."""

    name = "jensen-shannon"
    signed = False

    def prepare_catalog(self, X: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return _distributions(X)

    def prepare_queries(self, Q: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return Q

    def score(self, queries: np.ndarray, catalog: np.ndarray) -> np.ndarray:
        return jensen_shannon_similarity(queries, catalog)

    def _pairwise(self, A: np.ndarray, B: np.ndarray, center: np.ndarray | None) -> np.ndarray:
        return jensen_shannon_similarity(A, B)


#: every similarity by name; the first is the default
SIMILARITIES: dict[str, Similarity] = {s.name: s for s in (CenteredCosine(), Cosine(), JensenShannon())}
DEFAULT_SIMILARITY = next(iter(SIMILARITIES))


def similarity_names() -> list[str]:
    """The names :func:`get_similarity` accepts (the CLI's and the Space's choices), the default first."""
    return list(SIMILARITIES)


def get_similarity(name: str | Similarity) -> Similarity:
    """The similarity called ``name`` (a :class:`Similarity` passes through); else an error listing the names."""
    if isinstance(name, Similarity):
        return name
    try:
        return SIMILARITIES[name]
    except (KeyError, TypeError):
        raise LyricMoodError(
            f"unknown similarity {name!r}", field="similarity", hint=f"use one of {', '.join(SIMILARITIES)}"
        ) from None


def pairwise_similarity(
    A: np.ndarray, B: np.ndarray | None = None, similarity: str = DEFAULT_SIMILARITY, center: np.ndarray | None = None
) -> np.ndarray:
    """Similarities between the rows of ``A`` and of ``B`` (default ``A``) by the similarity named ``similarity``.

    ``center``: the vector subtracted by centred cosine (default: the mean of ``A`` and ``B``'s rows; pass the
    catalog's mean to score songs as the recommender does).
    """
    return get_similarity(similarity).pairwise(A, B, center)


class CatalogSpace:
    """The catalog's rows in one vector space, prepared once for one similarity (``mean``: the rows' mean)."""

    def __init__(self, X: np.ndarray, similarity: str | Similarity):
        self.similarity = get_similarity(similarity)
        self.rows = np.asarray(X, dtype=np.float64)
        self.mean = self.rows.mean(axis=0)
        self.items = self.similarity.prepare_catalog(self.rows, self.mean)

    def scores(self, Q: np.ndarray) -> np.ndarray:
        """Similarity of each query row (B, D) to every song → (B, N)."""
        return self.similarity.score(self.similarity.prepare_queries(Q, self.mean), self.items)

    def prepare_queries(self, Q: np.ndarray) -> np.ndarray:
        """Query rows as :attr:`items` are prepared (for the cosines: ``items @ prepared.T`` are the scores)."""
        return self.similarity.prepare_queries(np.atleast_2d(np.asarray(Q, dtype=np.float64)), self.mean)

    def between(self, rows: Sequence[int]) -> np.ndarray:
        """Pairwise similarities of catalog rows."""
        return self.pairwise(self.rows[list(rows)])

    def pairwise(self, A: np.ndarray) -> np.ndarray:
        """Pairwise similarities of raw rows ``A`` of this space, compared as catalog songs are (catalog mean)."""
        return self.similarity.pairwise(A, center=self.mean)
