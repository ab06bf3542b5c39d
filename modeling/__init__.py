"""LyricMood model classes (loaded on first use).

The two files beside this one are the Hub model code (copied into every saved model folder); this
``__init__`` is only for users who have ``lyricmood`` installed. Importing it loads nothing: the classes
load when first used, and ``import lyricmood`` registers them with transformers' Auto classes when those
load (see ``lyricmood.auto_registration``).
"""

import importlib

_CLASSES = {
    "LyricMoodConfig": "configuration_lyricmood",
    "LyricMoodForSequenceClassification": "modeling_lyricmood",
    "LyricMoodModel": "modeling_lyricmood",
    "LyricMoodPreTrainedModel": "modeling_lyricmood",
}

__all__ = sorted(_CLASSES)


def __getattr__(name: str):
    if name not in _CLASSES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_CLASSES[name]}", __name__), name)
