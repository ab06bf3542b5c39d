"""Load check of the Space: many concurrent gradio_client sessions against one local server.

Each session makes ``--requests`` requests in turn, cycling through the endpoints (a catalog song,
pasted lyrics, a mood); all sessions run at once. Prints p50 / p95 / max latency per endpoint and
overall, the throughput, and the errors (there must be none: a bad request returns a message, and
the queue, 2 workers and 64 places, must absorb 16 sessions).

    python bench/load_check.py --tiny                 # tiny random model, 16 sessions × 10 requests
    python bench/load_check.py --sessions 32 --requests 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from space_common import print_table, serve

LYRICS = "[Verse]\nthe sad rain at night, alone\nI miss you\n\n[Chorus]\n사랑 눈물 그대\nhappy dance, morning light"
FILTERS = ("builtin", 10, False, None, None, "any", 0.0, "en")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="serve a tiny random model instead of the default one")
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10, help="requests per session")
    args = parser.parse_args(argv)

    from gradio_client import Client

    demo, url, built = serve(args.tiny, ui_lang="en")
    try:
        from lyricmood.ui import SpaceHandlers

        recommender = demo.lyricmood_recommender  # the one the served app uses
        song_ids = list(recommender.index.ids)
        mood = [1.0 if i % 3 == 0 else 0.0 for i in range(len(SpaceHandlers(recommender).mood_labels))]
        calls = {
            "recommend_song": lambda i: ((song_ids[i % len(song_ids)], *FILTERS), "/recommend_song"),
            "recommend_lyrics": lambda i: ((LYRICS, *FILTERS), "/recommend_lyrics"),
            "recommend_mood": lambda i: ((*mood, *FILTERS), "/recommend_mood"),
        }
        names = list(calls)
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.sessions)

        def session(s: int) -> None:
            try:
                client = Client(url, verbose=False)
            except Exception as err:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"session {s}: connect: {err}")
                return
            barrier.wait()
            for r in range(args.requests):
                name = names[(s + r) % len(names)]
                params, api_name = calls[name](s * args.requests + r)
                start = time.perf_counter()
                try:
                    out = client.predict(*params, api_name=api_name)
                    message = out[1]
                    if isinstance(message, str) and message.startswith("⚠️"):
                        raise RuntimeError(message)
                except Exception as err:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(f"session {s} request {r} {name}: {str(err)[:200]}")
                    continue
                with lock:
                    latencies[name].append(time.perf_counter() - start)

        threads = [threading.Thread(target=session, args=(s,)) for s in range(args.sessions)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        demo.close()

    every = [v for values in latencies.values() for v in values]
    rows = []
    for name in names + ["all"]:
        values = every if name == "all" else latencies[name]
        if not values:
            rows.append((name, 0, "-", "-", "-", "-"))
            continue
        rows.append((name, len(values), f"{statistics.median(values):.2f}", f"{percentile(values, 95):.2f}",
                     f"{max(values):.2f}", f"{statistics.mean(values):.2f}"))
    print(f"{args.sessions} concurrent sessions × {args.requests} requests, "
          f"{'tiny random model' if args.tiny else 'default model'}, app built in {built:.1f} s")
    print_table(rows, ("endpoint", "requests", "p50 s", "p95 s", "max s", "mean s"))
    print(f"wall {wall:.1f} s, throughput {len(every) / wall:.1f} requests/s, errors: {len(errors)}")
    for error in errors[:10]:
        print("  " + error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
