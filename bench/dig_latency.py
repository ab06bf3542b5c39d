"""Latency of digging (several seeds, a journey of 10 steps, a list spread across decades) over a synthetic catalog,
each against one plain top-10 query by song in the same run.

    python bench/dig_latency.py [--small] [--features D [--meaning D]]     # 1M songs (--small: 100k)

Songs: 28 GoEmotions-like Dirichlet probability vectors (float32), a year (1960-2025) and a language each; the
ranking space is the probabilities, or with ``--features D`` a random D-wide pooled feature per song (what a real
index ranks by: 384 for the default model, 1.5 GB at 1M), and with ``--meaning D`` a random D-wide meaning vector
too (mood and meaning, :mod:`lyricmood.fusion`, at the default weight). p50 / p99 over ``--queries`` queries of
random songs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import GOEMOTIONS_LABELS, markdown_table, print_machine, write_json  # noqa: E402


def synthetic_recommender(n: int, features: int, meaning: int = 0, seed: int = 0):
    from lyricmood.index import SongIndex
    from lyricmood.recommender import Recommender

    rng = np.random.default_rng(seed)
    vectors = rng.dirichlet(np.full(len(GOEMOTIONS_LABELS), 0.3), size=n).astype(np.float32)
    years = rng.integers(1960, 2026, size=n)
    langs = np.where(rng.random(n) < 0.5, "ko", "en")
    metadata = [{"title": f"song {i}", "artist": f"artist {i % 5000}", "year": int(y), "lang": str(lang)}
                for i, (y, lang) in enumerate(zip(years, langs))]
    feats = rng.normal(size=(n, features)).astype(np.float32) if features else None
    meanings = rng.normal(size=(n, meaning)).astype(np.float32) if meaning else None
    index = SongIndex([f"s{i}" for i in range(n)], metadata, vectors, GOEMOTIONS_LABELS, "synthetic", features=feats,
                      meaning=meanings, meaning_fingerprint="synthetic" if meaning else None)
    return Recommender(index)


def timings(fn: Callable[[int], object], queries: int) -> tuple[float, float]:
    """p50 and p99 in ms of ``fn(i)`` for i in range(queries), after one warm-up call."""
    fn(queries)
    samples = []
    for i in range(queries):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    ms = np.asarray(samples) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="100k songs instead of 1M (under a minute)")
    parser.add_argument("--features", type=int, default=0, help="rank by a random D-wide feature (default: none)")
    parser.add_argument("--meaning", type=int, default=0, help="with --features: a random D-wide meaning vector too")
    parser.add_argument("--queries", type=int, default=20, help="timed queries per case")
    args = parser.parse_args(argv)
    info = print_machine()

    from lyricmood.filters import Filters

    n = 100_000 if args.small else 1_000_000
    start = time.perf_counter()
    if args.meaning and not args.features:
        parser.error("--meaning needs --features (mood and meaning)")
    recommender = synthetic_recommender(n, args.features, args.meaning)
    print(f"{n:,} songs built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    ids = recommender.index.ids
    rng = np.random.default_rng(1)
    picks = rng.choice(n, size=(args.queries + 1, 5), replace=False)

    def song(i: int, j: int = 0) -> str:
        return ids[picks[i, j]]

    cases = {
        "plain top-10 (baseline)": lambda i: recommender.similar_to_song(song(i), 10),
        "5 seeds, fit=mean": lambda i: recommender.similar_to_songs([song(i, j) for j in range(5)], 10),
        "5 seeds, fit=every": lambda i: recommender.similar_to_songs([song(i, j) for j in range(5)], 10, fit="every"),
        "journey song → song, 10 steps": lambda i: recommender.journey(song(i), song(i, 1), 10),
        "journey song → mood, 10 steps": lambda i: recommender.journey(song(i), {"sadness": 1.0}, 10),
        "dig decades, top-10": lambda i: recommender.similar_to_song(song(i), 10, Filters(dig="decades")),
        "dig languages, top-10": lambda i: recommender.similar_to_song(song(i), 10, Filters(dig="languages")),
    }
    rows = []
    for name, fn in cases.items():
        p50, p99 = timings(fn, args.queries)
        rows.append({"query": name, "p50 ms": p50, "p99 ms": p99})
        print(f"done {name}", file=sys.stderr)
    base = rows[0]["p50 ms"]
    for row in rows:
        row["× plain top-10"] = row["p50 ms"] / base
    dim = args.features + args.meaning or len(GOEMOTIONS_LABELS)
    kind = "mood and meaning" if args.meaning else "features" if args.features else "probabilities"
    print(f"{n:,} songs, ranking space {dim}-wide ({kind})\n")
    print(markdown_table(rows))
    write_json("dig_latency.json", {"machine": info, "songs": n, "dim": dim, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
