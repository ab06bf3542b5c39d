"""A visitor's own catalog in the Space: an uploaded CSV / JSON Lines file checked, read and indexed.

Uploads are limited to :data:`MAX_UPLOAD_BYTES` bytes, :data:`MAX_UPLOAD_SONGS` songs of at most
:data:`~lyricmood.ui_input.MAX_LYRICS_CHARS` characters each and :data:`MAX_UPLOAD_CHARS` characters of lyrics in
all, CSV or JSON Lines in UTF-8, checked before any scoring. The caps come from the measured cost: the Space
indexes uploads in one worker, every visitor's upload waits behind the one being indexed, and indexing costs about
:data:`SECONDS_PER_10K_CHARS` seconds per 10,000 characters of lyrics (``python bench/upload_cost.py``: 40 demo
songs, 32,323 characters, 27.8 s on 2 CPU cores with the default model), so a full upload holds the worker about a
minute and a half (the 5 MB cap before: about 45 minutes). The visitor is told the estimate before indexing starts
(:class:`IndexCost`, corrected by the server's own last upload). An upload is indexed into the visitor's session (``gr.State``), never replaces the built-in catalog,
and the uploaded file is deleted from the server once it is indexed or rejected.

Each request works on its own copy (:class:`UploadCopies`): Gradio stores an upload at a path named by a hash of
its bytes, so identical files uploaded by two sessions share one path, and the first request's clean-up deleted
the file the second was about to read. A content-addressed upload's bytes are therefore kept in memory (at most
:data:`KEEP_UPLOADS` files, for :data:`KEEP_SECONDS`) after its file is deleted, for a request queued behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .errors import LyricMoodError
from .ui_input import MAX_LYRICS_CHARS, UserInputError

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_SONGS = 200
MAX_UPLOAD_CHARS = 100_000
#: measured with the default model on 2 CPU cores (see the module docstring); the first estimate of a server
SECONDS_PER_10K_CHARS = 8.6
UPLOAD_SUFFIXES = (".csv", ".jsonl")
#: how many uploaded files' bytes are kept in memory, and how long, for identical uploads queued behind one
KEEP_UPLOADS = 8
KEEP_SECONDS = 600


@dataclasses.dataclass
class UploadedCatalog:
    """A visitor's own catalog, indexed, kept in their session only."""

    name: str
    index: Any  # lyricmood.index.SongIndex
    recommender: Any = dataclasses.field(default=None, repr=False)  # built on first use, shares the predictor
    key: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)  # names its cached figures


def uploaded_path(file: Any) -> Path:
    """The path of an uploaded file: a path string, a FileData dict (raw API value), or an object with
    ``.path`` / ``.name`` (older clients)."""
    if isinstance(file, dict):
        file = file.get("path") or file.get("name")
    elif file is not None and not isinstance(file, (str, Path)):
        file = getattr(file, "path", None) or getattr(file, "name", None)
    if not isinstance(file, (str, Path)) or not str(file):
        raise UserInputError("err_no_file")
    return Path(file)


def read_upload(path: Path) -> Catalog:
    """The songs of an uploaded file, within the Space's limits (type, size, songs, lyrics), before any scoring."""
    name = path.name
    if path.suffix.lower() not in UPLOAD_SUFFIXES:
        raise UserInputError("err_file_type", name=name)
    if not path.is_file():
        raise UserInputError("err_file_gone")
    _check_size(path)
    try:  # read and checked by lyricmood.catalog, as the lyrics_catalog builder reads files (without its cache)
        songs = Catalog.read([path])
    except LyricMoodError as err:  # the message names the file as the visitor knows it, not the server's path
        raise LyricMoodError(str(err).replace(str(path.resolve()), name).replace(str(path), name)) from None
    if len(songs) > MAX_UPLOAD_SONGS:
        raise UserInputError("err_too_many_songs", name=name, n=len(songs), limit=MAX_UPLOAD_SONGS)
    chars = lyrics_chars(songs)
    if chars > MAX_UPLOAD_CHARS:
        raise UserInputError("err_upload_too_much", name=name, n=chars, limit=MAX_UPLOAD_CHARS,
                             minutes=IndexCost().seconds(chars) / 60)
    for song in songs:  # the same limit as pasted lyrics
        if len(song["lyrics"]) > MAX_LYRICS_CHARS:
            raise UserInputError("err_upload_long_lyrics", name=name, song=repr(song["id"]),
                                 n=len(song["lyrics"]), limit=MAX_LYRICS_CHARS)
    return songs


def lyrics_chars(songs: Catalog) -> int:
    """The characters of lyrics a catalog's songs hold (what indexing them costs is proportional to)."""
    return sum(len(song["lyrics"]) for song in songs)


class IndexCost:
    """How long indexing lyrics takes on this server: the measured default first, then the last upload's rate."""

    def __init__(self) -> None:
        self.per_char = SECONDS_PER_10K_CHARS / 10_000

    def seconds(self, chars: int) -> float:
        return chars * self.per_char

    def observe(self, chars: int, seconds: float) -> None:
        if chars >= 1_000:  # a tiny upload's time is mostly overhead
            self.per_char = seconds / chars


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise UserInputError("err_file_size", name=path.name, size=size / 2**20, limit=MAX_UPLOAD_BYTES // 2**20)


def _content_addressed(path: Path, data: bytes) -> bool:
    """Whether Gradio named ``path``'s folder by the hash of ``data`` (so that the path alone names these bytes)."""
    try:
        from gradio.processing_utils import hash_seed
    except ImportError:
        return False
    return path.parent.name == hashlib.sha256(hash_seed + data).hexdigest()


class UploadCopies:
    """Each upload request's own copy of the uploaded file (see the module docstring), shared by a server's handlers."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def _bytes(self, path: Path) -> bytes:
        try:
            _check_size(path)  # before it is read into memory
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            with self._lock:
                kept = self._kept.get(str(path))
            if kept is None or time.monotonic() - kept[0] > KEEP_SECONDS:
                raise UserInputError("err_file_gone") from None
            return kept[1]
        if _content_addressed(path, data):
            with self._lock:
                self._kept[str(path)] = (time.monotonic(), data)
                self._kept.move_to_end(str(path))
                while len(self._kept) > KEEP_UPLOADS:
                    self._kept.popitem(last=False)
        return data

    def read(self, path: Path) -> Catalog:
        """:func:`read_upload` of this request's own copy of the uploaded file ``path``."""
        data = self._bytes(path)
        with tempfile.TemporaryDirectory(prefix="lyricmood-upload-") as private:
            copy = Path(private) / path.name
            copy.write_bytes(data)
            return read_upload(copy)


def discard_upload(path: Path | None, upload_dir: Path | None) -> None:
    """Delete an uploaded file (and its now empty folder) if it lies in the server's ``upload_dir``; a file
    elsewhere (a local path given to the handler) is never ours to delete."""
    if path is None or upload_dir is None:
        return
    try:
        path = path.resolve()
        path.relative_to(upload_dir)
    except (OSError, ValueError):
        return
    path.unlink(missing_ok=True)
    if path.parent != upload_dir:
        try:
            path.parent.rmdir()  # Gradio keeps each upload in a folder of its own
        except OSError:
            pass
