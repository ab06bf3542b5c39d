"""What the Space takes in and what it shows of it: raw input values checked, user text escaped.

Recommendation events take the raw values (``preprocess=False``), so a wrong type sent to the API
(``k="abc"``, a text year, ``None`` sliders) gets a clear message in the page instead of Gradio's opaque
error: the ``parse_*`` functions below turn them into a song, lyrics, a mood, ``k`` and :class:`Filters`, or
raise :class:`UserInputError`, worded in the visitor's language. Limits apply before any scoring: pasted
lyrics up to :data:`MAX_LYRICS_CHARS` characters, a song id or title up to :data:`MAX_SONG_CHARS` (looked up
as an id or an exact title only, never scored as lyrics).

Every piece of user text a page shows (ids, titles, artists, section names, echoed input, error messages)
is escaped: Gradio's sanitizer keeps links, images, forms and styles, so that is not enough. Messages are
Markdown, escaped with :func:`escape_markdown` (HTML *and* Markdown syntax, LaTeX off); table cells are HTML
columns escaped with :func:`escape_html`; plot labels escape matplotlib's ``$`` math
(:func:`escape_plot_text`). Dropdown labels are the exception: the component sets them as text.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .catalog import MAX_YEAR
from .errors import LyricMoodError
from .formatting import terminal_safe
from .ui_text import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, emotion_name, text

if TYPE_CHECKING:
    from .filters import Filters

MAX_LYRICS_CHARS = 20_000
MAX_SONG_CHARS = 300  # ids and titles are short; anything longer is not a song of the catalog
MAX_K = 50
DEFAULT_K = 10
YEAR_BOUNDS = (1, MAX_YEAR)  # 0 in a year box means "no bound": no song is from year 0

# The values of the choice controls.
SOURCE_BUILTIN, SOURCE_UPLOAD = "builtin", "upload"
LANG_ANY = "any"
SONG_LANGUAGES = ("ko", "en")


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
    put in an attribute); control characters and bidirectional overrides (U+202E would show a title reversed) are
    dropped, as the CLI drops them (:func:`lyricmood.formatting.terminal_safe`)."""
    return html.escape(terminal_safe(value), quote=False)


def escape_markdown(value: Any) -> str:
    """``value`` as one line of literal text inside Markdown (Gradio's ``gr.Markdown``, toasts).

    HTML is escaped; Markdown's punctuation becomes numeric entities, so ``[x](url)``, ``![](img)``,
    bare ``https://`` / ``www.`` links and ``$$`` math stay text; line breaks become spaces (no
    headings, lists or tables can start).
    """
    escaped = escape_html(" ".join(str(value).split())).translate(_MARKDOWN_ENTITIES)
    return re.sub(r"(?i)(www)\.", r"\1&#46;", escaped.replace("://", "&#58;//"))


def escape_plot_text(value: Any) -> str:
    """Text for a matplotlib label: ``$`` would start mathtext (and a stray one fails the render); controls and
    bidirectional overrides dropped."""
    return terminal_safe(value).replace("$", r"\$")


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
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:  # a lone surrogate, which every tokenizer refuses
        raise UserInputError("err_invalid_text", field=field, char=f"U+{ord(value[err.start]):04X}",
                             position=err.start + 1) from None
    return value


def interface_language(value: Any) -> str:
    """The interface language; anything unknown falls back to the default (messages need a language)."""
    return value if value in {code for _, code in UI_LANGUAGES} else DEFAULT_UI_LANGUAGE


# -- the queries and controls of a recommendation ---------------------------------------------------


def parse_song(value: Any) -> str:
    """A song id or title as typed (not yet looked up): text, not empty, at most :data:`MAX_SONG_CHARS`."""
    song = _text(value, "song").strip()
    if not song:
        raise UserInputError("err_no_song")
    if len(song) > MAX_SONG_CHARS:
        raise UserInputError("err_long_song", n=len(song), limit=MAX_SONG_CHARS)
    return song


#: the most seed songs one "fits a set" query takes
MAX_SEEDS = 20


def parse_songs(value: Any) -> list[str]:
    """Seed songs as picked (a list of ids or titles, or one): each checked as :func:`parse_song`, 1 to
    :data:`MAX_SEEDS` of them."""
    songs = [value] if isinstance(value, str) else list(value or []) if isinstance(value, (list, tuple)) else value
    if not isinstance(songs, list) or not songs:
        raise UserInputError("err_no_song")
    if len(songs) > MAX_SEEDS:
        raise UserInputError("err_many_seeds", n=len(songs), limit=MAX_SEEDS)
    return [parse_song(song) for song in songs]


