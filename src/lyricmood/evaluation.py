"""Classification metrics for emotion models: plain and similarity-weighted F1, thresholds, reports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Nothing heavy at import: `lyricmood evaluate` checks its data before torch, transformers and evaluate load.

THRESHOLD_GRID = np.round(np.arange(0.02, 0.951, 0.01), 2)


def tune_thresholds(probs: np.ndarray, labels: np.ndarray, grid: np.ndarray = THRESHOLD_GRID) -> np.ndarray:
    """Per-label decision thresholds that maximise each label's F1 on (validation) data.

    Ties go to the threshold nearest 0.5; a label that never occurs keeps 0.5.

    Example:
        >>> probs = np.array([[0.9, 0.2], [0.35, 0.6], [0.1, 0.7]])
        >>> labels = np.array([[1, 0], [1, 1], [0, 1]])
        >>> tune_thresholds(probs, labels, grid=np.array([0.3, 0.5, 0.8])).tolist()
        [0.3, 0.5]
    """
    probs = np.asarray(probs, dtype=np.float32)
    labels = np.asarray(labels).astype(bool)
    decided = probs[None, :, :] >= grid[:, None, None]  # (G, N, L)
    tp = (decided & labels[None]).sum(axis=1)
    fp = (decided & ~labels[None]).sum(axis=1)
    fn = (~decided & labels[None]).sum(axis=1)
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)  # (G, L)
    # Among the best thresholds of each label, take the one closest to 0.5.
    best = f1 >= f1.max(axis=0, keepdims=True) - 1e-12
    distance = np.where(best, np.abs(grid - 0.5)[:, None], np.inf)
    thresholds = grid[distance.argmin(axis=0)]
    thresholds[labels.sum(axis=0) == 0] = 0.5
    return thresholds.astype(float)


def multi_hot(label_lists: Sequence[Sequence[int]], num_labels: int, dtype=np.int64) -> np.ndarray:
    """Rows of label ids → a (rows, num_labels) 0/1 matrix.

    >>> multi_hot([[0, 2], [], [1]], 3).tolist()
    [[1, 0, 1], [0, 0, 0], [0, 1, 0]]
    """
    matrix = np.zeros((len(label_lists), num_labels), dtype=dtype)
    for row, ids in zip(matrix, label_lists):
        row[list(ids)] = 1
    return matrix


def references_from_labels(label_lists: Sequence, problem_type: str, num_labels: int) -> np.ndarray:
    """A split's gold labels as the metrics take them: 0/1 rows (multi-label, from lists of label ids) or class ids."""
    if problem_type == "multi_label_classification":
        return multi_hot(label_lists, num_labels)
    return np.asarray(label_lists)


