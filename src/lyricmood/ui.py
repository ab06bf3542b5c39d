"""The lyricmood Space: a Gradio app over the library's recommender (Korean or English interface).

``build_demo()`` lays out the app and wires each control to a handler of :class:`SpaceHandlers`; the
handlers are plain methods (testable without a server) that call the library: the recommender,
the lyrics-catalog builder, the index builder and the plots. Every event is also an API endpoint
(``api_name=``), so ``gradio_client`` can drive the app.

Queue and concurrency, chosen deliberately (a free Space has 2 CPU cores):

* A catalog song or a mood needs no model (the catalog's vectors are in the index): ranking takes
  milliseconds. These events (``/recommend_song``, ``/recommend_mood``, the ``?song=`` page load, the
  catalog switch) share their own pool (``concurrency_id="catalog"``, 4 workers), so they never wait
  behind inference.
* Pasted lyrics must be scored by the model: ``/recommend_lyrics`` has its own pool of 1
  (``"model"``); torch already spreads one request over both cores, a second at once would only
  time-slice them. Indexing an upload (up to :data:`MAX_UPLOAD_SONGS` songs) has a pool of 1 (``"index"``).
* Figures are off the critical path: a recommendation answers with its table and message, then a
  chained event (``/song_figures``, ``/mood_figure``, pool ``"figures"`` of 1) renders the plots
  (matplotlib takes ~0.4 s per recommendation, ten times the ranking). A catalog song's emotion
  profile, arc and heatmap are rendered once and cached (:data:`FIGURE_CACHE_SIZE` entries).
* ``max_size=64``: a visitor beyond 64 waiting requests is told the queue is full at once.

Input: recommendation events take the raw values (``preprocess=False``) and validate them
(:mod:`lyricmood.ui_input`), so a wrong type sent to the API (``k="abc"``, a text year, ``None``
sliders) gets a clear message in the page instead of Gradio's opaque error. Limits apply before any
scoring: pasted lyrics up to :data:`MAX_LYRICS_CHARS` characters, a song id or title up to
:data:`MAX_SONG_CHARS` (looked up as an id or an exact title only, never scored as lyrics); uploads up
to :data:`MAX_UPLOAD_BYTES` bytes and :data:`MAX_UPLOAD_SONGS` songs of at most :data:`MAX_LYRICS_CHARS`
characters each, CSV or JSON Lines in UTF-8. An upload is indexed into the visitor's session
(``gr.State``), never replaces the built-in catalog, and the uploaded file is deleted once it is indexed
or rejected.

Output: every piece of user text (ids, titles, artists, section names, echoed input, error messages)
is escaped before it is shown: Gradio's sanitizer keeps links, images, forms and styles, so that is
not enough. Messages are Markdown, escaped with :func:`~lyricmood.ui_input.escape_markdown` (HTML *and*
Markdown syntax, LaTeX off); table cells are HTML columns escaped with
:func:`~lyricmood.ui_input.escape_html`; plot labels escape matplotlib's ``$`` math. Dropdown labels are
the exception: the component sets them as text.

Opening the app with ``?song=<id or title>`` (and optionally ``&lang=en``) runs that song's
recommendation on page load, so a link shows a result straight away.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LyricMoodError
from .ui_input import (
    UserInputError,
    _choice,
    _flag,
    _in_range,
    _number,
    _plot_text,
    _shown,
    _text,
    _ui_lang,
    escape_html,
    escape_markdown,
)
from .ui_text import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, emotion_name, text

if TYPE_CHECKING:  # gradio, pandas and the model stack load only when the app is built
    import gradio as gr
    import pandas as pd

    from .filters import Filters
    from .recommender import Recommender

logger = logging.getLogger(__name__)

MAX_LYRICS_CHARS = 20_000
MAX_SONG_CHARS = 300  # ids and titles are short; anything longer is not a song of the catalog
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_SONGS = 2_000
MAX_K = 50
DEFAULT_K = 10
YEAR_BOUNDS = (1, 9999)
HEATMAP_SONGS = 12  # the query plus this many recommendations: more would make the cells unreadable
UPLOAD_SUFFIXES = (".csv", ".jsonl")
UPLOAD_TTL_S = 6 * 3600  # an idle session's uploaded index is freed after this long
FIGURE_CACHE_SIZE = 512  # rendered catalog-song figures kept (~40 KB each)
QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}
#: concurrency pools: (concurrency_id, workers); see the module docstring
POOLS = {"catalog": 4, "model": 1, "index": 1, "figures": 1}

# Emotions offered as "describe a mood" sliders (those the model knows; the first labels otherwise).
MOOD_EMOTIONS = ("joy", "love", "sadness", "anger", "fear", "optimism", "gratitude", "nervousness")

SOURCE_BUILTIN, SOURCE_UPLOAD = "builtin", "upload"
LANG_ANY = "any"
SONG_LANGUAGES = ("ko", "en")
RESULT_COLUMNS = ("col_rank", "col_title", "col_artist", "col_year", "col_lang", "col_score", "col_shared")
RESULT_TYPES = ["number", "html", "html", "number", "html", "number", "html"]
RESULT_WIDTHS = ["7%", "22%", "19%", "8%", "9%", "10%", "25%"]
BROWSE_COLUMNS = ("col_id", "col_title", "col_artist", "col_year", "col_lang", "col_top")
BROWSE_TYPES = ["html", "html", "html", "number", "html", "html"]


def _k(value: Any, available: int) -> int:
    k = _number(value, "k")
    k = DEFAULT_K if k is None else _in_range(k, 1, MAX_K, "k")
    if k != int(k):
        raise UserInputError("err_not_number", field="k", value=_shown(value))
    return max(1, min(int(k), available))


def _year(value: Any, field: str) -> int | None:
    year = _number(value, field)
    if year is None or year == 0:  # 0: an empty box in some browsers; no song is from year 0
        return None
    year = _in_range(year, *YEAR_BOUNDS, field)
    if year != int(year):
        raise UserInputError("err_not_number", field=field, value=_shown(value))
    return int(year)


@dataclasses.dataclass
class UploadedCatalog:
    """A visitor's own catalog, indexed, kept in their session only."""

    name: str
    index: Any  # lyricmood.index.SongIndex
    recommender: Any = dataclasses.field(default=None, repr=False)  # built on first use, shares the predictor
    key: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)  # names its cached figures


