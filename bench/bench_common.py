"""Shared helpers of the benchmark scripts: machine line, tables, the timer, the model to measure, batched encoding
(the semantic baseline), the Space server.

The tiny models come from :mod:`lyricmood.testing`, as in the tests. ``--tiny`` serves or measures a tiny random
model (built in seconds, offline), so the benches run before the trained default model exists.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
# As lyricmood.datasets_scripts.goemotions.LABELS, spelled out: importing it would import `datasets` (2 s) and
# read the Hub settings before a script can set them (see space_env).
GOEMOTIONS_LABELS = (
    "admiration amusement anger annoyance approval caring confusion curiosity desire disappointment disapproval "
    "disgust embarrassment excitement fear gratitude grief joy love nervousness optimism pride realization relief "
    "remorse sadness surprise neutral"
).split()


def machine() -> dict:
    import torch

    return {
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_machine() -> dict:
    info = machine()
    print(
        f"machine: {info['cpu_count']} CPUs, torch {info['torch']} ({info['torch_threads']} threads), "
        f"CUDA: {info['cuda'] or 'none'}, Python {info['python']}, {info['platform']}\n"
    )
    return info


def markdown_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))

    def cell(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls (seconds) and the last result."""
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def write_json(name: str, payload: dict) -> Path:
    from lyricmood.io import write_text_atomic

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    write_text_atomic(path, json.dumps(payload, indent=1, ensure_ascii=False, default=str))
    print(f"\nwrote {path}")
    return path


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="a saved LyricMood model (default: the embedded default model)")
    parser.add_argument("--tiny", action="store_true", help="a random tiny model (4 layers, 32 wide), built offline")
    parser.add_argument("--small", action="store_true", help="smaller sizes, for a quick run")


def make_tiny_model(path: str | Path | None = None, style: str = "bert") -> Path:
    """A random tiny LyricMood classifier over GoEmotions' 28 labels (multi-label), saved as a model folder."""
    from lyricmood.testing import make_tiny_model as make_model

    path = path or tempfile.mkdtemp(prefix="lyricmood-tiny-")
    return make_model(path, GOEMOTIONS_LABELS, style=style, spread=False, problem_type="multi_label_classification")


def model_from_args(args: argparse.Namespace) -> Path | None:
    """--tiny → a fresh tiny model; --model → it; else the default model (None if it is not shipped)."""
    if args.tiny:
        return make_tiny_model()
    from lyricmood.default_model import resolve_model
    from lyricmood.errors import LyricMoodError

    try:
        return Path(resolve_model(args.model))
    except LyricMoodError as err:
        print(f"skipped: the default model is missing ({err}); pass --model PATH or --tiny")
        return None


def encode_batched(texts: Sequence[str], tokenizer, max_length: int, fn: Callable, prefix: str = "",
                   batch_size: int = 64) -> list:
    """Run ``fn(batch) -> tuple of (B, ·) tensors`` over length-sorted batches of ``texts`` (as
    ``EmotionPredictor.encode`` batches); float32 arrays in input order."""
    import numpy as np
    import torch

    order = np.argsort([-len(t) for t in texts], kind="stable")
    outs: list | None = None
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            index = order[start : start + batch_size]
            batch = tokenizer([prefix + texts[i] for i in index], padding=True, truncation=True,
                              max_length=max_length, return_tensors="pt")
            results = [r.float().numpy() for r in fn(batch)]
            if outs is None:
                outs = [np.zeros((len(texts), r.shape[1]), dtype=np.float32) for r in results]
            for out, r in zip(outs, results):
                out[index] = r
    return outs or []


def semantic_embeddings(backbone, tokenizer, texts: Sequence[str], max_length: int):
    """The semantic baseline: e5's sentence embedding, the attention-masked mean of the backbone's last hidden
    state, with the "query: " prefix (e5's convention for symmetric tasks); float32, not normalised."""
    from lyricmood.modeling.modeling_lyricmood import masked_mean

    def fn(batch):
        return (masked_mean(backbone(**batch).last_hidden_state, batch["attention_mask"]),)

    return encode_batched(texts, tokenizer, max_length, fn, prefix="query: ")[0]


# ------------------------------------------------------------------------------------------------
# The Space, served locally


def space_env() -> None:
    """Offline, no analytics, no display: call before gradio or matplotlib is imported."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")


def recommender(tiny: bool):
    """A tiny recommender over the demo catalog (``tiny``), else the default recommender."""
    if tiny:
        from lyricmood.testing import make_tiny_recommender

        return make_tiny_recommender(tempfile.mkdtemp(prefix="lyricmood-tiny-"))
    from lyricmood.demo import load_default_recommender

    return load_default_recommender()


def source_at(ref: str, path: str) -> str:
    """The text of ``path`` (relative to the repository root) at git revision ``ref``."""
    import subprocess

    return subprocess.run(["git", "show", f"{ref}:{path}"], cwd=Path(__file__).resolve().parent,
                          check=True, capture_output=True, text=True).stdout


def module_from_source(name: str, source: str, origin: str):
    """Execute ``source`` as the module ``name`` of the ``lyricmood`` package (registered in ``sys.modules``)."""
    import importlib.util

    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "lyricmood"
    sys.modules[name] = module
    exec(compile(source, origin, "exec"), module.__dict__)
    return module


def load_app_module(ref: str | None):
    """``lyricmood.ui`` as in this checkout (``ref=None``), or its ``src/lyricmood/ui.py`` at git revision
    ``ref``, loaded as a module of this checkout's library (for before/after comparisons in one run)."""
    import lyricmood.ui

    if ref is None:
        return lyricmood.ui
    name = f"lyricmood._ui_{ref.replace('/', '_').replace('-', '_')}"
    return module_from_source(name, source_at(ref, "src/lyricmood/ui.py"), f"{ref}:src/lyricmood/ui.py")


def serve(recommender_or_tiny, ui_lang: str = "ko", ui_module=None):
    """Build and launch the app on a free local port; returns (demo, url, seconds to build).

    ``recommender_or_tiny``: a Recommender, or a bool for :func:`recommender`. ``ui_module``: the app's
    module (default ``lyricmood.ui``; see :func:`load_app_module`).
    """
    ui = ui_module or load_app_module(None)

    def build():
        rec = recommender(recommender_or_tiny) if isinstance(recommender_or_tiny, bool) else recommender_or_tiny
        return ui.build_demo(rec, ui_lang=ui_lang)

    built, demo = timed(build)
    from lyricmood.testing import free_port

    _, url, _ = ui.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    return demo, url.rstrip("/"), built


def print_table(rows: list[tuple], headers: tuple[str, ...]) -> None:
    """Print ``rows`` (tuples in the order of ``headers``) as a markdown table."""
    print(markdown_table([dict(zip(headers, row)) for row in rows], headers))
