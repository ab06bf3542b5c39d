"""Emotion labels as a listener reads them: which labels mean "no emotion", and a vector's emotions in order.

Kept free of torch so that explanations and plots of stored vectors need no model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: labels that mean "no emotion" in the taxonomies lyricmood trains on (GoEmotions and XED ``neutral``, KOTE
#: ``없음``): shown apart, never as a song's top emotion or as the reason two songs are alike
NON_EMOTION_LABELS = frozenset({"neutral", "없음"})


def ranked_emotions(scores: np.ndarray, labels: Sequence[str], *, include_neutral: bool = False) -> np.ndarray:
    """Label positions by ``scores``, highest first (ties: label order), without :data:`NON_EMOTION_LABELS`
    unless ``include_neutral``.

    Example:
        >>> ranked_emotions(np.array([0.2, 0.7, 0.1]), ["joy", "neutral", "sadness"]).tolist()
        [0, 2]
    """
    order = np.lexsort((np.arange(len(labels)), -np.asarray(scores, dtype=np.float64)))
    return np.array([i for i in order if include_neutral or labels[i] not in NON_EMOTION_LABELS], dtype=np.int64)
