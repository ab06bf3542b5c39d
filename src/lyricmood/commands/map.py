"""``lyricmood map``: the catalog in 2-D, coloured by top emotion, with a query song and its results marked."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.commands import add_source_arguments, positive_int


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("map", help="the catalog on a 2-D map of feel (PNG), a query and its results marked")
    parser.add_argument("--out", required=True, metavar="PNG", help="image file to write (.png, .svg, .pdf …)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    parser.add_argument(
        "--song", metavar="ID", action="append", help="mark this catalog song and its results (repeat: several seeds)"
    )
    parser.add_argument("-k", type=positive_int, default=10, help="how many results to mark (default 10)")
    add_source_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.plots import check_figure_path
    from lyricmood.song_map import catalog_map, map_figure

    check_figure_path(args.out, overwrite=args.overwrite)  # before any work
    recommender = open_recommender(args.index, args.model, args.similarity)
    results = []
    if args.song:
        results = recommender.similar_to_songs(args.song, min(args.k, len(recommender.index) - len(args.song)))
    map_figure(recommender, args.song, results, path=args.out)
    song_map = catalog_map(recommender)
    print(f"x: {song_map.axes[0]}\ny: {song_map.axes[1]}\nwrote {args.out}")
    return 0
