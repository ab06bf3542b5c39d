"""``lyricmood recommend``: songs whose lyrics feel like one or several catalog songs, a lyrics file, a text, or a
mood."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lyricmood.commands import (
    add_filter_arguments,
    add_lyrics_arguments,
    add_source_arguments,
    filters_from_args,
    positive_int,
    read_lyrics,
)
from lyricmood.errors import LyricMoodError

if TYPE_CHECKING:
    from lyricmood.filters import Filters
    from lyricmood.recommender import Recommendation


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("recommend", help="recommend songs whose lyrics feel alike")
    query = parser.add_mutually_exclusive_group(required=True)
    query.add_argument(
        "--song", metavar="ID", action="append",
        help="a catalog song (id or exact title); repeat it for several seeds: songs that fit the whole set",
    )
    query.add_argument("--songs-file", metavar="FILE", help="seed songs, one id or exact title a line")
    add_lyrics_arguments(query)
    query.add_argument("--mood", metavar="MOOD", help='emotions with weights, e.g. "sadness=0.7,love=0.3"')
    parser.add_argument(
        "-k", type=positive_int, default=None, help="how many songs (default 10, or the catalog's size if smaller)"
    )
    parser.add_argument("--format", default="table", choices=["table", "json", "csv"], help="output format")
    parser.add_argument(
        "--fit", default="mean", choices=["mean", "every"],
        help="several seeds: rank by the mean similarity to them (default) or by the smallest (fits every seed)",
    )
    parser.add_argument(
        "--by", default="song", choices=["song", "arc"],
        help="compare catalog songs as a whole (default) or by their emotional arc over the song's course",
    )
    parser.add_argument("--arcs-out", metavar="PNG", help="with --by arc: draw the query's arc and the best match's")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --arcs-out file")
    add_source_arguments(parser)
    add_filter_arguments(parser)
    parser.add_argument(
        "--meaning-model", metavar="NAME|PATH",
        help="the meaning encoder the index was built with, for --text / --lyrics-file (default: the one it names)",
    )
    parser.set_defaults(func=run)


def read_seed_file(path: str) -> list[tuple[int, str]]:
    """The seeds of ``--songs-file``: (line number, id or title) for each non-blank line."""
    from lyricmood.catalog import read_text

    seeds = [(n, line.strip()) for n, line in enumerate(read_text(Path(path), what="songs file").splitlines(), 1)]
    seeds = [(n, seed) for n, seed in seeds if seed]
    if not seeds:
        raise LyricMoodError("holds no song", file=path, hint="write one catalog id or exact title a line")
    return seeds


def run(args: argparse.Namespace) -> int:
    from lyricmood.demo import open_recommender
    from lyricmood.dig import describe_spread
    from lyricmood.formatting import format_recommendations
    from lyricmood.moods import parse_mood

    filters = filters_from_args(args)
    seeds = read_seed_file(args.songs_file) if args.songs_file else [(None, s) for s in args.song or []]
    if args.by != "song" and args.mood is not None:
        raise LyricMoodError("--by arc compares songs, a mood has no arc", field="--by",
                             hint="query with --song, --songs-file, --text or --lyrics-file")
    if args.arcs_out:
        from lyricmood.plots import check_figure_path

        if args.by != "arc" or len(seeds) > 1 or args.mood is not None:
            raise LyricMoodError("--arcs-out draws the arc match of one song", field="--arcs-out",
                                 hint="use it with --by arc and one --song, --text or --lyrics-file")
        check_figure_path(args.arcs_out, overwrite=args.overwrite)  # before any work
    lyrics = read_lyrics(args)  # None for --song and --mood; a bad --lyrics-file is reported before the model loads
    recommender = open_recommender(args.index, args.model, args.similarity, need_model=lyrics is not None,
                                   meaning_model=args.meaning_model)
    k = min(10, len(recommender.index)) if args.k is None else args.k
    scored = None if lyrics is None else recommender.predictor.score_song(lyrics)

    def query(filters: Filters) -> list[Recommendation]:
        if args.mood is not None:
            return recommender.similar_to_mood(parse_mood(args.mood), k, filters)
        if seeds:
            return recommender.similar_to_songs([seed for _, seed in seeds], k, filters, fit=args.fit, by=args.by)
        if args.by == "arc":
            return recommender.similar_to_arc(scored, k, filters)
        return recommender.similar_to_emotion(scored, k, filters)

    for line, seed in seeds:  # an unknown seed of --songs-file is reported with its line
        try:
            recommender.resolve_id(seed)
        except LyricMoodError as err:
            raise LyricMoodError(err.message, file=args.songs_file, line=line, hint=err.hint) from None
    results = query(filters)
    if not results:
        reason = recommender.catalog_filter.explain_no_results(filters, query_in_catalog=bool(seeds))
        raise LyricMoodError(
            f"no song to recommend: {reason}",
            hint="widen or drop --years / --lang / --exclude-same-artist, or index more songs",
        )
    print(format_recommendations(results, args.format))
    if filters.dig and args.format == "table":
        plain = query(dataclasses.replace(filters, dig=None))
        print(f"\ndig across {filters.dig}: {describe_spread(results, filters.dig)}; "
              f"the plain top {len(plain)}: {describe_spread(plain, filters.dig)}")
    if args.arcs_out:
        from lyricmood.plots import plot_arcs

        if seeds:
            query_id = recommender.resolve_id(seeds[0][1])
            query_song, name = recommender.index.song_emotion(query_id), recommender.index.get(query_id).get("title")
        else:
            query_song, name = scored, "your lyrics"
        best = recommender.index.song_emotion(results[0].id)
        plot_arcs([query_song, best], [str(name or query_id), results[0].title], path=args.arcs_out)
        if args.format == "table":
            print(f"\nwrote {args.arcs_out}")
    return 0
