"""Memory and time of chunking 2 MB of lyrics on ONE line, with the e5 tokenizer (issue 14).

Each variant runs in a fresh process; the figure is its peak RSS above a process that only loads the
tokenizer (same run), and the wall time of chunking. ``whole line`` sets ``MAX_PIECE_CHARS`` beyond the
line's length, which is how lyricmood chunked before: the whole line tokenized at once.

    python bench/huge_lyrics.py [--chars 2000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from transformers import AutoTokenizer
from lyricmood import lyrics
from lyricmood.backbones import prepare_e5

variant, chars = sys.argv[1], int(sys.argv[2])
tokenizer = AutoTokenizer.from_pretrained(str(prepare_e5()))
text = {"spaced": "I miss you in the rain tonight ", "hangul": "사랑해너를그리워"}
line = (text["hangul" if "hangul" in variant else "spaced"] * (chars // 8 + 1))[:chars]
if variant.startswith("whole"):
    lyrics.MAX_PIECE_CHARS = chars + 1
start = time.perf_counter()
chunks = 0
if not variant.startswith("baseline"):
    for _ in lyrics.iter_chunks(lyrics.split_lyrics(line), tokenizer, 510):
        chunks += 1
seconds = time.perf_counter() - start
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "s": seconds, "chunks": chunks}))
"""


def run(variant: str, chars: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, variant, str(chars)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=2_000_000)
    args = parser.parse_args()
    base = run("baseline", args.chars)
    print(f"{args.chars:,} characters on one line; baseline process (tokenizer loaded): {base['rss_mb']:.0f} MB\n")
    print("| text | chunking | peak RSS above baseline (MB) | time (s) | chunks |")
    print("|---|---|---:|---:|---:|")
    for text in ("spaced", "hangul"):
        results = {how: run(f"{how}-{text}", args.chars) for how in ("whole", "pieces")}
        for how, r in results.items():  # a negative difference is noise between processes: shown as 0
            print(f"| {text} | {'whole line (before)' if how == 'whole' else 'pieces (now)'} | "
                  f"{max(0.0, r['rss_mb'] - base['rss_mb']):.0f} | {r['s']:.1f} | {r['chunks']} |")
        speed = results["whole"]["s"] / results["pieces"]["s"]
        print(f"| {text} | time ratio before/now | | {speed:.1f}× | |")


if __name__ == "__main__":
    main()
