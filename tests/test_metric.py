"""The similarity-weighted F1 evaluate module: equality with scikit-learn, worked cases, loading."""

from __future__ import annotations

import importlib.util
import math
import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, precision_recall_fscore_support

from lyricmood.label_similarity import load_metric, metric_path

AVERAGES = ["macro", "micro", "weighted", None]
ZERO_DIVISIONS = [0.0, 1.0, np.nan]


def _load_module():
    path = os.path.join(metric_path(), "similarity_weighted_f1.py")
    spec = importlib.util.spec_from_file_location("_swf1_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


swf1 = _load_module()


def _sklearn(y_true, y_pred, n, average, zero_division):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=list(range(n)), average=average, zero_division=zero_division
        )
        f_alone = f1_score(y_true, y_pred, labels=list(range(n)), average=average, zero_division=zero_division)
    np.testing.assert_allclose(f, f_alone)
    return p, r, f


def _random_case(seed: int):
    """Random predictions/references, often degenerate: absent classes, empty rows, tiny sizes."""
    rng = np.random.default_rng(seed)
    multilabel = seed % 2 == 0
    # sklearn reads a single 0/1 column as binary labels, not a 1-label indicator: n >= 2 there.
    n = int(rng.integers(2 if multilabel else 1, 8))
    size = int(rng.integers(1, 5)) if seed % 5 == 0 else int(rng.integers(5, 60))
    if multilabel:
        pred = (rng.random((size, n)) < rng.random()).astype(int)
        ref = (rng.random((size, n)) < rng.random()).astype(int)
        if seed % 3 == 0:
            pred[rng.random(size) < 0.5] = 0  # empty predicted rows
        if seed % 7 == 0:
            ref[:] = 0  # no gold label anywhere
        if seed % 11 == 0:
            pred[:, 0] = 0  # a class never predicted
    else:
        k = int(rng.integers(1, n + 1))  # classes >= k are never predicted
        pred = rng.integers(0, k, size)
        ref = rng.integers(0, n, size)
        if seed % 4 == 1:
            ref = np.minimum(ref, max(0, n - 2))  # the last class is never gold
    return multilabel, n, pred, ref


@pytest.mark.parametrize("seed", range(120))
def test_identity_similarity_equals_sklearn(seed):
    multilabel, n, pred, ref = _random_case(seed)
    for average in AVERAGES:
        for zd in ZERO_DIVISIONS:
            ours = swf1.similarity_weighted_precision_recall_f1(
                pred, ref, np.eye(n), multilabel=multilabel, average=average, zero_division=zd
            )
            p, r, f = _sklearn(ref, pred, n, average, zd)
            where = f"seed={seed} multilabel={multilabel} n={n} average={average} zero_division={zd}"
            np.testing.assert_allclose(ours["f1"], f, rtol=1e-12, atol=1e-15, err_msg=where)
            np.testing.assert_allclose(ours["precision"], p, rtol=1e-12, atol=1e-15, err_msg=where)
            np.testing.assert_allclose(ours["recall"], r, rtol=1e-12, atol=1e-15, err_msg=where)
            # S = None is the identity as well
            plain = swf1.similarity_weighted_f1(
                pred, ref, None, multilabel=multilabel, num_labels=n, average=average, zero_division=zd
            )
            np.testing.assert_allclose(plain, f, rtol=1e-12, atol=1e-15, err_msg=where)


@pytest.mark.parametrize("multilabel", [False, True])
def test_labels_subset_equals_sklearn(multilabel):
    rng = np.random.default_rng(7)
    n = 6
    if multilabel:
        pred, ref = (rng.random((40, n)) < 0.3).astype(int), (rng.random((40, n)) < 0.3).astype(int)
    else:
        pred, ref = rng.integers(0, n, 40), rng.integers(0, n, 40)
    labels = [4, 1, 2]
    for average in AVERAGES:
        ours = swf1.similarity_weighted_f1(pred, ref, np.eye(n), multilabel=multilabel, labels=labels, average=average)
        theirs = f1_score(ref, pred, labels=labels, average=average, zero_division=0.0)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_default_label_set_matches_sklearn_default_when_all_classes_occur():
    pred, ref = [0, 2, 1, 2, 0], [0, 1, 1, 2, 2]
    for average in AVERAGES:
        np.testing.assert_allclose(swf1.similarity_weighted_f1(pred, ref, average=average), f1_score(ref, pred, average=average))


