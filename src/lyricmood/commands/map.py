"""``lyricmood map``: the catalog in 2-D, coloured by top emotion, with a query song and its results marked."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.commands import add_source_arguments, positive_int, unit_float


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("map", help="the catalog on a 2-D map of feel (PNG), a query and its results marked")
    parser.add_argument("--out", required=True, metavar="PNG", help="image file to write (.png, .svg, .pdf …)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    parser.add_argument(
        "--song", metavar="ID", action="append", help="mark this catalog song and its results (repeat: several seeds)"
    )
    parser.add_argument("-k", type=positive_int, default=10, help="how many results to mark (default 10)")
    parser.add_argument(
        "--mood-weight", type=unit_float, default=None, metavar="W",
        help="the map of songs ranked with this weight: 1 = emotion only, 0 = meaning only (default: the index's)",
    )
    add_source_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.plots import check_figure_path
    from lyricmood.song_map import catalog_map, map_figure

    check_figure_path(args.out, overwrite=args.overwrite)  # before any work
    recommender = open_recommender(args.index, args.model, args.similarity)
    from lyricmood.filters import Filters

    filters = Filters(mood_weight=args.mood_weight)
    results = []
    if args.song:
        results = recommender.similar_to_songs(args.song, min(args.k, len(recommender.index) - len(args.song)), filters)
    map_figure(recommender, args.song, results, path=args.out, mood_weight=filters.mood_weight)
    song_map = catalog_map(recommender, filters.mood_weight)
    print(f"x: {song_map.axes[0]}\ny: {song_map.axes[1]}\nwrote {args.out}")
    return 0
