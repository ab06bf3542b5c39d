"""Songs whose lyrics feel alike: exact top-k over a :class:`~lyricmood.index.SongIndex`.

``similarity=`` names how vectors are compared (:mod:`lyricmood.similarity`; default: centred cosine).

What is compared: songs (catalog songs and lyrics) by the index's ranking vectors: mood and meaning together
where the index keeps meaning vectors (:mod:`lyricmood.fusion`; ``Filters(mood_weight=...)`` moves the mix per
query), else the model's pooled emotion features (README, "Real lyrics"); moods and explicit emotion vectors by the
emotion probabilities. The probabilities also explain every result (the emotions both songs share above the
catalog average).

Ranking is one matrix product per batch of queries, a partial sort (``np.partition``) then a sort; ties are
broken by catalog order. ``diversity`` > 0 re-ranks by maximal marginal relevance (MMR).

Example:
    >>> import numpy as np
    >>> from lyricmood.index import SongIndex
    >>> index = SongIndex.empty(["joy", "sadness", "love"], fingerprint="demo")
    >>> for i, v in enumerate([[.8, .1, .1], [.7, .1, .2], [.1, .8, .1], [.1, .6, .3]]):
    ...     index.add(f"s{i}", np.array(v), {"title": f"Song {i}", "artist": "A" if i < 2 else "B"})
    >>> recommender = Recommender(index)
    >>> [(r.id, round(r.score, 2)) for r in recommender.similar_to_song("s0", k=1)]
    [('s1', 0.97)]
    >>> [r.id for r in recommender.similar_to_mood({"sadness": 1.0}, k=2)]
    ['s2', 's3']
    >>> [r.id for r in recommender.similar_to_song("Song 2", k=2, filters=Filters(exclude_same_artist=True))]
    ['s0', 's1']
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .arcs import catalog_arcs, song_arc
from .dig import DIG_POOL, MAX_JOURNEY_STEPS, MOOD_ANCHOR_SONGS, SEED_FITS, Journey, JourneyStep
from .dig import journey_points, seed_scores, spread_rank, walk
from .emotions import NON_EMOTION_LABELS, SongEmotion, ranked_emotions
from .errors import LyricMoodError, LyricMoodTypeError, require_text
from .filters import CatalogFilter, Filters
from .fusion import MoodAndMeaningSpace
from .index import SongIndex
from .moods import mood_weights
from .similarity import DEFAULT_SIMILARITY, CatalogSpace, _distributions, get_similarity

if TYPE_CHECKING:  # queries on stored vectors need no torch: the model is imported and loaded only to score lyrics
    from .inference import EmotionPredictor

#: how many emotions ``Recommendation.shared_emotions`` names
WHY_K = 3
#: what songs are compared by: ``"song"`` (the whole song, in the ranking space) or ``"arc"`` (its emotional arc)
COMPARE_BY = ("song", "arc")
# Held while a recommender loads its model on first use, so that concurrent first lyrics queries (the Space) load it
# once. Module-level rather than per recommender, which stays copyable (a lock is not).
_PREDICTOR_LOCK = threading.Lock()


@dataclass
class Recommendation:
    """One recommended song, its similarity to the query and the emotions both share most (the "why")."""

    id: str
    title: str
    artist: str
    year: int | None
    lang: str
    score: float
    shared_emotions: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def _query_matrix(vectors: Any) -> np.ndarray:
    try:
        return np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    except (TypeError, ValueError):
        raise LyricMoodError("a query vector must be an array of numbers", field="vector") from None


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite ``scores``, best first; ties by smaller index. ``-inf`` never returned."""
    scores = np.asarray(scores)
    if 0 < k < len(scores):
        # The k-th largest value in one linear pass (NaN sorts last, so it is never picked), then every score ≥ it,
        # so that the exact tie-break below still decides among equals.
        kth = -np.partition(-scores, k - 1)[k - 1]
        if np.isfinite(kth):
            candidates = np.flatnonzero(scores >= kth)
            return candidates[np.lexsort((candidates, -scores[candidates]))[:k]]
    # Fewer than k finite scores (filters left few songs), NaN, or k ≥ N: rank the finite scores only.
    valid = np.flatnonzero(np.isfinite(scores))
    if min(k, len(valid)) <= 0:
        return np.zeros(0, dtype=np.int64)
    return valid[np.lexsort((valid, -scores[valid]))[:k]]