@dataclasses.dataclass
class FigureRequest:
    """What the figures of one recommendation need; the recommendation event hands it to the figure event.

    ``cache_key`` (catalog, song id) is set for a catalog song, whose figures are cached.
    """

    lang: str
    name: str  # the query's display name
    labels: list[str]  # the model's labels
    vector: np.ndarray
    song_emotion: Any = None  # SongEmotion with sections (the arc), or None
    heatmap_vectors: np.ndarray | None = None  # the query's and its recommendations' vectors
    heatmap_names: list[str] = dataclasses.field(default_factory=list)
    heatmap_ids: tuple = ()
    similarity: str | None = None  # the recommender's similarity (None: the default)
    center: np.ndarray | None = None
    cache_key: tuple | None = None
    mood: bool = False  # a described mood: one bar chart of the requested weights


@dataclasses.dataclass
class Result:
    """What a recommendation handler returns, in the order of the app's outputs."""

    table: pd.DataFrame
    message: str
    figures: FigureRequest | None = None

    def as_tuple(self) -> tuple:
        return self.table, self.message, self.figures


# -- small helpers ---------------------------------------------------------------------------------


def _columns(keys: Sequence[str], lang: str) -> list[str]:
    return [text(key, lang) for key in keys]


def _empty_table(keys: Sequence[str], lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=_columns(keys, lang))


def _error_markdown(message: str) -> str:
    return f"⚠️ {message}"


def _emotions_text(pairs: Sequence[tuple[str, float]], lang: str) -> str:
    return ", ".join(f"{escape_markdown(emotion_name(label, lang))} {value:.2f}" for label, value in pairs)


def _top_pairs(vector: np.ndarray, labels: Sequence[str], k: int = 3) -> list[tuple[str, float]]:
    order = np.argsort(-np.asarray(vector, dtype=np.float64), kind="stable")[:k]
    return [(labels[i], float(vector[i])) for i in order]


def _song_label(meta: dict) -> str:
    title = meta.get("title") or meta.get("id", "?")
    artist = meta.get("artist") or ""
    year = meta.get("year")
    label = f"{title} — {artist}" if artist else title
    return f"{label} ({year})" if year not in (None, "") else label


def _file_path(file: Any) -> Path | None:
    """The path of an uploaded file: a path string, a FileData dict (raw API value), or an object with
    ``.path`` / ``.name`` (older clients)."""
    if file is None:
        return None
    if isinstance(file, dict):
        file = file.get("path") or file.get("name")
    elif not isinstance(file, (str, Path)):
        file = getattr(file, "path", None) or getattr(file, "name", None)
    if not isinstance(file, (str, Path)) or not str(file):
        raise UserInputError("err_no_file")
    return Path(file)


def _tracked(rows: list[dict], progress: Any, desc: str):
    """Yield ``rows``, reporting to a ``gr.Progress`` (if any) as each is consumed."""
    for done, row in enumerate(rows):
        if progress is not None:
            progress((done, len(rows)), desc=desc, unit="songs")
        yield row


def _rendered(figure: Any) -> Any:
    """A matplotlib Figure rendered once into what ``gr.Plot`` sends to the browser (cacheable)."""
    from gradio.components.plot import PlotData
    from gradio.processing_utils import encode_plot_to_base64

    return PlotData(type="matplotlib", plot=encode_plot_to_base64(figure, "webp"))


def read_catalog_file(path: str | Path, display_name: str | None = None) -> list[dict]:
    """Rows of an uploaded CSV / JSON Lines catalog, validated by the ``LyricsCatalog`` builder.

    Raises ``LyricMoodError`` for a bad file; the message names ``display_name`` rather than the
    temporary upload path.
    """
    from .datasets_scripts.lyrics_catalog import LyricsCatalog

    path = Path(path)
    display_name = display_name or path.name
    cache = tempfile.mkdtemp(prefix="lyricmood-upload-")
    try:
        builder = LyricsCatalog(data_files=str(path), cache_dir=cache)
        builder.download_and_prepare()
        return [dict(row) for row in builder.as_dataset(split="train")]
    except LyricMoodError as err:
        raise LyricMoodError(str(err).replace(str(path.resolve()), display_name).replace(str(path), display_name)) from None
    finally:
        shutil.rmtree(cache, ignore_errors=True)


# -- handlers --------------------------------------------------------------------------------------


