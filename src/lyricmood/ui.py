"""The lyricmood Space: a Gradio app over the library's recommender (Korean or English interface).

``build_demo()`` lays out the app and wires each control to a handler of :class:`SpaceHandlers`; the
handlers are plain methods (testable without a server) that call the library: the recommender,
the lyrics-catalog builder, the index builder and the plots. Every event is also an API endpoint
(``api_name=``), so ``gradio_client`` can drive the app.

Queue and concurrency, chosen deliberately:

* ``default_concurrency_limit=2``, and every CPU-bound event (recommendations, catalog switch, the
  ``?song=`` page load) in one pool of 2 (``concurrency_id="cpu"``): scoring pasted lyrics and rendering
  the figures (~0.1 s + ~0.7 s of matplotlib per recommendation) are CPU-bound, and a free Space has 2
  CPU cores. Gradio counts the limit per event unless events share a ``concurrency_id``: without the
  shared pool, three endpoints × 2 workers would run 6 requests at once on 2 cores, which only
  time-slices the same cores (torch's own threads on top) so every request gets slower and none gets
  done sooner.
* Indexing an uploaded catalog (up to :data:`MAX_UPLOAD_SONGS` songs, tens of seconds) has its own
  limit of 1 (``concurrency_id="index"``): at most one core goes to indexing, so recommendations stay
  responsive while someone uploads.
* ``max_size=64``: a visitor beyond 64 waiting requests is told the queue is full at once, instead of
  waiting minutes for an answer (at ~0.8 s of CPU per recommendation on 2 cores, 64 queued requests
  drain in about 25 s).

Input limits (each gives a visible message, never a stack trace): pasted lyrics up to
:data:`MAX_LYRICS_CHARS` characters; uploads up to :data:`MAX_UPLOAD_BYTES` bytes and
:data:`MAX_UPLOAD_SONGS` songs, CSV or JSON Lines in UTF-8. An upload is indexed into the visitor's
session (``gr.State``) and never replaces the built-in catalog.

Opening the app with ``?song=<id>`` (and optionally ``&lang=en``) runs that song's recommendation
on page load, so a link shows a result straight away.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LyricMoodError
from .ui_text import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, emotion_name, text

if TYPE_CHECKING:  # gradio, pandas and the model stack load only when the app is built
    import gradio as gr
    import pandas as pd

    from .recommender import Recommender

logger = logging.getLogger(__name__)

MAX_LYRICS_CHARS = 20_000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_SONGS = 2_000
MAX_K = 50
DEFAULT_K = 10
HEATMAP_SONGS = 12  # the query plus this many recommendations: more would make the cells unreadable
UPLOAD_SUFFIXES = (".csv", ".jsonl")
UPLOAD_TTL_S = 6 * 3600  # an idle session's uploaded index is freed after this long
QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}

# Emotions offered as "describe a mood" sliders (those the model knows; the first labels otherwise).
MOOD_EMOTIONS = ("joy", "love", "sadness", "anger", "fear", "optimism", "gratitude", "nervousness")

SOURCE_BUILTIN, SOURCE_UPLOAD = "builtin", "upload"
LANG_ANY = "any"
RESULT_COLUMNS = ("col_rank", "col_title", "col_artist", "col_year", "col_lang", "col_score", "col_shared")
RESULT_WIDTHS = ["7%", "22%", "19%", "8%", "9%", "10%", "25%"]
BROWSE_COLUMNS = ("col_id", "col_title", "col_artist", "col_year", "col_lang", "col_top")


class UserInputError(Exception):
    """A problem with what the visitor entered; worded from ``ui_text`` in the visitor's language."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        return text(self.key, lang, **self.values)


@dataclasses.dataclass
class UploadedCatalog:
    """A visitor's own catalog, indexed, kept in their session only."""

    name: str
    index: Any  # lyricmood.index.SongIndex
    recommender: Any = dataclasses.field(default=None, repr=False)  # built on first use, shares the predictor


