"""Label-similarity matrices for the similarity-weighted F1, and where that metric lives.

Every builder returns S: an (n, n) float64 matrix, symmetric, values in [0, 1], unit diagonal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lyricmood.errors import LyricMoodError

METRIC_NAME = "similarity_weighted_f1"


def metric_path() -> str:
    """Absolute path of the installed ``similarity_weighted_f1`` evaluate module folder.

    Example:
        >>> import os
        >>> os.path.isfile(os.path.join(metric_path(), "similarity_weighted_f1.py"))
        True
    """
    import lyricmood.metrics

    return str(Path(lyricmood.metrics.__file__).resolve().parent / METRIC_NAME)


def load_metric(config_name: str = "single_label", **kwargs: Any):
    """``evaluate.load`` the similarity-weighted F1 from the installed folder (works offline).

    ``config_name`` is ``"single_label"`` (class ids) or ``"multilabel"`` (0/1 rows).
    """
    import evaluate

    return evaluate.load(metric_path(), config_name, **kwargs)


def _to_numpy(x: Any, what: str) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor, possibly on a GPU or in half precision
        x = x.detach().float().cpu().numpy()
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise LyricMoodError(f"{what} must be a 2-D matrix, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise LyricMoodError(f"{what} contains NaN or infinite values")
    return arr


def _finish(S: np.ndarray) -> np.ndarray:
    S = np.clip((S + S.T) / 2.0, 0.0, 1.0)  # symmetrise away rounding differences
    np.fill_diagonal(S, 1.0)
    return S


def _cosine_columns(X: np.ndarray) -> np.ndarray:
    """Cosine similarity of the columns of X; a zero column is similar to nothing but itself."""
    norms = np.linalg.norm(X, axis=0)
    safe = np.where(norms > 0, norms, 1.0)
    U = X / safe
    return U.T @ U


def from_classifier_weights(weight: Any) -> np.ndarray:
    """S from a classifier's weight matrix: cosine of the label rows, negatives clipped to 0.

    ``weight`` is an (n_labels, hidden) array or tensor, an ``nn.Linear``, or a model with a
    ``.classifier`` head (its ``.weight`` is read).

    Example:
        >>> from_classifier_weights([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]]).round(3)
        array([[1.   , 0.707, 0.   ],
               [0.707, 1.   , 0.   ],
               [0.   , 0.   , 1.   ]])
    """
    if hasattr(weight, "classifier"):
        weight = weight.classifier
    if hasattr(weight, "weight") and not isinstance(weight, np.ndarray):
        weight = weight.weight
    W = _to_numpy(weight, "classifier weight")
    return _finish(_cosine_columns(W.T))


def from_cooccurrence(labels_matrix: Any, method: str = "cosine") -> np.ndarray:
    """S from how often labels occur together in a multi-label 0/1 matrix (examples x labels).

    ``method="cosine"`` (Ochiai): |A and B| / sqrt(|A| |B|), where A, B are the example sets of the
    two labels; ``method="jaccard"``: |A and B| / |A or B|. A label that never occurs is similar
    to nothing but itself. The diagonal is 1.

    Example:
        >>> Y = [[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 0]]
        >>> from_cooccurrence(Y).round(3)
        array([[1.   , 0.667, 0.   ],
               [0.667, 1.   , 0.577],
               [0.   , 0.577, 1.   ]])
        >>> from_cooccurrence(Y, method="jaccard").round(3)
        array([[1.   , 0.5  , 0.   ],
               [0.5  , 1.   , 0.333],
               [0.   , 0.333, 1.   ]])
    """
    Y = _to_numpy(labels_matrix, "labels matrix")
    if not np.isin(Y, (0.0, 1.0)).all():
        raise LyricMoodError("labels matrix must contain only 0 and 1", hint="binarise the label rows first")
    if method == "cosine":
        return _finish(_cosine_columns(Y))
    if method == "jaccard":
        both = Y.T @ Y
        counts = np.diag(both)
        union = counts[:, None] + counts[None, :] - both
        S = np.divide(both, union, out=np.zeros_like(both), where=union > 0)
        return _finish(S)
    raise LyricMoodError(f"unknown co-occurrence method {method!r}", hint="use 'cosine' or 'jaccard'")


def from_prediction_correlation(probs: Any) -> np.ndarray:
    """S from the Pearson correlation of predicted probabilities (examples x labels) over a data set.

    Negative correlations are clipped to 0; a constant column (correlation undefined) is similar
    to nothing but itself, so the result never holds NaN.

    Example:
        >>> P = [[0.9, 0.8, 0.1, 0.5], [0.2, 0.3, 0.7, 0.5], [0.5, 0.4, 0.4, 0.5]]
        >>> from_prediction_correlation(P).round(3)
        array([[1.   , 0.969, 0.   , 0.   ],
               [0.969, 1.   , 0.   , 0.   ],
               [0.   , 0.   , 1.   , 0.   ],
               [0.   , 0.   , 0.   , 1.   ]])
    """
    X = _to_numpy(probs, "predicted probabilities")
    if X.shape[0] < 2:
        raise LyricMoodError(f"need at least 2 examples to correlate predictions, got {X.shape[0]}")
    X = X - X.mean(axis=0)
    # Columns whose spread is at rounding level are constant: treat them as exactly zero.
    scale = np.abs(X).max(axis=0)
    X[:, scale <= 1e-12 * max(1.0, float(np.abs(X).max(initial=0.0)))] = 0.0
    return _finish(_cosine_columns(X))
