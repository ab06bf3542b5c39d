"""Label-similarity builders against independent computations, and the heatmap."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.metrics.pairwise import cosine_similarity

from lyricmood import label_similarity as ls
from lyricmood.errors import LyricMoodError


def _assert_valid(S: np.ndarray, n: int) -> None:
    assert S.shape == (n, n)
    assert S.dtype == np.float64
    assert not np.isnan(S).any()
    np.testing.assert_array_equal(np.diag(S), np.ones(n))
    np.testing.assert_allclose(S, S.T)
    assert S.min() >= 0.0 and S.max() <= 1.0


def _reference(raw: np.ndarray) -> np.ndarray:
    expected = np.clip(raw, 0.0, 1.0)
    np.fill_diagonal(expected, 1.0)
    return expected


def test_from_classifier_weights_numpy_and_torch():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(7, 16))
    S = ls.from_classifier_weights(W)
    _assert_valid(S, 7)
    np.testing.assert_allclose(S, _reference(cosine_similarity(W)), atol=1e-12)
    assert (S == 0).any()  # random directions: some negative cosines were clipped

    S_torch = ls.from_classifier_weights(torch.tensor(W, dtype=torch.float32, requires_grad=True))
    np.testing.assert_allclose(S_torch, S, atol=1e-6)


def test_from_classifier_weights_reads_model_head():
    head = torch.nn.Linear(12, 5)

    class TinyModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.classifier = head

    expected = _reference(cosine_similarity(head.weight.detach().numpy().astype(np.float64)))
    np.testing.assert_allclose(ls.from_classifier_weights(TinyModel()), expected, atol=1e-6)
    np.testing.assert_allclose(ls.from_classifier_weights(head), expected, atol=1e-6)


def test_from_classifier_weights_zero_row():
    W = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    S = ls.from_classifier_weights(W)
    _assert_valid(S, 3)
    np.testing.assert_array_equal(S[1], [0.0, 1.0, 0.0])
    assert S[0, 2] == pytest.approx(np.sqrt(0.5))


def test_from_cooccurrence_cosine_and_jaccard():
    rng = np.random.default_rng(1)
    Y = (rng.random((200, 9)) < 0.25).astype(int)
    Y[:, 4] = 0  # a label that never occurs
    S = ls.from_cooccurrence(Y)
    _assert_valid(S, 9)
    np.testing.assert_allclose(S, _reference(cosine_similarity(Y.T)), atol=1e-12)
    np.testing.assert_array_equal(S[4], np.eye(9)[4])

    J = ls.from_cooccurrence(Y, method="jaccard")
    _assert_valid(J, 9)
    for i in range(9):
        for j in range(9):
            if i == j:
                continue
            a, b = Y[:, i].astype(bool), Y[:, j].astype(bool)
            union = (a | b).sum()
            expected = (a & b).sum() / union if union else 0.0
            assert J[i, j] == pytest.approx(expected)


def test_from_cooccurrence_rejects_non_binary():
    with pytest.raises(LyricMoodError, match="only 0 and 1"):
        ls.from_cooccurrence([[0, 2], [1, 0]])
    with pytest.raises(LyricMoodError, match="method"):
        ls.from_cooccurrence([[0, 1], [1, 0]], method="dice")


def test_from_prediction_correlation_matches_corrcoef():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(300, 6))
    logits[:, 1] = logits[:, 0] + 0.3 * rng.normal(size=300)  # a correlated pair
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    S = ls.from_prediction_correlation(probs)
    _assert_valid(S, 6)
    np.testing.assert_allclose(S, _reference(np.corrcoef(probs, rowvar=False)), atol=1e-10)
    assert S[0, 1] > 0.5


def test_from_prediction_correlation_constant_column_has_no_nan():
    rng = np.random.default_rng(3)
    probs = rng.random((50, 4))
    probs[:, 2] = 0.25  # constant: its correlation is undefined (numpy gives NaN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(np.corrcoef(probs, rowvar=False)[2]).any()
    S = ls.from_prediction_correlation(probs)
    _assert_valid(S, 4)
    np.testing.assert_array_equal(S[2], np.eye(4)[2])
    keep = [0, 1, 3]
    np.testing.assert_allclose(S[np.ix_(keep, keep)], _reference(np.corrcoef(probs[:, keep], rowvar=False)), atol=1e-10)


def test_builders_reject_bad_shapes():
    with pytest.raises(LyricMoodError, match="2-D"):
        ls.from_classifier_weights(np.ones(3))
    with pytest.raises(LyricMoodError, match="NaN"):
        ls.from_prediction_correlation([[0.1, np.nan], [0.2, 0.3]])
    with pytest.raises(LyricMoodError, match="at least 2"):
        ls.from_prediction_correlation([[0.1, 0.9]])


def test_builders_output_is_accepted_by_the_metric():
    rng = np.random.default_rng(4)
    S = ls.from_classifier_weights(rng.normal(size=(5, 8)))
    metric = ls.load_metric()
    out = metric.compute(predictions=[0, 1, 2, 3, 4], references=[1, 1, 2, 3, 0], label_similarity=S)
    assert out["similarity_weighted_f1"] >= out["f1"]


HANGUL_LABELS = ["기쁨", "신이 난", "분노", "슬픔"]


def test_plot_label_similarity_writes_png_with_hangul(tmp_path):
    from lyricmood import plots

    S = ls.from_cooccurrence(np.array([[1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 1]]))
    path = tmp_path / "figures" / "label_similarity.png"
    font = plots.use_hangul_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.plot_label_similarity(S, HANGUL_LABELS, path=path, title="감정 라벨 유사도")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == HANGUL_LABELS
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == HANGUL_LABELS
    assert not list(tmp_path.glob("figures/.*"))  # no temporary left behind
    missing = [str(w.message) for w in caught if "Glyph" in str(w.message) and "missing" in str(w.message)]
    if font is None:
        pytest.skip("no Hangul font installed: glyph check skipped")
    assert missing == []


def test_use_hangul_font_without_fonts_warns_once_and_does_not_fail(monkeypatch):
    import matplotlib

    from lyricmood import plots

    monkeypatch.setattr(plots, "HANGUL_FONT_FAMILIES", ("No Such Hangul Font",))
    monkeypatch.setattr(plots, "_bundled_font_files", list)
    before = list(matplotlib.rcParams["font.family"])
    plots.use_hangul_font.cache_clear()
    try:
        with pytest.warns(UserWarning, match="Hangul"):
            assert plots.use_hangul_font() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert plots.use_hangul_font() is None  # cached: no second warning
        assert list(matplotlib.rcParams["font.family"]) == before
    finally:
        plots.use_hangul_font.cache_clear()


def test_plot_label_similarity_rejects_mismatched_labels():
    from lyricmood import plots

    with pytest.raises(LyricMoodError, match="3 labels"):
        plots.plot_label_similarity(np.eye(4), ["a", "b", "c"])