def test_all_undefined_with_nan_zero_division():
    # Two labels, all rows empty: every class is undefined, so every average is NaN (as sklearn).
    empty = np.zeros((3, 2), dtype=int)
    out = swf1.similarity_weighted_f1(empty, empty, multilabel=True, zero_division=np.nan)
    assert math.isnan(out)
    assert swf1.similarity_weighted_f1(empty, empty, multilabel=True, zero_division=1.0) == 1.0
    assert swf1.similarity_weighted_f1(empty, empty, multilabel=True, zero_division="warn") == 0.0


# Non-identity, worked by hand. Labels: 0 = joy, 1 = excitement, 2 = anger.
S3 = np.array([[1.0, 0.8, 0.0], [0.8, 1.0, 0.2], [0.0, 0.2, 1.0]])


def test_single_label_worked_example():
    pred = [0, 1, 2, 1, 2]
    ref = [0, 0, 2, 1, 1]
    # Predicted as joy: k=0 (gold joy) -> 1.           P_joy = 1/1 = 1
    # Predicted as excitement: k=1 (gold joy) 0.8, k=3 (gold exc.) 1 -> 1.8 / 2 = 0.9 = P_exc
    # Predicted as anger: k=2 (gold anger) 1, k=4 (gold exc.) S[2,1] = 0.2 -> 1.2 / 2 = 0.6 = P_anger
    # Gold joy: k=0 (pred joy) 1, k=1 (pred exc.) S[1,0] = 0.8 -> 1.8 / 2 = 0.9 = R_joy
    # Gold excitement: k=3 (pred exc.) 1, k=4 (pred anger) S[2,1] = 0.2 -> 1.2 / 2 = 0.6 = R_exc
    # Gold anger: k=2 (pred anger) 1 -> 1 = R_anger
    # F1: joy 2*1*.9/1.9 = 18/19; exc 2*.9*.6/1.5 = 0.72; anger 2*.6*1/1.6 = 0.75
    expected = np.array([18 / 19, 0.72, 0.75])
    out = swf1.similarity_weighted_precision_recall_f1(pred, ref, S3, average=None)
    np.testing.assert_allclose(out["precision"], [1.0, 0.9, 0.6])
    np.testing.assert_allclose(out["recall"], [0.9, 0.6, 1.0])
    np.testing.assert_allclose(out["f1"], expected)
    np.testing.assert_array_equal(out["support"], [2, 2, 1])
    assert swf1.similarity_weighted_f1(pred, ref, S3) == pytest.approx(expected.mean())
    # weighted by support 2, 2, 1
    assert swf1.similarity_weighted_f1(pred, ref, S3, average="weighted") == pytest.approx(
        (2 * 18 / 19 + 2 * 0.72 + 0.75) / 5
    )
    # micro: credits 1 + 1.8 + 1.2 = 4 over 5 predictions, recoveries 1.8 + 1.2 + 1 = 4 over 5 gold
    assert swf1.similarity_weighted_f1(pred, ref, S3, average="micro") == pytest.approx(0.8)
    # plain F1 of the same data (sklearn) is lower
    assert f1_score(ref, pred, average="micro") == pytest.approx(0.6)


def test_single_label_asymmetric_similarity():
    # Rows are predicted labels, columns gold: predicting 1 for gold 0 earns 0.5, not the reverse.
    S = np.array([[1.0, 0.0], [0.5, 1.0]])
    # k=0: pred 1, gold 0 -> credit S[1,0] = 0.5;  k=1: pred 0, gold 1 -> S[0,1] = 0
    out = swf1.similarity_weighted_precision_recall_f1([1, 0], [0, 1], S, average=None)
    np.testing.assert_allclose(out["precision"], [0.0, 0.5])  # class 0 predicted at k=1 (0), class 1 at k=0 (0.5)
    np.testing.assert_allclose(out["recall"], [0.5, 0.0])  # gold 0 at k=0 (0.5), gold 1 at k=1 (0)
    np.testing.assert_allclose(out["f1"], [0.0, 0.0])  # each class has one side at 0


