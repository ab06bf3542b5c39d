"""Mood and meaning: the fused ranking space, the meaning encoder, and indexes that keep both."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from lyricmood.errors import LyricMoodError
from lyricmood.filters import Filters
from lyricmood.fusion import DEFAULT_MOOD_WEIGHT, MoodAndMeaningSpace, checked_mood_weight
from lyricmood.index import MOOD_AND_MEANING_REPRESENTATION, SongIndex
from lyricmood.index_files import sealed_info
from lyricmood.lyrics import split_lyrics
from lyricmood.meaning import E5_PREFIX, MeaningEncoder
from lyricmood.recommender import Recommender
from lyricmood.similarity import CatalogSpace
from lyricmood.testing import demo_songs, make_tiny_backbone, make_tiny_index, make_tiny_predictor

LABELS = ["joy", "sadness", "anger", "neutral"]
# float32 catalogs: scores agree with a float64 reference to float32 precision, whatever the BLAS
TOL = dict(rtol=1e-5, atol=1e-5)


def _unit(X):
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _reference_scores(mood, meaning, w, rows):
    """w · centred cosine(mood) + (1 − w) · centred cosine(meaning), written out with numpy."""
    A, B = _unit(mood - mood.mean(0)), _unit(meaning - meaning.mean(0))
    return w * A[rows] @ A.T + (1 - w) * B[rows] @ B.T


@pytest.fixture(scope="module")
def parts():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 6)), rng.normal(size=(40, 5))


@pytest.mark.parametrize("w", [0.0, 0.35, 1.0])
def test_fused_scores_mix_the_two_similarities(parts, w):
    mood, meaning = parts
    space = MoodAndMeaningSpace(CatalogSpace(mood, "centered-cosine"), CatalogSpace(meaning, "centered-cosine"), w)
    expected = _reference_scores(mood, meaning, w, [0, 3, 7])
    np.testing.assert_allclose(space.scores(space.rows[[0, 3, 7]]), expected, **TOL)
    np.testing.assert_allclose(space.between([0, 3, 7]), expected[:, [0, 3, 7]], **TOL)
    # one vector per song: the prepared concatenation's dot products are the scores
    np.testing.assert_allclose(space.items @ space.prepare_queries(space.rows[[0, 3, 7]]).T, expected.T, **TOL)


def test_weighted_shares_parts_and_checks_the_weight(parts):
    mood, meaning = parts
    space = MoodAndMeaningSpace(CatalogSpace(mood, "cosine"), CatalogSpace(meaning, "cosine"), 0.5)
    other = space.weighted(0.2)
    assert other.mood is space.mood and other.weight == 0.2 and space.weighted(None) is space
    for bad in (-0.1, 1.5, float("nan"), "abc", True):
        with pytest.raises(LyricMoodError, match="mood weight"):
            space.weighted(bad)
    assert checked_mood_weight(None) == DEFAULT_MOOD_WEIGHT
    with pytest.raises(LyricMoodError, match="mood weight"):
        Filters(mood_weight=2)


def _fused_index(mood, meaning, weight=0.4):
    index = SongIndex(
        [f"s{i}" for i in range(len(mood))], [{"title": f"Song {i}"} for i in range(len(mood))],
        np.full((len(mood), len(LABELS)), 0.25), LABELS, "fp", features=mood, meaning=meaning, mood_weight=weight,
        meaning_fingerprint="meaning-fp",
    )
    return index


def test_recommender_ranks_by_the_mix_and_the_weight_moves_per_query(parts):
    mood, meaning = parts
    recommender = Recommender(_fused_index(mood, meaning))
    assert recommender.index.representation == MOOD_AND_MEANING_REPRESENTATION
    for w in (None, 0.0, 1.0, 0.7):
        expected = _reference_scores(mood, meaning, 0.4 if w is None else w, [5])[0]
        expected[5] = -np.inf
        order = np.argsort(-expected, kind="stable")[:5]
        got = recommender.similar_to_song("s5", k=5, filters=Filters(mood_weight=w))
        assert [r.id for r in got] == [f"s{i}" for i in order]
        np.testing.assert_allclose([r.score for r in got], expected[order], **TOL)


def test_an_emotion_only_index_refuses_a_meaning_weight(parts):
    mood, _ = parts
    index = SongIndex([f"s{i}" for i in range(len(mood))], [{} for _ in mood], np.full((len(mood), 4), 0.25), LABELS,
                      "fp", features=mood)
    recommender = Recommender(index)
    assert recommender.similar_to_song("s1", k=3, filters=Filters(mood_weight=1.0))
    with pytest.raises(LyricMoodError, match="mood weight can only be 1"):
        recommender.similar_to_song("s1", k=3, filters=Filters(mood_weight=0.5))


def test_fused_index_saves_and_loads_with_its_weight(tmp_path, parts):
    mood, meaning = parts
    _fused_index(mood, meaning, weight=0.6).save(tmp_path / "idx")
    info = json.loads((tmp_path / "idx" / "index.json").read_text())
    assert info["representation"] == MOOD_AND_MEANING_REPRESENTATION and info["mood_weight"] == 0.6
    loaded = SongIndex.load(tmp_path / "idx")
    np.testing.assert_array_equal(loaded.meaning, meaning.astype(np.float32))
    assert loaded.mood_weight == 0.6 and loaded.meaning_fingerprint == "meaning-fp"
    loaded.remove(["s0"])
    assert loaded.meaning.shape == (39, 5) and loaded.song_emotion("s1").meaning.shape == (5,)


def test_index_json_must_agree_with_the_tensors(tmp_path, parts):
    mood, meaning = parts
    path = _fused_index(mood, meaning).save(tmp_path / "idx")
    info = json.loads((path / "index.json").read_text())
    info["representation"] = "pooled-emotion-feature"
    (path / "index.json").write_text(json.dumps(info))
    with pytest.raises(LyricMoodError, match="index.json"):  # an edit is caught by its checksum
        SongIndex.load(path)
    (path / "index.json").write_text(json.dumps(sealed_info(info)))  # and a resealed one by what it says
    with pytest.raises(LyricMoodError, match="holds features and meaning"):
        SongIndex.load(path)
    info.update(representation=MOOD_AND_MEANING_REPRESENTATION, mood_weight=1.5)
    (path / "index.json").write_text(json.dumps(sealed_info(info)))
    with pytest.raises(LyricMoodError, match="invalid mood_weight"):
        SongIndex.load(path)


def test_meaning_encoder_matches_a_plain_transformers_forward(tmp_path):
    backbone = make_tiny_backbone(tmp_path / "b")
    encoder = MeaningEncoder.from_pretrained(backbone)
    text = "rain on the window\ni miss you\n\nhappy dance"
    model, tokenizer = AutoModel.from_pretrained(backbone).eval(), AutoTokenizer.from_pretrained(backbone)
    lines = "rain on the window\ni miss you\nhappy dance"  # one window: the lines, across sections
    batch = tokenizer(E5_PREFIX + lines, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state[0]
    np.testing.assert_allclose(encoder.embed([split_lyrics(text)])[0], hidden.mean(0).numpy(), rtol=1e-4, atol=1e-5)


def test_meaning_windows_cover_every_token_once(tmp_path):
    encoder = MeaningEncoder.from_pretrained(make_tiny_backbone(tmp_path / "b"), window=16)
    text = "\n".join(["the sad rain night alone"] * 9 + ["love " * 40])
    windows = encoder.windows(split_lyrics(text))
    tokens = sum(len(encoder.tokenizer(line, add_special_tokens=False)["input_ids"]) for line in text.split("\n"))
    assert sum(w for _, w in windows) == tokens and all(w <= 16 for _, w in windows) and len(windows) > 3


def test_index_built_with_meaning_ranks_lyrics_as_catalog_songs(tmp_path):
    predictor = make_tiny_predictor(tmp_path / "b", LABELS, meaning=True)
    rows = demo_songs()[:12]
    index = make_tiny_index(rows, predictor)
    assert index.representation == MOOD_AND_MEANING_REPRESENTATION and index.meaning.shape == (12, 32)
    recommender = Recommender(index, predictor=predictor)
    by_lyrics = recommender.similar_to_lyrics(rows[3]["lyrics"], k=4)
    by_song = recommender.similar_to_song(rows[3]["id"], k=3)
    assert by_lyrics[0].id == rows[3]["id"]  # the song itself, scored again, comes first
    assert [r.id for r in by_lyrics[1:]] == [r.id for r in by_song]
    np.testing.assert_allclose([r.score for r in by_lyrics[1:]], [r.score for r in by_song], **TOL)


def test_a_fused_index_refuses_a_model_that_reads_no_meaning(tmp_path):
    predictor = make_tiny_predictor(tmp_path / "b", LABELS, meaning=True)
    index = make_tiny_index(demo_songs()[:4], predictor)
    emotion_only = make_tiny_predictor(tmp_path / "c", LABELS)
    with pytest.raises(LyricMoodError, match="reads no meaning"):
        Recommender(index, predictor=emotion_only)
