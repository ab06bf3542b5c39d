"""The Space's event handlers (:class:`SpaceHandlers`): plain methods, testable without a server.

They call the library (the recommender, the catalog reader, the index builder, the plots) and answer in the
visitor's language: a bad input becomes a message in the page and a toast, never a traceback. The page
layout that wires them to controls is :mod:`lyricmood.ui`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .emotions import ranked_emotions
from .errors import LyricMoodError
from .formatting import terminal_safe
from .ui_figures import FigureRenderer, FigureRequest, mood_figure_request, song_figure_request
from .ui_input import (
    DEFAULT_K,
    DIG_NONE,
    LANG_ANY,
    SOURCE_BUILTIN,
    SOURCE_UPLOAD,
    UserInputError,
    escape_html,
    escape_markdown,
    interface_language,
    parse_filters,
    parse_k,
    parse_lyrics,
    parse_mood,
    parse_song,
    parse_songs,
    parse_source,
    parse_steps,
)
from .ui_text import DEFAULT_UI_LANGUAGE, emotion_name, text
from .ui_uploads import IndexCost, UploadCopies, UploadedCatalog, discard_upload, lyrics_chars, uploaded_path

if TYPE_CHECKING:  # pandas and the model stack load only when a handler needs them
    import pandas as pd

    from .filters import Filters
    from .recommender import Recommender

logger = logging.getLogger(__name__)

# Emotions offered as "describe a mood" sliders (those the model knows; the first labels otherwise).
MOOD_EMOTIONS = ("joy", "love", "sadness", "anger", "fear", "optimism", "gratitude", "nervousness")
RESULT_COLUMNS = ("col_rank", "col_title", "col_artist", "col_year", "col_lang", "col_score", "col_shared")
JOURNEY_COLUMNS = ("col_step", "col_distance", "col_title", "col_artist", "col_year", "col_lang", "col_top")
BROWSE_COLUMNS = ("col_id", "col_title", "col_artist", "col_year", "col_lang", "col_top")


@dataclasses.dataclass
class Controls:
    """The controls every recommendation shares, raw as the page or the API sent them (checked when used)."""

    source: Any = SOURCE_BUILTIN
    k: Any = DEFAULT_K
    exclude_same_artist: Any = False
    year_from: Any = None
    year_to: Any = None
    lang_filter: Any = LANG_ANY
    diversity: Any = 0.0
    mood_weight: Any = None  # None: the catalog's own weight
    dig: Any = DIG_NONE
    ui_lang: Any = DEFAULT_UI_LANGUAGE
    upload: UploadedCatalog | None = None  # the session's uploaded catalog


@dataclasses.dataclass
class Answer:
    """What a recommendation found, before it becomes the table: its songs, message and figures."""

    recommendations: list
    message: str
    figures: FigureRequest


# -- tables and messages ---------------------------------------------------------------------------


def _columns(keys: Sequence[str], lang: str) -> list[str]:
    return [text(key, lang) for key in keys]


def empty_table(keys: Sequence[str], lang: str) -> pd.DataFrame:
    """A table with the headers ``keys`` (``ui_text`` keys) in ``lang`` and no rows."""
    import pandas as pd

    return pd.DataFrame(columns=_columns(keys, lang))


def _error_markdown(message: str) -> str:
    return f"⚠️ {message}"


def _error_text(err: Exception, lang: str, bad_input_key: str) -> str:
    """``err`` worded for the visitor: their input's problem, or a short note of an internal one (logged)."""
    if isinstance(err, UserInputError):
        return err.text(lang)
    if isinstance(err, LyricMoodError):
        return text(bad_input_key, lang, error=escape_markdown(err))
    logger.exception("handler failed")  # the app keeps serving: log the trace, show a short message
    return text("err_internal", lang, error=escape_markdown(f"{err.__class__.__name__}: {str(err)[:200]}"))


def _emotions_text(pairs: Sequence[tuple[str, float]], lang: str) -> str:
    return ", ".join(f"{escape_markdown(emotion_name(label, lang))} {value:.2f}" for label, value in pairs)


def _song_label(meta: dict) -> str:
    title = meta.get("title") or meta.get("id", "?")
    artist = meta.get("artist") or ""
    year = meta.get("year")
    label = f"{title} — {artist}" if artist else title
    return terminal_safe(f"{label} ({year})" if year not in (None, "") else label)  # no bidi override in a label