def test_multilabel_worked_example():
    pred = [[0, 1, 0], [1, 0, 1], [0, 0, 0], [0, 1, 1]]
    ref = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]]
    # k=0: P={exc}, G={joy}: exc earns S[1,0] = .8; joy recovered by .8
    # k=1: P={joy, anger}, G={joy}: joy earns 1, anger earns S[2,0] = 0; joy recovered by 1
    # k=2: P={}, G={exc}: exc recovered by 0 (nothing predicted)
    # k=3: P={exc, anger}, G={}: both earn 0
    # precision: joy 1/1; exc (.8 + 0)/2 = .4; anger (0 + 0)/2 = 0
    # recall:    joy (.8 + 1)/2 = .9; exc 0/1 = 0; anger: no support -> zero_division
    # F1: joy 2*.9/1.9 = 18/19; exc 0 (R = 0); anger 0 (predicted, never gold)
    out = swf1.similarity_weighted_precision_recall_f1(pred, ref, S3, multilabel=True, average=None)
    np.testing.assert_allclose(out["precision"], [1.0, 0.4, 0.0])
    np.testing.assert_allclose(out["recall"], [0.9, 0.0, 0.0])
    np.testing.assert_allclose(out["f1"], [18 / 19, 0.0, 0.0])
    out1 = swf1.similarity_weighted_precision_recall_f1(
        pred, ref, S3, multilabel=True, average=None, zero_division=1.0
    )
    np.testing.assert_allclose(out1["recall"], [0.9, 0.0, 1.0])
    np.testing.assert_allclose(out1["f1"], [18 / 19, 0.0, 0.0])  # anger is on one side: 0, not 1
    # micro: credits .8 + 1 + 0 + 0 + 0 = 1.8 over 5 predicted labels -> P = .36
    #        recoveries .8 + 1 + 0 = 1.8 over 3 gold labels          -> R = .6
    assert swf1.similarity_weighted_f1(pred, ref, S3, multilabel=True, average="micro") == pytest.approx(
        2 * 0.36 * 0.6 / 0.96
    )
    # weighted: supports 2, 1, 0
    assert swf1.similarity_weighted_f1(pred, ref, S3, multilabel=True, average="weighted") == pytest.approx(
        2 * (18 / 19) / 3
    )


def test_multilabel_best_match_not_sum():
    # One gold label, two predictions: each prediction earns its best match, the gold label is
    # recovered once by the best prediction (0.8), not by 0.8 + 0.5.
    S = np.array([[1.0, 0.8, 0.5], [0.8, 1.0, 0.0], [0.5, 0.0, 1.0]])
    out = swf1.similarity_weighted_precision_recall_f1(
        [[0, 1, 1]], [[1, 0, 0]], S, multilabel=True, average=None
    )
    np.testing.assert_allclose(out["precision"], [0.0, 0.8, 0.5])
    np.testing.assert_allclose(out["recall"], [0.8, 0.0, 0.0])
    # The other way round: one prediction, two gold labels. The prediction earns its best match
    # (0.8, not 0.8 + 0.5); each gold label is recovered by it separately.
    out = swf1.similarity_weighted_precision_recall_f1(
        [[1, 0, 0]], [[0, 1, 1]], S, multilabel=True, average=None
    )
    np.testing.assert_allclose(out["precision"], [0.8, 0.0, 0.0])
    np.testing.assert_allclose(out["recall"], [0.0, 0.8, 0.5])


@pytest.mark.parametrize("seed", range(10))
def test_similarity_never_lowers_the_score(seed):
    # S >= I elementwise, so soft precision and recall, and their harmonic mean, can only rise.
    multilabel, n, pred, ref = _random_case(seed)
    rng = np.random.default_rng(1000 + seed)
    S = rng.random((n, n))
    np.fill_diagonal(S, 1.0)
    for average in AVERAGES:
        soft = swf1.similarity_weighted_f1(pred, ref, S, multilabel=multilabel, average=average)
        plain = swf1.similarity_weighted_f1(pred, ref, np.eye(n), multilabel=multilabel, average=average)
        assert np.all(np.asarray(soft) >= np.asarray(plain) - 1e-12)
        assert np.all((np.asarray(soft) >= 0) & (np.asarray(soft) <= 1))


def test_all_ones_similarity_gives_full_credit_when_both_sides_nonempty():
    S = np.ones((4, 4))
    rng = np.random.default_rng(3)
    pred, ref = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    assert swf1.similarity_weighted_f1(pred, ref, S, average="micro") == pytest.approx(1.0)