def _as_filters(filters: Filters | None, options: Mapping[str, Any]) -> Filters:
    """``filters``, or one built from the keyword filters of the compatibility methods (not both)."""
    if filters is not None and options:
        raise LyricMoodTypeError("give either filters=Filters(...) or keyword filters, not both")
    if filters is not None and not isinstance(filters, Filters):
        raise LyricMoodTypeError(f"filters must be a Filters, got {type(filters).__name__}", field="filters")
    try:
        return filters or Filters(**options)
    except TypeError as err:  # an unknown keyword
        raise LyricMoodTypeError(str(err), hint="filters: year_range, lang, exclude_same_artist, diversity, mood_weight") from None


# ------------------------------------------------------------------------------------------------
# The recommender


class Recommender:
    """Recommend songs of an index by emotional similarity (in the spirit of implicit's ``RecommenderBase``).

    ``predictor`` (an :class:`EmotionPredictor` of the model that built the index) is needed only to
    query with raw lyrics; ``load_predictor`` (a function returning one) loads it on the first such query
    instead, so that queries by catalog song or mood never load a model (nor import torch).
    """

    def __init__(
        self,
        index: SongIndex,
        similarity: str = DEFAULT_SIMILARITY,
        predictor: EmotionPredictor | None = None,
        *,
        load_predictor: Callable[[], EmotionPredictor] | None = None,
    ):
        get_similarity(similarity)  # an unknown name fails here, listing the names
        if len(index) == 0:
            raise LyricMoodError("the index is empty", hint="index a catalog with at least one song")
        self.index = index
        self.similarity = similarity
        self._load_predictor = load_predictor
        self.predictor = self._checked(predictor)
        self.fit()

    @property
    def predictor(self) -> EmotionPredictor | None:
        """The model that scores raw lyrics (loaded now if it was given as ``load_predictor``), or None."""
        if self._predictor is None and self._load_predictor is not None:
            with _PREDICTOR_LOCK:
                if self._predictor is None:
                    self._predictor = self._checked(self._load_predictor())
        return self._predictor

    @predictor.setter
    def predictor(self, predictor: EmotionPredictor | None) -> None:
        self._predictor = predictor

    def _checked(self, predictor: EmotionPredictor | None) -> EmotionPredictor | None:
        """``predictor``, if the vectors it makes are comparable with the index's (same model, same labels)."""
        if predictor is not None:
            self.index.check_compatible(predictor.fingerprint, predictor.labels, what="the model's vectors",
                                        meaning_fingerprint=predictor.meaning_fingerprint)
            if self.index.meaning is not None and (predictor.meaning is None or predictor.chunks != "sections"):
                raise LyricMoodError("the index ranks songs by mood and meaning, but the model reads no meaning "
                                     "(or reads emotions by line, not by section)",
                                     hint="load the model as the index was built (lyricmood.default_model.load_predictor)")
        return predictor

    @property
    def labels(self) -> list[str]:
        return self.index.labels

    def fit(self) -> Recommender:
        """Precompute the catalog side (means, centred and normalised vectors); call again after changing the index.

        Songs are compared in the index's ranking space (:attr:`SongIndex.representation`: mood and meaning, or
        the pooled emotion features, where the index keeps them); moods and explicit emotion vectors in the
        emotion space (the probabilities), which also explains every result. :attr:`catalog_filter` applies
        :class:`Filters`.
        """
        index = self.index
        self._emotions = CatalogSpace(index.vectors, self.similarity)
        self._songs = self._emotions if index.features is None else CatalogSpace(index.features, self.similarity)
        if index.meaning is not None:
            meaning = CatalogSpace(index.meaning, self.similarity)
            self._songs = MoodAndMeaningSpace(self._songs, meaning, index.mood_weight)
        self.mean = self._emotions.mean
        self.catalog_filter = CatalogFilter(self.index.metadata)
        self._arcs: CatalogSpace | None = None  # built on the first query by arc
        return self

    def save(self, path: str | Path) -> Path:
        return self.index.save(path)

    @classmethod
    def load(
        cls, path: str | Path, similarity: str = DEFAULT_SIMILARITY, predictor: EmotionPredictor | None = None
    ) -> Recommender:
        return cls(SongIndex.load(path), similarity=similarity, predictor=predictor)

    # -- queries -------------------------------------------------------------------------------------
    def resolve_id(self, song: str) -> str:
        """A catalog id from an id or an exact (case-insensitive) title; else an error naming the closest songs."""
        if song in self.index:
            return song
        wanted = str(song).strip().casefold()
        matches = [i for i, m in enumerate(self.index.metadata) if str(m.get("title", "")).strip().casefold() == wanted]
        if len(matches) == 1:
            return self.index.ids[matches[0]]
        if len(matches) > 1:
            ids = ", ".join(repr(self.index.ids[i]) for i in matches)
            raise LyricMoodError(f"several songs are titled {song!r}", field="song", hint=f"give one of the ids {ids}")
        return self.index.ids[self.index.position(song)]  # raises, suggesting close titles

    def mood_vector(self, mood: Mapping[str, float]) -> np.ndarray:
        """A query vector for a mood such as ``{"sadness": 0.7, "love": 0.3}`` (weights ≥ 0, normalised to sum 1).

        The similarity builds the query from ``w`` (:meth:`Similarity.mood_query`: centred cosine adds the
        catalog mean, so that songs above average on the named emotions, in those proportions, rank first).
        """
        w = mood_weights(mood, self.labels)  # checked: known emotions, weights ≥ 0, normalised to sum 1
        return self._emotions.similarity.mood_query(w, self.mean)

    def _emotion_queries(self, vectors: Any) -> np.ndarray:
        """``vectors`` as a (B, L) matrix of emotion vectors over :attr:`labels`, checked."""
        Q = _query_matrix(vectors)
        if Q.ndim != 2 or Q.shape[1] != len(self.labels):
            raise LyricMoodError(f"a query vector has {Q.shape[-1]} values, the index has {len(self.labels)} labels")
        if not np.isfinite(Q).all():
            raise LyricMoodError("a query vector holds NaN or infinity", field="vector", hint="give finite numbers")
        return Q

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Similarity of each query vector (B, L) to every song → (B, N)."""
        return self._emotions.scores(self._emotion_queries(queries))

    def _check_k(self, k: int) -> int:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k <= 0:
            raise LyricMoodError(f"k must be a whole number ≥ 1, got {k!r}", field="k")
        if k > len(self.index):
            raise LyricMoodError(
                f"k={k} is larger than the catalog ({len(self.index)} songs)",
                field="k",
                hint=f"ask for at most {len(self.index)}",
            )
        return int(k)

    def _rank(
        self, scores: np.ndarray, k: int, keep: np.ndarray, diversity: float, space: CatalogSpace
    ) -> np.ndarray:
        scores = np.where(keep, scores, -np.inf)
        if diversity <= 0:
            return top_k(scores, k)
        # MMR over a pool of the most relevant songs: argmax (1−λ)·relevance − λ·max similarity to those picked.
        pool = top_k(scores, max(5 * k, 50))
        if len(pool) == 0:
            return pool
        relevance = scores[pool]
        between = space.between(pool)
        chosen: list[int] = []
        redundancy = np.full(len(pool), -np.inf)
        available = np.ones(len(pool), dtype=bool)
        for _ in range(min(k, len(pool))):
            penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
            value = np.where(available, (1 - diversity) * relevance - diversity * penalty, -np.inf)
            best = int(np.argmax(value))  # first maximum: pool order, i.e. relevance then catalog order
            chosen.append(best)
            available[best] = False
            redundancy = np.maximum(redundancy, between[best])
        return pool[chosen]

    def _why(self, query: np.ndarray, rows: np.ndarray) -> list[list[str]]:
        """For each catalog row of ``rows``, the :data:`WHY_K` emotions it shares most with ``query``."""
        query = np.asarray(query, dtype=np.float64).reshape(1, -1)
        items = self.index.vectors[rows]
        # Emotions on which both songs stand above the catalog average, whatever ranks them (a listener asks "what
        # do these two share that other songs lack?"); the raw product breaks the ties. Never "neutral".
        shared = np.clip(query - self.mean, 0, None) * np.clip(items - self.mean, 0, None)
        raw = _distributions(query) * _distributions(items)
        label_order = np.broadcast_to(np.arange(len(self.labels)), shared.shape)
        orders = np.lexsort((label_order, -raw, -shared), axis=-1)
        return [[self.labels[i] for i in order if self.labels[i] not in NON_EMOTION_LABELS][:WHY_K] for order in orders]

    def _recommendations(self, query: np.ndarray, rows: np.ndarray, scores: np.ndarray) -> list[Recommendation]:
        out = []
        for i, shared_emotions in zip(rows, self._why(query, rows)):
            meta = self.index.metadata[i]
            out.append(
                Recommendation(
                    id=self.index.ids[i],
                    title=str(meta.get("title") or self.index.ids[i]),
                    artist=str(meta.get("artist") or ""),
                    year=None if meta.get("year") is None else int(meta["year"]),
                    lang=str(meta.get("lang") or ""),
                    score=float(scores[i]),
                    shared_emotions=shared_emotions,
                )
            )
        return out

    # -- the query API: one method per kind of query, no guessing ----------------------------------
    def _answer(
        self, scores: np.ndarray, why: np.ndarray, space: CatalogSpace, k: int, filters: Filters,
        songs: Sequence[int | None],
    ) -> list[list[Recommendation]]:
        """Rank each row of ``scores`` (B, N) under ``filters``; ``songs``: each query's catalog row (left out,
        with its artist if asked), or None; ``why``: each query's emotion probabilities, which explain results."""
        answers = []
        for b, S in enumerate(scores):
            keep = self.catalog_filter.mask(filters, songs[b])
            if filters.dig:
                pool = self._rank(S, DIG_POOL * k, keep, 0.0, space)
                rows = spread_rank(pool, self.catalog_filter.groups(filters.dig, pool), k)
            else:
                rows = self._rank(S, k, keep, filters.diversity, space)
            answers.append(self._recommendations(why[b : b + 1], rows, S))
        return answers

    def _song_rows(self, songs: Sequence[str]) -> list[int]:
        rows = []
        for song in songs:
            if not isinstance(song, (str, int)) or isinstance(song, bool):
                require_text(song, "a song (a catalog id or title)")  # bytes, dicts … are refused
            rows.append(self.index.position(self.resolve_id(str(song))))
        return rows

    def ranking_space(self, mood_weight: float | None = None) -> CatalogSpace | MoodAndMeaningSpace:
        """The space songs are ranked in (see :meth:`fit`); ``mood_weight`` moves the mix of mood and meaning where
        the index keeps both (``None``: the index's weight). An index without meaning vectors ranks by emotion
        only, so it accepts only ``None`` or 1."""
        if isinstance(self._songs, MoodAndMeaningSpace):
            return self._songs.weighted(mood_weight)
        if mood_weight is not None and mood_weight != 1:
            raise LyricMoodError(
                f"this index ranks songs by {self.index.representation!r} alone, so the mood weight can only be 1",
                field="mood_weight", hint="rebuild the index with `lyricmood index` to weigh mood against meaning")
        return self._songs

    def _similar_to_rows(self, rows: list[int], k: int, filters: Filters) -> list[list[Recommendation]]:
        k = self._check_k(k)
        space = self.ranking_space(filters.mood_weight)
        scores = space.scores(space.rows[rows])
        return self._answer(scores, self.index.vectors[rows], space, k, filters, rows)

    def _similar_to_vectors(self, vectors: Any, k: int, filters: Filters) -> list[list[Recommendation]]:
        k = self._check_k(k)
        Q = _query_matrix(vectors)
        return self._answer(self.scores(Q), Q, self._emotions, k, filters, [None] * len(Q))

    def similar_to_song(
        self, song: str, k: int = 10, filters: Filters | None = None, by: str = "song"
    ) -> list[Recommendation]:
        """The ``k`` songs most like a catalog song (its id, or its exact title in any case), itself left out.

        Songs are compared by the index's ranking vectors (``by="arc"``: by their emotional arcs, see
        :meth:`arc_space`). Fewer than ``k`` come back when the filters leave fewer.
        """
        filters = _as_filters(filters, {})
        if by != "song":
            return self.similar_to_songs([song], k, filters, by=by)
        return self._similar_to_rows(self._song_rows([song]), k, filters)[0]

    def similar_to_lyrics(self, lyrics: str, k: int = 10, filters: Filters | None = None) -> list[Recommendation]:
        """The ``k`` songs most like raw ``lyrics``, scored by the model (always as lyrics, even one word)."""
        require_text(lyrics, "the lyrics")
        filters = _as_filters(filters, {})  # before the model's work
        if self.predictor is None:
            raise LyricMoodError(
                "scoring lyrics needs the model that built the index",
                hint="give Recommender(..., predictor=...) or load_predictor=...",
            )
        return self.similar_to_emotion(self.predictor.score_song(lyrics), k, filters)

    def similar_to_mood(
        self, mood: Mapping[str, float], k: int = 10, filters: Filters | None = None
    ) -> list[Recommendation]:
        """Songs matching a mood, e.g. ``{"sadness": 0.7, "love": 0.3}`` (see :meth:`mood_vector`), compared by
        the emotion probabilities. ``exclude_same_artist`` has no effect: a mood has no artist."""
        return self.similar_to_vector(self.mood_vector(mood), k, filters)

    def similar_to_vector(self, vector: np.ndarray, k: int = 10, filters: Filters | None = None) -> list[Recommendation]:
        """Songs most like an emotion vector over :attr:`labels`, compared by the emotion probabilities."""
        filters = _as_filters(filters, {})
        Q = _query_matrix(vector)
        if len(Q) != 1:
            raise LyricMoodError(f"expected one vector, got {len(Q)}", field="vector",
                                 hint="query many with similar_songs_batch(vectors=...)")
        if not Q.any():  # no emotion at all: every song would tie (an all-zero mood is refused alike)
            raise LyricMoodError("the query vector is all zeros", field="vector", hint="give at least one positive value")
        return self._similar_to_vectors(Q, k, filters)[0]

    def similar_to_emotion(
        self, song: SongEmotion, k: int = 10, filters: Filters | None = None, **options: Any
    ) -> list[Recommendation]:
        """Songs like an already scored song (``EmotionPredictor.score_song``), compared as catalog songs are:
        by its pooled emotion feature where the index keeps features. ``options``: the keyword filters of
        :meth:`similar_songs`, instead of ``filters`` (``exclude_same_artist`` has no effect: scored lyrics
        have no artist)."""
        filters = _as_filters(filters, options)
        if not isinstance(song, SongEmotion):
            raise LyricMoodTypeError(f"expected a SongEmotion (from score_song), got {type(song).__name__}")
        self.index.check_compatible(None, song.labels, what="the scored song's vector")
        k = self._check_k(k)
        space = self.ranking_space(filters.mood_weight)
        scores = space.scores(np.asarray(self.ranking_vector(song), dtype=np.float64)[None])
        return self._answer(scores, song.vector[None], space, k, filters, [None])[0]

    def ranking_vector(self, song: SongEmotion) -> np.ndarray:
        """What ``song`` is ranked by in this recommender: its ``[feature, meaning]`` where the index keeps meaning
        vectors, its feature where it keeps features, else its probabilities (a song without the parts the index
        ranks by is refused)."""
        if self._songs is self._emotions:
            return song.vector
        parts = [("pooled emotion feature", song.feature, self.index.features)]
        if self.index.meaning is not None:
            parts.append(("meaning vector", song.meaning, self.index.meaning))
        for what, value, stored in parts:
            if value is None or np.shape(value) != stored.shape[1:]:
                raise LyricMoodError(f"the song has no {what} of this index's model",
                                     hint="score it with the model that built the index")
        return np.concatenate([np.asarray(value, dtype=np.float64).reshape(-1) for _, value, _ in parts])

    # -- compatibility wrappers (the keyword-filter API of earlier versions) -----------------------
    def similar_songs(
        self, song: str | None = None, k: int = 10, *, vector: np.ndarray | None = None, **filters: Any
    ) -> list[Recommendation]:
        """The ``k`` songs most similar to a catalog song ``song`` (id or title: :meth:`similar_to_song`) or to
        an emotion ``vector`` (:meth:`similar_to_vector`). A string is always a catalog song: for raw lyrics
        use :meth:`similar_to_lyrics`.

        ``filters``: the fields of :class:`Filters` as keywords (``exclude_same_artist``,
        ``year_range=(first, last)``, ``lang``, ``diversity``).
        """
        if (song is None) == (vector is None):
            raise LyricMoodError("give either a catalog song (id or title) or a vector to query with")
        if song is None:
            return self.similar_to_vector(vector, k, _as_filters(None, filters))
        return self.similar_to_song(song, k, _as_filters(None, filters))

    def similar_songs_batch(
        self, queries: Sequence[str] | None = None, k: int = 10, *, vectors: np.ndarray | None = None, **filters: Any
    ) -> list[list[Recommendation]]:
        """:meth:`similar_songs` for many catalog songs ``queries`` (ids or titles) or rows of ``vectors``: one
        matrix product."""
        options = _as_filters(None, filters)
        if (queries is None) == (vectors is None):
            raise LyricMoodError("give either catalog songs (ids or titles) or vectors to query with")
        if queries is None:
            return self._similar_to_vectors(vectors, k, options)
        return self._similar_to_rows(self._song_rows([queries] if isinstance(queries, str) else queries), k, options)

    def recommend_for_mood(self, mood: Mapping[str, float], k: int = 10, **filters: Any) -> list[Recommendation]:
        """:meth:`similar_to_mood` with keyword filters (``year_range``, ``lang``, ``diversity``)."""
        filters.pop("exclude_same_artist", None)  # a mood has no artist
        return self.similar_to_mood(mood, k, _as_filters(None, filters))

    def similarity_matrix(self, song_ids: Sequence[str], query: SongEmotion | np.ndarray | None = None) -> np.ndarray:
        """Pairwise similarities of catalog songs (ids or titles), as the recommender scores them: the heatmap's
        matrix.

        ``query``, when given, comes first (row and column 0), compared as its recommendations were: a scored
        song (``SongEmotion``) by its ranking vector, an emotion vector (a mood's query) by the probabilities.
        """
        rows = [self.index.position(self.resolve_id(s)) for s in song_ids]
        if query is None:
            return self._songs.between(rows)
        if isinstance(query, SongEmotion):
            space, first = self._songs, np.asarray(self.ranking_vector(query), dtype=np.float64).reshape(1, -1)
        else:
            space, first = self._emotions, self._emotion_queries(query)
            if len(first) != 1:
                raise LyricMoodError(f"expected one query vector, got {len(first)}", field="query")
        return space.pairwise(np.vstack([first, space.rows[rows]]))

    # -- digging: several seeds, journeys, arcs (lyricmood.dig, lyricmood.arcs) ----------------------
    def arc_space(self) -> CatalogSpace:
        """The songs' emotional arcs (:func:`lyricmood.arcs.catalog_arcs`: section probabilities resampled to a
        fixed number of points, flattened) under this recommender's similarity; built once, on first use."""
        if self._arcs is None:
            self._arcs = CatalogSpace(catalog_arcs(self.index), self.similarity)
        return self._arcs

    def similar_to_arc(self, song: SongEmotion, k: int = 10, filters: Filters | None = None) -> list[Recommendation]:
        """Songs whose emotional arc matches that of a scored song (``EmotionPredictor.score_song``: lyrics), as
        ``similar_to_song(..., by="arc")`` compares catalog songs."""
        filters = _as_filters(filters, {})
        if not isinstance(song, SongEmotion):
            raise LyricMoodTypeError(f"expected a SongEmotion (from score_song), got {type(song).__name__}")
        self.index.check_compatible(None, song.labels, what="the scored song's vector")
        k = self._check_k(k)
        space = self.arc_space()
        return self._answer(space.scores(song_arc(song)[None]), song.vector[None], space, k, filters, [None])[0]

    def _space(self, by: str, mood_weight: float | None) -> CatalogSpace | MoodAndMeaningSpace:
        """What songs are compared in: :meth:`ranking_space` (``by="song"``), or their arcs (which compare emotions
        only: the mood weight does not apply)."""
        if by not in COMPARE_BY:
            raise LyricMoodError(f"unknown comparison by={by!r}", field="by",
                                 hint=f"use one of {', '.join(COMPARE_BY)}")
        return self.ranking_space(mood_weight) if by == "song" else self.arc_space()

    def _seed_rows(self, songs: Sequence[str]) -> list[int]:
        """The catalog rows of seed songs (ids or titles): at least one, none twice."""
        if isinstance(songs, (str, bytes)) or not isinstance(songs, Sequence):
            raise LyricMoodTypeError("give the seed songs as a list of ids or titles", field="songs")
        if not songs:
            raise LyricMoodError("no seed song given", field="songs", hint="give at least one catalog song")
        rows = self._song_rows(songs)
        seen: dict[int, str] = {}
        for song, row in zip(songs, rows):
            if row in seen:
                raise LyricMoodError(
                    f"the seed song {self.index.ids[row]!r} is given twice ({seen[row]!r} and {song!r})",
                    field="songs", hint="give each seed once",
                )
            seen[row] = song
        return rows

    def similar_to_songs(
        self, songs: Sequence[str], k: int = 10, filters: Filters | None = None, fit: str = "mean", by: str = "song"
    ) -> list[Recommendation]:
        """The ``k`` songs that fit a set of catalog songs (ids or titles), the seeds left out (and their artists,
        with ``exclude_same_artist``).

        ``fit="mean"`` ranks by the mean of a song's similarities to the seeds (the set's centre:
        :func:`lyricmood.dig.seed_scores`); ``fit="every"`` by the smallest, so only songs that fit every seed rank
        high. The "why" names the emotions a song shares with the seeds' mean emotion profile.
        """
        filters = _as_filters(filters, {})
        if fit not in SEED_FITS:
            raise LyricMoodError(f"unknown fit {fit!r}", field="fit", hint=f"use one of {', '.join(SEED_FITS)}")
        space = self._space(by, filters.mood_weight)
        rows = self._seed_rows(songs)
        k = self._check_k(k)
        why = self.index.vectors[rows].mean(axis=0, keepdims=True)
        return self._answer(seed_scores(space, rows, fit)[None], why, space, k, filters, [rows])[0]

    def _journey_end(
        self, end: str | Mapping[str, float], space: CatalogSpace | MoodAndMeaningSpace
    ) -> tuple[np.ndarray, np.ndarray, int | None, str]:
        """A journey's end as (point in the ranking space, emotion profile, catalog row or None, name).

        A mood's point is the mean ranking vector of its :data:`~lyricmood.dig.MOOD_ANCHOR_SONGS` best songs (as
        :meth:`similar_to_mood` ranks them): a mood has no vector in the ranking space, but the songs that carry
        it best do, whatever that space is.
        """
        if isinstance(end, Mapping):
            anchors = self.similar_to_mood(end, min(MOOD_ANCHOR_SONGS, len(self.index)))
            rows = [self.index.position(r.id) for r in anchors]
            name = "mood " + ", ".join(f"{e}={w:g}" for e, w in end.items())
            return space.rows[rows].mean(axis=0), self.index.vectors[rows].mean(axis=0), None, name
        row = self._song_rows([end])[0]
        title = str(self.index.metadata[row].get("title") or self.index.ids[row])
        return space.rows[row], self.index.vectors[row], row, title

    def journey(
        self, start: str | Mapping[str, float], end: str | Mapping[str, float], steps: int = 10,
        filters: Filters | None = None,
    ) -> Journey:
        """An ordered playlist of ``steps`` songs whose feel moves from ``start`` to ``end`` (each a catalog song, or
        a mood such as ``{"sadness": 1.0}``).

        Step i is the most similar unused song to the point ``i / (steps + 1)`` of the way from start to end in the
        ranking space (:func:`lyricmood.dig.walk`); the end songs are not steps, no song comes twice, ``filters``
        hold for every step. Each step reports its distance (1 − similarity) to its ideal point and its own top
        emotions.
        """
        filters = _as_filters(filters, {})
        if filters.dig or filters.diversity:
            raise LyricMoodError("a journey takes no diversity or dig", field="filters",
                                 hint="its steps are spread from start to end already")
        if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or not 1 <= steps <= MAX_JOURNEY_STEPS:
            raise LyricMoodError(f"steps must be a whole number from 1 to {MAX_JOURNEY_STEPS}, got {steps!r}",
                                 field="steps")
        space = self.ranking_space(filters.mood_weight)
        (a, a_emotions, a_row, a_name), (b, b_emotions, b_row, b_name) = (self._journey_end(start, space),
                                                                          self._journey_end(end, space))
        if (a_row is not None and a_row == b_row) or (a_row is None and b_row is None and np.array_equal(a, b)):
            raise LyricMoodError(f"the journey starts and ends at {a_name!r}", field="end",
                                 hint="give two different songs or moods")
        keep = self.catalog_filter.mask(filters, [r for r in (a_row, b_row) if r is not None] or None)
        if keep.sum() < steps:
            raise LyricMoodError(
                f"steps={steps}, but only {int(keep.sum())} songs are left to walk through (the ends and the filters "
                "leave out the others)", field="steps", hint="ask for fewer steps, or widen the filters",
            )
        points, at = journey_points(a, b, int(steps))
        rows, scores = walk(space, points, keep)
        journey = Journey(a_name, b_name)
        for i, (row, score, t) in enumerate(zip(rows, scores, at)):
            ideal = (1 - t) * a_emotions + t * b_emotions  # the emotions at that point of the way: the step's "why"
            song = self._recommendations(ideal[None], np.array([row]), {row: score})[0]
            top = [self.labels[j] for j in ranked_emotions(self.index.vectors[row], self.labels)[:WHY_K]]
            journey.steps.append(JourneyStep(i + 1, float(t), 1.0 - float(score), top, song))
        return journey
