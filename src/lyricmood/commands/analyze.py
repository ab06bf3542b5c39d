"""``lyricmood analyze``: a song's top emotions and emotional arc, printed and drawn."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lyricmood.commands import add_lyrics_arguments, add_model_argument, positive_int, read_lyrics
from lyricmood.errors import LyricMoodError

#: the files ``--out`` receives (and, with ``--arc-match``, :data:`ARC_MATCH_FILE`)
OUT_FILES = ("top_emotions.png", "arc.png", "emotions.json")
ARC_MATCH_FILE = "arc_match.png"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("analyze", help="a song's emotions and emotional arc (PNGs with --out)")
    add_lyrics_arguments(parser.add_mutually_exclusive_group(required=True))
    add_model_argument(parser)
    parser.add_argument("--out", metavar="DIR", help="write top_emotions.png, arc.png and emotions.json here")
    parser.add_argument("--overwrite", action="store_true", help="replace those files when --out already has them")
    parser.add_argument("-k", type=positive_int, default=8, help="how many emotions to show (default 8)")
    parser.add_argument("--format", default="table", choices=["table", "json"], help="output format")
    parser.add_argument(
        "--arc-match", type=positive_int, metavar="K",
        help=f"also list the K catalog songs whose emotional arc matches best (--out: {ARC_MATCH_FILE} draws both)",
    )
    parser.add_argument("--index", metavar="PATH", help="the catalog of --arc-match (default: the demo catalog's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.default_model import load_predictor
    from lyricmood.emotions import ranked_emotions
    from lyricmood.formatting import format_table, json_safe

    out_files = OUT_FILES + ((ARC_MATCH_FILE,) if args.arc_match else ())
    if args.out:
        check_out_folder(Path(args.out), overwrite=args.overwrite, names=out_files)  # before any scoring
    lyrics = read_lyrics(args)  # a bad --lyrics-file is reported before the model loads
    matches = recommender = None
    if args.arc_match:
        from lyricmood.demo import open_recommender

        recommender = open_recommender(args.index, args.model, need_model=True)
        song = recommender.predictor.score_song(lyrics)
        matches = recommender.similar_to_arc(song, min(args.arc_match, len(recommender.index)))
    else:
        song = load_predictor(args.model, meaning_model=None).score_song(lyrics)
    k = args.k
    arc = [
        {"section": name, "top": [song.labels[i] for i in ranked_emotions(row, song.labels)[:3]]}
        for name, row in zip(song.sections, song.section_vectors)
    ]
    if args.format == "json":
        report = {"top_emotions": [{"emotion": e, "score": s} for e, s in song.top(k)], "neutral": song.neutral,
                  "arc": arc, **song.to_dict()}
        if matches is not None:
            report["arc_match"] = [r.to_dict() for r in matches]
        print(json_safe(json.dumps(report, ensure_ascii=False, indent=2)))
    else:
        print(format_table([{"emotion": e, "score": s} for e, s in song.top(k)], ["emotion", "score"]))
        if song.neutral is not None:
            print(f"neutral (not an emotion, shown apart): {song.neutral:.3f}")
        print()
        print(
            format_table(
                [{"section": a["section"], "top emotions": a["top"]} for a in arc], ["section", "top emotions"]
            )
        )
        if matches is not None:
            from lyricmood.formatting import format_recommendations

            print("\nsongs with the closest emotional arc:\n" + format_recommendations(matches))
    if args.out:
        from lyricmood.io import write_text_atomic
        from lyricmood.plots import plot_emotional_arc, plot_top_emotions

        out = Path(args.out)
        top_png, arc_png, emotions_json = (out / name for name in OUT_FILES)
        plot_top_emotions(song, k=k, path=top_png)
        plot_emotional_arc(song, k=min(k, 5), path=arc_png)
        write_text_atomic(emotions_json, json.dumps(song.to_dict(), ensure_ascii=False, indent=1))
        written = [top_png, arc_png, emotions_json]
        if matches:
            from lyricmood.plots import plot_arcs

            best = recommender.index.song_emotion(matches[0].id)
            plot_arcs([song, best], ["these lyrics", matches[0].title], path=out / ARC_MATCH_FILE)
            written.append(out / ARC_MATCH_FILE)
        if args.format != "json":
            print(f"\nwrote {', '.join(map(str, written))}")
    return 0


def check_out_folder(out: Path, *, overwrite: bool, names: tuple[str, ...] = OUT_FILES) -> None:
    """``--out`` must be a folder (new or existing); the files ``names`` already there are replaced only with
    --overwrite."""
    from lyricmood.io import check_creatable

    if out.exists() and not out.is_dir():
        raise LyricMoodError("is a file, but --out needs a folder", file=out, hint="give a folder name")
    check_creatable(out, what="output folder")
    existing = [name for name in names if (out / name).exists()]
    if existing and not overwrite:
        raise LyricMoodError(
            f"already holds {', '.join(existing)}",
            file=out,
            hint="pass --overwrite to replace them, or choose another --out",
        )
    for name in names:
        if (out / name).is_dir():
            raise LyricMoodError("is a folder: not replacing it with a file", file=out / name, hint="move it away")
