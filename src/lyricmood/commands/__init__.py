"""Sub-commands of ``lyricmood``: one module each, found by ``lyricmood.cli``.

Numbers are checked where they enter, by the argument types below: argparse then reports a bad value
as a usage error (exit 2) naming the flag, before any model is loaded.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

#: the most characters of lyrics a query (``--text``, ``--lyrics-file``) takes: 5 long songs, about 90 s of scoring
#: on 2 CPU cores with the default model (8.6 s per 10,000 characters, ``python bench/upload_cost.py``); a catalog of
#: many songs is indexed instead (``lyricmood index``, with a progress bar)
MAX_QUERY_CHARS = 100_000


def positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {value}")
    return value


def unit_float(text: str) -> float:
    """An argparse type: a finite number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def add_lyrics_arguments(group: Any) -> None:
    """``--lyrics-file`` and ``--text`` (on a parser or a group): a song's lyrics, from a file or the command line
    (see :func:`read_lyrics`)."""
    group.add_argument("--lyrics-file", metavar="FILE", help="a UTF-8 text (or .lrc) file of lyrics")
    group.add_argument("--text", metavar="TEXT", help="lyrics given on the command line")


def read_lyrics(args: argparse.Namespace) -> str | None:
    """The lyrics that ``--lyrics-file`` or ``--text`` gave, checked (text, not blank, valid Unicode: bytes that
    are not UTF-8 reach ``--text`` as lone surrogates) before any model loads."""
    from lyricmood.errors import require_lyrics

    if not args.lyrics_file:
        return None if args.text is None else _not_too_long(require_lyrics(args.text, field="--text"), "--text")
    from lyricmood.lyrics import read_lyrics_file  # imports transformers: only for a query by lyrics

    path = Path(args.lyrics_file)
    if path.is_file() and path.stat().st_size > 4 * MAX_QUERY_CHARS:  # refused before it is read (UTF-8: ≤ 4 bytes
        _refuse_long(f"{path.stat().st_size // 4:,} characters or more", "--lyrics-file")  # a character)
    return _not_too_long(require_lyrics(read_lyrics_file(path), "the lyrics file", field="--lyrics-file"),
                         "--lyrics-file")


def _not_too_long(lyrics: str, flag: str) -> str:
    if len(lyrics) > MAX_QUERY_CHARS:
        _refuse_long(f"{len(lyrics):,} characters", flag)
    return lyrics


def _refuse_long(size: str, flag: str) -> None:
    from lyricmood.errors import LyricMoodError
    from lyricmood.ui_uploads import SECONDS_PER_10K_CHARS

    raise LyricMoodError(
        f"{size} of lyrics, more than a query takes (at most {MAX_QUERY_CHARS:,}: about "
        f"{MAX_QUERY_CHARS / 10_000 * SECONDS_PER_10K_CHARS:.0f} s of scoring on 2 CPU cores)",
        field=flag, hint="give one song's lyrics; to compare many songs, index them: lyricmood index CATALOG --out INDEX",
    )


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    """``--model``: the model folder that scores lyrics."""
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the embedded default model)")


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--index``, ``--model`` and ``--similarity``: the songs, the model, and how songs are compared."""
    from lyricmood.similarity import DEFAULT_SIMILARITY, similarity_names

    parser.add_argument("--index", metavar="PATH", help="index folder (default: the demo catalog's index)")
    add_model_argument(parser)
    parser.add_argument(
        "--similarity",
        default=DEFAULT_SIMILARITY,
        choices=similarity_names(),
        help=f"how songs are compared (default: {DEFAULT_SIMILARITY})",
    )


def add_filter_arguments(parser: argparse.ArgumentParser, *, vary: bool = True) -> None:
    """The filter flags (``--years``, ``--lang``, ``--exclude-same-artist``, ``--mood-weight``; with ``vary``:
    ``--diversity``, ``--dig``) that :func:`filters_from_args` reads."""
    parser.add_argument("--exclude-same-artist", action="store_true", help="leave out the query songs' artists")
    parser.add_argument("--years", metavar="FIRST-LAST", help="only songs from these years, e.g. 1990-2010")
    parser.add_argument(
        "--lang", metavar="LANG", help="only songs in this language (ko, en; comma-separated for several)"
    )
    parser.add_argument(
        "--mood-weight", type=unit_float, default=None, metavar="W",
        help="how songs are ranked: 1 = by emotion only, 0 = by meaning only (default: the index's, 0.5)",
    )
    if vary:
        parser.add_argument(
            "--diversity", type=unit_float, default=0.0, help="0 (default) = most similar; up to 1 = more varied"
        )
        parser.add_argument(
            "--dig", choices=["decades", "languages"],
            help="spread the list over as many decades (or languages) as the most similar songs span",
        )


def filters_from_args(args: argparse.Namespace):
    """The :class:`~lyricmood.filters.Filters` that :func:`add_filter_arguments`' flags give."""
    from lyricmood.filters import Filters, parse_langs, parse_years

    return Filters(
        year_range=parse_years(args.years, "--years"),
        lang=parse_langs(args.lang, "--lang"),
        exclude_same_artist=args.exclude_same_artist,
        diversity=getattr(args, "diversity", 0.0),
        mood_weight=args.mood_weight,
        dig=getattr(args, "dig", None),
    )
