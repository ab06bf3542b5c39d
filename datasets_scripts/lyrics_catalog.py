"""A user's own lyrics catalog, from CSV, JSON Lines, or a folder of ``.txt`` / ``.lrc`` files: a ``datasets``
adapter over :mod:`lyricmood.catalog`, which reads and checks the songs.

>>> from lyricmood.datasets_scripts import LyricsCatalog
>>> builder = LyricsCatalog(data_files="my_songs.csv")  # doctest: +SKIP
>>> builder.download_and_prepare(); songs = builder.as_dataset()["train"]  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from lyricmood.catalog import (
    MAX_YEAR,
    REQUIRED_COLUMNS,
    SUFFIXES,
    demo_catalog_path,
    detect_lang,
    parse_lrc,
    read_songs,
)
from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder, files_with_suffix

__all__ = ["MAX_YEAR", "REQUIRED_COLUMNS", "SUFFIXES", "LyricsCatalog", "demo_catalog_path", "detect_lang", "parse_lrc"]

_DESCRIPTION = """\
A catalog of songs to recommend from: id, title, artist, year, language, lyrics and an optional
intended mood (a free-text note passed through for display and evaluation, never model input).
Built from the user's own files; lyrics are copyrighted, so no lyrics are shipped except the demo
catalog written for this project.
"""

_CITATION = ""
_HOMEPAGE = ""
_LICENSE = "other"  # the user's own catalog: whatever rights the user holds


class LyricsCatalog(LocalFilesBuilder):
    """A lyrics catalog. ``data_files``: CSV / JSONL / .txt / .lrc files; or ``data_dir``: a file, or
    a folder searched recursively for them. One split, ``train``. The ``demo`` config reads the
    demo catalog shipped with lyricmood when no files are given.

    Reading and checking the files is :func:`lyricmood.catalog.read_songs`' job; this class adapts it to
    ``datasets``."""

    DESCRIPTION, HOMEPAGE, CITATION, LICENSE = _DESCRIPTION, _HOMEPAGE, _CITATION, _LICENSE

    BUILDER_CONFIGS = [
        datasets.BuilderConfig(name="default", version=datasets.Version("1.0.0"), description="your own catalog"),
        datasets.BuilderConfig(name="demo", version=datasets.Version("1.0.0"), description="lyricmood's demo catalog"),
    ]
    DEFAULT_CONFIG_NAME = "default"
    MISSING_DATA_HINT = "pass data_files= (or data_dir=) your catalog: CSV, JSON Lines, or a folder of .txt/.lrc files"

    def __init__(
        self, *args: Any, config_name: str | None = None, data_dir: Any = None, data_files: Any = None, **kwargs: Any
    ):
        if config_name == "demo" and data_dir is None and data_files is None:
            data_files = str(demo_catalog_path())
        super().__init__(*args, config_name=config_name, data_dir=data_dir, data_files=data_files, **kwargs)

    def _features(self) -> datasets.Features:
        return datasets.Features(
            {
                "id": datasets.Value("string"),
                "title": datasets.Value("string"),
                "artist": datasets.Value("string"),
                "year": datasets.Value("int32"),
                "lang": datasets.Value("string"),
                "lyrics": datasets.Value("string"),
                "intended_mood": datasets.Value("string"),
            }
        )

    def _read_splits(self) -> dict[str, list[dict[str, Any]]]:
        if self.config.data_files:
            by_split = {split: [Path(p) for p in files] for split, files in self.config.data_files.items()}
        else:
            root = self._require_data_dir()
            by_split = {"train": [root] if root.is_file() else files_with_suffix(root, SUFFIXES)}
            if not by_split["train"]:
                raise LyricMoodError(
                    "no .csv, .jsonl, .txt or .lrc file found", file=root, hint=self.MISSING_DATA_HINT
                )
        return {split: read_songs(paths) for split, paths in by_split.items()}
