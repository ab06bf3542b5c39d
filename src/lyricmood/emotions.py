"""Emotion labels as a listener reads them (which labels mean "no emotion", a vector's emotions in order) and a
song's emotion profile (:class:`SongEmotion`).

Kept free of torch so that queries, explanations and plots of stored vectors need no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass
class SongEmotion:
    """A song's emotion profile: one value per label, and one vector per section (its emotional arc).

    ``vector`` is the token-weighted mean of the chunk distributions; ``section_vectors[i]`` the same
    mean over the chunks of section ``sections[i]``. ``feature`` is the token-weighted mean of the chunks'
    pooled emotion features (what the classifier reads): what songs are ranked by, since on real lyrics it
    finds same-mood songs more often than the probabilities do (README, "Real lyrics"); the probabilities
    explain and draw. ``meaning``, when the model reads meaning too, is the song's semantic embedding read in
    context (:mod:`lyricmood.meaning`): songs are then ranked by mood and meaning together
    (:mod:`lyricmood.fusion`).
    """

    vector: np.ndarray
    labels: list[str]
    sections: list[str]
    section_vectors: np.ndarray
    num_chunks: int
    num_tokens: int = 0
    feature: np.ndarray | None = None
    meaning: np.ndarray | None = None

    def top(self, k: int = 5, *, include_neutral: bool = False) -> list[tuple[str, float]]:
        """The ``k`` strongest emotions, strongest first (ties: label order).

        Labels that mean "no emotion" (:data:`NON_EMOTION_LABELS`) are left out unless ``include_neutral``:
        lyric lines often read as neutral, and "neutral" first tells a listener nothing (see :attr:`neutral`).
        """
        order = ranked_emotions(self.vector, self.labels, include_neutral=include_neutral)[: max(0, k)]
        return [(self.labels[i], float(self.vector[i])) for i in order]

    @property
    def neutral(self) -> float | None:
        """The score of the model's "no emotion" label (``neutral``, ``없음``), or None if it has none."""
        values = [float(v) for label, v in zip(self.labels, self.vector) if label in NON_EMOTION_LABELS]
        return max(values) if values else None

    def to_dict(self) -> dict:
        return {
            "labels": list(self.labels),
            "vector": [float(v) for v in self.vector],
            "sections": list(self.sections),
            "section_vectors": [[float(v) for v in row] for row in self.section_vectors],
            "num_chunks": self.num_chunks,
            "num_tokens": self.num_tokens,
        }
