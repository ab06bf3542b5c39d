"""Output for terminals and scripts: aligned plain-text tables, CSV and JSON.

Titles and artists come from users' catalogs, so output treats them as hostile: the terminal table drops
control characters (an escape sequence could retitle the window, clear the screen or hide text), CSV
neutralises cells a spreadsheet would run as formulas (OWASP "CSV injection"), JSON escapes the C1 controls
and bidirectional overrides that JSON itself leaves raw.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import LyricMoodError

if TYPE_CHECKING:
    from .dig import Journey
    from .recommender import Recommendation

# C0 and C1 controls (ESC, BEL, CSI …) and the bidirectional overrides/isolates of "Trojan Source".
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_RAW_CONTROL = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def terminal_safe(text: str) -> str:
    r"""``text`` without control characters: tabs and line breaks become spaces, the others are dropped.

    >>> terminal_safe("Title\x1b]0;PWNED\x07\x1b[2J\tx")
    'Title]0;PWNED[2J x'
    """
    return _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", str(text))


def csv_safe(value: Any) -> Any:
    r"""A CSV cell a spreadsheet shows as text: a string starting (after spaces) with ``= + - @``, tab or CR
    gets a leading ``'``; control characters are dropped (see :func:`terminal_safe`). Numbers pass unchanged.

    >>> csv_safe('=HYPERLINK("http://evil.example","x")'), csv_safe(-0.5), csv_safe("plain")
    ('\'=HYPERLINK("http://evil.example","x")', -0.5, 'plain')
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES):
        value = "'" + value
    return terminal_safe(value)


def json_safe(text: str) -> str:
    r"""JSON text with the C1 controls and bidi overrides that ``json.dumps`` leaves raw escaped as ``\uXXXX``
    (they only ever occur inside strings, so the JSON means the same)."""
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide/full-width characters (Hangul, CJK) take 2."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text
    )


def fit_width(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (with ``…``) and padded with spaces to exactly ``width``."""
    if display_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], max_width: int = 36) -> str:
    """A plain-text table, columns aligned in a terminal even with Hangul (see :func:`display_width`)."""
    cells = [[terminal_safe(_cell(row.get(c))) for c in columns] for row in rows]
    columns = [terminal_safe(c) for c in columns]
    widths = [
        min(max_width, max([display_width(c)] + [display_width(r[j]) for r in cells])) for j, c in enumerate(columns)
    ]
    lines = ["  ".join(fit_width(c, w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fit_width(v, w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def format_recommendations(recommendations: Sequence[Recommendation], fmt: str = "table") -> str:
    """Recommendations as ``table`` (terminal), ``json`` (a list of objects) or ``csv``."""
    rows = [{"rank": i + 1, **r.to_dict()} for i, r in enumerate(recommendations)]
    return format_rows(rows, ["rank", "score", "title", "artist", "year", "lang", "shared_emotions", "id"], fmt)


def format_journey(journey: Journey, fmt: str = "table") -> str:
    """A journey's steps, each with its distance to its ideal point and its own top emotions (the feel moving)."""
    rows = [step.to_dict() for step in journey.steps]
    columns = ["step", "distance", "title", "artist", "year", "lang", "top_emotions", "id"]
    if fmt == "table":
        return f"from {journey.start} to {journey.end}\n" + format_rows(rows, columns, fmt)
    return format_rows(rows, columns, fmt)


def format_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str = "table") -> str:
    """Rows (dicts) as ``table`` (``columns``, terminal), ``json`` (every field) or ``csv`` (``columns``; lists
    joined by ``;``)."""
    if fmt == "json":
        return json_safe(json.dumps(list(rows), ensure_ascii=False, indent=2))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            row = {key: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v for key, v in row.items()}
            writer.writerow({key: csv_safe(value) for key, value in row.items()})
        return buffer.getvalue().rstrip("\n")
    if fmt == "table":
        return format_table(rows, columns)
    raise LyricMoodError(f"unknown format {fmt!r}", field="format", hint="use table, json or csv")
