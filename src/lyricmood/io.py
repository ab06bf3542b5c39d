"""Files written atomically, folders lyricmood owns, locks, and where lyricmood keeps its cache.

Ownership. lyricmood never deletes, replaces or writes into what it did not create. Every output folder
it creates (an index, an index build's ``<out>.partial`` checkpoint, a ``data export``) carries a marker file,
:data:`MARKER_FILE` (``.lyricmood``), written before anything else goes in::

    {"created_by": "lyricmood", "kind": "index", "files": ["index.json", "songs.jsonl", ...]}

``kind`` says what the folder is (``"index"``, ``"checkpoint"``); ``files`` lists the files lyricmood
wrote there and may replace or delete later (absent for a ``"checkpoint"``, whose whole content is
lyricmood's). Any other file in a marked folder is the user's and is left alone. A marker is data like any
other: :func:`read_marker` refuses one whose ``files`` name anything but plain names inside the folder
(``../x``, ``/abs``, ``a/../b``), and one that is itself a symbolic link, before anything is touched.
Symbolic links inside a folder lyricmood manages (and a ``"checkpoint"`` folder that is one) are refused,
never followed: a planted link cannot steer a write or a delete outside. A folder without the
marker is written into only when it is empty, or when its layout shows an older lyricmood wrote it (an
``index.json`` of the index format; a checkpoint of shard/part folders only): it gets the marker then.

Concurrency. A writer holds an exclusive lock on the folder it writes (``flock`` of the folder itself,
on POSIX) for the whole write and, under it, removes the temporaries of writers that were killed;
readers take a shared lock, so they never see half of one version and half of another. A build holds
its checkpoint folder in use (shared lock) while it scores; the build that finishes removes the folder only
when no other build holds it (the last one does), so a slower build never recreates it unmarked. Where locks are
unavailable (Windows, some network file systems) writes stay atomic file by file, and readers retry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from huggingface_hub import constants as hf_constants

from .errors import LyricMoodError

try:  # POSIX only; elsewhere the lock is a no-op
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

#: name of the marker file in every output folder lyricmood creates (see the module docstring)
MARKER_FILE = ".lyricmood"
_STAGING_PREFIX = ".lyricmood-staging-"
_CLAIM_ATTEMPTS = 5


def cache_dir() -> Path:
    """Root of lyricmood's cache, first found of: ``$LYRICMOOD_CACHE``, ``$HF_HOME/lyricmood``,
    ``$XDG_CACHE_HOME/huggingface/lyricmood``, ``~/.cache/huggingface/lyricmood``.

    Beside the Hub's own cache, resolved as huggingface_hub resolves it (``huggingface_hub.constants.HF_HOME``,
    read when huggingface_hub is first imported), so that a temporary ``HF_HOME`` (as in tests and CI) isolates
    it too; ``LYRICMOOD_CACHE`` moves lyricmood's cache alone.
    """
    explicit = os.environ.get("LYRICMOOD_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    return Path(hf_constants.HF_HOME) / "lyricmood"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; on success it replaces ``path`` in one rename.

    Works for a file or a folder. On error the temporary is removed and ``path`` is untouched.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_path(target) as tmp:
        ...     _ = tmp.write_text("hello")
        >>> target.read_text()
        'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp.rmdir()  # the caller decides whether it becomes a file or a folder
    try:
        yield tmp
        if path.is_dir() and not path.is_symlink():
            if not tmp.is_dir():
                raise LyricMoodError(
                    "is a folder: lyricmood does not replace a folder with a file", file=path,
                    hint="give a file name (or move the folder away)",
                )
            # A folder cannot be replaced in one rename: move the old one aside first (under a name of
            # its own, so that two writers never collide on it).
            old = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.old")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file (read in blocks, never whole into memory)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def folder_manifest(folder: str | Path, exclude: Sequence[str] = ()) -> dict[str, dict]:
    """Size, mtime and sha256 of every file directly in ``folder`` (for :func:`matches_manifest`)."""
    folder = Path(folder)
    manifest = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name not in exclude:
            stat = path.stat()
            manifest[path.name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256_file(path)}
    return manifest


def matches_manifest(folder: str | Path, manifest: dict) -> bool:
    """True if every file of ``manifest`` is in ``folder`` with its size and checksum.

    A file whose size and mtime are as recorded is not hashed again (hashing a 500 MB model on every
    start costs a second): a truncation changes the size, an in-place edit the mtime, and both are caught.
    """
    try:
        for name, entry in manifest.items():
            stat = (Path(folder) / name).stat()
            if stat.st_size != entry["size"]:
                return False
            if stat.st_mtime_ns != entry["mtime_ns"] and sha256_file(Path(folder) / name) != entry["sha256"]:
                return False
    except (OSError, KeyError, TypeError, AttributeError):
        return False
    return bool(manifest)


def write_stamp(folder: str | Path, name: str, info: dict) -> None:
    """Mark a folder lyricmood built as complete: ``info`` plus the manifest of its files (see
    :func:`folder_manifest`), in the stamp file ``name``. Call it last: its presence marks a finished folder."""
    folder = Path(folder)
    stamp = {**info, "files": folder_manifest(folder, exclude=[name])}
    (folder / name).write_text(json.dumps(stamp, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def is_stamped(folder: str | Path, name: str, **expected) -> bool:
    """True if ``folder`` has the stamp ``name`` (see :func:`write_stamp`) with the ``expected`` values and its
    files are as the stamp lists them (see :func:`matches_manifest`): complete, from these inputs, intact."""
    try:
        stamp = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(stamp, dict)
        and all(stamp.get(key) == value for key, value in expected.items())
        and matches_manifest(folder, stamp.get("files") or {})
    )


def stale_temporaries(path: str | Path, family: str | None = None) -> list[Path]:
    """The temporaries :func:`atomic_path` leaves beside ``path`` when killed (``.<name>.*.tmp`` / ``.old``);
    with ``family``, those of every sibling whose name starts with it (``.default-*.tmp``: older versions too)."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = f".{family}*" if family else f".{path.name}.*"
    return sorted(p for p in path.parent.glob(pattern) if p.name.endswith((".tmp", ".old")))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# ------------------------------------------------------------------------------------------------
