"""A user's own lyrics catalog, from CSV, JSON Lines, or a folder of ``.txt`` / ``.lrc`` files.

>>> from lyricmood.datasets_scripts import LyricsCatalog
>>> builder = LyricsCatalog(data_files="my_songs.csv")  # doctest: +SKIP
>>> builder.download_and_prepare(); songs = builder.as_dataset()["train"]  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import datasets

from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder, UniqueIds, files_with_suffix, read_text

_DESCRIPTION = """\
A catalog of songs to recommend from: id, title, artist, year, language, lyrics and an optional
intended mood (a free-text note passed through for display and evaluation, never model input).
Built from the user's own files; lyrics are copyrighted, so no lyrics are shipped except the demo
catalog written for this project.
"""

_CITATION = ""
_HOMEPAGE = ""
_LICENSE = "other"  # the user's own catalog: whatever rights the user holds

SUFFIXES = (".csv", ".jsonl", ".txt", ".lrc")
REQUIRED_COLUMNS = ("id", "title", "lyrics")
OPTIONAL_COLUMNS = ("artist", "year", "lang", "intended_mood")

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_TIMESTAMP = re.compile(r"\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]|<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
#: the years a catalog may give (the ``year`` feature is int32; 0-9999 catches typos such as 1e12)
MAX_YEAR = 9999
_ID_TAG = re.compile(r"^\[(ti|ar|al|au|by|offset|length|re|ve|tool|#)\s*:(.*)\]$", re.IGNORECASE)


def detect_lang(text: str) -> str:
    """``"ko"`` if Hangul makes up at least 30 % of the letters in ``text``, else ``"en"``.

    Deliberately tiny: lyrics mix languages (an English hook in a Korean song), so a song is
    Korean when a good share of its letters are Hangul, not when all are.

    >>> detect_lang("사랑해 baby, 오늘 밤"), detect_lang("I love you, 사랑해"), detect_lang("1 2 3")
    ('ko', 'en', 'en')
    """
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return "en"
    return "ko" if len(_HANGUL.findall(text)) / letters >= 0.3 else "en"


def parse_lrc(text: str) -> tuple[dict[str, str], str]:
    """LRC or plain text → (``{"ti": …, "ar": …}`` tags, lyrics).

    Timestamps (``[01:23.45]``, ``<01:23.45>``) and ID tags (``[ti:]``, ``[ar:]``, ``[al:]``,
    ``[length:]``…) are removed; section tags (``[Chorus]``, ``[Verse 1]``, ``[후렴]``) stay as lines;
    runs of blank lines become one (a verse break).

    >>> parse_lrc("[ti:Rain]\\n[ar:Someone]\\n[00:01.00][Chorus]\\n[00:02.50]hello <00:03.00>rain\\n\\n\\n[00:05.00]bye")
    ({'ti': 'Rain', 'ar': 'Someone'}, '[Chorus]\\nhello rain\\n\\nbye')
    """
    tags: dict[str, str] = {}
    lines: list[str] = []
    for raw in text.splitlines():
        stripped = raw.strip()
        tag = _ID_TAG.match(stripped)
        if tag:
            tags[tag.group(1).lower()] = tag.group(2).strip()
            continue
        line = re.sub(r"\s{2,}", " ", _TIMESTAMP.sub("", stripped)).strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return tags, "\n".join(lines)


def demo_catalog_path() -> Path:
    """The demo catalog shipped with lyricmood (``lyricmood/demo/catalog.jsonl``)."""
    return Path(str(resources.files("lyricmood") / "demo" / "catalog.jsonl"))


class LyricsCatalog(LocalFilesBuilder):
    """A lyrics catalog. ``data_files``: CSV / JSONL / .txt / .lrc files; or ``data_dir``: a file, or
    a folder searched recursively for them. One split, ``train``. The ``demo`` config reads the
    demo catalog shipped with lyricmood when no files are given.

    CSV and JSONL need ``id``, ``title``, ``lyrics``; ``artist``, ``year`` (integer or empty),
    ``lang`` (detected by :func:`detect_lang` when empty) and ``intended_mood`` are optional.
    A ``.txt`` / ``.lrc`` file is one song: id = file stem, title = ``[ti:]`` tag or the stem,
    artist = ``[ar:]`` tag or ``""`` (see :func:`parse_lrc`)."""

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

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=_DESCRIPTION,
            features=datasets.Features(
                {
                    "id": datasets.Value("string"),
                    "title": datasets.Value("string"),
                    "artist": datasets.Value("string"),
                    "year": datasets.Value("int32"),
                    "lang": datasets.Value("string"),
                    "lyrics": datasets.Value("string"),
                    "intended_mood": datasets.Value("string"),
                }
            ),
            homepage=_HOMEPAGE,
            citation=_CITATION,
            license=_LICENSE,
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
        splits = {}
        for split, paths in by_split.items():
            ids = UniqueIds()
            rows = []
            for path in paths:
                songs = self._read_file(path, ids)
                if not songs:
                    raise LyricMoodError(
                        "the file holds no song (only a header, or nothing)", file=path,
                        hint=f"add one song per row ({', '.join(REQUIRED_COLUMNS)} …) or leave the file out",
                    )
                rows.extend(songs)
            splits[split] = rows
        return splits

    def _read_file(self, path: Path, ids: UniqueIds) -> list[dict[str, Any]]:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            records = self._csv_records(path)
        elif suffix == ".jsonl":
            records = self._jsonl_records(path)
        elif suffix in (".txt", ".lrc"):
            records = [self._text_record(path)]
        else:
            raise LyricMoodError(
                f"unsupported file type {suffix!r}", file=path, hint=f"use one of {', '.join(SUFFIXES)}"
            )
        return [self._song(path, line, record, ids) for line, record in records]

    @staticmethod
    def _csv_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
        # The csv module refuses fields over 128 KB by default; a song's lyrics may be longer.
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, min(sys.maxsize, 2**31 - 1)))
        try:
            return LyricsCatalog._read_csv(path)
        except csv.Error as err:
            raise LyricMoodError(
                f"not a valid CSV file ({err})", file=path, hint="save it as UTF-8 CSV with a header row"
            ) from None
        finally:
            csv.field_size_limit(limit)

    @staticmethod
    def _read_csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(io.StringIO(read_text(path, what="catalog file"), newline=""))
        columns = [c.strip() for c in reader.fieldnames or []]
        reader.fieldnames = columns
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise LyricMoodError(
                f"column {twice[0]!r} appears {columns.count(twice[0])} times in the header", file=path, line=1,
                field=twice[0], hint="give each column once",
            )
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                raise LyricMoodError(
                    f"missing column {column!r} (columns: {', '.join(columns) or 'none'})",
                    file=path,
                    line=1,
                    field=column,
                    hint=f"the header row needs {', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})",
                )
        records = []
        start = 2
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return records
            except csv.Error as err:
                raise LyricMoodError(f"not valid CSV ({err})", file=path, line=start,
                                     hint="check the quotes of this row") from None
            if None in record:  # more cells than the header has columns
                raise LyricMoodError(
                    f"{len(columns) + len(record[None])} cells, the header has {len(columns)} columns",
                    file=path, line=start, hint="quote fields that contain commas",
                )
            records.append((start, record))
            start = reader.line_num + 1  # a quoted field may span lines: report where the record starts

    @staticmethod
    def _jsonl_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
        records = []
        for line_no, line in enumerate(read_text(path, what="catalog file").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise LyricMoodError(
                    f"invalid JSON ({err.msg})", file=path, line=line_no, hint="one JSON object per line"
                ) from None
            if not isinstance(record, dict):
                raise LyricMoodError(
                    "expected a JSON object", file=path, line=line_no, hint="one JSON object per line"
                )
            for column in REQUIRED_COLUMNS:
                if column not in record:
                    raise LyricMoodError(
                        f"missing field {column!r}",
                        file=path,
                        line=line_no,
                        field=column,
                        hint=f"every line needs {', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})",
                    )
            records.append((line_no, record))
        return records

    @staticmethod
    def _text_record(path: Path) -> tuple[None, dict[str, Any]]:
        tags, lyrics = parse_lrc(read_text(path, what="lyrics file"))
        return None, {
            "id": path.stem,
            "title": tags.get("ti") or path.stem,
            "artist": tags.get("ar", ""),
            "lyrics": lyrics,
        }

    @staticmethod
    def _song(path: Path, line: int | None, record: dict[str, Any], ids: UniqueIds) -> dict[str, Any]:
        def text(field: str) -> str:
            value = record.get(field)
            if isinstance(value, (dict, list, bool)):  # JSON Lines: an object or a list is not text
                raise LyricMoodError(
                    f"expected text, got {type(value).__name__}", file=path, line=line, field=field,
                    hint=f"give {field} as a JSON string",
                )
            return "" if value is None else str(value).strip()

        song_id = text("id")
        if not song_id:
            raise LyricMoodError("empty id", file=path, line=line, field="id", hint="give every song an id")
        ids.add(song_id, path, line)
        lyrics = text("lyrics")
        if not lyrics:
            raise LyricMoodError(
                f"empty lyrics for song {song_id!r}",
                file=path,
                line=line,
                field="lyrics",
                hint="add its lyrics or remove it",
            )
        title = text("title")
        if not title:
            raise LyricMoodError(
                f"empty title for song {song_id!r}", file=path, line=line, field="title", hint="give it a title"
            )
        year_text = text("year")
        try:
            year = int(float(year_text)) if year_text else None
            if year_text and (float(year_text) != year or not 0 <= year <= MAX_YEAR):
                raise ValueError
        except (ValueError, OverflowError):
            raise LyricMoodError(
                f"year {year_text!r} is not a whole number from 0 to {MAX_YEAR}",
                file=path,
                line=line,
                field="year",
                hint="write e.g. 1998, or leave it empty",
            ) from None
        return {
            "id": song_id,
            "title": title,
            "artist": text("artist"),
            "year": year,
            "lang": text("lang").lower() or detect_lang(lyrics),
            "lyrics": lyrics.replace("\r\n", "\n"),
            "intended_mood": text("intended_mood") or None,
        }
