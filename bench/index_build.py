"""Index-building throughput (songs/s) and peak memory: the demo catalog and a synthetic one, for the default ranking
(mood and meaning: the emotion model and the meaning encoder read each song) and for emotion only (the ranking
before: the emotion model alone), in the same run.

    python bench/index_build.py [--model PATH | --tiny] [--small] [--songs N]

The synthetic catalog recombines demo-catalog lines into N songs of 20–40 lines (default 10k,
--small 300). Each catalog size is built in a fresh subprocess so that its peak RSS
(resource.getrusage) is its own: a flat peak across sizes shows that building streams.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, markdown_table, model_from_args, print_machine, write_json  # noqa: E402


def synthetic_songs(n: int, seed: int = 0) -> Iterator[dict]:
    """N songs of 20–40 lines drawn from the demo catalog's lines, in sections of 4–8 lines (lazily)."""
    from lyricmood.indexing import load_catalog

    lines = [line for song in load_catalog("demo") for line in song["lyrics"].splitlines() if line.strip() and not line.startswith("[")]
    rng = np.random.default_rng(seed)
    for i in range(n):
        picked = [lines[j] for j in rng.integers(0, len(lines), rng.integers(20, 41))]
        out, start = [], 0
        while start < len(picked):
            size = int(rng.integers(4, 9))
            out.append("\n".join(picked[start : start + size]))
            start += size
        yield {"id": f"syn-{i:07d}", "title": f"Synthetic {i}", "artist": f"A{i % 97}", "lyrics": "\n\n".join(out)}


def build_once(model: str, catalog: str, n: int, meaning_model: str) -> dict:
    """Run in a child: build one index, report songs/s and peak RSS."""
    from lyricmood.indexing import build_index, load_catalog
    from lyricmood.inference import load_predictor

    predictor = load_predictor(model, meaning_model=None if meaning_model == "none" else meaning_model)
    rows = load_catalog("demo") if catalog == "demo" else synthetic_songs(n)
    start = time.perf_counter()
    index = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"ranking": index.representation, "catalog": catalog, "songs": len(index), "seconds": seconds,
            "songs/s": len(index) / seconds, "peak RSS MB": peak_mb}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--songs", type=int, help="synthetic catalog size (default 10000, --small 300)")
    parser.add_argument("--_child", nargs=4, metavar=("MODEL", "CATALOG", "N", "MEANING"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        model, catalog, n, meaning_model = args._child
        print(json.dumps(build_once(model, catalog, int(n), meaning_model)))
        return 0
    info = print_machine()
    model_path = model_from_args(args)
    if model_path is None:
        return 0
    n = args.songs or (300 if args.small else 10_000)
    plan = [("demo", 0)] + [("synthetic", size) for size in sorted({max(1, n // 10), max(1, n // 3), n})]
    from lyricmood.meaning import DEFAULT_MEANING_MODEL

    meaning = str(model_path.parent / "backbone") if args.tiny else DEFAULT_MEANING_MODEL
    rows = []
    for catalog, size in plan:
        for meaning_model in (meaning, "none"):
            out = subprocess.run(
                [sys.executable, __file__, "--_child", str(model_path), catalog, str(size), meaning_model],
                capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"done {catalog} {size} {rows[-1]['ranking']}", file=sys.stderr)
    for row in rows:  # the default's speed as a share of emotion-only's, same catalog, same run
        before = next(r for r in rows if r["catalog"] == row["catalog"] and r["songs"] == row["songs"]
                      and r["ranking"] == "pooled-emotion-feature")
        row["÷ emotion only"] = row["songs/s"] / before["songs/s"]
    print(f"model: {model_path}\n")
    print(markdown_table(rows))
    write_json("index_build.json", {"machine": info, "model": str(model_path), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