# Locks


@contextlib.contextmanager
def folder_lock(folder: str | Path, *, shared: bool = False) -> Iterator[bool]:
    """Hold a lock on an existing folder: exclusive (a writer) or ``shared`` (readers); yields whether it is held.

    ``flock`` on the folder itself: nothing is left behind, and the lock dies with its process (a
    ``kill -9`` never leaves a folder locked). Yields ``False`` where ``flock`` is unavailable: then a
    writer must not remove other writers' temporaries, since it cannot tell a dead one from a live one.
    """
    if fcntl is None:
        yield False
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield False  # e.g. not a folder: the caller reports it
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            locked = True
        except OSError:
            locked = False  # a file system without locks: atomic renames still hold
        yield locked
    finally:
        os.close(fd)  # releases the lock


def build_once(
    target: str | Path, is_valid: Callable[[Path], bool], build: Callable[[Path], None], *, family: str | None = None
) -> Path:
    """Build the cache folder ``target`` once, safely: ``build(tmp)`` fills a temporary that becomes ``target``.

    Returns at once when ``is_valid(target)``. Else, under an exclusive lock of the parent folder: removes
    the temporaries of preparations that were killed (only a dead process leaves them, since a live one
    holds the lock), returns if another process has just built ``target``, else builds and swaps it in.
    ``family``: the name prefix shared by every version of ``target`` (all built under the same lock), so
    that leftovers of older versions are removed too.
    """
    target = Path(target)
    if is_valid(target) and not stale_temporaries(target, family):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(target.parent) as locked:
        for stale in stale_temporaries(target, family) if locked else ():
            _remove(stale)
        if is_valid(target):
            return target
        with atomic_path(target) as tmp:
            build(tmp)
    return target


# ------------------------------------------------------------------------------------------------
# Folders lyricmood owns


def owned_name(name: object, folder: str | Path) -> str:
    """``name`` if a marker may list it: a relative path of plain names inside ``folder`` (``"index.json"``,
    ``"config/train-00000-of-00001.parquet"``), never ``..``, ``.``, an absolute path, a backslash or the marker."""
    parts = PurePosixPath(name).parts if isinstance(name, str) else ()
    if not (
        parts
        and "/".join(parts) == name
        and all(part not in (".", "..") and "\\" not in part and "\0" not in part for part in parts)
        and not name.startswith("/")
        and name != MARKER_FILE
    ):
        raise LyricMoodError(
            f"the marker lists {name!r}, which is not a plain file name inside the folder: not touching anything",
            file=Path(folder) / MARKER_FILE, field="files",
            hint="the marker was edited by hand: restore it, or move the folder's content away yourself",
        )
    return name


