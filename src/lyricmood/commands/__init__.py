"""Sub-commands of ``lyricmood``: one module each, found by ``lyricmood.cli``.

Numbers are checked where they enter, by the argument types below: argparse then reports a bad value
as a usage error (exit 2) naming the flag, before any model is loaded.
"""

from __future__ import annotations

import argparse
import math


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


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--index``, ``--model`` and ``--similarity``: the songs, the model, and how songs are compared."""
    from lyricmood.similarity import DEFAULT_SIMILARITY, similarity_names

    parser.add_argument("--index", metavar="PATH", help="index folder (default: the demo catalog's index)")
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the embedded default model)")
    parser.add_argument(
        "--similarity",
        default=DEFAULT_SIMILARITY,
        choices=similarity_names(),
        help=f"how songs are compared (default: {DEFAULT_SIMILARITY})",
    )