def result_table(recommendations: Sequence[Any], lang: str) -> pd.DataFrame:
    """One row per recommendation: rank, title, artist, year, language, score, shared emotions (text escaped)."""
    import pandas as pd

    rows = [
        [rank, escape_html(r.title), escape_html(r.artist), r.year, escape_html(r.lang), round(float(r.score), 3),
         escape_html(", ".join(emotion_name(e, lang) for e in r.shared_emotions))]
        for rank, r in enumerate(recommendations, start=1)
    ]
    return pd.DataFrame(rows, columns=_columns(RESULT_COLUMNS, lang))


def _spread_text(recommendations: Sequence[Any], dig: str, lang: str) -> str:
    """How many decades (or languages) a dug list spans, worded for the visitor."""
    from .filters import decade

    groups = sorted({decade(r.year) if dig == "decades" else r.lang for r in recommendations} - {""})
    return text("msg_dig_spread", lang, n=len(recommendations), m=len(groups), kind=text(f"dig_{dig}", lang),
                groups=escape_markdown(", ".join(groups)))


def journey_table(journey: Any, lang: str) -> pd.DataFrame:
    """One row per journey step: step, distance to its ideal point, title, artist, year, language, its own top
    emotions (text escaped), so that the change of feel is visible."""
    import pandas as pd

    rows = [
        [s.step, round(float(s.distance), 3), escape_html(s.song.title), escape_html(s.song.artist), s.song.year,
         escape_html(s.song.lang), escape_html(", ".join(emotion_name(e, lang) for e in s.top_emotions))]
        for s in journey.steps
    ]
    return pd.DataFrame(rows, columns=_columns(JOURNEY_COLUMNS, lang))


# -- handlers --------------------------------------------------------------------------------------


