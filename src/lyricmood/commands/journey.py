"""``lyricmood journey``: an ordered playlist whose feel moves from one catalog song (or mood) to another."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.commands import add_filter_arguments, add_source_arguments, filters_from_args, positive_int


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("journey", help="a playlist moving smoothly from one song or mood to another")
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--from", dest="start", metavar="SONG", help="the song to start from (id or exact title)")
    start.add_argument("--from-mood", metavar="MOOD", help='a mood to start from, e.g. "joy=0.7,love=0.3"')
    end = parser.add_mutually_exclusive_group(required=True)
    end.add_argument("--to", dest="end", metavar="SONG", help="the song to end at (id or exact title)")
    end.add_argument("--to-mood", metavar="MOOD", help='a mood to end at, e.g. "sadness"')
    parser.add_argument("--steps", type=positive_int, default=10, help="how many songs between them (default 10)")
    parser.add_argument("--format", default="table", choices=["table", "json", "csv"], help="output format")
    parser.add_argument("--map-out", metavar="PNG", help="draw the journey on the catalog map (lyricmood map)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --map-out file")
    add_source_arguments(parser)
    add_filter_arguments(parser, vary=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.formatting import format_journey, json_safe
    from lyricmood.moods import parse_mood

    filters = filters_from_args(args)
    if args.map_out:
        from lyricmood.plots import check_figure_path

        check_figure_path(args.map_out, overwrite=args.overwrite)  # before any work
    start = parse_mood(args.from_mood) if args.from_mood is not None else args.start
    end = parse_mood(args.to_mood) if args.to_mood is not None else args.end
    recommender = open_recommender(args.index, args.model, args.similarity)
    journey = recommender.journey(start, end, args.steps, filters)
    if args.format == "json":
        import json

        print(json_safe(json.dumps(journey.to_dict(), ensure_ascii=False, indent=2)))
    else:
        print(format_journey(journey, args.format))
    if args.map_out:
        from lyricmood.song_map import map_figure

        map_figure(recommender, args.start, [step.song for step in journey.steps], connect=True,
                   title=f"Journey from {journey.start} to {journey.end}", path=args.map_out,
                   mood_weight=filters.mood_weight)
        if args.format == "table":
            print(f"\nwrote {args.map_out}")
    return 0
