"""A catalog's song emotion vectors, saved with the fingerprint of the model that made them.

:class:`SongIndex` is the store: song ids, their metadata, their emotion vectors (and pooled features), and the
vectors of their sections, kept aligned as songs are added, updated, removed or merged. Its folder on disk
(files, checksums, atomic saves) is :mod:`lyricmood.index_files`; building an index from a catalog lives in
:mod:`lyricmood.indexing`. Vectors from different models, or over different label sets, are never mixed: they
would not be comparable.

Example:
    >>> import numpy as np
    >>> index = SongIndex.empty(["joy", "sadness"], fingerprint="abc")
    >>> index.add("s1", np.array([0.9, 0.1]), {"title": "Sunny", "artist": "A"})
    >>> index.add("s2", np.array([0.2, 0.8]), {"title": "Rainy", "artist": "B"})
    >>> len(index), index.get("s2")["title"]
    (2, 'Rainy')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .emotions import SongEmotion
from .errors import LyricMoodError, LyricMoodTypeError
from .index_files import (
    FEATURE_REPRESENTATION,
    INFO_FILE,
    MOOD_AND_MEANING_REPRESENTATION,
    PROBABILITY_REPRESENTATION,
    REBUILD_HINT,
    read_index_files,
    read_index_info,
    write_index_files,
)

__all__ = [
    "FEATURE_REPRESENTATION", "INFO_FILE", "METADATA_FIELDS", "MOOD_AND_MEANING_REPRESENTATION",
    "PROBABILITY_REPRESENTATION", "SongIndex",
    "read_index_info", "valid_song_id",
]

#: catalog fields kept as song metadata (the lyrics themselves are not stored)
METADATA_FIELDS = ("title", "artist", "year", "lang", "intended_mood")
#: keys of a metadata dict that are not metadata: given by get(), or the lyrics (never stored)
_NOT_METADATA = ("id", "vector", "lyrics", "section_vectors")


def valid_song_id(value: Any) -> str:
    """A song id as a non-blank string (an int is accepted and kept as text); else :class:`LyricMoodError`."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise LyricMoodError(
            f"a song id must be a non-empty text, got {value!r}", field="id", hint="give every song a text id"
        )
    return value