class SpaceHandlers:
    """The app's event handlers as plain methods; ``build_demo`` wires them to the interface.

    Recommendation handlers take raw values (as the page or the API sent them) and validate them, and
    return ``(table, message, FigureRequest)``; :meth:`render_figures` / :meth:`render_mood_figure` draw
    the plots of a request afterwards.

    Args:
        recommender: the built-in catalog's :class:`~lyricmood.recommender.Recommender` (with a predictor,
            so pasted lyrics and uploads can be scored).
        upload_dir: the server's upload folder: an uploaded file inside it is deleted once it has been
            indexed or rejected (files elsewhere, e.g. a local path given to the handler, are left alone).
    """

    def __init__(self, recommender: Recommender, upload_dir: str | Path | None = None):
        self.recommender = recommender
        self.upload_dir = None if upload_dir is None else Path(upload_dir).resolve()
        self.labels: list[str] = list(recommender.index.labels)
        wanted = [label for label in MOOD_EMOTIONS if label in self.labels]
        self.mood_labels = wanted if len(wanted) >= 3 else self.labels[: len(MOOD_EMOTIONS)]
        self._figure_cache: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
        self._figure_lock = threading.Lock()

    # -- catalogs ----------------------------------------------------------------------------------
    def _catalog(self, source: Any, upload: UploadedCatalog | None) -> tuple[Recommender, str]:
        """The recommender of the chosen catalog, and the key naming its cached figures."""
        source = _choice(source, (SOURCE_BUILTIN, SOURCE_UPLOAD), "source", SOURCE_BUILTIN)
        if source != SOURCE_UPLOAD:
            return self.recommender, SOURCE_BUILTIN
        if upload is None:
            raise UserInputError("err_no_upload")
        if upload.recommender is None:
            from .recommender import Recommender

            base = self.recommender
            upload.recommender = Recommender(upload.index, similarity=base.similarity, predictor=base.predictor)
        return upload.recommender, upload.key

    @staticmethod
    def song_choices(index: Any) -> list[tuple[str, str]]:
        """Dropdown choices ``(label, id)`` for every song of ``index``, sorted by label.

        Not escaped: the dropdown sets its labels as text, never as HTML.
        """
        choices = [(_song_label(meta), song_id) for song_id, meta in zip(index.ids, index.metadata)]
        return sorted(choices, key=lambda choice: choice[0].casefold())

    def catalog_table(self, index: Any, lang: str) -> pd.DataFrame:
        """One row per song: id, title, artist, year, language, its top 3 emotions (text escaped)."""
        import pandas as pd

        vectors = np.asarray(index.vectors)
        rows = []
        for row, (song_id, meta) in enumerate(zip(index.ids, index.metadata)):
            top = _top_pairs(vectors[row], index.labels, 3)
            rows.append([escape_html(song_id), escape_html(meta.get("title") or ""),
                         escape_html(meta.get("artist") or ""), meta.get("year"), escape_html(meta.get("lang") or ""),
                         escape_html(", ".join(emotion_name(label, lang) for label, _ in top))])
        return pd.DataFrame(rows, columns=_columns(BROWSE_COLUMNS, lang))

    def catalog_id(self, song: Any, source: Any = SOURCE_BUILTIN, upload: UploadedCatalog | None = None) -> str | None:
        """The id of ``song`` (an id or an exact title) in the chosen catalog, or ``None``."""
        try:
            return self._song_id(self._catalog(source, upload)[0], song)
        except (UserInputError, LyricMoodError):
            return None

    @staticmethod
    def _song_id(rec: Recommender, song: Any) -> str:
        """A catalog song looked up as an id or an exact title only: a song is never scored as lyrics."""
        song = _text(song, "song").strip()
        if not song:
            raise UserInputError("err_no_song")
        if len(song) > MAX_SONG_CHARS:
            raise UserInputError("err_long_song", n=len(song), limit=MAX_SONG_CHARS)
        return rec.resolve_id(song)

    # -- recommendations ---------------------------------------------------------------------------
    @staticmethod
    def _filters(exclude_same_artist: Any, year_from: Any, year_to: Any, lang_filter: Any, diversity: Any) -> Filters:
        """The controls' values (each checked and worded for the visitor) as the recommender's :class:`Filters`."""
        from .filters import Filters

        lang = _choice(lang_filter, (LANG_ANY, *SONG_LANGUAGES), "lang_filter", LANG_ANY)
        diversity = _number(diversity, "diversity")
        lo, hi = _year(year_from, "year_from"), _year(year_to, "year_to")
        try:
            return Filters(
                exclude_same_artist=_flag(exclude_same_artist, "exclude_same_artist"),
                year_range=None if lo is None and hi is None else (lo, hi),  # None: an open end
                lang=None if lang == LANG_ANY else lang,
                diversity=0.0 if diversity is None else _in_range(diversity, 0.0, 1.0, "diversity"),
            )
        except LyricMoodError as err:  # the one check Filters makes that the boxes alone cannot: the order
            if err.field == "years":
                raise UserInputError("err_year_order", lo=lo, hi=hi) from None
            raise

    @staticmethod
    def _result_table(recommendations, lang: str) -> pd.DataFrame:
        import pandas as pd

        rows = [
            [rank, escape_html(r.title), escape_html(r.artist), r.year, escape_html(r.lang), round(float(r.score), 3),
             escape_html(", ".join(emotion_name(e, lang) for e in r.shared_emotions))]
            for rank, r in enumerate(recommendations, start=1)
        ]
        return pd.DataFrame(rows, columns=_columns(RESULT_COLUMNS, lang))

    @staticmethod
    def _figure_request(rec: Recommender, vector, song_emotion, name: str, recommendations, lang: str,
                        cache_key: tuple | None = None) -> FigureRequest:
        shown = recommendations[:HEATMAP_SONGS]
        rows = [rec.index.position(r.id) for r in shown]
        # The heatmap shows what ranked the songs: a mood by the emotion probabilities, a song by its ranking vector.
        if song_emotion is None:
            query, catalog, center = vector, rec.index.vectors, rec.mean
        else:
            query, catalog, center = rec.ranking_vector(song_emotion), rec.index.ranking_vectors, rec.ranking_mean
        vectors = np.vstack([np.asarray(query, dtype=np.float32).reshape(1, -1), catalog[rows]])
        return FigureRequest(lang=lang, name=name, labels=list(rec.index.labels), vector=np.asarray(vector),
                             song_emotion=song_emotion, heatmap_vectors=vectors if shown else None,
                             heatmap_names=[name] + [r.title for r in shown], heatmap_ids=tuple(r.id for r in shown),
                             similarity=rec.similarity, center=center, cache_key=cache_key)

    def _guard(self, lang: str, run: Callable[[], Result]) -> Result:
        """Run a handler body; a bad input becomes a visible message (and a toast), never a traceback."""
        import gradio as gr

        try:
            return run()
        except UserInputError as err:
            message = err.text(lang)
        except LyricMoodError as err:
            message = text("err_input", lang, error=escape_markdown(err))
        except Exception as err:  # the app keeps serving: log the trace, show a short message
            logger.exception("handler failed")
            message = text("err_internal", lang, error=escape_markdown(f"{err.__class__.__name__}: {str(err)[:200]}"))
        gr.Warning(message)
        return Result(_empty_table(RESULT_COLUMNS, lang), _error_markdown(message))

    def recommend_song(self, song_id: Any, source: Any = SOURCE_BUILTIN, k: Any = DEFAULT_K,
                       exclude_same_artist: Any = False, year_from: Any = None, year_to: Any = None,
                       lang_filter: Any = LANG_ANY, diversity: Any = 0.0, ui_lang: Any = DEFAULT_UI_LANGUAGE,
                       upload: UploadedCatalog | None = None) -> tuple:
        """Songs like the catalog song ``song_id`` (an id or an exact title): (table, message, figure request)."""
        lang = _ui_lang(ui_lang)

        def run() -> Result:
            rec, catalog_key = self._catalog(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            song = self._song_id(rec, song_id)
            if len(rec.index) == 1:
                raise UserInputError("err_only_song")
            recommendations = rec.similar_to_song(song, _k(k, len(rec.index) - 1), filters)
            song_emotion = rec.index.song_emotion(song)
            vector = song_emotion.vector
            meta = rec.index.get(song)
            title = str(meta.get("title") or song)
            message = text("msg_song_result", lang, title=escape_markdown(title),
                           artist=escape_markdown(meta.get("artist") or ""),
                           emotions=_emotions_text(_top_pairs(vector, rec.index.labels), lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", lang)
            figures = self._figure_request(rec, vector, song_emotion, title, recommendations, lang,
                                           cache_key=(catalog_key, song))
            return Result(self._result_table(recommendations, lang), message, figures)

        return self._guard(lang, run).as_tuple()

    def recommend_lyrics(self, lyrics: Any, source: Any = SOURCE_BUILTIN, k: Any = DEFAULT_K,
                         exclude_same_artist: Any = False, year_from: Any = None, year_to: Any = None,
                         lang_filter: Any = LANG_ANY, diversity: Any = 0.0, ui_lang: Any = DEFAULT_UI_LANGUAGE,
                         upload: UploadedCatalog | None = None) -> tuple:
        """Songs like pasted ``lyrics``: (table, message, figure request)."""
        lang = _ui_lang(ui_lang)

        def run() -> Result:
            pasted = _text(lyrics, "lyrics")
            if not pasted.strip():
                raise UserInputError("err_empty_lyrics")
            if len(pasted) > MAX_LYRICS_CHARS:
                raise UserInputError("err_long_lyrics", n=len(pasted), limit=MAX_LYRICS_CHARS)
            rec, _ = self._catalog(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            k_ = _k(k, len(rec.index))
            # Scored here (similar_to_lyrics would score them too) because the figures need the scored song.
            song_emotion = rec.predictor.score_song(pasted)
            vector = song_emotion.vector
            recommendations = rec.similar_to_emotion(song_emotion, k_, filters)
            message = text("msg_lyrics_result", lang,
                           sections=len(song_emotion.sections), chunks=song_emotion.num_chunks,
                           emotions=_emotions_text(_top_pairs(vector, rec.index.labels), lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", lang)
            figures = self._figure_request(rec, vector, song_emotion, text("your_lyrics", lang), recommendations, lang)
            return Result(self._result_table(recommendations, lang), message, figures)

        return self._guard(lang, run).as_tuple()

    def recommend_mood(self, mood: dict[str, Any] | None, source: Any = SOURCE_BUILTIN, k: Any = DEFAULT_K,
                       exclude_same_artist: Any = False, year_from: Any = None, year_to: Any = None,
                       lang_filter: Any = LANG_ANY, diversity: Any = 0.0, ui_lang: Any = DEFAULT_UI_LANGUAGE,
                       upload: UploadedCatalog | None = None) -> tuple:
        """Songs for a described ``mood`` ({emotion: weight 0..1}; ``None`` counts as 0): (table, message,
        figure request)."""
        lang = _ui_lang(ui_lang)

        def run() -> Result:
            wanted = {}
            for label, value in (mood or {}).items():
                weight = _number(value, emotion=label)
                if weight:
                    wanted[label] = _in_range(weight, 0.0, 1.0, emotion=label)
            if not wanted:
                raise UserInputError("err_mood_zero")
            rec, _ = self._catalog(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            recommendations = rec.similar_to_mood(wanted, _k(k, len(rec.index)), filters)
            pairs = sorted(wanted.items(), key=lambda item: -item[1])
            vector = np.array([wanted.get(label, 0.0) for label in rec.index.labels], dtype=np.float32)
            message = text("msg_mood_result", lang, emotions=_emotions_text(pairs, lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", lang)
            figures = FigureRequest(lang=lang, name=text("mood_plot", lang), labels=list(rec.index.labels),
                                    vector=vector, mood=True)
            return Result(self._result_table(recommendations, lang), message, figures)

        return self._guard(lang, run).as_tuple()

    # -- figures (the chained events) --------------------------------------------------------------
    def _cached(self, key: tuple | None, draw: Callable[[], Any]) -> Any:
        """``draw()`` rendered, from the cache when ``key`` (a catalog song's figure) was drawn before."""
        if key is not None:
            with self._figure_lock:
                if key in self._figure_cache:
                    self._figure_cache.move_to_end(key)
                    return self._figure_cache[key]
        plot = _rendered(draw())
        if key is not None:
            with self._figure_lock:
                self._figure_cache[key] = plot
                while len(self._figure_cache) > FIGURE_CACHE_SIZE:
                    self._figure_cache.popitem(last=False)
        return plot

    def render_figures(self, request: FigureRequest | None) -> tuple:
        """(emotion profile, emotional arc, similarity heatmap) of a recommendation, rendered for ``gr.Plot``
        (``None`` clears a plot: no request, a song of one section, no recommendation)."""
        from . import plots

        if request is None or request.mood:
            return None, None, None
        lang, key = request.lang, request.cache_key
        labels = [_plot_text(emotion_name(label, lang)) for label in request.labels]
        name = _plot_text(request.name)

        def emotions():
            return plots.plot_top_emotions(np.asarray(request.vector), labels, k=8,
                                           title=f"{text('plot_emotions', lang)}: {name}")

        def arc():
            song = dataclasses.replace(request.song_emotion, labels=labels,
                                       sections=[_plot_text(s) for s in request.song_emotion.sections])
            return plots.plot_emotional_arc(song, k=5, title=f"{text('plot_arc', lang)}: {name}")

        def heatmap():
            names = [f"[{name}]"] + [_plot_text(n) for n in request.heatmap_names[1:]]
            return plots.plot_song_similarity(request.heatmap_vectors, names, similarity=request.similarity,
                                              center=request.center, title=text("plot_heatmap", lang))

        def cache_key(kind: str, *extra) -> tuple | None:
            return None if key is None else (*key, kind, lang, *extra)

        has_arc = request.song_emotion is not None and len(request.song_emotion.sections) > 1
        return (self._cached(cache_key("emotions"), emotions),
                self._cached(cache_key("arc"), arc) if has_arc else None,
                self._cached(cache_key("heatmap", request.heatmap_ids), heatmap)
                if request.heatmap_vectors is not None else None)

    def render_mood_figure(self, request: FigureRequest | None) -> Any:
        """The bars of a described mood's weights, rendered for ``gr.Plot`` (``None`` clears the plot)."""
        from . import plots

        if request is None or not request.mood:
            return None
        labels = [_plot_text(emotion_name(label, request.lang)) for label in request.labels]
        k = min(8, int(np.count_nonzero(request.vector)))
        return _rendered(plots.plot_top_emotions(request.vector, labels, k=k, title=request.name))

    # -- uploads -----------------------------------------------------------------------------------
    def upload_catalog(self, file: Any, ui_lang: Any = DEFAULT_UI_LANGUAGE, progress: Any = None) -> tuple:
        """Index an uploaded CSV / JSONL catalog into the session; the uploaded file is deleted afterwards.

        Returns (uploaded catalog or None, status message, catalog source, browse table). On a bad file the
        session keeps its previous upload (the caller passes it back; here None means "no change").
        """
        from .indexing import build_index

        lang = _ui_lang(ui_lang)
        started = time.perf_counter()
        path = None
        try:
            path = _file_path(file)
            if path is None:
                raise UserInputError("err_no_file")
            name = path.name
            if path.suffix.lower() not in UPLOAD_SUFFIXES:
                raise UserInputError("err_file_type", name=name)
            if not path.is_file():
                raise UserInputError("err_file_gone")
            size = path.stat().st_size
            if size > MAX_UPLOAD_BYTES:
                raise UserInputError("err_file_size", name=name, size=size / 2**20, limit=MAX_UPLOAD_BYTES // 2**20)
            if progress is not None:
                progress(0.0, desc=text("progress_read", lang))
            rows = read_catalog_file(path, name)
            if len(rows) > MAX_UPLOAD_SONGS:
                raise UserInputError("err_too_many_songs", name=name, n=len(rows), limit=MAX_UPLOAD_SONGS)
            for row in rows:  # the same limit as pasted lyrics, before any scoring
                if len(row.get("lyrics") or "") > MAX_LYRICS_CHARS:
                    raise UserInputError("err_upload_long_lyrics", name=name, song=repr(str(row.get("id"))),
                                         n=len(row["lyrics"]), limit=MAX_LYRICS_CHARS)
            index = build_index(_tracked(rows, progress, text("progress_index", lang)), self.recommender.predictor,
                                progress=False)
        except UserInputError as err:
            return self._upload_failed(err.text(lang))
        except LyricMoodError as err:
            return self._upload_failed(text("err_bad_file", lang, error=escape_markdown(err)))
        except Exception as err:
            logger.exception("indexing an upload failed")
            return self._upload_failed(
                text("err_internal", lang, error=escape_markdown(f"{err.__class__.__name__}: {str(err)[:200]}")))
        finally:
            self._discard_upload(path)
        upload = UploadedCatalog(name=name, index=index)
        message = text("msg_indexed", lang, name=escape_markdown(name), n=len(index),
                       seconds=time.perf_counter() - started, source=text("source_upload", lang))
        if len(index) == 1:
            message += "\n\n" + text("msg_one_song", lang)
        return upload, message, SOURCE_UPLOAD, self.catalog_table(index, lang)

    def _discard_upload(self, path: Path | None) -> None:
        """Delete an uploaded file (and its now empty folder) from the server's upload folder."""
        if path is None or self.upload_dir is None:
            return
        try:
            path = path.resolve()
            path.relative_to(self.upload_dir)
        except (OSError, ValueError):
            return  # not an upload of this server: never ours to delete
        path.unlink(missing_ok=True)
        if path.parent != self.upload_dir:
            try:
                path.parent.rmdir()  # Gradio keeps each upload in a folder of its own
            except OSError:
                pass

    @staticmethod
    def _upload_failed(message: str) -> tuple:
        import gradio as gr

        gr.Warning(message)
        return None, _error_markdown(message), None, None

    def browse(self, source: Any, ui_lang: Any = DEFAULT_UI_LANGUAGE,
               upload: UploadedCatalog | None = None) -> tuple[list[tuple[str, str]], pd.DataFrame, str, str]:
        """The chosen catalog: (dropdown choices, browse table, message, effective source)."""
        lang = _ui_lang(ui_lang)
        note = ""
        if source == SOURCE_UPLOAD and upload is None:
            note = _error_markdown(text("err_no_upload", lang))
        source = SOURCE_UPLOAD if source == SOURCE_UPLOAD and upload is not None else SOURCE_BUILTIN
        index = upload.index if source == SOURCE_UPLOAD else self.recommender.index
        name = escape_markdown(upload.name) if source == SOURCE_UPLOAD else text("source_builtin", lang)
        note = note or text("msg_catalog", lang, name=name, n=len(index))
        return self.song_choices(index), self.catalog_table(index, lang), note, source

    # -- page load ---------------------------------------------------------------------------------
    def query_params(self, request: Any) -> tuple[str, str | None]:
        """(interface language, song id or title) from the page URL (``?lang=en&song=<id>``)."""
        params = dict(getattr(request, "query_params", None) or {})
        return _ui_lang(params.get("lang")), params.get("song") or None


# -- the app ---------------------------------------------------------------------------------------


class _Translator:
    """Components whose labels/values follow the interface language, and how to update each."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, Callable[[str], Any]]] = []

    def add(self, component: Any, update: Callable[[str], dict]) -> Any:
        self.entries.append((component, update))
        return component

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        import gradio as gr

        return [gr.update(**update(lang)) for _, update in self.entries]


def _source_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("source_builtin", lang), SOURCE_BUILTIN), (text("source_upload", lang), SOURCE_UPLOAD)]


def _lang_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("lang_any", lang), LANG_ANY), (text("lang_ko", lang), "ko"), (text("lang_en", lang), "en")]


def build_demo(recommender: Recommender | None = None, *, ui_lang: str = DEFAULT_UI_LANGUAGE) -> gr.Blocks:
    """The Space as ``gr.Blocks`` with its queue set (see the module docstring); call ``.launch()`` on it.

    Args:
        recommender: the built-in catalog's recommender (with a predictor); default
            :func:`lyricmood.demo.load_default_recommender` (the embedded model and demo catalog).
        ui_lang: the interface language before the visitor picks one (``"ko"`` or ``"en"``).
    """
    import gradio as gr

    from .plots import use_hangul_font

    if recommender is None:
        from .demo import load_default_recommender

        recommender = load_default_recommender()
    use_hangul_font()
    # Uploads land in Gradio's upload folder; the handler deletes each once it is indexed or rejected.
    from gradio.utils import get_upload_folder

    handlers = SpaceHandlers(recommender, upload_dir=get_upload_folder())
    tr = _Translator()
    L = ui_lang

    def label(key: str) -> Callable[[str], dict]:
        return lambda lang: {"label": text(key, lang)}

    def value(key: str, **values) -> Callable[[str], dict]:
        return lambda lang: {"value": text(key, lang, **values)}

    with gr.Blocks(title="lyricmood") as demo:
        upload_state = gr.State(None, time_to_live=UPLOAD_TTL_S)
        with gr.Row():
            with gr.Column(scale=4):
                tr.add(gr.Markdown(text("title", L)), value("title"))
                tr.add(gr.Markdown(text("intro", L)), value("intro"))
            with gr.Column(scale=1, min_width=220):
                ui_lang_radio = gr.Radio(list(UI_LANGUAGES), value=L, label=text("ui_lang", L))
                tr.add(ui_lang_radio, label("ui_lang"))
                source = gr.Radio(_source_choices(L), value=SOURCE_BUILTIN, label=text("source", L))
                tr.add(source, lambda lang: {"label": text("source", lang), "choices": _source_choices(lang)})

        with gr.Row():
            with gr.Column(scale=1, min_width=240):
                tr.add(gr.Markdown(f"### {text('filters', L)}"), lambda lang: {"value": f"### {text('filters', lang)}"})
                k = tr.add(gr.Slider(1, MAX_K, value=DEFAULT_K, step=1, label=text("k", L)), label("k"))
                exclude = tr.add(gr.Checkbox(False, label=text("exclude_same_artist", L)), label("exclude_same_artist"))
                with gr.Row():
                    # Empty (or 0, which a browser may send for an empty box) means no bound.
                    year_from = tr.add(gr.Number(None, label=text("year_from", L), precision=0,
                                                 placeholder=text("year_placeholder", L, year=1990),
                                                 info=text("year_info", L)),
                                       lambda lang: {"label": text("year_from", lang),
                                                     "placeholder": text("year_placeholder", lang, year=1990),
                                                     "info": text("year_info", lang)})
                    year_to = tr.add(gr.Number(None, label=text("year_to", L), precision=0,
                                               placeholder=text("year_placeholder", L, year=2010),
                                                 info=text("year_info", L)),
                                     lambda lang: {"label": text("year_to", lang),
                                                   "placeholder": text("year_placeholder", lang, year=2010),
                                                     "info": text("year_info", lang)})
                lang_filter = gr.Dropdown(_lang_choices(L), value=LANG_ANY, label=text("lang_filter", L))
                tr.add(lang_filter, lambda lang: {"label": text("lang_filter", lang), "choices": _lang_choices(lang)})
                diversity = tr.add(gr.Slider(0.0, 1.0, value=0.0, step=0.05, label=text("diversity", L)),
                                   label("diversity"))

            with gr.Column(scale=3), gr.Tabs():
                with gr.Tab(text("tab_similar", L)) as tab_similar:
                    tr.add(tab_similar, label("tab_similar"))
                    with gr.Row():
                        with gr.Column():
                            song = gr.Dropdown(handlers.song_choices(recommender.index), value=None,
                                               label=text("song", L), filterable=True)
                            tr.add(song, label("song"))
                            btn_song = gr.Button(text("btn_song", L), variant="primary")
                            tr.add(btn_song, value("btn_song"))
                        with gr.Column():
                            lyrics = gr.Textbox(lines=6, max_lines=12, label=text("lyrics", L),
                                                placeholder=text("lyrics_placeholder", L))
                            tr.add(lyrics, lambda lang: {"label": text("lyrics", lang),
                                                         "placeholder": text("lyrics_placeholder", lang)})
                            btn_lyrics = gr.Button(text("btn_lyrics", L))
                            tr.add(btn_lyrics, value("btn_lyrics"))
                    message = gr.Markdown(latex_delimiters=[])
                    table = gr.Dataframe(_empty_table(RESULT_COLUMNS, L), label=text("results", L),
                                         datatype=RESULT_TYPES,
                                         interactive=False, wrap=True, column_widths=RESULT_WIDTHS)
                    tr.add(table, label("results"))
                    with gr.Row():
                        plot_emotions = tr.add(gr.Plot(label=text("plot_emotions", L)), label("plot_emotions"))
                        plot_arc = tr.add(gr.Plot(label=text("plot_arc", L)), label("plot_arc"))
                    plot_heatmap = tr.add(gr.Plot(label=text("plot_heatmap", L)), label("plot_heatmap"))

                with gr.Tab(text("tab_mood", L)) as tab_mood:
                    tr.add(tab_mood, label("tab_mood"))
                    tr.add(gr.Markdown(text("mood_intro", L)), value("mood_intro"))
                    sliders = []
                    with gr.Row():
                        for emotion in handlers.mood_labels:
                            slider = gr.Slider(0.0, 1.0, value=0.0, step=0.05, label=emotion_name(emotion, L),
                                               min_width=140)
                            tr.add(slider, lambda lang, e=emotion: {"label": emotion_name(e, lang)})
                            sliders.append(slider)
                    btn_mood = gr.Button(text("btn_mood", L), variant="primary")
                    tr.add(btn_mood, value("btn_mood"))
                    mood_message = gr.Markdown(latex_delimiters=[])
                    mood_table = gr.Dataframe(_empty_table(RESULT_COLUMNS, L), label=text("results", L),
                                              datatype=RESULT_TYPES,
                                              interactive=False, wrap=True, column_widths=RESULT_WIDTHS)
                    tr.add(mood_table, label("results"))
                    mood_plot = tr.add(gr.Plot(label=text("mood_plot", L)), label("mood_plot"))

                with gr.Tab(text("tab_catalog", L)) as tab_catalog:
                    tr.add(tab_catalog, label("tab_catalog"))
                    limits = {"mb": MAX_UPLOAD_BYTES // 2**20, "songs": f"{MAX_UPLOAD_SONGS:,}"}
                    tr.add(gr.Markdown(text("catalog_intro", L, **limits)), value("catalog_intro", **limits))
                    with gr.Row():
                        upload_file = gr.File(label=text("upload", L), file_types=list(UPLOAD_SUFFIXES),
                                              type="filepath")
                        tr.add(upload_file, label("upload"))
                        btn_upload = tr.add(gr.Button(text("btn_upload", L), variant="primary", scale=0),
                                            value("btn_upload"))
                    upload_message = gr.Markdown(text("msg_catalog", L, name=text("source_builtin", L),
                                                      n=len(recommender.index)), latex_delimiters=[])
                    browse_table = gr.Dataframe(handlers.catalog_table(recommender.index, L), datatype=BROWSE_TYPES,
                                                label=text("browse", L), interactive=False, wrap=True,
                                                show_search="search", max_height=600)
                    tr.add(browse_table, label("browse"))

                with gr.Tab(text("tab_about", L)) as tab_about:
                    tr.add(tab_about, label("tab_about"))
                    tr.add(gr.Markdown(text("about", L)), value("about"))

        # -- wiring: each handler is an API endpoint --------------------------------------------------
        filters = [source, k, exclude, year_from, year_to, lang_filter, diversity, ui_lang_radio, upload_state]
        song_plots = [plot_emotions, plot_arc, plot_heatmap]
        figure_state = gr.State(None)  # the last recommendation's FigureRequest, for the chained figure event

        def pool(name: str) -> dict:
            return {"concurrency_id": name, "concurrency_limit": POOLS[name]}

        # Recommendations take raw values (preprocess=False): the handlers validate them and answer in the page.
        catalog = {**pool("catalog"), "preprocess": False}
        figures = {**pool("figures"), "show_progress": "minimal"}

        def then_figures(event: Any, api_name: str | bool = False) -> None:
            event.then(handlers.render_figures, figure_state, song_plots, api_name=api_name, **figures)

        # One endpoint for the figures of the session's last recommendation (song, lyrics or page load).
        then_figures(btn_song.click(handlers.recommend_song, [song, *filters], [table, message, figure_state],
                                    api_name="recommend_song", **catalog), api_name="song_figures")
        then_figures(btn_lyrics.click(handlers.recommend_lyrics, [lyrics, *filters], [table, message, figure_state],
                                      api_name="recommend_lyrics", preprocess=False, **pool("model")))

        mood_labels = list(handlers.mood_labels)
        mood_state = gr.State(None)

        def recommend_mood(*args):
            values, rest = args[: len(mood_labels)], args[len(mood_labels):]
            return handlers.recommend_mood(dict(zip(mood_labels, values)), *rest)

        btn_mood.click(recommend_mood, [*sliders, *filters], [mood_table, mood_message, mood_state],
                       api_name="recommend_mood", **catalog).then(
            handlers.render_mood_figure, mood_state, mood_plot, api_name="mood_figure", **figures)

        def upload_catalog(file, lang, previous, progress=gr.Progress()):  # noqa: B008 - how Gradio asks for it
            upload, note, new_source, browse_rows = handlers.upload_catalog(file, lang, progress)
            cleared = gr.update(value=None)  # the file is gone from the server: clear the control too
            if upload is None:  # a bad file leaves the session as it was
                return previous, note, gr.update(), gr.update(), gr.update(), cleared
            return upload, note, new_source, gr.update(choices=handlers.song_choices(upload.index), value=None), \
                browse_rows, cleared

        btn_upload.click(upload_catalog, [upload_file, ui_lang_radio, upload_state],
                         [upload_state, upload_message, source, song, browse_table, upload_file],
                         api_name="upload_catalog", preprocess=False, **pool("index"))

        def switch_catalog(chosen, lang, upload):
            choices, rows, note, effective = handlers.browse(chosen, lang, upload)
            return gr.update(choices=choices, value=None), rows, note, effective

        source.input(switch_catalog, [source, ui_lang_radio, upload_state], [song, browse_table, upload_message, source],
                     api_name="switch_catalog", **catalog)

        ui_lang_radio.change(lambda lang: tr.updates(_ui_lang(lang)), ui_lang_radio, tr.components,
                             api_name="set_language", preprocess=False)

        def on_load(request: gr.Request):
            lang, song_id = handlers.query_params(request)
            if not song_id:
                return lang, gr.update(), gr.update(), gr.update(), None
            outputs = handlers.recommend_song(song_id, ui_lang=lang)
            found = handlers.catalog_id(song_id)
            return (lang, found if found is not None else gr.update(), *outputs)

        on_load.__annotations__["request"] = gr.Request  # resolved here: this module postpones annotations
        then_figures(demo.load(on_load, None, [ui_lang_radio, song, table, message, figure_state],
                               api_name="load_from_url", **pool("catalog")))

    demo.queue(**QUEUE_SETTINGS)
    demo.lyricmood_recommender = recommender  # for benchmarks and tools that drive the served app
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, **kwargs: Any):
    """Serve ``demo`` with the app's upload cap (also checked in the handler) and no SSR (no Node needed)."""
    kwargs.setdefault("max_file_size", MAX_UPLOAD_BYTES)
    kwargs.setdefault("ssr_mode", False)
    return demo.launch(server_name=host, server_port=port, share=share, **kwargs)
