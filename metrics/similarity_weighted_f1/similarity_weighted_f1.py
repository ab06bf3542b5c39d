# Copyright 2024-2025 the lyricmood developers. Licensed under the Apache License, Version 2.0.
"""Similarity-weighted F1: an F1 score that gives partial credit to near-miss labels."""

from __future__ import annotations

import math
import os

import datasets
import evaluate
import numpy as np

METRIC_PATH = os.path.dirname(os.path.abspath(__file__))

_DESCRIPTION = """
Similarity-weighted F1 scores a classifier over labels that are not equally far apart (emotions such
as "joy" and "excitement"). A label-similarity matrix S (n x n, values in [0, 1], S[i, i] = 1) says
how much credit predicting label i earns when the gold label is j. Soft precision and soft recall
are computed per class from those credits, and F1 is their harmonic mean. With S = the identity
matrix it equals scikit-learn's `f1_score` (computed with `labels=range(n)`) for every average, for
single-label and multi-label problems alike.

Single-label (one prediction p_k and one reference y_k per example), for each class c:
    P_c = sum_{k: p_k = c} S[c, y_k] / #{k: p_k = c}
    R_c = sum_{k: y_k = c} S[p_k, c] / #{k: y_k = c}
    F1_c = 2 P_c R_c / (P_c + R_c)
Multi-label (0/1 rows giving the predicted set P_k and the gold set G_k): a predicted label p in P_k
earns max_{g in G_k} S[p, g] (0 if G_k is empty) and a gold label g in G_k is recovered by
max_{p in P_k} S[p, g] (0 if P_k is empty); P_c and R_c are these credits summed over the examples
where c is predicted (resp. gold), divided by those counts.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`, or `list` of `list` of `int` for the "multilabel" config):
        predicted class ids in [0, n), or 0/1 rows of width n.
    references (same type as `predictions`): gold class ids, or 0/1 rows.
    label_similarity (array-like of shape (n, n), *optional*): the label-similarity matrix S.
        Values in [0, 1], unit diagonal; it need not be symmetric (rows: predicted label,
        columns: gold label). Defaults to the identity (plain F1).
    num_labels (`int`, *optional*): n, when `label_similarity` is not given. Default: the width of
        the rows ("multilabel") or the largest class id + 1 ("single_label").
    labels (`list` of `int`, *optional*): the classes to score and average over, in this order.
        Default: all n classes, `range(n)`, including classes that occur on neither side
        (scikit-learn's default uses only the classes present; pass `labels=range(n)` to
        `sklearn.metrics.f1_score` to compare).
    average (`str` or `None`, defaults to `"macro"`): `"macro"` (unweighted mean over classes),
        `"micro"` (credits and counts summed over classes first), `"weighted"` (mean weighted
        by support) or `None` (one score per class).
    zero_division (`0.0`, `1.0`, `nan` or `"warn"`, defaults to `0.0`): the score of a class with
        neither predictions nor support (`"warn"` means 0.0), as in scikit-learn. A class present
        on one side only scores 0. `nan` scores are left out of the averages.

Returns:
    similarity_weighted_f1 (`float`, or `numpy.ndarray` when `average=None`): the score, in [0, 1].
    f1 (`float` or `numpy.ndarray`): plain F1 of the same inputs (S = identity), for comparison.

Examples:

    Predicting "excitement" (1) for "joy" (0) earns 0.8 of a hit here:

    >>> import evaluate
    >>> metric = evaluate.load(METRIC_PATH)  # or lyricmood.label_similarity.load_metric()
    >>> S = [[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> results = metric.compute(predictions=[0, 1, 2, 1], references=[0, 0, 2, 1], label_similarity=S)
    >>> print({k: round(v, 4) for k, v in results.items()})
    {'similarity_weighted_f1': 0.9649, 'f1': 0.7778}

    Multi-label rows:

    >>> metric = evaluate.load(METRIC_PATH, "multilabel")
    >>> results = metric.compute(predictions=[[0, 1, 0], [1, 0, 1]], references=[[1, 0, 0], [1, 0, 0]],
    ...                          label_similarity=S, average="micro")
    >>> print({k: round(v, 4) for k, v in results.items()})
    {'similarity_weighted_f1': 0.72, 'f1': 0.4}
"""

