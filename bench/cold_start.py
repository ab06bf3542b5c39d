"""Cold and warm start of `lyricmood recommend --song <first demo id> --format json`: the fast path against the
path it replaced, in the same run.

    python bench/cold_start.py [--model PATH | --tiny] [--small] [--warm-runs N]

new: the command as it is. A catalog song on the shipped demo index needs no model: no torch, no transformers.
old: the same command as it ran before the fast path: the model loaded, its demo index found by fingerprint
     (the command with `lyricmood.demo.shipped_demo_index` answering None, which forces that path).
cold: a fresh, empty HF_HOME (the old path converts the e5 backbone and rebuilds the default model there);
warm: again with that HF_HOME. Warm runs of the two paths alternate, so that both meet the same machine load.
Both paths must print the same recommendations (exit 1 otherwise). Offline (HF_HUB_OFFLINE=1).
With --model or --tiny both paths load that model (the fast path is the default model's). Skips cleanly when
the embedded default model is missing and no --model/--tiny is given.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, make_tiny_model, markdown_table, print_machine, write_json  # noqa: E402

OLD_PATH = """
import sys
import lyricmood.demo
lyricmood.demo.shipped_demo_index = lambda: None
from lyricmood.cli import main
sys.exit(main(sys.argv[1:]))
"""
#: the targets of issue 15: warm `recommend --song` within this many seconds, and this many times faster than before
TARGET_SECONDS, TARGET_SPEEDUP = 1.5, 4.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs of each path (default 3)")
    args = parser.parse_args(argv)
    info = print_machine()
    from lyricmood.errors import LyricMoodError
    from lyricmood.index import SongIndex
    from lyricmood.demo import demo_index_path

    model = str(make_tiny_model()) if args.tiny else args.model
    if model is None:
        try:
            from lyricmood.default_model import shipped_fingerprint

            shipped_fingerprint()
        except LyricMoodError as err:
            print(f"skipped: the default model is missing ({err.message}); pass --model PATH or --tiny")
            return 0
    song = SongIndex.load(demo_index_path()).ids[0]
    cli_args = ["recommend", "--song", song, "--format", "json"] + (["--model", model] if model else [])
    commands = {
        "new": [sys.executable, "-m", "lyricmood.cli", *cli_args],
        "old": [sys.executable, "-c", OLD_PATH, *cli_args],
    }
    warm_runs = 1 if args.small else args.warm_runs
    plan = [("new", "cold"), ("old", "cold")] + [(path, "warm") for _ in range(warm_runs) for path in ("new", "old")]
    rows, outputs = [], {}
    with tempfile.TemporaryDirectory(prefix="lyricmood-cold-") as home:
        env = {**os.environ, "HF_HOME": home, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
        for path, run in plan:
            start = time.perf_counter()
            out = subprocess.run(commands[path], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if out.returncode != 0:
                print(f"{path} {run} run failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
                return 1
            outputs.setdefault(path, out.stdout)
            if out.stdout != outputs["new"]:
                print(f"the {path} path printed other recommendations than the new one:\n{out.stdout[:2000]}")
                return 1
            rows.append({"path": path, "run": run, "seconds": seconds})
    warm = {p: statistics.median(r["seconds"] for r in rows if r["path"] == p and r["run"] == "warm") for p in commands}
    speedup = warm["old"] / warm["new"]
    print(f"command: lyricmood {' '.join(cli_args)}\n")
    print(markdown_table(rows))
    print(f"\nwarm median: new {warm['new']:.2f} s, old {warm['old']:.2f} s; new is {speedup:.1f}× faster")
    if model:
        print("(--model/--tiny: both paths load that model; the targets are the default model's)")
    else:
        print(
            f"targets: warm ≤ {TARGET_SECONDS} s {'met' if warm['new'] <= TARGET_SECONDS else 'NOT met'}, "
            f"≥ {TARGET_SPEEDUP:g}× {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}"
        )
    write_json(
        "cold_start.json",
        {"machine": info, "command": cli_args, "rows": rows, "warm_median": warm, "speedup": speedup},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