def parse_steps(value: Any, limit: int) -> int:
    """A journey's number of steps: a whole number from 1 to ``limit``."""
    steps = _number(value, "steps")
    if steps is None or steps != int(steps):
        raise UserInputError("err_not_number", field="steps", value=_shown(value))
    return int(_in_range(steps, 1, limit, "steps"))


def parse_lyrics(value: Any) -> str:
    """Pasted lyrics: text with something in it, at most :data:`MAX_LYRICS_CHARS` characters."""
    lyrics = _text(value, "lyrics")
    if not lyrics.strip():
        raise UserInputError("err_empty_lyrics")
    if len(lyrics) > MAX_LYRICS_CHARS:
        raise UserInputError("err_long_lyrics", n=len(lyrics), limit=MAX_LYRICS_CHARS)
    return lyrics


def parse_mood(value: dict[str, Any] | None) -> dict[str, float]:
    """The mood sliders ``{emotion: weight in [0, 1]}`` that are above 0 (``None`` counts as 0); one at least."""
    wanted = {}
    for label, raw in (value or {}).items():
        weight = _number(raw, emotion=label)
        if weight:
            wanted[label] = _in_range(weight, 0.0, 1.0, emotion=label)
    if not wanted:
        raise UserInputError("err_mood_zero")
    return wanted


def parse_source(value: Any) -> str:
    """Which catalog: :data:`SOURCE_BUILTIN` (the default) or :data:`SOURCE_UPLOAD`."""
    return _choice(value, (SOURCE_BUILTIN, SOURCE_UPLOAD), "source", SOURCE_BUILTIN)


def parse_k(value: Any) -> int:
    """How many songs: a whole number from 1 to :data:`MAX_K` (empty: :data:`DEFAULT_K`)."""
    k = _number(value, "k")
    k = DEFAULT_K if k is None else _in_range(k, 1, MAX_K, "k")
    if k != int(k):
        raise UserInputError("err_not_number", field="k", value=_shown(value))
    return int(k)


def _year(value: Any, field: str) -> int | None:
    year = _number(value, field)
    if year is None or year == 0:  # 0: an empty box in some browsers; no song is from year 0
        return None
    year = _in_range(year, *YEAR_BOUNDS, field)
    if year != int(year):
        raise UserInputError("err_not_number", field=field, value=_shown(value))
    return int(year)


#: the Dig control's choice for a plain list (else one of lyricmood.filters.DIG_GROUPS)
DIG_NONE = "none"


def parse_filters(
    exclude_same_artist: Any, year_from: Any, year_to: Any, lang_filter: Any, diversity: Any, mood_weight: Any = None,
    dig: Any = DIG_NONE,
) -> Filters:
    """The filter controls' values (each checked and worded for the visitor) as the recommender's :class:`Filters`
    (``mood_weight`` None: the catalog's own; ``dig``: "none", "decades" or "languages")."""
    from .filters import DIG_GROUPS, Filters

    lang = _choice(lang_filter, (LANG_ANY, *SONG_LANGUAGES), "lang_filter", LANG_ANY)
    dig = _choice(dig, (DIG_NONE, *DIG_GROUPS), "dig", DIG_NONE)
    diversity = _number(diversity, "diversity")
    mood_weight = _number(mood_weight, "mood_weight")
    lo, hi = _year(year_from, "year_from"), _year(year_to, "year_to")
    try:
        return Filters(
            exclude_same_artist=_flag(exclude_same_artist, "exclude_same_artist"),
            year_range=None if lo is None and hi is None else (lo, hi),  # None: an open end
            lang=None if lang == LANG_ANY else lang,
            diversity=0.0 if diversity is None else _in_range(diversity, 0.0, 1.0, "diversity"),
            mood_weight=None if mood_weight is None else _in_range(mood_weight, 0.0, 1.0, "mood_weight"),
            dig=None if dig == DIG_NONE else dig,
        )
    except LyricMoodError as err:  # the one check Filters makes that the boxes alone cannot: the order
        if err.field == "years":
            raise UserInputError("err_year_order", lo=lo, hi=hi) from None
        raise