def _index_path(path: Any) -> Path:
    """An index folder's path as given to :meth:`SongIndex.load` / :meth:`SongIndex.save`, checked to be a path."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise LyricMoodTypeError(f"the index path must be a folder path, got {path!r}", field="path")
    return Path(path)


def first_duplicate(ids: Iterable[str]) -> str | None:
    """The first id that ``ids`` give a second time, or None."""
    seen: set[str] = set()
    return next((song_id for song_id in ids if song_id in seen or seen.add(song_id)), None)


@dataclass(eq=False)
class SongIndex:
    """Song ids, their metadata and emotion vectors ``(N, L)`` over ``labels``, made by the model ``fingerprint``.

    ``metadata[i]`` holds the catalog fields (title, artist, year, lang, intended_mood) and, when kept, the names of
    the song's ``sections``: JSON values only. The sections' vectors (the song's emotional arc) are the rows
    ``section_offsets[i]:section_offsets[i + 1]`` of ``section_vectors`` ``(S, L)``; a song added as a bare vector
    has none. They are the tensors of the saved index, as they are.

    ``features`` ``(N, D)``, when present, holds each song's pooled emotion feature
    (:attr:`SongEmotion.feature`): songs are then ranked by it, and explained and drawn by ``vectors``.
    An index is created with or without features (``SongIndex.empty(..., feature_size=D)``) and every song
    it holds has them or none does, so the representation it ranks by is one (:attr:`representation`).

    ``meaning`` ``(N, E)``, when present (with features), holds each song's semantic embedding read in context
    (:attr:`SongEmotion.meaning`): songs are then ranked by mood and meaning together, the mood part weighing
    ``mood_weight`` (:mod:`lyricmood.fusion`); ``meaning_model`` names the encoder that made them (never a path)
    and ``meaning_fingerprint`` identifies its weights.
    """

    ids: list[str]
    metadata: list[dict]
    vectors: np.ndarray
    labels: list[str]
    fingerprint: str
    model: str | None = None
    features: np.ndarray | None = None
    section_vectors: np.ndarray | None = None
    section_offsets: np.ndarray | None = None
    meaning: np.ndarray | None = None
    mood_weight: float | None = None
    meaning_fingerprint: str | None = None
    meaning_model: str | None = None
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ids = [valid_song_id(i) for i in self.ids]
        self.labels = [str(label) for label in self.labels]
        twice = first_duplicate(self.labels)
        if twice is not None:  # a query by mood would weigh one of the two, at random
            raise LyricMoodError(f"the label {twice!r} is given twice", field="labels", hint="give each label once")
        n, width = len(self.ids), len(self.labels)
        self.vectors = np.asarray(self.vectors, dtype=np.float32).reshape(n, width)
        for name in ("features", "meaning"):
            array = getattr(self, name)
            if array is not None:
                array = np.asarray(array, dtype=np.float32)
                if array.ndim != 2 or len(array) != n:
                    raise ValueError(f"{n} ids but {name} of shape {array.shape}")
                setattr(self, name, array)
        if self.meaning is not None:
            from .fusion import checked_mood_weight

            if self.features is None:
                raise ValueError("an index with meaning vectors needs pooled emotion features too")
            self.mood_weight = checked_mood_weight(self.mood_weight)
        if len(self.metadata) != n:
            raise ValueError(f"{n} ids but {len(self.metadata)} metadata rows")
        sections = np.zeros((0, width)) if self.section_vectors is None else self.section_vectors
        offsets = np.zeros(n + 1) if self.section_offsets is None else self.section_offsets
        self.section_vectors = np.asarray(sections, dtype=np.float32)
        self.section_offsets = np.asarray(offsets, dtype=np.int64)
        if (
            self.section_vectors.shape[1:] != (width,)
            or self.section_offsets.shape != (n + 1,)
            or self.section_offsets[0] != 0
            or self.section_offsets[-1] != len(self.section_vectors)
            or np.any(np.diff(self.section_offsets) < 0)
        ):
            raise ValueError(
                f"section offsets {self.section_offsets.shape} do not split section vectors "
                f"{self.section_vectors.shape} over {n} songs"
            )
        self._positions = {song_id: i for i, song_id in enumerate(self.ids)}
        dup = first_duplicate(self.ids)
        if dup is not None:
            raise LyricMoodError(f"duplicate song id {dup!r} in the index", hint="make every id unique")

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def empty(
        cls, labels: Sequence[str], fingerprint: str, model: str | None = None, feature_size: int | None = None,
        *, meaning_size: int | None = None, mood_weight: float | None = None, meaning_fingerprint: str | None = None,
        meaning_model: str | None = None,
    ) -> SongIndex:
        """An index without songs; ``feature_size``: keep each song's pooled emotion feature (of that size);
        ``meaning_size``: keep its meaning vector too, ranking by both (``mood_weight``: the mood part's share)."""
        features = None if feature_size is None else np.zeros((0, int(feature_size)), dtype=np.float32)
        meaning = None if meaning_size is None else np.zeros((0, int(meaning_size)), dtype=np.float32)
        return cls([], [], np.zeros((0, len(labels)), dtype=np.float32), list(labels), fingerprint, model, features,
                   meaning=meaning, mood_weight=mood_weight, meaning_fingerprint=meaning_fingerprint,
                   meaning_model=meaning_model)

    @property
    def representation(self) -> str:
        """What songs are ranked by: ``"mood-and-meaning"``, ``"pooled-emotion-feature"`` or
        ``"emotion-probabilities"``."""
        if self.meaning is not None:
            return MOOD_AND_MEANING_REPRESENTATION
        return PROBABILITY_REPRESENTATION if self.features is None else FEATURE_REPRESENTATION

    # -- access --------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, song_id: object) -> bool:
        return song_id in self._positions

    def position(self, song_id: str) -> int:
        """Row of ``song_id`` in :attr:`vectors`; unknown id → :class:`LyricMoodError` suggesting close titles."""
        try:
            return self._positions[song_id]
        except KeyError:
            raise LyricMoodError(f"unknown song id {song_id!r}", field="song", hint=self.suggest(song_id)) from None

    def suggest(self, text: str, n: int = 5) -> str:
        """A hint naming the songs whose id or title is closest to ``text`` (difflib)."""
        import difflib

        titles = {str(m.get("title", "")).casefold(): i for i, m in reversed(list(enumerate(self.metadata)))}
        ids = {song_id.casefold(): i for i, song_id in enumerate(self.ids)}
        query = str(text).casefold()
        close = difflib.get_close_matches(query, list(titles), n=n, cutoff=0.4)
        close += difflib.get_close_matches(query, list(ids), n=n, cutoff=0.4)
        rows = list(dict.fromkeys([titles.get(c, ids.get(c)) for c in close]))[:n]
        if not rows:
            return f"give one of the {len(self)} ids of the index (e.g. {', '.join(self.ids[:3])})"
        names = ", ".join(f"{self.ids[i]!r} ({self.metadata[i].get('title', '')})" for i in rows)
        return f"did you mean {names}?"

    def get(self, song_id: str) -> dict:
        """The song's metadata with its ``id`` and ``vector``."""
        i = self.position(song_id)
        return {"id": song_id, **self.metadata[i], "vector": self.vectors[i]}

    def song_emotion(self, song_id: str) -> SongEmotion:
        """The stored :class:`SongEmotion` of a song (its arc when section vectors were kept)."""
        i = self.position(song_id)
        meta = self.metadata[i]
        sections = self._sections(i)
        return SongEmotion(
            vector=self.vectors[i].copy(),
            labels=list(self.labels),
            sections=list(meta.get("sections") or ["song"]),
            section_vectors=(sections if len(sections) else self.vectors[i : i + 1]).copy(),
            num_chunks=int(meta.get("num_chunks", 0)),
            num_tokens=int(meta.get("num_tokens", 0)),
            feature=None if self.features is None else self.features[i].copy(),
            meaning=None if self.meaning is None else self.meaning[i].copy(),
        )

    def _sections(self, i: int) -> np.ndarray:
        """The section vectors of the song at row ``i`` (none: ``(0, L)``)."""
        return self.section_vectors[self.section_offsets[i] : self.section_offsets[i + 1]]

    def _set_sections(self, blocks: Sequence[np.ndarray]) -> None:
        """Store ``blocks[i]`` as the section vectors of the song at row ``i``."""
        self.section_vectors = np.zeros((0, len(self.labels)), np.float32)
        self.section_offsets = np.zeros(1, np.int64)
        self._append_sections(blocks)

    def _append_sections(self, blocks: Sequence[np.ndarray]) -> None:
        """Store ``blocks``, in order, as the section vectors of songs appended after the last one."""
        ends = self.section_offsets[-1] + np.cumsum([len(block) for block in blocks], dtype=np.int64)
        self.section_offsets = np.concatenate([self.section_offsets, ends])
        self.section_vectors = np.concatenate([self.section_vectors, *blocks])

    # -- changes -------------------------------------------------------------------------------------
    def check_compatible(
        self, fingerprint: str | None, labels: Sequence[str] | None, what: str = "these vectors",
        *, meaning_fingerprint: str | None = None,
    ) -> None:
        """Refuse vectors made by another model (or, for meaning vectors, another encoder) or over another label
        set."""
        if labels is not None and list(labels) != self.labels:
            raise LyricMoodError(
                f"{what} are over other labels ({len(labels)}: {', '.join(list(labels)[:5])}…) than the index "
                f"({len(self.labels)}: {', '.join(self.labels[:5])}…)",
                hint="use the model that built the index, or " + REBUILD_HINT,
            )
        if fingerprint is not None and fingerprint != self.fingerprint:
            raise LyricMoodError(
                f"{what} come from another model (fingerprint {fingerprint[:12]}) than the index "
                f"({self.fingerprint[:12]}): their emotion vectors are not comparable",
                hint="use the model that built the index (--model), or " + REBUILD_HINT,
            )
        if self.meaning is not None and meaning_fingerprint not in (None, self.meaning_fingerprint):
            raise LyricMoodError(
                f"{what} come from another meaning encoder (fingerprint {meaning_fingerprint[:12]}) than the index "
                f"({str(self.meaning_fingerprint)[:12]}): their meaning vectors are not comparable",
                hint="use the model that built the index (--model), or " + REBUILD_HINT,
            )

    def add(
        self,
        song_id: str,
        emotion: SongEmotion | np.ndarray | Sequence[float],
        metadata: dict | None = None,
        *,
        fingerprint: str | None = None,
        replace: bool = True,
    ) -> None:
        """Add one song, or update it if ``song_id`` is present (unless ``replace=False``)."""
        self.add_many([song_id], [emotion], [metadata or {}], fingerprint=fingerprint, replace=replace)

    def add_many(
        self,
        ids: Sequence[str],
        emotions: Sequence[SongEmotion | np.ndarray | Sequence[float]],
        metadata: Sequence[dict],
        *,
        fingerprint: str | None = None,
        replace: bool = True,
    ) -> None:
        """Add (or update) several songs at once. ``fingerprint``: the model that made the vectors, checked.

        A :class:`SongEmotion` brings its sections (names and vectors); a bare vector brings none."""
        if not (len(ids) == len(emotions) == len(metadata)):
            raise ValueError("ids, emotions and metadata must have the same length")
        self.check_compatible(fingerprint, None)
        ids = [valid_song_id(i) for i in ids]
        songs = [self._checked_song(song_id, emotion, meta) for song_id, emotion, meta in zip(ids, emotions, metadata)]
        if first_duplicate(ids) is not None:
            raise LyricMoodError("the same song id is given twice", hint="make every id unique")
        if not replace:
            present = next((song_id for song_id in ids if song_id in self._positions), None)
            if present is not None:
                raise LyricMoodError(f"song {present!r} is already in the index", hint="pass replace=True to update it")
        new = [(song_id, song) for song_id, song in zip(ids, songs) if song_id not in self._positions]
        replaced: dict[int, np.ndarray] = {}
        for song_id, (vector, feature, meaning, meta, sections) in zip(ids, songs):
            i = self._positions.get(song_id)
            if i is not None:
                self.vectors[i], self.metadata[i], replaced[i] = vector, meta, sections
                if self.features is not None:
                    self.features[i] = feature
                if self.meaning is not None:
                    self.meaning[i] = meaning
        if replaced:  # an updated song may have another number of sections: the section array is rebuilt
            self._set_sections([replaced.get(i, self._sections(i)) for i in range(len(self))])
        if new:
            self.vectors = np.concatenate([self.vectors, np.stack([song[0] for _, song in new])])
            if self.features is not None:
                self.features = np.concatenate([self.features, np.stack([song[1] for _, song in new])])
            if self.meaning is not None:
                self.meaning = np.concatenate([self.meaning, np.stack([song[2] for _, song in new])])
            for song_id, (_, _, _, meta, _) in new:
                self._positions[song_id] = len(self.ids)
                self.ids.append(song_id)
                self.metadata.append(meta)
            self._append_sections([song[4] for _, song in new])

    def _checked_song(
        self, song_id: str, emotion: SongEmotion | np.ndarray | Sequence[float], meta: Any
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, dict, np.ndarray]:
        """A song's vector, feature and meaning (None where the index keeps none), metadata and section vectors,
        checked."""
        if not isinstance(meta, dict):
            raise LyricMoodError(f"the metadata of song {song_id!r} must be a dict, got {type(meta).__name__}")
        meta = {k: v for k, v in meta.items() if k not in _NOT_METADATA}
        sections = np.zeros((0, len(self.labels)), np.float32)
        if isinstance(emotion, SongEmotion):
            self.check_compatible(None, emotion.labels, what=f"the vector of song {song_id!r}")
            sections = np.asarray(emotion.section_vectors, dtype=np.float32)
            if sections.shape != (len(emotion.sections), len(self.labels)) or not np.isfinite(sections).all():
                raise LyricMoodError(
                    f"the section vectors of song {song_id!r} are not one finite vector per section "
                    f"({len(emotion.sections)} sections, {len(self.labels)} labels)"
                )
            meta.update(sections=list(emotion.sections), num_chunks=emotion.num_chunks, num_tokens=emotion.num_tokens)
            vector, feature, meaning = emotion.vector, emotion.feature, emotion.meaning
        else:
            vector, feature, meaning = emotion, None, None
        feature = None if self.features is None else self._checked_part(song_id, feature, self.features, "pooled emotion feature")
        meaning = None if self.meaning is None else self._checked_part(song_id, meaning, self.meaning, "meaning vector")
        try:
            vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        except (TypeError, ValueError):
            raise LyricMoodError(f"the vector of song {song_id!r} is not an array of numbers") from None
        if vector.shape != (len(self.labels),):
            raise LyricMoodError(
                f"the vector of song {song_id!r} has {vector.size} values, the index has {len(self.labels)} labels"
            )
        if not np.isfinite(vector).all():
            raise LyricMoodError(f"the vector of song {song_id!r} is not finite")
        return vector, feature, meaning, meta, sections

    def _checked_part(self, song_id: str, value: Any, stored: np.ndarray, what: str) -> np.ndarray:
        """A song's ``what`` (its pooled emotion feature, or its meaning vector), of the size ``stored`` keeps."""
        if value is None:
            raise LyricMoodError(
                f"song {song_id!r} comes without a {what}, and this index ranks songs by it",
                hint="add the SongEmotion that EmotionPredictor.score_song returns, not a bare probability vector",
            )
        value = np.asarray(value, dtype=np.float32).reshape(-1)
        if value.shape != stored.shape[1:] or not np.isfinite(value).all():
            raise LyricMoodError(
                f"the {what} of song {song_id!r} has {value.size} values (the index keeps {stored.shape[1]})"
                " or is not finite", hint="use the model that built the index, or " + REBUILD_HINT,
            )
        return value

    def remove(self, ids: str | Iterable[str]) -> None:
        """Remove songs; an unknown id raises (and nothing is removed)."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        drop = {self.position(song_id) for song_id in ids}
        keep = [i for i in range(len(self.ids)) if i not in drop]
        self._set_sections([self._sections(i) for i in keep])
        self.ids = [self.ids[i] for i in keep]
        self.metadata = [self.metadata[i] for i in keep]
        self.vectors = self.vectors[keep]
        if self.features is not None:
            self.features = self.features[keep]
        if self.meaning is not None:
            self.meaning = self.meaning[keep]
        self._positions = {song_id: i for i, song_id in enumerate(self.ids)}

    def merge(self, other: SongIndex, replace: bool = True) -> None:
        """Add every song of ``other`` (same model and labels required)."""
        self.check_compatible(other.fingerprint, other.labels, what="the songs of the other index",
                              meaning_fingerprint=other.meaning_fingerprint)
        self.add_many(other.ids, [other.song_emotion(i) for i in other.ids], other.metadata, replace=replace)


    # -- files ---------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the index folder: its files are replaced together, under the folder's lock (readers see the old
        index or the new one). ``path`` must be new, empty, or a lyricmood index; other files there are kept."""
        tensors = {
            "vectors": np.ascontiguousarray(self.vectors, dtype=np.float32),
            "section_vectors": np.ascontiguousarray(self.section_vectors, dtype=np.float32),
            "section_offsets": np.ascontiguousarray(self.section_offsets, dtype=np.int64),
        }
        if self.features is not None:
            tensors["features"] = np.ascontiguousarray(self.features, dtype=np.float32)
        rows = [{"id": song_id, **meta} for song_id, meta in zip(self.ids, self.metadata)]
        info = {
            "fingerprint": self.fingerprint,
            "model": self.model,
            "labels": self.labels,
            "representation": self.representation,
        }
        if self.meaning is not None:
            tensors["meaning"] = np.ascontiguousarray(self.meaning, dtype=np.float32)
            info.update(mood_weight=self.mood_weight, meaning_model=self.meaning_model,
                        meaning_fingerprint=self.meaning_fingerprint)
        return write_index_files(_index_path(path), tensors, rows, info)

    @classmethod
    def load(cls, path: str | Path) -> SongIndex:
        """Read an index folder; a missing, truncated or corrupt file raises :class:`LyricMoodError`."""
        info, tensors, rows = read_index_files(_index_path(path))
        ids = [row.pop("id") for row in rows]
        return cls(
            ids, rows, tensors["vectors"], info["labels"], info["fingerprint"], info.get("model"),
            tensors.get("features"), tensors["section_vectors"], tensors["section_offsets"],
            tensors.get("meaning"), info.get("mood_weight"), info.get("meaning_fingerprint"), info.get("meaning_model"),
        )