@dataclasses.dataclass
class Result:
    """What a recommendation handler returns, in the order of the app's outputs."""

    table: pd.DataFrame
    message: str
    emotions: Any = None  # matplotlib Figures (or None: the plot is cleared)
    arc: Any = None
    heatmap: Any = None

    def as_tuple(self) -> tuple:
        return self.table, self.message, self.emotions, self.arc, self.heatmap


# -- small helpers ---------------------------------------------------------------------------------


def _columns(keys: Sequence[str], lang: str) -> list[str]:
    return [text(key, lang) for key in keys]


def _empty_table(keys: Sequence[str], lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=_columns(keys, lang))


def _error_markdown(message: str) -> str:
    return f"⚠️ {message}"


def _emotions_text(pairs: Sequence[tuple[str, float]], lang: str) -> str:
    return ", ".join(f"{emotion_name(label, lang)} {value:.2f}" for label, value in pairs)


def _top_pairs(vector: np.ndarray, labels: Sequence[str], k: int = 3) -> list[tuple[str, float]]:
    order = np.argsort(-np.asarray(vector, dtype=np.float64), kind="stable")[:k]
    return [(labels[i], float(vector[i])) for i in order]


def _song_label(meta: dict) -> str:
    title = meta.get("title") or meta.get("id", "?")
    artist = meta.get("artist") or ""
    year = meta.get("year")
    label = f"{title} — {artist}" if artist else title
    return f"{label} ({year})" if year not in (None, "") else label


def _year_range(year_from: float | None, year_to: float | None) -> tuple[int, int] | None:
    def as_int(value: float | None) -> int | None:
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return None
        return int(value) if int(value) > 0 else None  # 0: an empty box in some browsers; no song is from year 0

    lo, hi = as_int(year_from), as_int(year_to)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo > hi:
        raise UserInputError("err_year_order", lo=lo, hi=hi)
    return (lo if lo is not None else -10_000, hi if hi is not None else 10_000)


def _file_path(file: Any) -> Path | None:
    """gr.File gives a path string (or an object with ``.name``/``.path`` from older clients)."""
    if file is None:
        return None
    if isinstance(file, (str, Path)):
        return Path(file)
    if isinstance(file, dict):
        return Path(file.get("path") or file.get("name"))
    return Path(getattr(file, "path", None) or file.name)


