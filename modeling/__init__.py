"""LyricMood model classes, registered with transformers' Auto classes in this process.

The two files beside this one are the Hub model code (copied into every saved model folder);
this ``__init__`` is only for users who have ``lyricmood`` installed.
"""

from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

from .configuration_lyricmood import LyricMoodConfig
from .modeling_lyricmood import (
    LyricMoodForSequenceClassification,
    LyricMoodModel,
    LyricMoodPreTrainedModel,
)

AutoConfig.register(LyricMoodConfig.model_type, LyricMoodConfig, exist_ok=True)
AutoModel.register(LyricMoodConfig, LyricMoodModel, exist_ok=True)
AutoModelForSequenceClassification.register(LyricMoodConfig, LyricMoodForSequenceClassification, exist_ok=True)

__all__ = [
    "LyricMoodConfig",
    "LyricMoodForSequenceClassification",
    "LyricMoodModel",
    "LyricMoodPreTrainedModel",
]
