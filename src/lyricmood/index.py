"""A catalog's song emotion vectors, saved with the fingerprint of the model that made them.

An index folder holds ``vectors.safetensors`` (song vectors and per-section vectors), ``songs.jsonl``
(one metadata row per song) and ``index.json`` (format, labels, model fingerprint, file checksums),
plus lyricmood's ownership marker ``.lyricmood`` (see :mod:`lyricmood.io`): saving replaces only the
files lyricmood wrote, never another file in the folder, and never writes into a folder it did not create.
Saves hold the folder's lock and loads verify the very bytes they parse, so concurrent saves and loads are safe.
Vectors from different models, or over different label sets, are never mixed: they would not be
comparable. Building an index from a catalog lives in :mod:`lyricmood.indexing`.

Example:
    >>> import numpy as np
    >>> index = SongIndex.empty(["joy", "sadness"], fingerprint="abc")
    >>> index.add("s1", np.array([0.9, 0.1]), {"title": "Sunny", "artist": "A"})
    >>> index.add("s2", np.array([0.2, 0.8]), {"title": "Rainy", "artist": "B"})
    >>> len(index), index.get("s2")["title"]
    (2, 'Rainy')
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .emotions import SongEmotion
from .errors import LyricMoodError
from .io import folder_lock, sha256_file, staged_folder

FORMAT = "lyricmood-index"
VERSION = 2  # 2: songs may carry pooled emotion features, the ranking representation (1: probabilities only)
#: what an index ranks songs by (recorded in index.json; a recommender never mixes the two)
FEATURE_REPRESENTATION = "pooled-emotion-feature"
PROBABILITY_REPRESENTATION = "emotion-probabilities"
VECTORS_FILE = "vectors.safetensors"
SONGS_FILE = "songs.jsonl"
INFO_FILE = "index.json"
#: catalog fields kept as song metadata (the lyrics themselves are not stored)
METADATA_FIELDS = ("title", "artist", "year", "lang", "intended_mood")
REBUILD_HINT = "rebuild it with `lyricmood index CATALOG --out INDEX`"
#: types a loaded index may hold in these metadata fields (hand-edited rows are checked against them)
_FIELD_TYPES = {
    "title": str, "artist": str, "year": int, "lang": str, "intended_mood": str, "lyrics_sha1": str,
    "sections": list, "num_chunks": int, "num_tokens": int,
}


def valid_song_id(value: Any) -> str:
    """A song id as a non-blank string (an int is accepted and kept as text); else :class:`LyricMoodError`."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise LyricMoodError(
            f"a song id must be a non-empty text, got {value!r}", field="id", hint="give every song a text id"
        )
    return value



