"""Interface strings of the Space in Korean and English (from ``ui_text.toml``), and Korean names for emotion labels.

Example:
    >>> text("tab_similar", "ko"), text("tab_similar", "en")
    ('비슷한 노래', 'Similar songs')
    >>> emotion_name("sadness", "ko"), emotion_name("sadness", "en"), emotion_name("unknown-label", "ko")
    ('슬픔', 'sadness', 'unknown-label')
"""

from __future__ import annotations

import tomllib
from importlib import resources

UI_LANGUAGES = (("한국어", "ko"), ("English", "en"))
DEFAULT_UI_LANGUAGE = "ko"

# The 28 GoEmotions labels (27 emotions + neutral). Labels of other models (KOTE, the study's 60) fall
# back to their own names.
EMOTION_NAMES_KO = {
    "admiration": "감탄",
    "amusement": "재미",
    "anger": "분노",
    "annoyance": "짜증",
    "approval": "인정",
    "caring": "배려",
    "confusion": "혼란",
    "curiosity": "호기심",
    "desire": "갈망",
    "disappointment": "실망",
    "disapproval": "못마땅함",
    "disgust": "혐오",
    "embarrassment": "당황",
    "excitement": "설렘",
    "fear": "두려움",
    "gratitude": "감사",
    "grief": "비탄",
    "joy": "기쁨",
    "love": "사랑",
    "nervousness": "긴장",
    "optimism": "낙관",
    "pride": "자부심",
    "realization": "깨달음",
    "relief": "안도",
    "remorse": "후회",
    "sadness": "슬픔",
    "surprise": "놀람",
    "neutral": "중립",
}

# One table per key, its Korean and English text: a translator edits one data file, not code.
TEXTS: dict[str, dict[str, str]] = tomllib.loads(
    resources.files(__package__).joinpath("ui_text.toml").read_text(encoding="utf-8")
)


def text(key: str, lang: str = DEFAULT_UI_LANGUAGE, **values) -> str:
    """The interface string ``key`` in ``lang`` (``"ko"`` or ``"en"``), formatted with ``values``."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**values) if values else template


def emotion_name(label: str, lang: str = DEFAULT_UI_LANGUAGE) -> str:
    """The display name of an emotion label: Korean for ``lang="ko"`` where known, else the label."""
    if lang == "ko":
        return EMOTION_NAMES_KO.get(label, label)
    return label
