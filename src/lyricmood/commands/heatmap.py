"""``lyricmood heatmap``: pairwise emotional similarity of chosen catalog songs, as a PNG."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.commands import add_source_arguments


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("heatmap", help="heatmap of pairwise similarities among catalog songs")
    parser.add_argument("--songs", nargs="+", required=True, metavar="ID", help="catalog song ids (or exact titles)")
    parser.add_argument("--out", required=True, metavar="PNG", help="image file to write (.png, .svg, .pdf …)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    add_source_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.plots import check_figure_path, plot_similarity_matrix

    check_figure_path(args.out, overwrite=args.overwrite)  # before any work
    recommender = open_recommender(args.index, args.model, args.similarity)
    ids = [recommender.resolve_id(s) for s in args.songs]
    names = [str(recommender.index.get(i).get("title") or i) for i in ids]
    plot_similarity_matrix(recommender.similarity_matrix(ids), names, similarity=recommender.similarity, path=args.out)
    print(f"wrote {args.out}")
    return 0
