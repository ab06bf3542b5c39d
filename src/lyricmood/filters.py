"""Which songs a query may return: :class:`Filters`, checked once, and the parsers of the CLI's filter flags.

Example:
    >>> Filters(year_range=(1990, None), lang="KO")
    Filters(year_range=(1990, 9999), lang=('ko',), exclude_same_artist=False, diversity=0.0)
    >>> parse_years("1990-2010"), parse_langs("ko, en")
    ((1990, 2010), ['ko', 'en'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from .catalog import MAX_YEAR  # the largest year a filter accepts is the catalogs' limit
from .errors import LyricMoodError, LyricMoodTypeError


@dataclass(frozen=True)
class Filters:
    """Which songs a query may return, validated once, here.

    ``year_range=(first, last)`` inclusive (songs without a year are left out; ``None`` for an open end),
    ``lang`` (``"ko"`` or several, any case), ``exclude_same_artist`` (the query song's artist: only a catalog
    song has one), ``diversity`` in [0, 1] (0 ranks by similarity alone; higher values trade similarity for
    variety, by MMR).
    """

    year_range: tuple[int | None, int | None] | None = None  # stored with open ends filled: (0 … 9999)
    lang: str | Sequence[str] | None = None  # stored as a tuple of casefolded codes, or None
    exclude_same_artist: bool = False
    diversity: float = 0.0

    def __post_init__(self) -> None:
        set_field = partial(object.__setattr__, self)  # frozen: normalise the fields once
        set_field("year_range", _checked_years(self.year_range))
        lang = self.lang
        if lang is not None and not isinstance(lang, (str, Sequence)):
            raise LyricMoodTypeError(f"lang must be a language code or a list of them, got {lang!r}", field="lang")
        if lang:
            set_field("lang", (lang.casefold(),) if isinstance(lang, str) else tuple(str(x).casefold() for x in lang))
        else:
            set_field("lang", None)
        set_field("exclude_same_artist", bool(self.exclude_same_artist))
        try:
            diversity = float(self.diversity)
        except (TypeError, ValueError):
            raise LyricMoodError(f"diversity must be a number, got {self.diversity!r}", field="diversity") from None
        if not 0.0 <= diversity <= 1.0:
            raise LyricMoodError(f"diversity must be in [0, 1], got {diversity}", field="diversity")
        set_field("diversity", diversity)


def _checked_years(year_range: Any, field: str = "years") -> tuple[int, int] | None:
    if year_range is None:
        return None
    try:
        low, high = ((bound if y is None else int(y)) for y, bound in zip(year_range, (0, MAX_YEAR), strict=True))
    except (TypeError, ValueError, OverflowError):
        raise LyricMoodError(
            f"bad year range {year_range!r}", field=field, hint="give (first, last), e.g. (1990, 2010)"
        ) from None
    if low > high:
        raise LyricMoodError(
            f"the year range is reversed: {low} > {high}", field=field, hint="give them earlier first, e.g. 1990-2010"
        )
    if not (0 <= low <= MAX_YEAR and 0 <= high <= MAX_YEAR):
        raise LyricMoodError(f"year range {low}-{high} is out of range", field=field, hint=f"give years 0 to {MAX_YEAR}")
    return low, high


def parse_years(text: str | None, field: str = "years") -> tuple[int, int] | None:
    """``"1990-2010"`` → ``(1990, 2010)``, ``"1998"`` → ``(1998, 1998)``, checked as :class:`Filters` does."""
    if text is None:
        return None
    first, sep, last = str(text).strip().partition("-")
    try:
        years = (int(first), int(last)) if sep else (int(first), int(first))
    except ValueError:
        raise LyricMoodError(
            f"bad {field} {text!r}", field=field, hint="write FIRST-LAST with whole years, e.g. 1990-2010"
        ) from None
    return _checked_years(years, field)


def parse_langs(text: str | None, field: str = "lang") -> list[str] | None:
    """``"ko,en"`` → ``["ko", "en"]``; an empty list is an error (it would match nothing)."""
    if text is None:
        return None
    langs = [x.strip().casefold() for x in str(text).split(",") if x.strip()]
    if not langs:
        raise LyricMoodError(f"bad {field} {text!r}", field=field, hint="write e.g. ko, en, or ko,en")
    return langs