def no_links(folder: str | Path, name: str) -> Path:
    """``folder / name``, refused if it, or a folder on the way to it, is a symbolic link (never followed)."""
    path = Path(folder)
    for part in PurePosixPath(name).parts:
        path = path / part
        if path.is_symlink():
            raise LyricMoodError(
                "is a symbolic link inside a folder lyricmood manages: lyricmood does not follow it",
                file=path, hint="remove the link (lyricmood writes only real files and folders there)",
            )
    return path


def read_marker(folder: str | Path) -> dict | None:
    """The marker of ``folder`` (see the module docstring), or ``None`` when it has none (or a foreign one).

    The one reader of markers: a marker that is a symbolic link, has no text ``kind``, or lists a name
    that is not a plain name inside the folder (see :func:`owned_name`) raises :class:`LyricMoodError`.
    """
    path = Path(folder) / MARKER_FILE
    if path.is_symlink():
        no_links(folder, MARKER_FILE)
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(marker, dict) and marker.get("created_by") == "lyricmood"):
        return None
    files = marker.get("files")
    if not isinstance(marker.get("kind"), str) or not (files is None or isinstance(files, list)):
        raise LyricMoodError(
            "the marker is damaged (its kind or files are not what lyricmood writes): not touching anything",
            file=path, hint="restore the marker, or move the folder's content away yourself",
        )
    for name in files or ():
        owned_name(name, folder)
    return marker


def write_marker(folder: str | Path, kind: str, files: Sequence[str] | None = None) -> None:
    """Write (atomically) the marker of a folder lyricmood created; ``files``: the files it owns there."""
    marker: dict = {"created_by": "lyricmood", "kind": kind}
    if files is not None:
        marker["files"] = sorted(set(files))
    write_text_atomic(Path(folder) / MARKER_FILE, json.dumps(marker, indent=1) + "\n")


