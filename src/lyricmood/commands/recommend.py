"""``lyricmood recommend``: songs whose lyrics feel like a catalog song, a lyrics file, a text, or a mood."""

from __future__ import annotations

import argparse
from typing import Any

from lyricmood.commands import add_lyrics_arguments, add_source_arguments, positive_int, read_lyrics, unit_float
from lyricmood.errors import LyricMoodError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("recommend", help="recommend songs whose lyrics feel alike")
    query = parser.add_mutually_exclusive_group(required=True)
    query.add_argument("--song", metavar="ID", help="a catalog song (id or exact title)")
    add_lyrics_arguments(query)
    query.add_argument("--mood", metavar="MOOD", help='emotions with weights, e.g. "sadness=0.7,love=0.3"')
    parser.add_argument(
        "-k", type=positive_int, default=None, help="how many songs (default 10, or the catalog's size if smaller)"
    )
    parser.add_argument("--format", default="table", choices=["table", "json", "csv"], help="output format")
    add_source_arguments(parser)
    parser.add_argument("--exclude-same-artist", action="store_true", help="leave out the query song's artist")
    parser.add_argument("--years", metavar="FIRST-LAST", help="only songs from these years, e.g. 1990-2010")
    parser.add_argument(
        "--lang", metavar="LANG", help="only songs in this language (ko, en; comma-separated for several)"
    )
    parser.add_argument(
        "--diversity", type=unit_float, default=0.0, help="0 (default) = most similar; up to 1 = more varied"
    )
    parser.add_argument(
        "--mood-weight", type=unit_float, default=None, metavar="W",
        help="how songs are ranked: 1 = by emotion only, 0 = by meaning only (default: the index's, 0.35)",
    )
    parser.add_argument(
        "--meaning-model", metavar="NAME|PATH",
        help="the meaning encoder the index was built with, for --text / --lyrics-file (default: the one it names)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.filters import Filters, parse_langs, parse_years
    from lyricmood.formatting import format_recommendations
    from lyricmood.moods import parse_mood

    filters = Filters(
        year_range=parse_years(args.years, "--years"),
        lang=parse_langs(args.lang, "--lang"),
        exclude_same_artist=args.exclude_same_artist,
        diversity=args.diversity,
        mood_weight=args.mood_weight,
    )
    lyrics = read_lyrics(args)  # None for --song and --mood; a bad --lyrics-file is reported before the model loads
    recommender = open_recommender(args.index, args.model, args.similarity, need_model=lyrics is not None,
                                   meaning_model=args.meaning_model)
    k = min(10, len(recommender.index)) if args.k is None else args.k
    if args.mood is not None:
        results = recommender.similar_to_mood(parse_mood(args.mood), k, filters)
    elif args.song is not None:
        results = recommender.similar_to_song(args.song, k, filters)
    else:
        results = recommender.similar_to_lyrics(lyrics, k, filters)
    if not results:
        reason = recommender.catalog_filter.explain_no_results(filters, query_in_catalog=args.song is not None)
        raise LyricMoodError(
            f"no song to recommend: {reason}",
            hint="widen or drop --years / --lang / --exclude-same-artist, or index more songs",
        )
    print(format_recommendations(results, args.format))
    return 0
