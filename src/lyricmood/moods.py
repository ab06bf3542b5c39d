"""A mood mix such as ``{"sadness": 0.7, "love": 0.3}``: read from text and checked into weights over the labels.

The recommender turns the weights into a query (:meth:`~lyricmood.recommender.Recommender.similar_to_mood`).

Example:
    >>> parse_mood("sadness=0.7, love")
    {'sadness': 0.7, 'love': 1.0}
    >>> mood_weights({"sadness": 3, "love": 1}, ["joy", "sadness", "love"]).tolist()
    [0.0, 0.75, 0.25]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .errors import LyricMoodError, LyricMoodTypeError


def parse_mood(text: str) -> dict[str, float]:
    """``"sadness=0.7, love=0.3"`` → ``{"sadness": 0.7, "love": 0.3}`` (a bare name weighs 1)."""
    mood: dict[str, float] = {}
    for part in str(text).split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        try:
            mood[name.strip()] = float(value) if sep else 1.0
        except ValueError:
            raise LyricMoodError(
                f"bad weight {value.strip()!r} for {name.strip()!r}",
                field="mood",
                hint='write e.g. "sadness=0.7,love=0.3"',
            ) from None
    if not mood:
        raise LyricMoodError("the mood is empty", field="mood", hint='write e.g. "sadness=0.7,love=0.3"')
    return mood


def mood_weights(mood: Mapping[str, float], labels: Sequence[str]) -> np.ndarray:
    """The weights of ``mood`` over ``labels`` (each ≥ 0, at least one > 0), normalised to sum 1."""
    if not isinstance(mood, Mapping):
        raise LyricMoodTypeError(
            f"the mood must be a mapping of emotions to weights, got {type(mood).__name__}",
            field="mood",
            hint='e.g. {"sadness": 0.7, "love": 0.3}; parse_mood("sadness=0.7,love=0.3") reads text',
        )
    if not mood:
        raise LyricMoodError(
            "the mood is empty", field="mood", hint='give emotions with weights, e.g. {"sadness": 0.7, "love": 0.3}'
        )
    position = {label: i for i, label in enumerate(labels)}
    w = np.zeros(len(labels), dtype=np.float64)
    unknown = [name for name in mood if name not in position]
    if unknown:
        raise LyricMoodError(
            f"unknown emotion{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
            field="mood",
            hint=f"use the model's labels: {', '.join(labels)}",
        )
    for name, weight in mood.items():
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            raise LyricMoodError(f"the weight of {name!r} is not a number: {weight!r}", field="mood") from None
        if not np.isfinite(weight) or weight < 0:
            raise LyricMoodError(f"the weight of {name!r} must be a finite number ≥ 0, got {weight}", field="mood")
        w[position[name]] += weight
    if w.max() <= 0:
        raise LyricMoodError("every mood weight is 0", field="mood", hint="give at least one positive weight")
    w /= w.max()  # first, so that huge weights (1e308) do not overflow the sum to infinity
    w /= w.sum()
    return w