def _tracked(rows: list[dict], progress: Any, desc: str):
    """Yield ``rows``, reporting to a ``gr.Progress`` (if any) as each is consumed."""
    for done, row in enumerate(rows):
        if progress is not None:
            progress((done, len(rows)), desc=desc, unit="songs")
        yield row


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

    Args:
        recommender: the built-in catalog's :class:`~lyricmood.recommender.Recommender` (with a predictor,
            so pasted lyrics and uploads can be scored).
    """

    def __init__(self, recommender: Recommender):
        self.recommender = recommender
        self.labels: list[str] = list(recommender.index.labels)
        wanted = [label for label in MOOD_EMOTIONS if label in self.labels]
        self.mood_labels = wanted if len(wanted) >= 3 else self.labels[: len(MOOD_EMOTIONS)]

    # -- catalogs ----------------------------------------------------------------------------------
    def _recommender_for(self, source: str, upload: UploadedCatalog | None) -> Recommender:
        if source != SOURCE_UPLOAD:
            return self.recommender
        if upload is None:
            raise UserInputError("err_no_upload")
        return self._upload_recommender(upload)

    def _upload_recommender(self, upload: UploadedCatalog) -> Recommender:
        from .recommender import Recommender

        if upload.recommender is None:
            base = self.recommender
            upload.recommender = Recommender(upload.index, similarity=base.similarity, predictor=base.predictor)
        return upload.recommender

    @staticmethod
    def song_choices(index: Any) -> list[tuple[str, str]]:
        """Dropdown choices ``(label, id)`` for every song of ``index``, sorted by label."""
        choices = [(_song_label(meta), song_id) for song_id, meta in zip(index.ids, index.metadata)]
        return sorted(choices, key=lambda choice: choice[0].casefold())

    def catalog_table(self, index: Any, lang: str) -> pd.DataFrame:
        """One row per song: id, title, artist, year, language, its top 3 emotions."""
        import pandas as pd

        vectors = np.asarray(index.vectors)
        rows = []
        for row, (song_id, meta) in enumerate(zip(index.ids, index.metadata)):
            top = _top_pairs(vectors[row], index.labels, 3)
            rows.append([song_id, meta.get("title", ""), meta.get("artist", ""), meta.get("year"),
                         meta.get("lang", ""), ", ".join(emotion_name(label, lang) for label, _ in top)])
        return pd.DataFrame(rows, columns=_columns(BROWSE_COLUMNS, lang))

    # -- recommendations ---------------------------------------------------------------------------
    def _filters(self, exclude_same_artist, year_from, year_to, lang_filter, diversity) -> dict:
        lang = None if lang_filter in (None, "", LANG_ANY) else lang_filter
        return {
            "exclude_same_artist": bool(exclude_same_artist),
            "year_range": _year_range(year_from, year_to),
            "lang": lang,
            "diversity": float(diversity or 0.0),
        }

    @staticmethod
    def _k(k: float | None, available: int) -> int:
        k = DEFAULT_K if k in (None, "") else int(k)
        return max(1, min(k, MAX_K, available))

    def _result_table(self, recommendations, lang: str) -> pd.DataFrame:
        import pandas as pd

        rows = [
            [rank, r.title, r.artist, r.year, r.lang, round(float(r.score), 3),
             ", ".join(emotion_name(e, lang) for e in r.shared_emotions)]
            for rank, r in enumerate(recommendations, start=1)
        ]
        return pd.DataFrame(rows, columns=_columns(RESULT_COLUMNS, lang))

    def _figures(self, rec: Recommender, vector, song_emotion, query_name: str, recommendations, lang: str):
        from . import plots

        labels = [emotion_name(label, lang) for label in rec.index.labels]
        emotions = plots.plot_top_emotions(np.asarray(vector), labels, k=8,
                                           title=f"{text('plot_emotions', lang)}: {query_name}")
        arc = None
        if song_emotion is not None and len(song_emotion.sections) > 1:
            arc = plots.plot_emotional_arc(dataclasses.replace(song_emotion, labels=labels), k=5,
                                           title=f"{text('plot_arc', lang)}: {query_name}")
        heatmap = None
        if recommendations:
            shown = recommendations[:HEATMAP_SONGS]
            row_of = {song_id: i for i, song_id in enumerate(rec.index.ids)}
            vectors = np.vstack([np.asarray(vector, dtype=np.float32)]
                                + [np.asarray(rec.index.vectors[row_of[r.id]], dtype=np.float32) for r in shown])
            names = [f"[{query_name}]"] + [r.title for r in shown]
            heatmap = plots.plot_song_similarity(vectors, names, similarity=rec.similarity, center=rec.mean,
                                                 title=text("plot_heatmap", lang))
        return emotions, arc, heatmap

    def _guard(self, lang: str, columns: Sequence[str], run: Callable[[], Result]) -> Result:
        """Run a handler body; a bad input becomes a visible message (and a toast), never a traceback."""
        import gradio as gr

        try:
            return run()
        except UserInputError as err:
            message = err.text(lang)
        except LyricMoodError as err:
            message = text("err_input", lang, error=str(err))
        except Exception as err:  # the app keeps serving: log the trace, show a short message
            logger.exception("handler failed")
            message = text("err_internal", lang, error=f"{err.__class__.__name__}: {str(err)[:200]}")
        gr.Warning(message)
        return Result(_empty_table(columns, lang), _error_markdown(message))

    def recommend_song(self, song_id: str | None, source: str = SOURCE_BUILTIN, k: float = DEFAULT_K,
                       exclude_same_artist: bool = False, year_from: float | None = None,
                       year_to: float | None = None, lang_filter: str = LANG_ANY, diversity: float = 0.0,
                       ui_lang: str = DEFAULT_UI_LANGUAGE, upload: UploadedCatalog | None = None) -> tuple:
        """Songs like the catalog song ``song_id``: (table, message, emotion bars, arc, heatmap)."""

        def run() -> Result:
            if not song_id:
                raise UserInputError("err_no_song")
            rec = self._recommender_for(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            recommendations = rec.similar_songs(song_id, k=self._k(k, len(rec.index) - 1), **filters)
            vector, song_emotion = rec.query_vector(song_id)
            meta = rec.index.get(song_id)
            figures = self._figures(rec, vector, song_emotion, meta.get("title", song_id), recommendations, ui_lang)
            message = text("msg_song_result", ui_lang, title=meta.get("title", song_id), artist=meta.get("artist", ""),
                           emotions=_emotions_text(_top_pairs(vector, rec.index.labels), ui_lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", ui_lang)
            return Result(self._result_table(recommendations, ui_lang), message, *figures)

        return self._guard(ui_lang, RESULT_COLUMNS, run).as_tuple()

    def recommend_lyrics(self, lyrics: str | None, source: str = SOURCE_BUILTIN, k: float = DEFAULT_K,
                         exclude_same_artist: bool = False, year_from: float | None = None,
                         year_to: float | None = None, lang_filter: str = LANG_ANY, diversity: float = 0.0,
                         ui_lang: str = DEFAULT_UI_LANGUAGE, upload: UploadedCatalog | None = None) -> tuple:
        """Songs like pasted ``lyrics``: (table, message, emotion bars, arc, heatmap)."""

        def run() -> Result:
            if lyrics is None or not lyrics.strip():
                raise UserInputError("err_empty_lyrics")
            if len(lyrics) > MAX_LYRICS_CHARS:
                raise UserInputError("err_long_lyrics", n=len(lyrics), limit=MAX_LYRICS_CHARS)
            rec = self._recommender_for(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            # Scored directly (not through query_vector), so one-word lyrics are never taken for a song id.
            song_emotion = rec.predictor.score_song(lyrics)
            vector = song_emotion.vector
            recommendations = rec.similar_songs(vector=vector, k=self._k(k, len(rec.index)), **filters)
            name = text("your_lyrics", ui_lang)
            figures = self._figures(rec, vector, song_emotion, name, recommendations, ui_lang)
            message = text("msg_lyrics_result", ui_lang,
                           sections=len(song_emotion.sections), chunks=song_emotion.num_chunks,
                           emotions=_emotions_text(_top_pairs(vector, rec.index.labels), ui_lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", ui_lang)
            return Result(self._result_table(recommendations, ui_lang), message, *figures)

        return self._guard(ui_lang, RESULT_COLUMNS, run).as_tuple()

    def recommend_mood(self, mood: dict[str, float], source: str = SOURCE_BUILTIN, k: float = DEFAULT_K,
                       exclude_same_artist: bool = False, year_from: float | None = None,
                       year_to: float | None = None, lang_filter: str = LANG_ANY, diversity: float = 0.0,
                       ui_lang: str = DEFAULT_UI_LANGUAGE, upload: UploadedCatalog | None = None) -> tuple:
        """Songs for a described ``mood`` ({emotion: weight 0..1}): (table, message, mood bars)."""
        from . import plots

        def run() -> Result:
            wanted = {label: float(value) for label, value in (mood or {}).items() if value and float(value) > 0}
            if not wanted:
                raise UserInputError("err_mood_zero")
            rec = self._recommender_for(source, upload)
            filters = self._filters(exclude_same_artist, year_from, year_to, lang_filter, diversity)
            recommendations = rec.recommend_for_mood(wanted, k=self._k(k, len(rec.index)), **filters)
            pairs = sorted(wanted.items(), key=lambda item: -item[1])
            labels = [emotion_name(label, ui_lang) for label in rec.index.labels]
            vector = np.array([wanted.get(label, 0.0) for label in rec.index.labels], dtype=np.float32)
            figure = plots.plot_top_emotions(vector, labels, k=min(8, len(wanted)),
                                             title=text("mood_plot", ui_lang))
            message = text("msg_mood_result", ui_lang, emotions=_emotions_text(pairs, ui_lang))
            if not recommendations:
                message += "\n\n" + text("msg_no_results", ui_lang)
            return Result(self._result_table(recommendations, ui_lang), message, figure)

        result = self._guard(ui_lang, RESULT_COLUMNS, run)
        return result.table, result.message, result.emotions

    # -- uploads -----------------------------------------------------------------------------------
    def upload_catalog(self, file: Any, ui_lang: str = DEFAULT_UI_LANGUAGE, progress: Any = None) -> tuple:
        """Index an uploaded CSV / JSONL catalog into the session.

        Returns (uploaded catalog or None, status message, catalog source, browse table). On a bad file the
        session keeps its previous upload (the caller passes it back; here None means "no change").
        """
        from .index import build_index

        lang = ui_lang
        started = time.perf_counter()
        try:
            path = _file_path(file)
            if path is None:
                raise UserInputError("err_no_file")
            name = path.name
            if path.suffix.lower() not in UPLOAD_SUFFIXES:
                raise UserInputError("err_file_type", name=name)
            size = path.stat().st_size
            if size > MAX_UPLOAD_BYTES:
                raise UserInputError("err_file_size", name=name, size=size / 2**20, limit=MAX_UPLOAD_BYTES // 2**20)
            if progress is not None:
                progress(0.0, desc=text("progress_read", lang))
            rows = read_catalog_file(path, name)
            if len(rows) > MAX_UPLOAD_SONGS:
                raise UserInputError("err_too_many_songs", name=name, n=len(rows), limit=MAX_UPLOAD_SONGS)
            index = build_index(_tracked(rows, progress, text("progress_index", lang)), self.recommender.predictor,
                                progress=False)
        except UserInputError as err:
            return self._upload_failed(err.text(lang), lang)
        except LyricMoodError as err:
            return self._upload_failed(text("err_bad_file", lang, error=str(err)), lang)
        except Exception as err:
            logger.exception("indexing an upload failed")
            return self._upload_failed(
                text("err_internal", lang, error=f"{err.__class__.__name__}: {str(err)[:200]}"), lang)
        upload = UploadedCatalog(name=name, index=index)
        message = text("msg_indexed", lang, name=name, n=len(index), seconds=time.perf_counter() - started,
                       source=text("source_upload", lang))
        return upload, message, SOURCE_UPLOAD, self.catalog_table(index, lang)

    def _upload_failed(self, message: str, lang: str) -> tuple:
        import gradio as gr

        gr.Warning(message)
        return None, _error_markdown(message), None, None

    def browse(self, source: str, ui_lang: str = DEFAULT_UI_LANGUAGE,
               upload: UploadedCatalog | None = None) -> tuple[list[tuple[str, str]], pd.DataFrame, str, str]:
        """The chosen catalog: (dropdown choices, browse table, message, effective source)."""
        if source == SOURCE_UPLOAD and upload is None:
            message = text("err_no_upload", ui_lang)
            source = SOURCE_BUILTIN
            note = _error_markdown(message)
        else:
            note = ""
        index = upload.index if source == SOURCE_UPLOAD else self.recommender.index
        name = upload.name if source == SOURCE_UPLOAD else text("source_builtin", ui_lang)
        note = note or text("msg_catalog", ui_lang, name=name, n=len(index))
        return self.song_choices(index), self.catalog_table(index, ui_lang), note, source

    # -- page load ---------------------------------------------------------------------------------
    def query_params(self, request: Any) -> tuple[str, str | None]:
        """(interface language, song id) from the page URL (``?lang=en&song=<id>``)."""
        params = dict(getattr(request, "query_params", None) or {})
        lang = params.get("lang", DEFAULT_UI_LANGUAGE)
        lang = lang if lang in {code for _, code in UI_LANGUAGES} else DEFAULT_UI_LANGUAGE
        song = params.get("song") or None
        return lang, song


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
            :func:`lyricmood.recommender.load_default_recommender` (the embedded model and demo catalog).
        ui_lang: the interface language before the visitor picks one (``"ko"`` or ``"en"``).
    """
    import gradio as gr

    from .plots import use_hangul_font

    if recommender is None:
        from .recommender import load_default_recommender

        recommender = load_default_recommender()
    use_hangul_font()
    handlers = SpaceHandlers(recommender)
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
                    message = gr.Markdown()
                    table = gr.Dataframe(_empty_table(RESULT_COLUMNS, L), label=text("results", L),
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
                    mood_message = gr.Markdown()
                    mood_table = gr.Dataframe(_empty_table(RESULT_COLUMNS, L), label=text("results", L),
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
                                                      n=len(recommender.index)))
                    browse_table = gr.Dataframe(handlers.catalog_table(recommender.index, L),
                                                label=text("browse", L), interactive=False, wrap=True,
                                                show_search="search", max_height=600)
                    tr.add(browse_table, label("browse"))

                with gr.Tab(text("tab_about", L)) as tab_about:
                    tr.add(tab_about, label("tab_about"))
                    tr.add(gr.Markdown(text("about", L)), value("about"))

        # -- wiring: each handler is an API endpoint --------------------------------------------------
        filters = [source, k, exclude, year_from, year_to, lang_filter, diversity, ui_lang_radio, upload_state]
        results = [table, message, plot_emotions, plot_arc, plot_heatmap]
        # One pool for every CPU-bound event: without a shared concurrency_id each event gets its own
        # limit, and three endpoints × 2 workers would run 6 requests at once on 2 cores.
        cpu = {"concurrency_limit": QUEUE_SETTINGS["default_concurrency_limit"], "concurrency_id": "cpu"}

        btn_song.click(handlers.recommend_song, [song, *filters], results, api_name="recommend_song", **cpu)
        btn_lyrics.click(handlers.recommend_lyrics, [lyrics, *filters], results, api_name="recommend_lyrics", **cpu)

        mood_labels = list(handlers.mood_labels)

        def recommend_mood(*args):
            values, rest = args[: len(mood_labels)], args[len(mood_labels):]
            return handlers.recommend_mood(dict(zip(mood_labels, values)), *rest)

        btn_mood.click(recommend_mood, [*sliders, *filters], [mood_table, mood_message, mood_plot],
                       api_name="recommend_mood", **cpu)

        def upload_catalog(file, lang, previous, progress=gr.Progress()):  # noqa: B008 - how Gradio asks for it
            upload, note, new_source, browse_rows = handlers.upload_catalog(file, lang, progress)
            if upload is None:  # a bad file leaves the session as it was
                return previous, note, gr.update(), gr.update(), gr.update()
            return upload, note, new_source, gr.update(choices=handlers.song_choices(upload.index), value=None), \
                browse_rows

        btn_upload.click(upload_catalog, [upload_file, ui_lang_radio, upload_state],
                         [upload_state, upload_message, source, song, browse_table], api_name="upload_catalog",
                         concurrency_limit=1, concurrency_id="index")

        def switch_catalog(chosen, lang, upload):
            choices, rows, note, effective = handlers.browse(chosen, lang, upload)
            return gr.update(choices=choices, value=None), rows, note, effective

        source.input(switch_catalog, [source, ui_lang_radio, upload_state], [song, browse_table, upload_message, source],
                     api_name="switch_catalog", **cpu)

        ui_lang_radio.change(tr.updates, ui_lang_radio, tr.components, api_name="set_language")

        def on_load(request: gr.Request):
            lang, song_id = handlers.query_params(request)
            if not song_id:
                return lang, gr.update(), gr.update(), gr.update(), None, None, None
            outputs = handlers.recommend_song(song_id, ui_lang=lang)
            valid = song_id in set(recommender.index.ids)
            return (lang, song_id if valid else gr.update(), *outputs)

        on_load.__annotations__["request"] = gr.Request  # resolved here: this module postpones annotations
        demo.load(on_load, None, [ui_lang_radio, song, *results], api_name="load_from_url", **cpu)

    demo.queue(**QUEUE_SETTINGS)
    demo.lyricmood_recommender = recommender  # for benchmarks and tools that drive the served app
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, **kwargs: Any):
    """Serve ``demo`` with the app's upload cap (also checked in the handler) and no SSR (no Node needed)."""
    kwargs.setdefault("max_file_size", MAX_UPLOAD_BYTES)
    kwargs.setdefault("ssr_mode", False)
    return demo.launch(server_name=host, server_port=port, share=share, **kwargs)