def test_multilabel_is_vectorised_and_fast():
    import time

    rng = np.random.default_rng(0)
    pred = (rng.random((5000, 28)) < 0.1).astype(int)
    ref = (rng.random((5000, 28)) < 0.1).astype(int)
    S = rng.random((28, 28))
    np.fill_diagonal(S, 1.0)
    start = time.perf_counter()
    swf1.similarity_weighted_f1(pred, ref, S, multilabel=True)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(predictions=[0, 1], references=[0, 1, 1]), "differ in shape"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=np.ones((2, 3))), "square"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=np.eye(3), num_labels=2), "num_labels"),
        (dict(predictions=[0, 3], references=[0, 1], label_similarity=np.eye(3)), "outside"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=[[1, 1.5], [0, 1]]), r"\[0, 1\]"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=[[1, -0.1], [0, 1]]), r"\[0, 1\]"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=[[1, np.nan], [0, 1]]), "NaN"),
        (dict(predictions=[0, 1], references=[0, 1], label_similarity=[[0.9, 0], [0, 1]]), "diagonal"),
        (dict(predictions=[0, 1], references=[0, 1], average="samples"), "average"),
        (dict(predictions=[0, 1], references=[0, 1], zero_division=0.5), "zero_division"),
        (dict(predictions=[0.5, 1], references=[0, 1]), "integer"),
        (dict(predictions=[[0, 1]], references=[[0, 1]]), "multilabel"),
    ],
)
def test_invalid_input_single_label(kwargs, message):
    with pytest.raises(ValueError, match=message):
        swf1.similarity_weighted_f1(**kwargs)


def test_invalid_input_multilabel():
    with pytest.raises(ValueError, match="only 0 and 1"):
        swf1.similarity_weighted_f1([[0, 2]], [[0, 1]], multilabel=True)
    with pytest.raises(ValueError, match="2 labels"):
        swf1.similarity_weighted_f1([[0, 1]], [[0, 1]], np.eye(3), multilabel=True)
    with pytest.raises(ValueError, match="2-D"):
        swf1.similarity_weighted_f1([0, 1], [0, 1], multilabel=True)


def test_metric_path_points_at_the_module_folder():
    path = metric_path()
    assert os.path.isabs(path)
    assert os.path.basename(path) == "similarity_weighted_f1"
    for name in ("similarity_weighted_f1.py", "README.md", "app.py", "requirements.txt"):
        assert os.path.isfile(os.path.join(path, name)), name


def test_metric_card_has_space_header():
    with open(os.path.join(metric_path(), "README.md"), encoding="utf-8") as f:
        text = f.read()
    header = text.split("---")[1]
    for key in ("title:", "emoji:", "colorFrom:", "colorTo:", "sdk: gradio", "sdk_version:", "app_file: app.py",
                "pinned:", "- evaluate", "- metric", "description:"):
        assert key in header, key


def test_evaluate_load_offline_single_label():
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    metric = load_metric()
    rng = np.random.default_rng(5)
    pred, ref = rng.integers(0, 5, 64), rng.integers(0, 5, 64)
    S = rng.random((5, 5))
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    out = metric.compute(predictions=pred, references=ref, label_similarity=S, average="weighted")
    assert set(out) == {"similarity_weighted_f1", "f1"}
    assert out["f1"] == pytest.approx(f1_score(ref, pred, labels=range(5), average="weighted"))
    assert out["similarity_weighted_f1"] == pytest.approx(
        swf1.similarity_weighted_f1(pred, ref, S, average="weighted")
    )
    assert out["similarity_weighted_f1"] >= out["f1"]
    # add_batch then compute, per-class output
    for p, r in zip(pred, ref):
        metric.add(predictions=p, references=r)
    per_class = metric.compute(label_similarity=S, average=None)
    np.testing.assert_allclose(per_class["f1"], f1_score(ref, pred, labels=range(5), average=None))


def test_evaluate_load_offline_multilabel():
    import evaluate

    metric = evaluate.load(metric_path(), "multilabel")
    rng = np.random.default_rng(6)
    pred = (rng.random((30, 4)) < 0.4).astype(int)
    ref = (rng.random((30, 4)) < 0.4).astype(int)
    out = metric.compute(predictions=pred.tolist(), references=ref.tolist(), average="micro", zero_division=1.0)
    assert out["f1"] == pytest.approx(f1_score(ref, pred, average="micro", zero_division=1.0))
    assert out["similarity_weighted_f1"] == pytest.approx(out["f1"])  # no S: identity
    with pytest.raises(ValueError, match="diagonal"):
        metric.compute(predictions=pred.tolist(), references=ref.tolist(), label_similarity=np.zeros((4, 4)))
