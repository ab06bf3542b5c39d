"""The embedded default model: rebuilt offline from the e5 backbone and the shipped files, deterministically."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from lyricmood.default_model import FROZEN_EMBEDDINGS, default_model_path, shipped_dir

pytestmark = pytest.mark.slow  # each test rebuilds or runs the full-size default model (seconds each)


@pytest.fixture(scope="module")
def rebuilt(e5_backbone_dir, tmp_path_factory):
    if not (shipped_dir() / "weights.safetensors").is_file():
        pytest.skip("the default model's weights are not shipped in this checkout")
    return default_model_path(cache=tmp_path_factory.mktemp("cache"))


def test_rebuild_is_the_shipped_weights_plus_the_backbone_embeddings(rebuilt, e5_backbone_dir):
    weights = load_file(rebuilt / "model.safetensors")
    shipped = load_file(shipped_dir() / "weights.safetensors")
    assert set(weights) == set(shipped) | {FROZEN_EMBEDDINGS}
    for name, tensor in shipped.items():
        assert torch.equal(weights[name], tensor.float()), name
    embeddings = load_file(e5_backbone_dir / "model.safetensors")["embeddings.word_embeddings.weight"]
    assert torch.equal(weights[FROZEN_EMBEDDINGS], embeddings)


def test_rebuild_is_reused_and_deterministic(rebuilt, tmp_path):
    assert default_model_path(cache=rebuilt.parents[1]) == rebuilt  # second call: the cached folder
    again = default_model_path(cache=tmp_path)
    first, second = load_file(rebuilt / "model.safetensors"), load_file(again / "model.safetensors")
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_shipped_demo_index_matches_the_default_model(rebuilt):
    from lyricmood.index import read_index_info
    from lyricmood.inference import EmotionPredictor
    from lyricmood.demo import demo_index_path

    predictor = EmotionPredictor(rebuilt)
    assert predictor.config.decision_thresholds and len(predictor.labels) == 28
    assert read_index_info(demo_index_path())["fingerprint"] == predictor.fingerprint
    probs = predictor.predict(["I am so grateful, thank you!", "고마워요 정말 감사합니다"])
    gratitude = predictor.labels.index("gratitude")
    assert (probs.argmax(axis=1) == gratitude).all(), probs.argmax(axis=1)


def test_resolve_model_names_the_default(rebuilt, monkeypatch):
    from lyricmood import default_model

    monkeypatch.setattr(default_model, "default_model_path", lambda: rebuilt)
    assert default_model.resolve_model(None) == default_model.resolve_model("default") == str(rebuilt)
    assert default_model.resolve_model("runs/my-model/final") == "runs/my-model/final"


def test_catalog_queries_without_the_model_match_the_full_path(rebuilt):
    """The fast path (the shipped demo index, no model: what `lyricmood recommend --song/--mood` runs, see
    test_fast_paths.py) answers as the full path does (the model loaded, its demo index found by fingerprint)."""
    from lyricmood.default_model import load_predictor, shipped_fingerprint
    from lyricmood.index import read_index_info
    from lyricmood.demo import SHIPPED_MODEL_KEY, demo_index, demo_index_path, load_default_recommender
    from lyricmood.recommender import Recommender

    assert read_index_info(demo_index_path())[SHIPPED_MODEL_KEY] == shipped_fingerprint()
    predictor = load_predictor(rebuilt)  # reads mood and meaning, as the shipped index was built
    full = Recommender(demo_index(predictor), predictor=predictor)
    fast = load_default_recommender()
    assert fast._predictor is None
    for song in full.index.ids[:: max(1, len(full.index) // 5)]:
        expected = full.similar_songs(song, k=5)
        got = fast.similar_songs(song, k=5)
        assert [(r.id, r.score, r.shared_emotions) for r in got] == [(r.id, r.score, r.shared_emotions) for r in expected]
    mood = {"sadness": 0.7, "love": 0.3}
    assert fast.recommend_for_mood(mood, k=5) == full.recommend_for_mood(mood, k=5)
    assert fast._predictor is None
