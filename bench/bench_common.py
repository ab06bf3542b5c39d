"""Shared helpers of the benchmark scripts: machine line, markdown tables, timers, the tiny model."""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
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
    from transformers import AutoTokenizer

    from lyricmood.modeling import LyricMoodForSequenceClassification
    from lyricmood.testing import make_tiny_backbone

    path = Path(path or tempfile.mkdtemp(prefix="lyricmood-tiny-"))
    backbone = make_tiny_backbone(path / "backbone", style=style)
    model = LyricMoodForSequenceClassification.from_backbone(
        str(backbone), id2label=GOEMOTIONS_LABELS, problem_type="multi_label_classification"
    )
    model.save_pretrained(path / "model")
    AutoTokenizer.from_pretrained(backbone).save_pretrained(path / "model")
    return path / "model"


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
