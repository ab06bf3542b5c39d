"""What the Space takes in and what it shows of it: raw input values checked, user text escaped.

Recommendation events take the raw values (``preprocess=False``): the helpers below turn them into numbers,
choices, flags and text, or raise :class:`UserInputError`, worded in the visitor's language. Every piece of
user text a page shows goes through :func:`escape_markdown` (messages), :func:`escape_html` (table cells) or
:func:`_plot_text` (plot labels).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

from .ui_text import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, emotion_name, text


class UserInputError(Exception):
    """A problem with what the visitor entered; worded from ``ui_text`` in the visitor's language.

    ``field``: the ``ui_text`` key of the control concerned (or ``emotion``: a mood slider's label).
    String values echo the visitor's input and are escaped when the message is worded.
    """

    def __init__(self, key: str, *, field: str | None = None, emotion: str | None = None, **values: Any):
        super().__init__(key)
        self.key = key
        self.field = field
        self.emotion = emotion
        self.values = values

    def text(self, lang: str) -> str:
        values = {k: escape_markdown(v) if isinstance(v, str) else v for k, v in self.values.items()}
        if self.field is not None:
            values["field"] = escape_markdown(text(self.field, lang))
        elif self.emotion is not None:
            values["field"] = escape_markdown(emotion_name(self.emotion, lang))
        return text(self.key, lang, **values)


# -- escaping -------------------------------------------------------------------------------------

# ASCII punctuation that inline Markdown acts on (links and images need "[", emphasis and code "*_~`",
# tables "|", e-mail autolinks "@", LaTeX "$", escapes "\\"), written as numeric entities: the browser
# shows the character, Markdown sees none. Bare-URL autolinks are broken at "://" and "www." below.
_MARKDOWN_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]|~@$"}


def escape_html(value: Any) -> str:
    """``value`` as text safe inside HTML: ``&``, ``<`` and ``>`` become entities (user text is never
    put in an attribute)."""
    return html.escape(str(value), quote=False)


def escape_markdown(value: Any) -> str:
    """``value`` as one line of literal text inside Markdown (Gradio's ``gr.Markdown``, toasts).

    HTML is escaped; Markdown's punctuation becomes numeric entities, so ``[x](url)``, ``![](img)``,
    bare ``https://`` / ``www.`` links and ``$$`` math stay text; line breaks become spaces (no
    headings, lists or tables can start).
    """
    escaped = escape_html(" ".join(str(value).split())).translate(_MARKDOWN_ENTITIES)
    return re.sub(r"(?i)(www)\.", r"\1&#46;", escaped.replace("://", "&#58;//"))


def _plot_text(value: Any) -> str:
    """Text for a matplotlib label: ``$`` would start mathtext (and a stray one fails the render)."""
    return str(value).replace("$", r"\$")


# -- raw input from the page or the API (events run with preprocess=False) --------------------------


def _shown(value: Any) -> str:
    """How a bad value is echoed in a message (short; escaped when the message is worded)."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _number(value: Any, field: str | None = None, *, emotion: str | None = None) -> float | None:
    """A finite number from a raw input value; ``None`` or ``""`` (an empty box) → ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if isinstance(value, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise UserInputError("err_not_number", field=field, emotion=emotion, value=_shown(value))
    return float(number)


def _in_range(value: float, lo: float, hi: float, field: str | None = None, *, emotion: str | None = None) -> float:
    if not lo <= value <= hi:
        raise UserInputError("err_out_of_range", field=field, emotion=emotion, value=f"{value:g}", lo=f"{lo:g}",
                             hi=f"{hi:g}")
    return value


def _choice(value: Any, choices: Sequence[str], field: str, default: str) -> str:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in choices:
        raise UserInputError("err_not_choice", field=field, value=_shown(value), choices=", ".join(choices))
    return value


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise UserInputError("err_not_bool", field=field, value=_shown(value))


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserInputError("err_not_text", field=field, value=_shown(value))
    return value


def _ui_lang(value: Any) -> str:
    """The interface language; anything unknown falls back to the default (messages need a language)."""
    return value if value in {code for _, code in UI_LANGUAGES} else DEFAULT_UI_LANGUAGE
