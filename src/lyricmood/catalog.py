"""Songs: the catalog record, its readers (CSV, JSON Lines, ``.txt`` / ``.lrc``), and its validation, done here once.

A song is a dict with the fields of :data:`SONG_FIELDS`. :func:`read_songs` reads and checks the user's files
(errors name the file, line and field); a :class:`Catalog` holds songs so checked, and indexing takes them as they
are. Rows given in memory any other way (a list of dicts, or a ``datasets.Dataset``) are checked once, as the
index is built, by :func:`catalog_songs`. The ``lyrics_catalog`` dataset builder is a thin adapter over this
module.

This is a leaf module: standard library and :mod:`lyricmood.errors` only, so that the dataset builders
(``lyricmood.datasets_scripts``) may import it without importing the rest of the library.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import LyricMoodError, require_unicode

SUFFIXES = (".csv", ".jsonl", ".txt", ".lrc")
REQUIRED_COLUMNS = ("id", "title", "lyrics")
OPTIONAL_COLUMNS = ("artist", "year", "lang", "intended_mood")

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_TIMESTAMP = re.compile(r"\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]|<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
#: the years a catalog may give (the ``year`` feature is int32; 0-9999 catches typos such as 1e12)
MAX_YEAR = 9999
#: the fields of a song record, as :func:`read_songs` returns it
SONG_FIELDS = ("id", "title", "artist", "year", "lang", "lyrics", "intended_mood")
#: caps checked before a catalog file is parsed, so that a hostile file costs milliseconds, not minutes: a catalog
#: needs 7 columns (a spreadsheet export may add a few dozen); a header of 200,000 columns cost 654 s before
MAX_COLUMNS = 256
MAX_HEADER_CHARS = 16_384
#: the longest CSV field or JSON line (lyrics included): 16 M characters, 8,000 times a long song
MAX_FIELD_CHARS = 16 * 2**20
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


def read_text(path: Path, *, what: str = "file") -> str:
    """The text of a UTF-8 file (a BOM is accepted).

    Raises ``LyricMoodError`` for a missing file or bytes that are not UTF-8, naming the line.
    """
    if not path.is_file():
        raise LyricMoodError(f"{what} not found", file=path, hint="check the data folder, or the file name")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise LyricMoodError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x})",
            file=path,
            line=line,
            hint="re-save the file as UTF-8 (e.g. `iconv -f cp949 -t utf-8 in > out`)",
        ) from None


class UniqueIds:
    """Remembers ids and where they were seen; raises on the second occurrence (the one check of duplicate catalog ids).

    ``path`` (and ``line_no``): where a file row gives the id; without it, the id is of a row given in memory.
    """

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def add(self, id_: str, path: Path | None = None, line_no: int | None = None, field: str = "id") -> None:
        if id_ in self._seen and path is None:  # a row given in memory
            raise LyricMoodError(f"duplicate song id {id_!r} in the catalog", field=field, hint="make every id unique")
        if id_ in self._seen:  # a row of a file
            raise LyricMoodError(
                f"duplicate id {id_!r} (first seen in {self._seen[id_]})",
                file=path,
                line=line_no,
                field=field,
                hint="make every id unique",
            )
        self._seen[id_] = "" if path is None else path.name + (f" line {line_no}" if line_no is not None else "")


@dataclass(frozen=True)
class Catalog:
    """Songs checked as they were read from files (:func:`read_songs`), in catalog order: a list of song records,
    or the ``datasets.Dataset`` the ``lyrics_catalog`` builder made of them (``lyricmood.indexing.load_catalog``).

    Indexing takes a ``Catalog`` as it is; rows given any other way are checked first (:func:`catalog_songs`).
    """

    songs: Sequence[dict[str, Any]]

    @classmethod
    def read(cls, paths: Iterable[Path]) -> Catalog:
        """The songs of catalog files, read and checked by :func:`read_songs`."""
        return cls(read_songs(paths))

    def __len__(self) -> int:
        return len(self.songs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.songs)


def read_songs(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The songs of catalog files (CSV, JSON Lines, ``.txt`` / ``.lrc``), checked: ids unique across all of them.

    CSV and JSONL need ``id``, ``title``, ``lyrics``; ``artist``, ``year`` (integer or empty), ``lang``
    (detected by :func:`detect_lang` when empty) and ``intended_mood`` are optional. A ``.txt`` / ``.lrc``
    file is one song: id = file stem, title = ``[ti:]`` tag or the stem, artist = ``[ar:]`` tag or ``""``.
    """
    ids = UniqueIds()
    songs = []
    for path in paths:
        found = read_file(path, ids)
        if not found:
            raise LyricMoodError(
                "the file holds no song (only a header, or nothing)", file=path,
                hint=f"add one song per row ({', '.join(REQUIRED_COLUMNS)} …) or leave the file out",
            )
        songs.extend(found)
    return songs


