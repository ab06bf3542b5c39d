"""Top-10 query latency by centred cosine over 1k … 1M synthetic song vectors (28 labels, Dirichlet, float32).

    python bench/query_latency.py [--small]        # --small stops at 100k

p50/p99 of one query (Recommender.similar_songs with a vector) and per query in batches of 64
(similar_songs_batch), the index memory (vectors' nbytes), and FAISS IndexFlatIP on the same
centred, normalised vectors when `faiss` is importable.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import GOEMOTIONS_LABELS, markdown_table, print_machine, write_json  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="sizes up to 100k")
    parser.add_argument("--tiny", action="store_true", help="(accepted for symmetry; no model is used)")
    parser.add_argument("--queries", type=int, default=50, help="timed single queries per size")
    parser.add_argument("--batches", type=int, default=5, help="timed batches of 64 per size")
    args = parser.parse_args(argv)
    info = print_machine()

    from lyricmood.index import SongIndex
    from lyricmood.recommender import Recommender

    try:
        import faiss
    except ImportError:
        faiss = None
    sizes = [1_000, 10_000, 100_000] + ([] if args.small else [1_000_000])
    rng = np.random.default_rng(0)
    labels = GOEMOTIONS_LABELS
    rows = []
    for n in sizes:
        vectors = rng.dirichlet(np.full(len(labels), 0.3), size=n).astype(np.float32)
        index = SongIndex(
            [f"s{i}" for i in range(n)], [{} for _ in range(n)], vectors, labels, fingerprint="synthetic"
        )
        recommender = Recommender(index)
        queries = rng.dirichlet(np.full(len(labels), 0.3), size=max(args.queries, 64 * args.batches))
        recommender.similar_songs(vector=queries[0], k=10)  # warm-up
        single = []
        for q in queries[: args.queries]:
            start = time.perf_counter()
            recommender.similar_songs(vector=q, k=10)
            single.append(time.perf_counter() - start)
        batched = []
        for b in range(args.batches):
            start = time.perf_counter()
            recommender.similar_songs_batch(vectors=queries[64 * b : 64 * (b + 1)], k=10)
            batched.append((time.perf_counter() - start) / 64)
        p50, p99 = percentiles(single)
        b50, b99 = percentiles(batched)
        row = {
            "songs": f"{n:,}",
            "1 query p50 ms": p50,
            "1 query p99 ms": p99,
            "batch-64 p50 ms/query": b50,
            "batch-64 p99 ms/query": b99,
            "vectors MB": vectors.nbytes / 1e6,
            "scoring matrix MB": recommender._emotions.items.nbytes / 1e6,
        }
        if faiss is None:
            row["faiss IndexFlatIP p50 ms"] = "faiss not installed"
        else:
            items = np.ascontiguousarray(recommender._emotions.items, dtype=np.float32)
            flat = faiss.IndexFlatIP(items.shape[1])
            flat.add(items)
            q = queries - recommender.mean
            q = (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)
            times = []
            for i in range(args.queries):
                start = time.perf_counter()
                flat.search(q[i : i + 1], 10)
                times.append(time.perf_counter() - start)
            row["faiss IndexFlatIP p50 ms"] = percentiles(times)[0]
        rows.append(row)
        print(f"done {n:,}", file=sys.stderr)
        del recommender, index, vectors
    print(markdown_table(rows))
    write_json("query_latency.json", {"machine": info, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
