"""Shared set-up for the Space benchmarks: the recommender to serve and a local server for it.

``--tiny`` serves a tiny random model (built in seconds, offline) over the demo catalog, so the
checks run before the trained default model exists; otherwise the default recommender is used.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

RESULTS = Path(__file__).resolve().parent / "results"


def tiny_recommender(num_songs: int | None = None):
    """A Recommender on a random 4-layer, 32-wide model with GoEmotions' 28 labels, over the demo catalog."""
    from lyricmood.datasets_scripts.goemotions import LABELS
    from lyricmood.datasets_scripts.lyrics_catalog import demo_catalog_path
    from lyricmood.modeling import LyricMoodForSequenceClassification

    from lyricmood.index import build_index
    from lyricmood.inference import EmotionPredictor
    from lyricmood.recommender import Recommender
    from lyricmood.testing import make_tiny_backbone

    folder = make_tiny_backbone(Path(tempfile.mkdtemp(prefix="lyricmood-tiny-")) / "backbone")
    model = LyricMoodForSequenceClassification.from_backbone(str(folder), id2label=list(LABELS))
    predictor = EmotionPredictor(model, tokenizer=folder)
    rows = [json.loads(line) for line in demo_catalog_path().read_text(encoding="utf-8").splitlines()]
    return Recommender(build_index(rows[:num_songs], predictor, progress=False), predictor=predictor)


def recommender(tiny: bool):
    if tiny:
        return tiny_recommender()
    from lyricmood.recommender import load_default_recommender

    return load_default_recommender()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_app_module(ref: str | None):
    """``lyricmood.ui`` as in this checkout (``ref=None``), or its ``src/lyricmood/ui.py`` at git revision
    ``ref``, loaded as a module of this checkout's library (for before/after comparisons in one run)."""
    import importlib.util
    import subprocess

    import lyricmood.ui

    if ref is None:
        return lyricmood.ui
    source = subprocess.run(["git", "show", f"{ref}:src/lyricmood/ui.py"], cwd=Path(__file__).resolve().parent,
                            check=True, capture_output=True, text=True).stdout
    name = f"lyricmood._ui_{ref.replace('/', '_').replace('-', '_')}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "lyricmood"
    sys.modules[name] = module
    exec(compile(source, f"{ref}:src/lyricmood/ui.py", "exec"), module.__dict__)
    return module


def serve(recommender_or_tiny, ui_lang: str = "ko", ui_module=None):
    """Build and launch the app on a free local port; returns (demo, url, seconds to build).

    ``recommender_or_tiny``: a Recommender, or a bool for :func:`recommender`. ``ui_module``: the app's
    module (default ``lyricmood.ui``; see :func:`load_app_module`).
    """
    ui = ui_module or load_app_module(None)
    start = time.perf_counter()
    rec = recommender(recommender_or_tiny) if isinstance(recommender_or_tiny, bool) else recommender_or_tiny
    demo = ui.build_demo(rec, ui_lang=ui_lang)
    built = time.perf_counter() - start
    _, url, _ = ui.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    return demo, url.rstrip("/"), built


def print_table(rows: list[tuple], headers: tuple[str, ...]) -> None:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = " | ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(v).ljust(w) for v, w in zip(row, widths)))