_CITATION = """
@misc{lyrics_emotion_recommendation_2024,
  title  = {Lyrics-based music recommendation via emotion analysis},
  year   = {2024},
  note   = {Korean lyrics recommendation project: klue/bert-base fine-tuned on the AI-Hub
            emotional dialogue corpus (감성대화말뭉치); proposes the similarity-weighted F1},
}
@article{scikit-learn,
  title   = {Scikit-learn: Machine Learning in {P}ython},
  author  = {Pedregosa, F. and Varoquaux, G. and Gramfort, A. and Michel, V. and Thirion, B. and
             Grisel, O. and Blondel, M. and Prettenhofer, P. and Weiss, R. and Dubourg, V. and
             Vanderplas, J. and Passos, A. and Cournapeau, D. and Brucher, M. and Perrot, M. and
             Duchesnay, E.},
  journal = {Journal of Machine Learning Research},
  volume  = {12},
  pages   = {2825--2830},
  year    = {2011}
}
"""

_AVERAGES = ("macro", "micro", "weighted", None)
# Work on at most this many (example, label, label) products at once in the multi-label case.
_CHUNK_ELEMENTS = 4_000_000


def _zero_division_value(zero_division) -> float:
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
        if zero_division == "nan":
            return math.nan
    elif isinstance(zero_division, (int, float, np.floating, np.integer)) and not isinstance(zero_division, bool):
        if math.isnan(zero_division) or zero_division in (0, 1):
            return float(zero_division)
    raise ValueError(f"zero_division must be 0.0, 1.0, nan or 'warn', got {zero_division!r}")


def _check_similarity(label_similarity, n: int | None) -> np.ndarray:
    S = np.asarray(label_similarity, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"label_similarity must be a square (n, n) matrix, got shape {S.shape}")
    if n is not None and S.shape[0] != n:
        raise ValueError(f"label_similarity is {S.shape[0]}x{S.shape[1]} but there are {n} labels")
    if np.isnan(S).any():
        raise ValueError("label_similarity contains NaN")
    if (S < 0).any() or (S > 1).any():
        raise ValueError(
            f"label_similarity values must lie in [0, 1], found min {S.min():.4g} and max {S.max():.4g}"
        )
    if not np.allclose(np.diag(S), 1.0, rtol=0, atol=1e-6):
        raise ValueError("label_similarity must have 1 on its diagonal (a label is fully similar to itself)")
    return S


def _soft_counts_single(pred: np.ndarray, ref: np.ndarray, S: np.ndarray):
    n = S.shape[0]
    confusion = np.bincount(pred * n + ref, minlength=n * n).reshape(n, n)  # [predicted, gold]
    credit = confusion * S
    return credit.sum(axis=1), credit.sum(axis=0), confusion.sum(axis=1), confusion.sum(axis=0)


def _soft_counts_multi(pred: np.ndarray, ref: np.ndarray, S: np.ndarray):
    n = S.shape[0]
    precision_credit = np.zeros(n)
    recall_credit = np.zeros(n)
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n * n))
    for start in range(0, len(pred), chunk):
        p = pred[start : start + chunk].astype(np.float64)
        g = ref[start : start + chunk].astype(np.float64)
        # S >= 0, so masking by 0/1 and taking the max gives 0 for an empty set.
        best_gold = (g[:, None, :] * S[None, :, :]).max(axis=2)  # [k, p] = max_{g in G_k} S[p, g]
        best_pred = (p[:, :, None] * S[None, :, :]).max(axis=1)  # [k, g] = max_{p in P_k} S[p, g]
        precision_credit += (best_gold * p).sum(axis=0)
        recall_credit += (best_pred * g).sum(axis=0)
    return precision_credit, recall_credit, pred.sum(axis=0), ref.sum(axis=0)


