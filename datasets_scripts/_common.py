"""Shared plumbing for the local-file builders: input checks, cache fingerprints, error unwrapping.

Every builder here reads files the user already has (nothing is downloaded). Input is parsed and
validated eagerly in ``_split_generators`` so that a bad file raises
:class:`lyricmood.errors.LyricMoodError` directly, instead of the ``DatasetGenerationError`` that
``datasets`` wraps around anything raised inside ``_generate_examples``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import datasets
from datasets.data_files import DataFilesDict, DataFilesList

from lyricmood.catalog import UniqueIds, read_text
from lyricmood.errors import LyricMoodError

__all__ = ["UniqueIds", "read_text"]  # shared with the other builders; they live with the songs

DataFilesArg = str | os.PathLike | Sequence[str | os.PathLike] | dict[str, Any]


def _as_paths(value: Any) -> list[Path]:
    if isinstance(value, (str, os.PathLike)):
        return [Path(value)]
    return [Path(v) for v in value]


def normalize_data_files(
    data_files: DataFilesArg | DataFilesDict | None, default_split: str = "train"
) -> DataFilesDict | None:
    """``str`` / list / ``{split: paths}`` → a ``DataFilesDict`` of absolute, existing paths.

    Built by hand rather than with ``DataFilesDict.from_patterns`` so that file names are never read
    as glob patterns (a lyrics file called ``song[live].lrc`` is a file, not a pattern).
    The origin metadata (size, mtime) makes the config id change when a file changes.
    """
    if data_files is None or isinstance(data_files, DataFilesDict):
        return data_files
    by_split = data_files if isinstance(data_files, dict) else {default_split: data_files}
    result = DataFilesDict()
    for split, value in by_split.items():
        paths = []
        for path in _as_paths(value):
            path = path.expanduser()
            if not path.exists():
                raise LyricMoodError(
                    "data file not found",
                    file=path,
                    hint="check the path given in data_files (or --data-files)",
                )
            paths.append(path.resolve())
        metadata = [(str(p.stat().st_size), str(p.stat().st_mtime_ns)) for p in paths]
        result[str(split)] = DataFilesList([str(p) for p in paths], metadata)
    return result


def fingerprint(data_dir: str | os.PathLike | None, data_files: DataFilesDict | None) -> str | None:
    """A short hash of every input file's path, size and mtime, used as the builder's cache ``hash``.

    So an edited or replaced file is rebuilt instead of being served stale from the cache.
    """
    entries: list[str] = []
    if data_dir is not None:
        root = Path(data_dir)
        if root.is_file():
            stat = root.stat()
            entries.append(f"{root}|{stat.st_size}|{stat.st_mtime_ns}")
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                stat = os.stat(path)
                entries.append(f"{path}|{stat.st_size}|{stat.st_mtime_ns}")
    if data_files is not None:
        for split in sorted(data_files):
            for path in data_files[split]:
                stat = os.stat(path)
                entries.append(f"{split}|{path}|{stat.st_size}|{stat.st_mtime_ns}")
    if not entries:
        return None
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()[:16]


class LocalFilesBuilder(datasets.GeneratorBasedBuilder):
    """A ``GeneratorBasedBuilder`` over local files, validated eagerly, cached by file fingerprint.

    Subclasses implement ``_read_splits() -> {split_name: list_of_examples}``.
    """

    #: what to tell a user who gave no data_dir / data_files
    MISSING_DATA_HINT = "pass data_dir= (or --data-dir) pointing at your copy of the data"
    #: the dataset's description, homepage, citation and license, as its ``DatasetInfo`` states them
    DESCRIPTION = HOMEPAGE = CITATION = LICENSE = ""

    def __init__(
        self,
        *args: Any,
        data_dir: str | os.PathLike | None = None,
        data_files: Any = None,
        hash: str | None = None,
        **kwargs: Any,
    ):
        if data_dir is not None:
            path = Path(data_dir).expanduser()
            if not path.exists():
                raise LyricMoodError("data folder not found", file=path, hint=self.MISSING_DATA_HINT)
            data_dir = str(path.resolve())
        data_files = normalize_data_files(data_files)
        if hash is None:
            hash = fingerprint(data_dir, data_files)
        super().__init__(*args, data_dir=data_dir, data_files=data_files, hash=hash, **kwargs)

    # -- to implement ---------------------------------------------------------------------------
    def _features(self) -> datasets.Features:
        """The columns of the current config."""
        raise NotImplementedError

    def _read_splits(self) -> dict[str, list[dict[str, Any]]]:
        raise NotImplementedError

    # -- datasets hooks -------------------------------------------------------------------------
    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=self.DESCRIPTION,
            features=self._features(),
            homepage=self.HOMEPAGE,
            citation=self.CITATION,
            license=self.LICENSE,
        )

    def _split_generators(self, dl_manager: Any) -> list[datasets.SplitGenerator]:
        splits = self._read_splits()
        # A tuple, not a list: datasets would treat a list in gen_kwargs as shards.
        return [
            datasets.SplitGenerator(name=name, gen_kwargs={"examples": tuple(rows)}) for name, rows in splits.items()
        ]

    def _generate_examples(self, examples: tuple[dict[str, Any], ...]) -> Iterator[tuple[int, dict[str, Any]]]:
        yield from enumerate(examples)

    def _download_and_prepare(self, *args: Any, **kwargs: Any) -> None:
        try:
            super()._download_and_prepare(*args, **kwargs)
        except datasets.exceptions.DatasetGenerationError as err:
            cause = err.__cause__
            while cause is not None and not isinstance(cause, LyricMoodError):
                cause = cause.__cause__ or cause.__context__
            if cause is not None:
                raise cause from None
            raise

    # -- helpers for subclasses -----------------------------------------------------------------
    def _require_data_dir(self) -> Path:
        if not self.config.data_dir:
            raise LyricMoodError(f"the {self.name} builder needs a data folder", hint=self.MISSING_DATA_HINT)
        return Path(self.config.data_dir)


def read_lines(path: Path, *, what: str = "file") -> list[str]:
    """Lines of a UTF-8 text file (see :func:`read_text`), without line endings."""
    lines = read_text(path, what=what).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def split_tsv(path: Path, line_no: int, line: str, columns: Sequence[str]) -> list[str]:
    """Split one TSV line into exactly ``len(columns)`` fields, or raise naming the line."""
    fields = line.split("\t")
    if len(fields) != len(columns):
        missing = columns[len(fields)] if len(fields) < len(columns) else None
        raise LyricMoodError(
            f"expected {len(columns)} tab-separated columns ({', '.join(columns)}), found {len(fields)}",
            file=path,
            line=line_no,
            field=missing,
            hint="each line must be " + "<TAB>".join(columns) + " with no header",
        )
    return fields


def parse_label_ids(path: Path, line_no: int, value: str, num_labels: int, field: str = "label_ids") -> list[int]:
    """``"3,17"`` → ``[3, 17]``, checking each id is in ``[0, num_labels)``."""
    ids = []
    for token in value.split(","):
        token = token.strip()
        if not token.isdigit() or int(token) >= num_labels:
            raise LyricMoodError(
                f"unknown label id {token!r} (expected integers 0..{num_labels - 1}, comma-separated)",
                file=path,
                line=line_no,
                field=field,
                hint="fix the label ids, or check that the file matches this dataset's label list",
            )
        ids.append(int(token))
    if not ids:
        raise LyricMoodError("no labels", file=path, line=line_no, field=field, hint="give at least one label id")
    return sorted(set(ids))


def require_text(path: Path, line_no: int | None, text: Any, field: str = "text") -> str:
    """Return ``text`` stripped, or raise if it is missing or blank."""
    if text is None or not str(text).strip():
        raise LyricMoodError(
            "empty text", file=path, line=line_no, field=field, hint="remove the row or fill in its text"
        )
    return str(text).strip()


def split_from_name(name: str, default: str = "train") -> str:
    """Guess the split of a file from its name: train/training/학습, val/valid/validation/dev/검증, test."""
    lowered = name.lower()
    for keys, split in (
        (("test", "평가"), "test"),
        (("valid", "val", "dev", "검증"), "validation"),
        (("train", "학습"), "train"),
    ):
        if any(key in lowered for key in keys):
            return split
    return default


def files_with_suffix(root: Path, suffixes: Iterable[str]) -> list[Path]:
    """Files under ``root`` (recursively, hidden ones skipped) whose suffix is in ``suffixes``, sorted."""
    suffixes = {s.lower() for s in suffixes}
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith((".", "~$")) and Path(name).suffix.lower() in suffixes:
                found.append(Path(dirpath) / name)
    return found
