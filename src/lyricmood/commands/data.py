"""``lyricmood data``: list the dataset builders, export one to Parquet + dataset card."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.errors import LyricMoodError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("data", help="dataset builders: list them, export to Parquet for the Hub")
    actions = parser.add_subparsers(dest="data_command", metavar="ACTION")

    listing = actions.add_parser("list", help="list the builders and their configs")
    listing.set_defaults(func=run_list)

    export = actions.add_parser(
        "export",
        help="build a dataset and write <out>/<config>/<split>-*.parquet + README.md (ready for upload_folder)",
    )
    export.add_argument("name", help="builder: goemotions, kote, aihub_emotion, lyrics_catalog")
    export.add_argument(
        "--config",
        action="append",
        dest="configs",
        metavar="CONFIG",
        help="config to export (repeatable; default: the builder's default)",
    )
    export.add_argument("--data-dir", help="folder holding your copy of the source files")
    export.add_argument(
        "--data-files", nargs="+", metavar="FILE", help="source files instead of --data-dir (as the train split)"
    )
    export.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --overwrite)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing non-empty --out")
    export.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="builder option, e.g. utterances=first (repeatable)",
    )
    export.set_defaults(func=run_export)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LyricMoodError(
                f"bad --option {pair!r}", field="--option", hint="write KEY=VALUE, e.g. --option utterances=first"
            )
        options[key.strip()] = value.strip()
    return options


def run_list(args: argparse.Namespace) -> int:
    from lyricmood.datasets_scripts import BUILDERS

    for name, cls in BUILDERS.items():
        print(f"{name}: {', '.join(cls.builder_configs)} (default: {cls.DEFAULT_CONFIG_NAME})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from lyricmood.dataset_export import export_parquet

    out = export_parquet(
        args.name,
        args.out,
        configs=args.configs,
        data_dir=args.data_dir,
        data_files=args.data_files,
        overwrite=args.overwrite,
        **_options(args.option),
    )
    print(f"wrote {out}")
    return 0
