"""Which songs a query may return: :class:`Filters`, checked once; :class:`CatalogFilter`, which applies them to a
catalog (and says why nothing passed); and the parsers of the CLI's filter flags.

Example:
    >>> Filters(year_range=(1990, None), lang="KO")
    Filters(year_range=(1990, 9999), lang=('ko',), exclude_same_artist=False, diversity=0.0, mood_weight=None)
    >>> parse_years("1990-2010"), parse_langs("ko, en")
    ((1990, 2010), ['ko', 'en'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .catalog import MAX_YEAR  # the largest year a filter accepts is the catalogs' limit
from .errors import LyricMoodError, LyricMoodTypeError


@dataclass(frozen=True)
class Filters:
    """Which songs a query may return, validated once, here.

    ``year_range=(first, last)`` inclusive (songs without a year are left out; ``None`` for an open end),
    ``lang`` (``"ko"`` or several, any case), ``exclude_same_artist`` (the query song's artist: only a catalog
    song has one), ``diversity`` in [0, 1] (0 ranks by similarity alone; higher values trade similarity for
    variety, by MMR). ``mood_weight`` in [0, 1] moves how songs are ranked where the index keeps mood and meaning
    (:mod:`lyricmood.fusion`): 1 = emotion only, 0 = meaning only, ``None`` = the index's own weight.
    """

    year_range: tuple[int | None, int | None] | None = None  # stored with open ends filled: (0 … 9999)
    lang: str | Sequence[str] | None = None  # stored as a tuple of casefolded codes, or None
    exclude_same_artist: bool = False
    diversity: float = 0.0
    mood_weight: float | None = None

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
        if not isinstance(self.exclude_same_artist, (bool, np.bool_)):  # "no" would be True
            raise LyricMoodTypeError(
                f"exclude_same_artist must be True or False, got {self.exclude_same_artist!r}",
                field="exclude_same_artist",
            )
        set_field("exclude_same_artist", bool(self.exclude_same_artist))
        try:
            diversity = float(self.diversity)
        except (TypeError, ValueError):
            raise LyricMoodError(f"diversity must be a number, got {self.diversity!r}", field="diversity") from None
        if not 0.0 <= diversity <= 1.0:
            raise LyricMoodError(f"diversity must be in [0, 1], got {diversity}", field="diversity")
        set_field("diversity", diversity)
        if self.mood_weight is not None:
            from .fusion import checked_mood_weight

            set_field("mood_weight", checked_mood_weight(self.mood_weight))


class CatalogFilter:
    """The catalog fields :class:`Filters` test (artist, year, language), one array each, read once per catalog."""

    def __init__(self, metadata: Sequence[Mapping[str, Any]]):
        self.artists = np.array([str(m.get("artist") or "").casefold() for m in metadata], dtype=object)
        self.years = np.array([m.get("year") if m.get("year") is not None else -1 for m in metadata], dtype=np.int64)
        self.langs = np.array([str(m.get("lang") or "").casefold() for m in metadata], dtype=object)

    def __len__(self) -> int:
        return len(self.years)

    def mask(self, filters: Filters, exclude: int | None = None) -> np.ndarray:
        """Which songs pass ``filters``; ``exclude``: the query's catalog row (left out, with its artist if asked)."""
        keep = np.ones(len(self), dtype=bool)
        if exclude is not None:
            keep[exclude] = False
            artist = self.artists[exclude]
            if filters.exclude_same_artist and artist:
                keep &= self.artists != artist
        if filters.year_range is not None:
            low, high = filters.year_range
            keep &= (self.years >= low) & (self.years <= high) & (self.years >= 0)
        if filters.lang:
            keep &= np.isin(self.langs, list(filters.lang))
        return keep

    def explain_no_results(self, filters: Filters, *, query_in_catalog: bool = False) -> str:
        """Why a query found no song, worded for the user: what the filters asked against what the catalog holds."""
        if len(self) == 1 and query_in_catalog:
            return "the index holds only one song, the query itself: there is no other song to recommend"
        reasons = []
        if filters.lang:
            wanted = set(filters.lang)
            present = sorted({x for x in self.langs if x})
            if not wanted & set(present):
                reasons.append(
                    f"no song is in {', '.join(sorted(wanted))} (the catalog's languages: {', '.join(present) or 'none'})"
                )
        year_range = filters.year_range
        if year_range is not None:
            years = self.years[self.years >= 0]
            if not len(years):
                reasons.append("no song of the catalog has a year")
            elif year_range[1] < years.min() or year_range[0] > years.max():
                reasons.append(
                    f"no song is from {year_range[0]}-{year_range[1]} (the catalog spans {years.min()}-{years.max()})"
                )
        if not reasons and filters.exclude_same_artist and query_in_catalog:
            reasons.append("every other song that passes the filters is by the query's artist")
        return "; ".join(reasons) or "no song matches the filters together"


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
