"""Cold vs warm start of `lyricmood recommend --song <first demo id> --format json`.

    python bench/cold_start.py [--model PATH | --tiny] [--small]

Cold: a fresh, empty HF_HOME (the e5 backbone is converted, the default model rebuilt, the demo
catalog indexed as needed). Warm: the same command again with that HF_HOME. Offline (HF_HUB_OFFLINE=1).
Skips cleanly when the embedded default model is missing and no --model/--tiny is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, make_tiny_model, markdown_table, print_machine, write_json  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--warm-runs", type=int, default=2)
    args = parser.parse_args(argv)
    info = print_machine()
    from lyricmood.errors import LyricMoodError
    from lyricmood.index import load_catalog

    model = str(make_tiny_model()) if args.tiny else args.model
    if model is None:
        try:
            from lyricmood.default_model import shipped_fingerprint

            shipped_fingerprint()
        except LyricMoodError as err:
            print(f"skipped: the default model is missing ({err.message}); pass --model PATH or --tiny")
            return 0
    song = load_catalog("demo")[0]["id"]
    command = [sys.executable, "-m", "lyricmood.cli", "recommend", "--song", song, "--format", "json"]
    if model:
        command += ["--model", model]
    rows = []
    with tempfile.TemporaryDirectory(prefix="lyricmood-cold-") as home:
        env = {**os.environ, "HF_HOME": home, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
        for run in ["cold"] + ["warm"] * (1 if args.small else args.warm_runs):
            start = time.perf_counter()
            out = subprocess.run(command, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if out.returncode != 0:
                print(f"{run} run failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
                return 1
            results = json.loads(out.stdout)
            rows.append({"run": run, "seconds": seconds, "results": len(results), "top": results[0]["id"]})
    for r in rows:
        r["vs cold"] = r["seconds"] / rows[0]["seconds"]
    print(f"command: {' '.join(command[1:])}\n")
    print(markdown_table(rows))
    write_json("cold_start.json", {"machine": info, "command": command, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
