"""The files of an index folder, written atomically and read back only whole and consistent.

An index folder holds ``vectors.safetensors`` (``vectors``, ``section_vectors``, ``section_offsets`` and, when
kept, ``features`` and ``meaning``), ``songs.jsonl`` (one metadata row per song) and ``index.json`` (format, labels, model
fingerprint, file checksums, and :data:`INFO_CHECKSUM`, the checksum of every other key of ``index.json``), plus lyricmood's ownership marker ``.lyricmood`` (see :mod:`lyricmood.io`): saving
replaces only the files lyricmood wrote, never another file in the folder, and never writes into a folder it did
not create. Writes hold the folder's lock and reads verify the very bytes they parse, so concurrent saves and
loads are safe. The store these files hold is :class:`lyricmood.index.SongIndex`.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from .errors import LyricMoodError
from .io import folder_lock, sha256_file, staged_folder

FORMAT = "lyricmood-index"
# 3: songs may carry meaning vectors, ranked by mood and meaning; 2: pooled emotion features; 1: probabilities only
VERSION = 3
#: what an index ranks songs by (recorded in index.json; a recommender never mixes them)
MOOD_AND_MEANING_REPRESENTATION = "mood-and-meaning"
FEATURE_REPRESENTATION = "pooled-emotion-feature"
PROBABILITY_REPRESENTATION = "emotion-probabilities"
VECTORS_FILE = "vectors.safetensors"
SONGS_FILE = "songs.jsonl"
INFO_FILE = "index.json"
#: the key of index.json holding the sha256 of all its other keys: a hand edit of the labels (or of any key,
#: present or added later) is refused as a damaged vector file is. Indexes written before it load unchecked.
INFO_CHECKSUM = "info_sha256"
REBUILD_HINT = "rebuild it with `lyricmood index CATALOG --out INDEX`"
#: types a loaded index may hold in these metadata fields (hand-edited rows are checked against them)
_FIELD_TYPES = {
    "title": str, "artist": str, "year": int, "lang": str, "intended_mood": str, "lyrics_sha1": str,
    "sections": list, "num_chunks": int, "num_tokens": int,
}
_KIND_NAMES = {str: "a text", int: "a whole number", list: "a list"}
#: a reader that finds files of two different saves (possible only without file locks) retries this often
_READ_ATTEMPTS = 3


def write_index_files(path: Path, tensors: dict[str, np.ndarray], rows: list[dict], info: dict) -> Path:
    """Write ``tensors`` (:data:`VECTORS_FILE`), ``rows`` (:data:`SONGS_FILE`) and ``info`` with the format, song
    count and checksums (:data:`INFO_FILE`), replacing lyricmood's files in ``path`` together, under its lock."""
    from safetensors.numpy import save_file

    with staged_folder(path, "index", last=INFO_FILE, legacy=is_unmarked_index) as tmp:
        save_file(tensors, str(tmp / VECTORS_FILE), metadata={"format": FORMAT, "fingerprint": info["fingerprint"]})
        with open(tmp / SONGS_FILE, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
        info = {
            "format": FORMAT,
            "version": VERSION,
            **info,
            "num_songs": len(rows),
            "files": {name: sha256_file(tmp / name) for name in (VECTORS_FILE, SONGS_FILE)},
        }
        (tmp / INFO_FILE).write_text(json.dumps(sealed_info(info), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def info_checksum(info: dict) -> str:
    """sha256 of every key of ``info`` but :data:`INFO_CHECKSUM`, as canonical JSON (sorted keys, UTF-8)."""
    body = {key: value for key, value in info.items() if key != INFO_CHECKSUM}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed_info(info: dict) -> dict:
    """``info`` with its :data:`INFO_CHECKSUM` (re)computed: what lyricmood writes as ``index.json``."""
    return {**{key: value for key, value in info.items() if key != INFO_CHECKSUM}, INFO_CHECKSUM: info_checksum(info)}


def _plain(value: Any) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def read_index_files(path: Path) -> tuple[dict, dict[str, np.ndarray], list[dict]]:
    """``index.json``, the tensors and the ``songs.jsonl`` rows of an index folder, checked: a missing, truncated,
    corrupt or inconsistent file raises :class:`LyricMoodError`."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as safetensors_load

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
        raise LyricMoodError("the index files disagree on the number of songs or labels", file=path, hint=REBUILD_HINT)
    representation = info.get("representation", PROBABILITY_REPRESENTATION)
    meaning = tensors.get("meaning")
    expected = {
        PROBABILITY_REPRESENTATION: ("features", "meaning"), FEATURE_REPRESENTATION: ("meaning",),
        MOOD_AND_MEANING_REPRESENTATION: (),
    }
    absent = expected.get(representation)
    present = [name for name, array in (("features", features), ("meaning", meaning)) if array is not None]
    if absent is None or set(present) != {"features", "meaning"} - set(absent) or any(
        tensors[name].ndim != 2 or len(tensors[name]) != len(vectors) for name in present
    ):
        raise LyricMoodError(
            f"index.json says songs are ranked by {representation!r}, but {VECTORS_FILE} holds "
            + (" and ".join(present) or "neither features nor meaning vectors")
            + (" of the wrong shape" if present else ""),
            file=path, hint=REBUILD_HINT,
        )
    if meaning is not None:
        from .fusion import checked_mood_weight

        try:
            checked_mood_weight(info.get("mood_weight"))
        except LyricMoodError as err:
            raise LyricMoodError(f"{INFO_FILE} has an invalid mood_weight: {err.message}", file=path,
                                 field="mood_weight", hint=REBUILD_HINT) from None
    _check_rows(path, rows, offsets)
    _check_arrays(path, rows, tensors)
    return info, tensors, rows


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


def _check_rows(path: Path, rows: list, offsets: np.ndarray) -> None:
    """Refuse hand-edited ``songs.jsonl`` rows the store cannot use (their checksums match: the edit was saved)."""
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


def _check_arrays(path: Path, rows: list, tensors: dict[str, np.ndarray]) -> None:
    """Refuse vectors of the wrong type or with non-finite values (they would score every song 0 and rank the
    catalog in order)."""
    for name in ("vectors", "section_vectors", "features", "meaning"):
        array = tensors.get(name)
        if array is None:
            continue
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


def is_unmarked_index(folder: Path) -> bool:
    """An index folder written before lyricmood marked its folders: ``index.json`` of our format."""
    try:
        return json.loads((folder / INFO_FILE).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _is_file_entry(name: Any, checksum: Any) -> bool:
    """A ``files`` entry of ``index.json``: a plain file name in the folder (no path) and its checksum."""
    plain = isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name and "\\" not in name
    return plain and isinstance(checksum, str)


def _checksum_or_none(info: dict) -> str | None:
    try:
        return info_checksum(info)
    except ValueError:  # NaN or infinity written by hand: cannot be what lyricmood wrote
        return None


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
    if INFO_CHECKSUM in info and info[INFO_CHECKSUM] != _checksum_or_none(info):
        raise LyricMoodError(
            f"{INFO_FILE} was changed after it was written (its {INFO_CHECKSUM} does not match its content)",
            file=path / INFO_FILE, field=INFO_CHECKSUM, hint=REBUILD_HINT,
        )
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