@dataclass(eq=False)
class SongIndex:
    """Song ids, their metadata and emotion vectors ``(N, L)`` over ``labels``, made by the model ``fingerprint``.

    ``metadata[i]`` holds the catalog fields (title, artist, year, lang, intended_mood) and, when kept,
    ``sections`` (names) and ``section_vectors`` (array, one row per section: the emotional arc).

    ``features`` ``(N, D)``, when present, holds each song's pooled emotion feature
    (:attr:`SongEmotion.feature`): songs are then ranked by it, and explained and drawn by ``vectors``.
    An index is created with or without features (``SongIndex.empty(..., feature_size=D)``) and every song
    it holds has them or none does, so the representation it ranks by is one (:attr:`representation`).
    """

    ids: list[str]
    metadata: list[dict]
    vectors: np.ndarray
    labels: list[str]
    fingerprint: str
    model: str | None = None
    features: np.ndarray | None = None
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ids = [valid_song_id(i) for i in self.ids]
        self.labels = [str(label) for label in self.labels]
        self.vectors = np.asarray(self.vectors, dtype=np.float32).reshape(len(self.ids), len(self.labels))
        if self.features is not None:
            self.features = np.asarray(self.features, dtype=np.float32)
            if self.features.ndim != 2 or len(self.features) != len(self.ids):
                raise ValueError(f"{len(self.ids)} ids but features of shape {self.features.shape}")
        if len(self.metadata) != len(self.ids):
            raise ValueError(f"{len(self.ids)} ids but {len(self.metadata)} metadata rows")
        self._positions = {song_id: i for i, song_id in enumerate(self.ids)}
        if len(self._positions) != len(self.ids):
            seen: set[str] = set()
            dup = next(i for i in self.ids if i in seen or seen.add(i))
            raise LyricMoodError(f"duplicate song id {dup!r} in the index", hint="make every id unique")

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def empty(
        cls, labels: Sequence[str], fingerprint: str, model: str | None = None, feature_size: int | None = None
    ) -> SongIndex:
        """An index without songs; ``feature_size``: keep each song's pooled emotion feature (of that size)."""
        features = None if feature_size is None else np.zeros((0, int(feature_size)), dtype=np.float32)
        return cls([], [], np.zeros((0, len(labels)), dtype=np.float32), list(labels), fingerprint, model, features)

    @property
    def representation(self) -> str:
        """What songs are ranked by: ``"pooled-emotion-feature"`` or ``"emotion-probabilities"``."""
        return PROBABILITY_REPRESENTATION if self.features is None else FEATURE_REPRESENTATION

    @property
    def ranking_vectors(self) -> np.ndarray:
        """The vectors songs are ranked by: ``features`` if the index keeps them, else ``vectors``."""
        return self.vectors if self.features is None else self.features

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
        sections = meta.get("section_vectors")
        if sections is None:
            sections = self.vectors[i : i + 1]
        return SongEmotion(
            vector=self.vectors[i].copy(),
            labels=list(self.labels),
            sections=list(meta.get("sections") or ["song"]),
            section_vectors=np.asarray(sections, dtype=np.float32),
            num_chunks=int(meta.get("num_chunks", 0)),
            num_tokens=int(meta.get("num_tokens", 0)),
            feature=None if self.features is None else self.features[i].copy(),
        )

    # -- changes -------------------------------------------------------------------------------------
    def check_compatible(
        self, fingerprint: str | None, labels: Sequence[str] | None, what: str = "these vectors"
    ) -> None:
        """Refuse vectors made by another model or over another label set."""
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
        """Add (or update) several songs at once. ``fingerprint``: the model that made the vectors, checked."""
        if not (len(ids) == len(emotions) == len(metadata)):
            raise ValueError("ids, emotions and metadata must have the same length")
        self.check_compatible(fingerprint, None)
        ids = [valid_song_id(i) for i in ids]
        rows, metas, features = [], [], []
        for song_id, emotion, meta in zip(ids, emotions, metadata):
            if not isinstance(meta, dict):
                raise LyricMoodError(f"the metadata of song {song_id!r} must be a dict, got {type(meta).__name__}")
            meta = {k: v for k, v in dict(meta).items() if k not in ("id", "vector", "lyrics")}
            if isinstance(emotion, SongEmotion):
                self.check_compatible(None, emotion.labels, what=f"the vector of song {song_id!r}")
                meta.update(
                    sections=list(emotion.sections),
                    section_vectors=np.asarray(emotion.section_vectors, dtype=np.float32),
                    num_chunks=emotion.num_chunks,
                    num_tokens=emotion.num_tokens,
                )
                vector = emotion.vector
                feature = emotion.feature
            else:
                vector, feature = emotion, None
            if self.features is not None:
                features.append(self._checked_feature(song_id, feature))
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
            rows.append(vector)
            metas.append(meta)
        if len(set(ids)) != len(ids):
            raise LyricMoodError("the same song id is given twice", hint="make every id unique")
        if self.features is None:
            features = [None] * len(ids)
        new_rows, new_ids, new_metas, new_features = [], [], [], []
        for song_id, vector, meta, feature in zip(ids, rows, metas, features):
            if song_id in self._positions:
                if not replace:
                    raise LyricMoodError(
                        f"song {song_id!r} is already in the index", hint="pass replace=True to update it"
                    )
                i = self._positions[song_id]
                self.vectors[i] = vector
                self.metadata[i] = meta
                if feature is not None:
                    self.features[i] = feature
            else:
                new_ids.append(song_id)
                new_rows.append(vector)
                new_metas.append(meta)
                new_features.append(feature)
        if new_ids:
            self.vectors = np.concatenate([self.vectors, np.stack(new_rows)], axis=0)
            if self.features is not None:
                self.features = np.concatenate([self.features, np.stack(new_features)], axis=0)
            for song_id in new_ids:
                self._positions[song_id] = len(self.ids)
                self.ids.append(song_id)
            self.metadata.extend(new_metas)

    def _checked_feature(self, song_id: str, feature: Any) -> np.ndarray:
        if feature is None:
            raise LyricMoodError(
                f"song {song_id!r} comes without a pooled emotion feature, and this index ranks songs by them",
                hint="add the SongEmotion that EmotionPredictor.score_song returns, not a bare probability vector",
            )
        feature = np.asarray(feature, dtype=np.float32).reshape(-1)
        if feature.shape != self.features.shape[1:] or not np.isfinite(feature).all():
            raise LyricMoodError(
                f"the feature of song {song_id!r} has {feature.size} values (the index keeps {self.features.shape[1]})"
                " or is not finite", hint="use the model that built the index, or " + REBUILD_HINT,
            )
        return feature

    def remove(self, ids: str | Iterable[str]) -> None:
        """Remove songs; an unknown id raises (and nothing is removed)."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        drop = {self.position(song_id) for song_id in ids}
        keep = [i for i in range(len(self.ids)) if i not in drop]
        self.ids = [self.ids[i] for i in keep]
        self.metadata = [self.metadata[i] for i in keep]
        self.vectors = self.vectors[keep]
        if self.features is not None:
            self.features = self.features[keep]
        self._positions = {song_id: i for i, song_id in enumerate(self.ids)}

    def merge(self, other: SongIndex, replace: bool = True) -> None:
        """Add every song of ``other`` (same model and labels required)."""
        self.check_compatible(other.fingerprint, other.labels, what="the songs of the other index")
        self.add_many(other.ids, [other.song_emotion(i) for i in other.ids], other.metadata, replace=replace)

    # -- files ---------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the index folder: its files are replaced together, under the folder's lock (readers see the old
        index or the new one). ``path`` must be new, empty, or a lyricmood index; other files there are kept."""
        from safetensors.numpy import save_file

        path = Path(path)
        offsets = [0]
        sections = []
        for i, meta in enumerate(self.metadata):
            block = meta.get("section_vectors")
            block = np.zeros((0, len(self.labels)), np.float32) if block is None else np.asarray(block, np.float32)
            sections.append(block.reshape(-1, len(self.labels)))
            offsets.append(offsets[-1] + len(sections[-1]))
        tensors = {
            "vectors": np.ascontiguousarray(self.vectors, dtype=np.float32),
            "section_vectors": np.ascontiguousarray(
                np.concatenate(sections) if sections else np.zeros((0, len(self.labels)), np.float32)
            ),
            "section_offsets": np.asarray(offsets, dtype=np.int64),
        }
        if self.features is not None:
            tensors["features"] = np.ascontiguousarray(self.features, dtype=np.float32)
        with staged_folder(path, "index", last=INFO_FILE, legacy=is_unmarked_index) as tmp:
            save_file(tensors, str(tmp / VECTORS_FILE), metadata={"format": FORMAT, "fingerprint": self.fingerprint})
            with open(tmp / SONGS_FILE, "w", encoding="utf-8") as f:
                for song_id, meta in zip(self.ids, self.metadata):
                    row = {"id": song_id, **{k: _jsonable(v) for k, v in meta.items() if k != "section_vectors"}}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
            info = {
                "format": FORMAT,
                "version": VERSION,
                "fingerprint": self.fingerprint,
                "model": self.model,
                "labels": self.labels,
                "representation": self.representation,
                "num_songs": len(self.ids),
                "files": {name: sha256_file(tmp / name) for name in (VECTORS_FILE, SONGS_FILE)},
            }
            (tmp / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> SongIndex:
        """Read an index folder; a missing, truncated or corrupt file raises :class:`LyricMoodError`."""
        from safetensors import SafetensorError
        from safetensors.numpy import load as safetensors_load

        path = Path(path)
        info, blobs = _read_consistent(path)
        try:
            tensors = safetensors_load(blobs[VECTORS_FILE])
            vectors, section_vectors, offsets = (
                tensors["vectors"],
                tensors["section_vectors"],
                tensors["section_offsets"],
            )
            features = tensors.get("features")
            rows = [json.loads(line) for line in blobs[SONGS_FILE].decode("utf-8").splitlines() if line]
        except (SafetensorError, OSError, ValueError, KeyError) as err:  # all mean: the files are damaged
            raise LyricMoodError(
                f"cannot read the index ({err.__class__.__name__}: {str(err)[:200]})", file=path, hint=REBUILD_HINT
            ) from None
        labels = info["labels"]
        if (
            not (len(rows) == info["num_songs"] == len(vectors) == len(offsets) - 1)
            or vectors.shape[1:] != (len(labels),)
            or section_vectors.shape[1:] != (len(labels),)
            or offsets.dtype.kind not in "iu"
            or offsets[0] != 0
            or offsets[-1] != len(section_vectors)
            or np.any(np.diff(offsets) < 0)
        ):
            raise LyricMoodError(
                "the index files disagree on the number of songs or labels", file=path, hint=REBUILD_HINT
            )
        representation = info.get("representation", PROBABILITY_REPRESENTATION)
        if representation != (PROBABILITY_REPRESENTATION if features is None else FEATURE_REPRESENTATION) or (
            features is not None and (features.ndim != 2 or len(features) != len(vectors))
        ):
            raise LyricMoodError(
                f"index.json says songs are ranked by {representation!r}, but {VECTORS_FILE} "
                + ("holds no features" if features is None else "holds features of the wrong shape"),
                file=path, hint=REBUILD_HINT,
            )
        _check_loaded(path, info, vectors, section_vectors, offsets, rows, features)
        ids, metadata = [], []
        for i, row in enumerate(rows):
            ids.append(row.pop("id"))
            if offsets[i + 1] > offsets[i]:
                row["section_vectors"] = section_vectors[offsets[i] : offsets[i + 1]]
            metadata.append(row)
        return cls(ids, metadata, vectors, labels, info["fingerprint"], info.get("model"), features)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


#: a reader that finds files of two different saves (possible only without file locks) retries this often
_READ_ATTEMPTS = 3


def _read_consistent(path: Path) -> tuple[dict, dict[str, bytes]]:
    """``index.json`` and the bytes of the files it names, checked against its checksums.

    Read under the folder's shared lock, so a save (which holds the exclusive lock) is never seen half
    done. Where locks are unavailable, a mismatch is retried before it is reported as damage.
    """
    for attempt in range(_READ_ATTEMPTS):
        with folder_lock(path, shared=True):
            info = read_index_info(path)
            blobs, problem = {}, None
            for name, expected in info["files"].items():
                try:
                    blobs[name] = (path / name).read_bytes()
                except FileNotFoundError:
                    problem = LyricMoodError(f"index file {name} is missing", file=path, hint=REBUILD_HINT)
                    break
                except OSError as err:
                    problem = LyricMoodError(f"cannot read index file {name} ({err})", file=path / name)
                    break
                if hashlib.sha256(blobs[name]).hexdigest() != expected:
                    problem = LyricMoodError(
                        f"index file {name} is truncated or corrupt (checksum mismatch)",
                        file=path / name,
                        hint=REBUILD_HINT,
                    )
                    break
        if problem is None:
            return info, blobs
        time.sleep(0.05 * (attempt + 1))
    raise problem


def is_unmarked_index(folder: Path) -> bool:
    """An index folder written before lyricmood marked its folders: ``index.json`` of our format."""
    try:
        return json.loads((folder / INFO_FILE).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


_KIND_NAMES = {str: "a text", int: "a whole number", list: "a list"}


def _check_loaded(
    path: Path, info: dict, vectors: np.ndarray, section_vectors: np.ndarray, offsets: np.ndarray, rows: list,
    features: np.ndarray | None = None,
) -> None:
    """Refuse an index whose files are consistent (checksums match) but whose content is not usable:
    hand-edited rows, non-finite vectors (they would score every song 0 and rank the catalog in order)."""
    where = path / SONGS_FILE
    seen: set[str] = set()
    for line, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise LyricMoodError("the row is not a JSON object", file=where, line=line, hint=REBUILD_HINT)
        value = row.get("id")
        if not isinstance(value, str) or not value.strip():
            raise LyricMoodError(f"the row has no text id (got {value!r})", file=where, line=line, field="id",
                                 hint=REBUILD_HINT)
        if value in seen:
            raise LyricMoodError(f"duplicate song id {value!r}", file=where, line=line, field="id", hint=REBUILD_HINT)
        seen.add(value)
        for field_name, kind in _FIELD_TYPES.items():
            found = row.get(field_name)
            if found is not None and (not isinstance(found, kind) or isinstance(found, bool)):
                raise LyricMoodError(
                    f"{field_name} must be {_KIND_NAMES[kind]} or null, got {found!r}",
                    file=where, line=line, field=field_name, hint=REBUILD_HINT,
                )
        sections, stored = row.get("sections"), offsets[line] - offsets[line - 1]
        if sections is not None and (
            not all(isinstance(x, str) for x in sections) or (stored and len(sections) != stored)
        ):
            raise LyricMoodError(
                "sections must be texts, one per stored section vector", file=where, line=line, field="sections",
                hint=REBUILD_HINT,
            )
    arrays = [("vectors", vectors), ("section_vectors", section_vectors)]
    for name, array in arrays + ([] if features is None else [("features", features)]):
        if array.dtype.kind != "f" or array.ndim != 2:
            raise LyricMoodError(f"{VECTORS_FILE} holds {name} of the wrong type or shape", file=path,
                                 hint=REBUILD_HINT)
        bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
        if len(bad):
            what = f"song {rows[bad[0]].get('id')!r}" if name != "section_vectors" and bad[0] < len(rows) else f"row {bad[0]}"
            raise LyricMoodError(
                f"{len(bad)} {name} hold non-finite values (NaN or infinity), first {what}",
                file=path / VECTORS_FILE, hint=REBUILD_HINT,
            )


def _is_file_entry(name: Any, checksum: Any) -> bool:
    """A ``files`` entry of ``index.json``: a plain file name in the folder (no path) and its checksum."""
    plain = isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name and "\\" not in name
    return plain and isinstance(checksum, str)


def read_index_info(path: str | Path) -> dict:
    """``index.json`` of an index folder (fingerprint, labels, size), without loading the vectors."""
    path = Path(path)
    if not path.exists():
        raise LyricMoodError("index not found", file=path, hint="give an index folder written by `lyricmood index`")
    if not path.is_dir():
        raise LyricMoodError(
            "is a file, not an index folder", file=path,
            hint="give the folder written by `lyricmood index CATALOG --out INDEX` (to index a catalog, run that)",
        )
    try:
        info = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LyricMoodError(
            f"not a lyricmood index (no {INFO_FILE})", file=path, hint="give a folder written by `lyricmood index`"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise LyricMoodError(f"{INFO_FILE} is truncated or corrupt ({err})", file=path, hint=REBUILD_HINT) from None
    except OSError as err:
        raise LyricMoodError(f"cannot read {INFO_FILE} ({err.strerror})", file=path) from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise LyricMoodError(f"not a lyricmood index ({INFO_FILE} has no format {FORMAT!r})", file=path)
    version = info.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise LyricMoodError(f"{INFO_FILE} has an invalid version {version!r}", file=path, field="version",
                             hint=REBUILD_HINT)
    if version > VERSION:
        raise LyricMoodError(
            f"index format version {info.get('version')} is newer than this lyricmood reads ({VERSION})",
            file=path,
            hint="upgrade lyricmood",
        )
    checks = {
        "fingerprint": lambda v: isinstance(v, str),
        "labels": lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) for x in v),
        "num_songs": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "files": lambda v: isinstance(v, dict)
        and {VECTORS_FILE, SONGS_FILE} <= set(v)
        and all(_is_file_entry(name, checksum) for name, checksum in v.items()),
    }
    for key, valid in checks.items():
        if key not in info:
            raise LyricMoodError(f"{INFO_FILE} lacks {key!r}", file=path, hint=REBUILD_HINT)
        if not valid(info[key]):
            raise LyricMoodError(f"{INFO_FILE} has an invalid {key!r}", file=path, field=key, hint=REBUILD_HINT)
    return info
