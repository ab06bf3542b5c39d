"""``lyricmood analyze``: a song's top emotions and emotional arc, printed and drawn."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lyricmood.commands import add_lyrics_arguments, add_model_argument, positive_int, read_lyrics
from lyricmood.errors import LyricMoodError

#: the files ``--out`` receives
OUT_FILES = ("top_emotions.png", "arc.png", "emotions.json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("analyze", help="a song's emotions and emotional arc (PNGs with --out)")
    add_lyrics_arguments(parser.add_mutually_exclusive_group(required=True))
    add_model_argument(parser)
    parser.add_argument("--out", metavar="DIR", help="write top_emotions.png, arc.png and emotions.json here")
    parser.add_argument("--overwrite", action="store_true", help="replace those files when --out already has them")
    parser.add_argument("-k", type=positive_int, default=8, help="how many emotions to show (default 8)")
    parser.add_argument("--format", default="table", choices=["table", "json"], help="output format")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lyricmood.default_model import load_predictor
    from lyricmood.emotions import ranked_emotions
    from lyricmood.formatting import format_table, json_safe

    if args.out:
        check_out_folder(Path(args.out), overwrite=args.overwrite)  # before any scoring
    lyrics = read_lyrics(args)  # a bad --lyrics-file is reported before the model loads
    song = load_predictor(args.model, meaning_model=None).score_song(lyrics)
    k = args.k
    arc = [
        {"section": name, "top": [song.labels[i] for i in ranked_emotions(row, song.labels)[:3]]}
        for name, row in zip(song.sections, song.section_vectors)
    ]
    if args.format == "json":
        report = {"top_emotions": [{"emotion": e, "score": s} for e, s in song.top(k)], "neutral": song.neutral,
                  "arc": arc, **song.to_dict()}
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
    if args.out:
        from lyricmood.io import write_text_atomic
        from lyricmood.plots import plot_emotional_arc, plot_top_emotions

        out = Path(args.out)
        top_png, arc_png, emotions_json = (out / name for name in OUT_FILES)
        plot_top_emotions(song, k=k, path=top_png)
        plot_emotional_arc(song, k=min(k, 5), path=arc_png)
        write_text_atomic(emotions_json, json.dumps(song.to_dict(), ensure_ascii=False, indent=1))
        if args.format != "json":
            print(f"\nwrote {top_png}, {arc_png}, {emotions_json}")
    return 0


def check_out_folder(out: Path, *, overwrite: bool) -> None:
    """``--out`` must be a folder (new or existing); files of ours already there are replaced only with --overwrite."""
    from lyricmood.io import check_creatable

    if out.exists() and not out.is_dir():
        raise LyricMoodError("is a file, but --out needs a folder", file=out, hint="give a folder name")
    check_creatable(out, what="output folder")
    existing = [name for name in OUT_FILES if (out / name).exists()]
    if existing and not overwrite:
        raise LyricMoodError(
            f"already holds {', '.join(existing)}",
            file=out,
            hint="pass --overwrite to replace them, or choose another --out",
        )
    for name in OUT_FILES:
        if (out / name).is_dir():
            raise LyricMoodError("is a folder: not replacing it with a file", file=out / name, hint="move it away")