class SpaceHandlers:
    """The app's event handlers as plain methods; :func:`lyricmood.ui.build_demo` wires them to the interface.

    Recommendation handlers take the query and the :class:`Controls` (in order or by name) as raw values and
    validate them, and return ``(table, message, FigureRequest)``; :meth:`render_figures` /
    :meth:`render_mood_figure` draw the plots of a request afterwards.

    Args:
        recommender: the built-in catalog's :class:`~lyricmood.recommender.Recommender` (with a predictor,
            so pasted lyrics and uploads can be scored).
        upload_dir: the server's upload folder: an uploaded file inside it is deleted once it has been
            indexed or rejected (files elsewhere, e.g. a local path given to the handler, are left alone).
    """

    def __init__(self, recommender: Recommender, upload_dir: str | Path | None = None):
        self.recommender = recommender
        self.upload_dir = None if upload_dir is None else Path(upload_dir).resolve()
        self.upload_copies = UploadCopies()  # each upload request reads its own copy
        self.index_cost = IndexCost()  # what an upload will cost, told before it is indexed
        self.labels: list[str] = list(recommender.index.labels)
        wanted = [label for label in MOOD_EMOTIONS if label in self.labels]
        self.mood_labels = wanted if len(wanted) >= 3 else self.labels[: len(MOOD_EMOTIONS)]
        self.figures = FigureRenderer()

    # -- catalogs ----------------------------------------------------------------------------------
    def _catalog(self, source: Any, upload: UploadedCatalog | None) -> tuple[Recommender, str]:
        """The recommender of the chosen catalog, and the key naming its cached figures."""
        if parse_source(source) != SOURCE_UPLOAD:
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
            top = ranked_emotions(vectors[row], index.labels)[:3]  # never "no emotion", as the CLI and plots
            rows.append([escape_html(song_id), escape_html(meta.get("title") or ""),
                         escape_html(meta.get("artist") or ""), meta.get("year"), escape_html(meta.get("lang") or ""),
                         escape_html(", ".join(emotion_name(index.labels[i], lang) for i in top))])
        return pd.DataFrame(rows, columns=_columns(BROWSE_COLUMNS, lang))

    def catalog_id(self, song: Any, source: Any = SOURCE_BUILTIN, upload: UploadedCatalog | None = None) -> str | None:
        """The id of ``song`` (an id or an exact title) in the chosen catalog, or ``None``."""
        try:
            return self._catalog(source, upload)[0].resolve_id(parse_song(song))
        except (UserInputError, LyricMoodError):
            return None

    # -- recommendations ---------------------------------------------------------------------------
    def recommend_song(self, song: Any, *controls: Any, **named: Any) -> tuple:
        """Songs like the catalog song ``song`` (an id or an exact title, never scored as lyrics)."""
        return self._recommend(self._similar_to_song, song, Controls(*controls, **named))

    def recommend_lyrics(self, lyrics: Any, *controls: Any, **named: Any) -> tuple:
        """Songs like pasted ``lyrics``."""
        return self._recommend(self._similar_to_lyrics, lyrics, Controls(*controls, **named))

    def recommend_mood(self, mood: dict[str, Any] | None, *controls: Any, **named: Any) -> tuple:
        """Songs for a described ``mood`` ({emotion: weight 0..1}; ``None`` counts as 0)."""
        return self._recommend(self._similar_to_mood, mood, Controls(*controls, **named))

    def recommend_songs(self, songs: Any, *controls: Any, **named: Any) -> tuple:
        """Songs that fit a set of catalog songs (ids or titles), the seeds left out; (table, message, map)."""
        return self._recommend(self._similar_to_songs, songs, Controls(*controls, **named))

    def journey(self, start: Any, end: Any, steps: Any = 6, *controls: Any, **named: Any) -> tuple:
        """An ordered playlist from catalog song ``start`` to catalog song ``end``; (table, message, map)."""
        return self._recommend(partial(self._journey, steps=steps), (start, end), Controls(*controls, **named),
                               table=journey_table)

    def _recommend(self, answer: Callable[..., Answer], query: Any, controls: Controls,
                   table: Callable[[Any, str], pd.DataFrame] | None = None) -> tuple:
        """The path every recommendation takes: check the controls, run ``answer`` on the chosen catalog, and
        return (table, message, figure request); a bad input becomes a visible message (and a toast)."""
        lang = interface_language(controls.ui_lang)
        try:
            rec, catalog_key = self._catalog(controls.source, controls.upload)
            # A catalog ranked by emotion alone (indexed with --emotion-only, or before meaning was read) has no
            # mix to move: the slider does not apply to it.
            mood_weight = controls.mood_weight if rec.index.meaning is not None else None
            filters = parse_filters(controls.exclude_same_artist, controls.year_from, controls.year_to,
                                    controls.lang_filter, controls.diversity, mood_weight, controls.dig)
            found = answer(rec, query, parse_k(controls.k), filters, lang, catalog_key)
            note = "" if found.recommendations else "\n\n" + text("msg_no_results", lang)
            if filters.dig and found.recommendations and table is None:
                note += "\n\n" + _spread_text(found.recommendations, filters.dig, lang)
            return (table or result_table)(found.recommendations, lang), found.message + note, found.figures
        except Exception as err:
            import gradio as gr

            message = _error_text(err, lang, "err_input")
            gr.Warning(message)
            return empty_table(JOURNEY_COLUMNS if table else RESULT_COLUMNS, lang), _error_markdown(message), None

    @staticmethod
    def _similar_to_song(rec: Recommender, song: Any, k: int, filters: Filters, lang: str, catalog_key: str) -> Answer:
        song_id = rec.resolve_id(parse_song(song))
        if len(rec.index) == 1:
            raise UserInputError("err_only_song")
        recommendations = rec.similar_to_song(song_id, min(k, len(rec.index) - 1), filters)
        song_emotion = rec.index.song_emotion(song_id)
        meta = rec.index.get(song_id)
        title = str(meta.get("title") or song_id)
        message = text("msg_song_result", lang, title=escape_markdown(title),
                       artist=escape_markdown(meta.get("artist") or ""),
                       emotions=_emotions_text(song_emotion.top(3), lang))
        return Answer(recommendations, message, song_figure_request(rec, song_emotion, title, recommendations, lang,
                                                                    cache_key=(catalog_key, song_id)))

    @staticmethod
    def _similar_to_songs(rec: Recommender, songs: Any, k: int, filters: Filters, lang: str, _key: str) -> Answer:
        from .song_map import map_figure

        seeds = [rec.resolve_id(song) for song in parse_songs(songs)]
        recommendations = rec.similar_to_songs(seeds, min(k, max(1, len(rec.index) - len(seeds))), filters)
        titles = ", ".join(escape_markdown(str(rec.index.get(s).get("title") or s)) for s in seeds)
        message = text("msg_seeds_result", lang, n=len(seeds), titles=titles)
        return Answer(recommendations, message,
                      map_figure(rec, seeds, recommendations, mood_weight=filters.mood_weight))

    @staticmethod
    def _journey(rec: Recommender, ends: tuple, k: int, filters: Filters, lang: str, _key: str, *, steps: Any
                 ) -> Answer:
        from .dig import MAX_JOURNEY_STEPS
        from .song_map import map_figure

        start, end = (rec.resolve_id(parse_song(song)) for song in ends)
        journey = rec.journey(start, end, parse_steps(steps, MAX_JOURNEY_STEPS), filters)
        message = text("msg_journey_result", lang, start=escape_markdown(journey.start),
                       end=escape_markdown(journey.end), n=len(journey.steps))
        songs = [s.song for s in journey.steps]
        return Answer(journey, message, map_figure(rec, [start, end], songs, connect=True,
                                                   mood_weight=filters.mood_weight))

    @staticmethod
    def _similar_to_lyrics(rec: Recommender, lyrics: Any, k: int, filters: Filters, lang: str, _key: str) -> Answer:
        pasted = parse_lyrics(lyrics)
        # Scored here (similar_to_lyrics would score them too) because the figures need the scored song.
        song_emotion = rec.predictor.score_song(pasted)
        recommendations = rec.similar_to_emotion(song_emotion, min(k, len(rec.index)), filters)
        message = text("msg_lyrics_result", lang, sections=len(song_emotion.sections), chunks=song_emotion.num_chunks,
                       emotions=_emotions_text(song_emotion.top(3), lang))
        return Answer(recommendations, message,
                      song_figure_request(rec, song_emotion, text("your_lyrics", lang), recommendations, lang))

    @staticmethod
    def _similar_to_mood(rec: Recommender, mood: Any, k: int, filters: Filters, lang: str, _key: str) -> Answer:
        wanted = parse_mood(mood)
        recommendations = rec.similar_to_mood(wanted, min(k, len(rec.index)), filters)
        pairs = sorted(wanted.items(), key=lambda item: -item[1])
        message = text("msg_mood_result", lang, emotions=_emotions_text(pairs, lang))
        return Answer(recommendations, message, mood_figure_request(rec, wanted, lang))

    # -- figures (the chained events) --------------------------------------------------------------
    def render_figures(self, request: FigureRequest | None) -> tuple:
        """(emotion profile, emotional arc, similarity heatmap) of a recommendation, rendered for ``gr.Plot``
        (``None`` clears a plot: no request, a song of one section, no recommendation)."""
        return self.figures.song_figures(request)

    def render_mood_figure(self, request: FigureRequest | None) -> Any:
        """The bars of a described mood's weights, rendered for ``gr.Plot`` (``None`` clears the plot)."""
        return self.figures.mood_figure(request)

    # -- uploads -----------------------------------------------------------------------------------
    def upload_catalog(self, file: Any, ui_lang: Any = DEFAULT_UI_LANGUAGE, progress: Any = None) -> tuple:
        """Index an uploaded CSV / JSONL catalog into the session; the uploaded file is deleted afterwards.

        ``progress``: a ``gr.Progress(track_tqdm=True)``: it shows the file check, then follows the index
        builder's own tqdm bar. Returns (uploaded catalog or None, status message, catalog source, browse table).
        On a bad file the session keeps its previous upload (the caller passes it back; here None means "no
        change").
        """
        from .indexing import build_index

        lang = interface_language(ui_lang)
        started = time.perf_counter()
        path = None
        try:
            path = uploaded_path(file)
            if progress is not None:
                progress(0.0, desc=text("progress_read", lang))
            songs = self.upload_copies.read(path)
            chars = lyrics_chars(songs)
            label = text("progress_index_cost", lang, n=len(songs), chars=chars, seconds=self.index_cost.seconds(chars))
            if progress is not None:
                progress(0.0, desc=label)
            # No bar on the server's terminal; track_tqdm follows it all the same (Gradio patches tqdm itself).
            indexing = time.perf_counter()
            index = build_index(songs, self.recommender.predictor, progress=False, progress_label=label)
            self.index_cost.observe(chars, time.perf_counter() - indexing)
        except Exception as err:
            import gradio as gr

            message = _error_text(err, lang, "err_bad_file")
            gr.Warning(message)
            return None, _error_markdown(message), None, None
        finally:
            discard_upload(path, self.upload_dir)
        upload = UploadedCatalog(name=path.name, index=index)
        message = text("msg_indexed", lang, name=escape_markdown(path.name), n=len(index),
                       seconds=time.perf_counter() - started, source=text("source_upload", lang))
        if len(index) == 1:
            message += "\n\n" + text("msg_one_song", lang)
        return upload, message, SOURCE_UPLOAD, self.catalog_table(index, lang)

    def browse(self, source: Any, ui_lang: Any = DEFAULT_UI_LANGUAGE,
               upload: UploadedCatalog | None = None) -> tuple[list[tuple[str, str]], pd.DataFrame, str, str]:
        """The chosen catalog: (dropdown choices, browse table, message, effective source)."""
        lang = interface_language(ui_lang)
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
        return interface_language(params.get("lang")), params.get("song") or None