def classification_metrics(
    probs: np.ndarray,
    references: np.ndarray,
    *,
    problem_type: str,
    label_names: Sequence[str],
    thresholds: Sequence[float] | None = None,
    label_similarity: np.ndarray | None = None,
    errors_path: str | Path | None = None,
) -> dict:
    """Macro/micro F1 (scikit-learn), the similarity-weighted F1 (our `evaluate` metric) and a per-label table.

    `references` are class ids (single-label) or 0/1 rows (multi-label). `errors_path`: where to draw the
    decisions' error heatmap (:func:`error_matrix`), if anywhere.
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    from .inference import decide

    predictions = decide(probs, problem_type, thresholds)
    references = np.asarray(references)
    n = len(label_names)
    if errors_path is not None:
        plot_errors(error_matrix(predictions, references, problem_type, n), label_names, errors_path, problem_type)
    label_ids = list(range(n))
    multilabel = problem_type == "multi_label_classification"
    from .label_similarity import load_metric

    metric = load_metric("multilabel" if multilabel else "single_label")
    weighted = metric.compute(
        predictions=predictions.tolist(),
        references=references.tolist(),
        label_similarity=label_similarity if label_similarity is not None else np.eye(n),
        average="macro",
        num_labels=n,
    )
    sk_labels = None if multilabel else label_ids
    precision, recall, f1, support = precision_recall_fscore_support(
        references, predictions, labels=sk_labels, zero_division=0.0
    )
    return {
        "macro_f1": float(f1_score(references, predictions, labels=sk_labels, average="macro", zero_division=0.0)),
        "micro_f1": float(f1_score(references, predictions, labels=sk_labels, average="micro", zero_division=0.0)),
        "similarity_weighted_f1": float(weighted["similarity_weighted_f1"]),
        "per_label": [
            {"label": name, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(label_names, precision, recall, f1, support)
        ],
        "num_examples": int(len(references)),
    }


def format_per_label(per_label: list[dict]) -> str:
    """A plain-text table of per-label precision, recall, F1 and support."""
    width = max(8, *(len(row["label"]) for row in per_label))
    lines = [f"{'label':<{width}}  precision  recall     f1  support"]
    for row in per_label:
        lines.append(
            f"{row['label']:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  {row['f1']:5.3f}  {row['support']:7d}"
        )
    return "\n".join(lines)


def error_matrix(predictions: np.ndarray, references: np.ndarray, problem_type: str, n: int) -> np.ndarray:
    """Row-normalised confusion (single-label) or co-error matrix (multi-label).

    Multi-label: cell (g, p) is the share of examples with gold label g where p was predicted although it
    was not gold — which wrong emotions a true one drags along. The diagonal is the recall of g.
    """
    predictions = np.asarray(predictions)
    references = np.asarray(references)
    if problem_type == "single_label_classification":
        counts = np.zeros((n, n))
        np.add.at(counts, (references, predictions), 1)
    else:
        wrong = predictions.astype(bool) & ~references.astype(bool)
        counts = references.T.astype(float) @ wrong.astype(float)
        counts[np.diag_indices(n)] = (references.astype(bool) & predictions.astype(bool)).sum(axis=0)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True) if problem_type == "single_label_classification"
                               else references.sum(axis=0)[:, None], 1)


def plot_errors(matrix: np.ndarray, label_names: Sequence[str], path: str | Path, problem_type: str) -> Path:
    """Heatmap PNG of :func:`error_matrix`."""
    from .plots import plot_heatmap

    title = "Confusion (row-normalised)" if problem_type == "single_label_classification" else "Co-errors: gold → wrongly predicted"
    plot_heatmap(matrix, label_names, label_names, path=path, title=title, xlabel="predicted", ylabel="gold",
                 vmax=max(float(matrix.max()), 1e-9))
    return Path(path)


def load_labelled_dataset(name: str, config_name: str | None = None, data_dir: str | None = None):
    """(DatasetDict with `text` and `labels`, label names, problem type) for a labelled builder.

    Single-label builders name their column `label`; it becomes `labels`, as multi-label builders have it.
    """
    from .datasets_scripts import load_builder_dataset

    dataset = load_builder_dataset(name, config_name, data_dir=data_dir)
    first = next(iter(dataset.values()))
    if "labels" not in first.column_names and "label" in first.column_names:
        dataset = dataset.rename_column("label", "labels")
    feature = next(iter(dataset.values())).features["labels"]
    if hasattr(feature, "names"):
        return dataset, list(feature.names), "single_label_classification"
    return dataset, list(feature.feature.names), "multi_label_classification"


def evaluate_model(
    model: str,
    *,
    dataset: str = "goemotions",
    dataset_config: str | None = None,
    data_dir: str | None = None,
    split: str = "test",
    batch_size: int = 128,
    out_dir: str | Path | None = None,
    label_similarity: str = "classifier",
) -> dict:
    """Score `model` ('default', a folder or a Hub id) on one split, with the model's own thresholds.

    `label_similarity` picks S for the similarity-weighted F1: "classifier" (cosine of the model's label
    rows, the default) or "cooccurrence" (of the labels in the train split: the same S for every model,
    so that models can be compared).
    """
    import json

    from .default_model import load_predictor
    from .errors import LyricMoodError
    from .io import write_text_atomic
    from .label_similarity import from_classifier_weights, from_cooccurrence

    if label_similarity not in ("classifier", "cooccurrence"):  # before the model loads and predicts
        raise LyricMoodError(f"unknown label similarity {label_similarity!r}", field="label_similarity",
                             hint="use classifier or cooccurrence")
    # The data first: a bad --data-dir or --split is reported before the model loads.
    data, names, _ = load_labelled_dataset(dataset, dataset_config, data_dir)
    if split not in data:
        raise LyricMoodError(f"no split {split!r} in {dataset}", field="split", hint=f"use one of {list(data)}")
    part = data[split]
    predictor = load_predictor(model, meaning_model=None, batch_size=batch_size)
    if names != predictor.labels:
        raise LyricMoodError(f"the model's labels do not match {dataset}'s", hint="evaluate on the data it was trained for")
    probs = predictor.predict(part["text"])
    config = predictor.config
    references = references_from_labels(part["labels"], config.problem_type, len(names))
    if label_similarity == "cooccurrence" and config.problem_type == "multi_label_classification":
        similarity = from_cooccurrence(multi_hot(data["train"]["labels"], len(names)))
    else:
        similarity = from_classifier_weights(predictor.model.classifier.weight)
    result = classification_metrics(
        probs, references, problem_type=config.problem_type, label_names=names,
        thresholds=config.decision_thresholds, label_similarity=similarity,
        errors_path=None if out_dir is None else Path(out_dir) / f"errors_{split}.png",
    )
    result["label_similarity"] = label_similarity
    if out_dir is not None:
        write_text_atomic(Path(out_dir) / "results.json", json.dumps(result, indent=2, ensure_ascii=False))
    return result