def _divide(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(numerator.shape, fill, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _f_score(precision_credit, recall_credit, pred_count, true_count, zero_division: float) -> np.ndarray:
    # A missing side contributes no credit (as in scikit-learn, where tp = 0 then): only a class
    # with neither predictions nor support is undefined and gets zero_division.
    precision = _divide(precision_credit, pred_count, 0.0)
    recall = _divide(recall_credit, true_count, 0.0)
    f = _divide(2 * precision * recall, precision + recall, 0.0)
    f[(np.asarray(pred_count) + np.asarray(true_count)) == 0] = zero_division
    return f


def _nanaverage(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    # Same rules as scikit-learn: NaN entries are left out; all-zero weights mean a plain mean.
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    if weights is not None and np.asarray(weights, dtype=np.float64)[keep].sum() > 0:
        return float(np.average(values[keep], weights=np.asarray(weights, dtype=np.float64)[keep]))
    return float(np.mean(values[keep]))


def _prepare(predictions, references, multilabel, label_similarity, num_labels):
    pred = np.asarray(predictions)
    ref = np.asarray(references)
    if pred.shape != ref.shape:
        raise ValueError(f"predictions and references differ in shape: {pred.shape} vs {ref.shape}")
    if num_labels is not None and (not isinstance(num_labels, (int, np.integer)) or num_labels < 1):
        raise ValueError(f"num_labels must be a positive int, got {num_labels!r}")
    n_from_s = None if label_similarity is None else np.asarray(label_similarity).shape
    if n_from_s is not None and num_labels is not None and n_from_s[:1] != (num_labels,):
        raise ValueError(f"label_similarity has shape {n_from_s} but num_labels is {num_labels}")
    for name, arr in (("predictions", pred), ("references", ref)):
        if arr.size and not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_)):
            as_float = arr.astype(np.float64)  # a non-numeric array fails here with numpy's ValueError
            if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
                raise ValueError(f"{name} must be integer class ids (or 0/1 for multilabel)")
    pred = pred.astype(np.int64)
    ref = ref.astype(np.int64)

    if multilabel:
        if pred.ndim != 2:
            raise ValueError(f"multilabel predictions must be 2-D 0/1 rows, got shape {pred.shape}")
        for name, arr in (("predictions", pred), ("references", ref)):
            if ((arr != 0) & (arr != 1)).any():
                raise ValueError(f"multilabel {name} must contain only 0 and 1")
        n = pred.shape[1]
        if num_labels is not None and num_labels != n:
            raise ValueError(f"rows have {n} columns but num_labels is {num_labels}")
    else:
        if pred.ndim != 1:
            raise ValueError(
                f"single-label predictions must be 1-D class ids, got shape {pred.shape}"
                " (use the 'multilabel' config for 0/1 rows)"
            )
        n = num_labels
        if n is None and n_from_s is not None:
            n = n_from_s[0]
        if n is None:
            n = int(max(pred.max(initial=-1), ref.max(initial=-1))) + 1
        for name, arr in (("predictions", pred), ("references", ref)):
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise ValueError(f"{name} contain class ids outside [0, {n}): min {arr.min()}, max {arr.max()}")
    S = np.eye(n) if label_similarity is None else _check_similarity(label_similarity, n)
    return pred, ref, S


def similarity_weighted_precision_recall_f1(
    predictions,
    references,
    label_similarity=None,
    *,
    multilabel: bool = False,
    num_labels: int | None = None,
    labels=None,
    average: str | None = "macro",
    zero_division=0.0,
) -> dict:
    """Soft precision, recall, F1 and support, as numpy arrays (average=None) or floats.

    Example:
        >>> S = [[1.0, 0.5], [0.5, 1.0]]
        >>> out = similarity_weighted_precision_recall_f1([0, 1], [1, 1], S, average=None)
        >>> out["precision"], out["recall"], out["f1"], out["support"]
        (array([0.5, 1. ]), array([0.  , 0.75]), array([0.        , 0.85714286]), array([0, 2]))
    """
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}, got {average!r}")
    zd = _zero_division_value(zero_division)
    pred, ref, S = _prepare(predictions, references, multilabel, label_similarity, num_labels)
    n = S.shape[0]
    if multilabel:
        a, b, pred_count, true_count = _soft_counts_multi(pred, ref, S)
    else:
        a, b, pred_count, true_count = _soft_counts_single(pred, ref, S)

    if labels is not None:
        idx = np.asarray(labels)
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"labels must be a non-empty list of class ids, got {labels!r}")
        if idx.min() < 0 or idx.max() >= n:
            raise ValueError(f"labels must lie in [0, {n}), got {labels!r}")
        a, b, pred_count, true_count = a[idx], b[idx], pred_count[idx], true_count[idx]

    if average == "micro":
        a, b = np.array([a.sum()]), np.array([b.sum()])
        pred_count, true_count = np.array([pred_count.sum()]), np.array([true_count.sum()])

    precision = _divide(a, pred_count, zd)
    recall = _divide(b, true_count, zd)
    f1 = _f_score(a, b, pred_count, true_count, zd)
    if average is None:
        return {"precision": precision, "recall": recall, "f1": f1, "support": np.asarray(true_count)}
    weights = true_count if average == "weighted" else None
    return {
        "precision": _nanaverage(precision, weights),
        "recall": _nanaverage(recall, weights),
        "f1": _nanaverage(f1, weights),
        "support": None,
    }


