"""The ``lyricmood`` command. Each sub-command lives in ``lyricmood.commands.<name>``.

A command module defines ``register(subparsers)`` that adds its parser and sets
``func`` (called with the parsed arguments) as a default.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands
from .errors import LyricMoodError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lyricmood",
        description="Recommend songs whose lyrics feel alike (Korean and English).",
    )
    parser.add_argument("--version", action="version", version=f"lyricmood {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Commands that forward their own flags (e.g. `train` to HfArgumentParser) receive what argparse does not know.
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "accepts_unknown", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.unknown = unknown
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except LyricMoodError as err:
        return _fail(args.command, str(err))
    except OSError as err:  # the file system said no (permissions, disk full …): say where, without a traceback
        return _fail(args.command, (f"{err.filename}: " if err.filename else "") + (err.strerror or str(err)))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _fail(command: str, message: str) -> int:
    from .formatting import terminal_safe  # messages quote user input: no escape sequences to the terminal

    print(f"lyricmood {command}: error: {terminal_safe(message)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