def read_file(path: Path, ids: UniqueIds) -> list[dict[str, Any]]:
    """The songs of one catalog file; ``ids`` remembers the ids seen so far (a duplicate is an error)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix == ".jsonl":
        records = _jsonl_records(path)
    elif suffix in (".txt", ".lrc"):
        records = [_text_record(path)]
    else:
        raise LyricMoodError(f"unsupported file type {suffix!r}", file=path, hint=f"use one of {', '.join(SUFFIXES)}")
    return [song_record(path, line, record, ids) for line, record in records]


def _csv_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    # The csv module refuses fields over 128 KB by default; a song's lyrics may be longer (up to MAX_FIELD_CHARS).
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        return _read_csv(path)
    except csv.Error as err:
        raise LyricMoodError(
            f"not a valid CSV file ({err})", file=path, hint="save it as UTF-8 CSV with a header row"
        ) from None
    finally:
        csv.field_size_limit(limit)


def _read_csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = read_text(path, what="catalog file")
    header = text[: text.find("\n") if "\n" in text else len(text)]
    if len(header) > MAX_HEADER_CHARS or header.count(",") >= MAX_COLUMNS:  # checked before the csv module reads it
        raise LyricMoodError(
            f"the header is too wide ({header.count(',') + 1:,} columns or more, {len(header):,} characters; "
            f"at most {MAX_COLUMNS} columns of {MAX_HEADER_CHARS:,} characters)",
            file=path, line=1, hint=f"keep the columns a catalog needs: {', '.join(SONG_FIELDS)}",
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    counts = Counter(columns)
    twice = next((c for c in columns if counts[c] > 1), None)
    if twice is not None:
        raise LyricMoodError(
            f"column {twice!r} appears {counts[twice]} times in the header", file=path, line=1,
            field=twice, hint="give each column once",
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


def _jsonl_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    records = []
    for line_no, line in enumerate(read_text(path, what="catalog file").splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_FIELD_CHARS:
            raise LyricMoodError(f"the line is too long ({len(line):,} characters, at most {MAX_FIELD_CHARS:,})",
                                 file=path, line=line_no, hint="one song per line")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise LyricMoodError(
                f"invalid JSON ({err.msg})", file=path, line=line_no, hint="one JSON object per line"
            ) from None
        except RecursionError:  # "[[[[…" thousands deep: a song is one flat object
            raise LyricMoodError("the JSON is nested too deeply", file=path, line=line_no,
                                 hint="one flat JSON object per line (id, title, lyrics …)") from None
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


def _text_record(path: Path) -> tuple[None, dict[str, Any]]:
    tags, lyrics = parse_lrc(read_text(path, what="lyrics file"))
    return None, {
        "id": path.stem,
        "title": tags.get("ti") or path.stem,
        "artist": tags.get("ar", ""),
        "lyrics": lyrics,
    }


def song_record(path: Path, line: int | None, record: dict[str, Any], ids: UniqueIds) -> dict[str, Any]:
    """One row of a catalog file (``line`` in ``path``) as a checked song record."""
    def text(field: str) -> str:
        value = record.get(field)
        if isinstance(value, (dict, list, bool)):  # JSON Lines: an object or a list is not text
            raise LyricMoodError(
                f"expected text, got {type(value).__name__}", file=path, line=line, field=field,
                hint=f"give {field} as a JSON string",
            )
        if isinstance(value, str):  # JSON Lines may escape a lone surrogate ("\\udcff"), which no model reads
            require_unicode(value, f"the {field}", field=field, file=path, line=line)
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
    year = parse_year(text("year"), file=path, line=line)
    return {
        "id": song_id,
        "title": title,
        "artist": text("artist"),
        "year": year,
        "lang": text("lang").lower() or detect_lang(lyrics),
        "lyrics": lyrics.replace("\r\n", "\n"),
        "intended_mood": text("intended_mood") or None,
    }


def parse_year(value: Any, *, what: str = "year", file: Path | None = None, line: int | None = None) -> int | None:
    """A song's year: a whole number from 0 to :data:`MAX_YEAR` (``"1998"``, ``1998``, ``1998.0``), or ``None`` when
    empty; anything else (``"abc"``, ``1e12``, ``True``) raises :class:`LyricMoodError`."""
    shown = "" if value is None else str(value).strip()
    try:
        if isinstance(value, bool):
            raise ValueError
        year = int(float(shown)) if shown else None
        if shown and (float(shown) != year or not 0 <= year <= MAX_YEAR):
            raise ValueError
    except (ValueError, OverflowError):
        raise LyricMoodError(
            f"{what} {shown!r} is not a whole number from 0 to {MAX_YEAR}", file=file, line=line, field="year",
            hint="write e.g. 1998, or leave it empty",
        ) from None
    return year


def catalog_songs(rows: Catalog | Iterable[Any]) -> Iterator[tuple[int, str, str, dict]]:
    """``(position, id, lyrics, row)`` for each song of a catalog.

    The songs of a :class:`Catalog` were checked as they were read and are taken as they are. Other rows (dicts,
    or the rows of a ``datasets.Dataset``) are checked here for what indexing needs: a mapping with an id,
    lyrics, a whole-number year or none, text that UTF-8 can hold, and ids unique in the catalog.
    """
    if isinstance(rows, Catalog):
        for position, song in enumerate(rows):
            yield position, song["id"], song["lyrics"], song
        return
    ids = UniqueIds()
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            raise LyricMoodError(
                f"catalog row {position + 1} is not a mapping", hint="give rows as dicts (id, title, lyrics …)"
            )
        song_id = row.get("id")
        if song_id is None or not str(song_id).strip():
            raise LyricMoodError(f"catalog row {position + 1} has no id", field="id", hint="give every song an id")
        lyrics = row.get("lyrics")
        if not isinstance(lyrics, str) or not lyrics.strip():
            raise LyricMoodError(f"song {song_id!r} has no lyrics", field="lyrics", hint="add its lyrics or remove it")
        for field in ("id", "title", "artist", "lang", "lyrics"):
            if isinstance(row.get(field), str):
                require_unicode(row[field], f"the {field} of catalog row {position + 1}", field=field)
        song_id = str(song_id).strip()
        year = parse_year(row.get("year"), what=f"the year of song {song_id!r}")
        if type(row.get("year")) not in (int, type(None)):  # "1998", 1998.0: kept as the whole number it is
            row = {**row, "year": year}
        ids.add(song_id)
        yield position, song_id, lyrics, row