def similarity_weighted_f1(predictions, references, label_similarity=None, **options):
    """The similarity-weighted F1 (plain F1 when ``label_similarity`` is None or the identity).

    ``options``: the keyword arguments of :func:`similarity_weighted_precision_recall_f1` (``multilabel``,
    ``num_labels``, ``labels``, ``average``, ``zero_division``), whose ``"f1"`` this is.

    Example:
        >>> S = [[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 1.0]]
        >>> round(similarity_weighted_f1([0, 1, 2, 1], [0, 0, 2, 1], S), 4)
        0.9649
        >>> round(similarity_weighted_f1([0, 1, 2, 1], [0, 0, 2, 1]), 4)  # plain macro F1
        0.7778
    """
    return similarity_weighted_precision_recall_f1(predictions, references, label_similarity, **options)["f1"]


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class SimilarityWeightedF1(evaluate.Metric):
    def _info(self):
        if self.config_name not in ("single_label", "multilabel", "default"):
            raise ValueError(f"config_name must be 'single_label' or 'multilabel', got {self.config_name!r}")
        multilabel = self.config_name == "multilabel"
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("int32")),
                    "references": datasets.Sequence(datasets.Value("int32")),
                }
                if multilabel
                else {
                    "predictions": datasets.Value("int32"),
                    "references": datasets.Value("int32"),
                }
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/generated/sklearn.metrics.f1_score.html"],
        )

    def _compute(
        self,
        predictions,
        references,
        label_similarity=None,
        average="macro",
        zero_division=0.0,
        num_labels=None,
        labels=None,
    ):
        kwargs = dict(
            multilabel=self.config_name == "multilabel",
            num_labels=num_labels,
            labels=labels,
            average=average,
            zero_division=zero_division,
        )
        weighted = similarity_weighted_f1(predictions, references, label_similarity, **kwargs)
        if label_similarity is not None and num_labels is None:
            kwargs["num_labels"] = np.asarray(label_similarity).shape[0]
        plain = similarity_weighted_f1(predictions, references, None, **kwargs)
        return {"similarity_weighted_f1": _plain(weighted), "f1": _plain(plain)}


def _plain(score):
    return float(score) if np.ndim(score) == 0 else score