def check_creatable(path: str | Path, what: str = "output") -> None:
    """Refuse, before any work, a path whose folder cannot be created (a file stands on the way)."""
    path = Path(path).absolute()
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise LyricMoodError(
                    f"cannot create the {what} here: {parent} is a file, not a folder",
                    file=path,
                    hint="choose a path inside a folder",
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise LyricMoodError(
                    f"cannot create the {what} here: {parent} is not writable",
                    file=path,
                    hint="choose a folder you can write to",
                )
            return


def check_ours(folder: str | Path, kind: str, *, legacy: Callable[[Path], bool] | None = None) -> None:
    """Refuse to write into ``folder`` unless it is absent, empty, or carries our marker of this ``kind``.

    ``legacy(folder)``: recognises a folder of this kind written before markers existed (then it counts
    as ours).
    """
    folder = Path(folder)
    if not folder.exists() and not folder.is_symlink():
        check_creatable(folder, what=f"{kind} folder")
        return
    if folder.is_symlink() and (kind == "checkpoint" or read_marker(folder.absolute().parent) is not None):
        no_links(folder.parent, folder.name)  # a folder lyricmood names itself is never a link it follows
    if not folder.is_dir():
        raise LyricMoodError(
            "exists and is not a folder: lyricmood does not replace it", file=folder, hint="choose another path"
        )
    marker = read_marker(folder)
    if marker is not None:
        if marker.get("kind") != kind:
            raise LyricMoodError(
                f"is a lyricmood {marker.get('kind')} folder, not a {kind} folder: not writing into it",
                file=folder,
                hint="choose another path",
            )
        return
    if legacy is not None and legacy(folder):
        return
    if any(folder.iterdir()):
        raise LyricMoodError(
            f"exists and was not created by lyricmood (no {MARKER_FILE} marker): not writing into it",
            file=folder,
            hint="choose a new or empty folder, or move its content away",
        )


def claim_folder(folder: str | Path, kind: str, *, legacy: Callable[[Path], bool] | None = None) -> Path:
    """Create ``folder`` (or accept an empty one, or one already ours) and mark it ours (see :func:`check_ours`)."""
    folder = Path(folder)
    check_ours(folder, kind, legacy=legacy)
    folder.mkdir(parents=True, exist_ok=True)
    if read_marker(folder) is None:
        write_marker(folder, kind, None if kind == "checkpoint" else [])
    return folder


@contextlib.contextmanager
def claimed_folder(folder: str | Path, kind: str, *, legacy: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """:func:`claim_folder`, held in use: a shared lock on the folder while the block runs, so that
    :func:`remove_ours` (another build finishing) cannot remove it from under this one. A folder removed
    between the claim and the lock is claimed again (a removed folder is never recreated without its marker).
    """
    for _ in range(_CLAIM_ATTEMPTS):
        folder = claim_folder(folder, kind, legacy=legacy)
        if fcntl is None:
            yield folder
            return
        fd = os.open(folder, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):  # a file system without locks: nothing more to hold
                fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                still_there = os.stat(folder).st_ino == os.fstat(fd).st_ino and read_marker(folder) is not None
            except FileNotFoundError:
                still_there = False
            if still_there:
                yield folder
                return
        finally:
            os.close(fd)
    raise LyricMoodError("another process keeps removing this folder", file=folder, hint="run one build at a time")


def remove_ours(folder: str | Path) -> None:
    """Delete a folder lyricmood created (marker of kind ``checkpoint``); anything else is left alone.

    A folder another process holds in use (see :func:`claimed_folder`) is left to it: the last user removes it.
    """
    marker = read_marker(folder)
    if marker is None or marker.get("kind") != "checkpoint":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another build is using it
            except OSError:
                pass  # a file system without locks
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)


def _file_mode(folder: Path) -> int:
    """The mode a new file gets under the user's umask (as ``open`` gives it), probed in ``folder``."""
    probe = folder / ".lyricmood-mode-probe"
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        return probe.stat().st_mode & 0o777
    finally:
        probe.unlink()


@contextlib.contextmanager
def staged_folder(
    folder: str | Path,
    kind: str,
    *,
    last: str | None = None,
    legacy: Callable[[Path], bool] | None = None,
    legacy_files: Callable[[Path], list[str]] | None = None,
) -> Iterator[Path]:
    """Yield an empty staging folder; on success its files replace their namesakes in ``folder`` together.

    ``folder`` is created (or must be empty, or ours: see :func:`check_ours`). Under its exclusive lock,
    each staged file (subfolders allowed) is renamed into place (``last`` after the others: write the file
    that names the others' checksums last, so that a reader without locks sees a complete set or a checksum
    mismatch, never a silent mix), the files the previous version owned but this one does not write are
    deleted, and the marker lists the new files. Files lyricmood does not own are never touched, and no
    symbolic link in ``folder`` is followed (see :func:`no_links`). ``legacy_files(folder)``: the files a
    marker written without a ``files`` list owns. On error, ``folder``'s files are unchanged.
    """
    folder = claim_folder(folder, kind, legacy=legacy)
    with folder_lock(folder) as locked:
        for stale in folder.glob(_STAGING_PREFIX + "*") if locked else ():  # left by killed writers
            _remove(stale)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=folder))
        try:
            yield staging
            names = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if not p.is_dir())
            if MARKER_FILE in names:
                raise ValueError(f"{MARKER_FILE} is written by staged_folder itself")
            previous = read_marker(folder) or {}
            owned = previous.get("files")
            if owned is None and legacy_files is not None:
                owned = [owned_name(name, folder) for name in legacy_files(folder)]
            # All checked before the first rename: nothing is half replaced, nothing outside is touched.
            targets = {name: no_links(folder, name) for name in names}
            for name, target in targets.items():
                if target.is_dir():
                    raise LyricMoodError(
                        f"{name} is a folder: not replacing it with a file", file=target, hint="move it away"
                    )
            gone = [no_links(folder, name) for name in sorted(set(owned or []) - set(names))]
            mode = _file_mode(staging)
            for name in names:  # some writers (safetensors) create 0600 files: another account could not read them
                os.chmod(staging / name, mode)
            for name in sorted(names, key=lambda n: n == last):
                targets[name].parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, targets[name])
            for path in gone:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    path.unlink()
                for parent in path.relative_to(folder).parents[:-1]:  # subfolders it emptied
                    with contextlib.suppress(OSError):
                        (folder / parent).rmdir()
            write_marker(folder, kind, names)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
