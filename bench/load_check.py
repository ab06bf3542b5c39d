"""Load check of the Space: many concurrent gradio_client sessions against one local server.

Each session makes ``--requests`` requests in turn, cycling through the endpoints (a catalog song,
pasted lyrics, a mood, an upload of a small catalog: the same file in every session, so identical uploads
meet in Gradio's hash-named upload folder) and, like the page does, then asks for that recommendation's figures
(``/song_figures``, ``/mood_figure``) where the app renders them in a chained event. All sessions run
at once. Prints p50 / p95 / max latency per endpoint and overall, the throughput, and the errors
(there must be none: a bad request returns a message, and the queue must absorb 16 sessions).
``--alone N`` first times N ``/recommend_song`` requests from a single session (no load).

``--compare REF`` runs the same check first against the app of git revision REF (its
``src/lyricmood/ui.py``, loaded over this checkout's library), then against this checkout's app, in
one command, so the figures before and after a change come from the same machine state. REF's ``ui.py``
must fit this checkout's modules: revisions from before the Space was split into ``ui_handlers`` /
``ui_input`` / ``ui_figures`` / ``ui_uploads`` (December 2026) import names that no longer exist; compare
those by running this script in a checkout of each revision instead.

    python bench/load_check.py --tiny                 # tiny random model, 16 sessions × 10 requests
    python bench/load_check.py --compare main --alone 12
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
from bench_common import load_app_module, print_table, recommender as make_recommender, serve, space_env

space_env()

LYRICS = "[Verse]\nthe sad rain at night, alone\nI miss you\n\n[Chorus]\n사랑 눈물 그대\nhappy dance, morning light"
FILTERS = ("builtin", 10, False, None, None, "any", 0.0, None, "none", "en")
FIGURES = {"recommend_song": "/song_figures", "recommend_lyrics": "/song_figures", "recommend_mood": "/mood_figure"}
#: where an endpoint's answer holds its message (a recommendation: (table, message); an upload: (message, …))
MESSAGE_AT = {"upload_catalog": 0}
UPLOAD_CSV = "id,title,lyrics\nu1,One,the sad rain at night\nu2,Two,happy dance morning light\nu3,Three,사랑 눈물 그대\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def check(ui_module, recommender, sessions: int, requests: int, alone: int) -> tuple[list[tuple], str, list[str]]:
    """Serve ``ui_module``'s app over ``recommender`` and load it; returns (table rows, summary, errors)."""
    import tempfile

    from gradio_client import Client, handle_file

    upload = Path(tempfile.mkdtemp(prefix="lyricmood-load-")) / "catalog.csv"
    upload.write_text(UPLOAD_CSV, encoding="utf-8")
    demo, url, _ = serve(recommender, ui_lang="en", ui_module=ui_module)
    try:
        song_ids = list(recommender.index.ids)
        mood = [1.0 if i % 3 == 0 else 0.0 for i in range(len(ui_module.SpaceHandlers(recommender).mood_labels))]
        calls = {
            "recommend_song": lambda i: (song_ids[i % len(song_ids)], *FILTERS),
            "recommend_lyrics": lambda i: (LYRICS, *FILTERS),
            "recommend_mood": lambda i: (*mood, *FILTERS),
            "upload_catalog": lambda i: (handle_file(str(upload)), "en"),
        }
        endpoints = set(Client(url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"])
        names = list(calls)
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()

        def call(client, name: str, i: int) -> None:
            start = time.perf_counter()
            out = client.predict(*calls[name](i), api_name=f"/{name}")
            message = out[MESSAGE_AT.get(name, 1)]
            if isinstance(message, str) and message.startswith("⚠️"):
                raise RuntimeError(message)
            done = time.perf_counter()
            figures = FIGURES.get(name) if FIGURES.get(name) in endpoints else None
            if figures:  # what the page asks next, off the critical path
                client.predict(api_name=figures)
            with lock:
                latencies[name].append(done - start)
                if figures:
                    latencies["figures"].append(time.perf_counter() - done)

        if alone:
            client = Client(url, verbose=False)
            for i in range(alone):
                call(client, "recommend_song", i)
            alone_p50 = statistics.median(latencies.pop("recommend_song"))
            latencies.pop("figures", None)
        barrier = threading.Barrier(sessions)

        def session(s: int) -> None:
            try:
                client = Client(url, verbose=False)
            except Exception as err:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"session {s}: connect: {err}")
                return
            barrier.wait()
            for r in range(requests):
                name = names[(s + r) % len(names)]
                try:
                    call(client, name, s * requests + r)
                except Exception as err:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(f"session {s} request {r} {name}: {str(err)[:200]}")

        threads = [threading.Thread(target=session, args=(s,)) for s in range(sessions)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        demo.close()

    every = [v for name in names for v in latencies[name]]
    rows = []
    for name in [*names, "figures", "all"]:
        values = every if name == "all" else latencies[name]
        if not values:
            rows.append((name, 0, "-", "-", "-", "-"))
            continue
        rows.append((name, len(values), f"{statistics.median(values):.2f}", f"{percentile(values, 95):.2f}",
                     f"{max(values):.2f}", f"{statistics.mean(values):.2f}"))
    summary = (f"wall {wall:.1f} s, throughput {len(every) / wall:.1f} recommendations/s, errors: {len(errors)}"
               + (f"; /recommend_song alone (1 session, {alone} requests): p50 {alone_p50:.2f} s" if alone else ""))
    return rows, summary, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="serve a tiny random model instead of the default one")
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10, help="requests per session")
    parser.add_argument("--alone", type=int, default=0, help="first time N /recommend_song requests from one session")
    parser.add_argument("--compare", metavar="REF", help="also check the app of git revision REF first (e.g. main)")
    args = parser.parse_args(argv)

    recommender = make_recommender(args.tiny)
    apps = [(f"{args.compare} (before)", load_app_module(args.compare))] if args.compare else []
    apps.append(("this checkout", load_app_module(None)))
    failed = False
    for name, module in apps:
        rows, summary, errors = check(module, recommender, args.sessions, args.requests, args.alone)
        print(f"\n## {name}: {args.sessions} concurrent sessions × {args.requests} requests, "
              f"{'tiny random model' if args.tiny else 'default model'}")
        print_table(rows, ("endpoint", "requests", "p50 s", "p95 s", "max s", "mean s"))
        print(summary)
        for error in errors[:10]:
            print("  " + error)
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
