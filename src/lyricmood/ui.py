"""The lyricmood Space: a Gradio app over the library's recommender (Korean or English interface).

``build_demo()`` lays out the app and wires each control to a handler of
:class:`~lyricmood.ui_handlers.SpaceHandlers`, which calls the library; every event is also an API endpoint
(``api_name=``), so ``gradio_client`` can drive the app. The parts: :mod:`~lyricmood.ui_handlers` (the
handlers), :mod:`~lyricmood.ui_input` (raw values checked, limits, user text escaped),
:mod:`~lyricmood.ui_figures` (the plots, cached), :mod:`~lyricmood.ui_uploads` (a visitor's own catalog) and
:mod:`~lyricmood.ui_text` (the Korean and English strings).

Queue and concurrency, chosen deliberately (a free Space has 2 CPU cores):

* A catalog song or a mood needs no model (the catalog's vectors are in the index): ranking takes
  milliseconds. These events (``/recommend_song``, ``/recommend_mood``, the ``?song=`` page load, the
  catalog switch) share their own pool (``concurrency_id="catalog"``, 4 workers), so they never wait
  behind inference.
* Pasted lyrics must be scored by the model: ``/recommend_lyrics`` has its own pool of 1
  (``"model"``); torch already spreads one request over both cores, a second at once would only
  time-slice them. Indexing an upload has a pool of 1 (``"index"``); its progress bar follows the index
  builder's tqdm bar (``gr.Progress(track_tqdm=True)``).
* Figures are off the critical path: a recommendation answers with its table and message, then a
  chained event (``/song_figures``, ``/mood_figure``, pool ``"figures"`` of 1) renders the plots.
* ``max_size=64``: a visitor beyond 64 waiting requests is told the queue is full at once.

Recommendation events take the raw values (``preprocess=False``): the handlers check them and answer a
wrong type with a message in the page. An upload is kept in the visitor's session (``gr.State``) for
:data:`UPLOAD_TTL_S` seconds after their last use.

Opening the app with ``?song=<id or title>`` (and optionally ``&lang=en``) runs that song's
recommendation on page load, so a link shows a result straight away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import LyricMoodError
from .fusion import DEFAULT_MOOD_WEIGHT
from .ui_api import api_function
from .ui_handlers import RESULT_COLUMNS, SpaceHandlers, empty_table
from .ui_input import DEFAULT_K, DIG_NONE, LANG_ANY, MAX_K, SOURCE_BUILTIN, SOURCE_UPLOAD, interface_language
from .ui_text import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, emotion_name, text
from .ui_uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_SONGS, UPLOAD_SUFFIXES

if TYPE_CHECKING:  # gradio and the model stack load only when the app is built
    import gradio as gr

    from .recommender import Recommender

__all__ = ["build_demo", "launch", "SpaceHandlers"]

logger = logging.getLogger(__name__)

UPLOAD_TTL_S = 6 * 3600  # an idle session's uploaded index is freed after this long
QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}
#: concurrency pools: (concurrency_id, workers); see the module docstring
POOLS = {"catalog": 4, "model": 1, "index": 1, "figures": 1}
RESULT_TYPES = ["number", "html", "html", "number", "html", "number", "html"]
# Wide enough for each header in one line ("language", "similarity" broke mid-word at 9 % and 10 %).
RESULT_WIDTHS = ["6%", "21%", "17%", "7%", "11%", "12%", "26%"]
#: Table headers wrap between words only (CSS is given at launch, as Gradio 6 takes it).
CSS = ".lyricmood-table th, .lyricmood-table th * { word-break: keep-all; overflow-wrap: normal; hyphens: none; }"
BROWSE_TYPES = ["html", "html", "html", "number", "html", "html"]


class _Translator:
    """Makes the components whose texts follow the interface language, and updates them all when it changes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries: list[tuple[Any, dict[str, Callable[[str], Any]]]] = []

    def __call__(self, make: Callable[..., Any], /, **texts: Callable[[str], Any]) -> Any:
        """``make(**texts)``, each text (a function of the language) in the initial language."""
        component = make(**{name: get(self.lang) for name, get in texts.items()})
        self.entries.append((component, texts))
        return component

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        import gradio as gr

        return [gr.update(**{name: get(lang) for name, get in texts.items()}) for _, texts in self.entries]


def _t(key: str, **values: Any) -> Callable[[str], str]:
    """The interface string ``key`` as a function of the language."""
    return lambda lang: text(key, lang, **values)


def _source_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("source_builtin", lang), SOURCE_BUILTIN), (text("source_upload", lang), SOURCE_UPLOAD)]


def _lang_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("lang_any", lang), LANG_ANY), (text("lang_ko", lang), "ko"), (text("lang_en", lang), "en")]


def _dig_choices(lang: str) -> list[tuple[str, str]]:
    return [(text("dig_none", lang), DIG_NONE), (text("dig_decades", lang), "decades"),
            (text("dig_languages", lang), "languages")]


def build_demo(recommender: Recommender | None = None, *, ui_lang: str = DEFAULT_UI_LANGUAGE) -> gr.Blocks:
    """The Space as ``gr.Blocks`` with its queue set (see the module docstring); call ``.launch()`` on it.

    Args:
        recommender: the built-in catalog's recommender (with a predictor); default
            :func:`lyricmood.demo.load_default_recommender` (the embedded model and demo catalog).
        ui_lang: the interface language before the visitor picks one (``"ko"`` or ``"en"``).
    """
    import gradio as gr

    from .plots import use_hangul_font

    languages = [code for _, code in UI_LANGUAGES]
    if ui_lang not in languages:  # a caller's mistake, not a visitor's: say so rather than fall back
        raise LyricMoodError(f"unknown interface language {ui_lang!r}", field="ui_lang",
                             hint=f"use one of {', '.join(languages)}")
    if recommender is None:
        from .demo import load_default_recommender

        recommender = load_default_recommender()
    use_hangul_font()
    # Uploads land in Gradio's upload folder; the handler deletes each once it is indexed or rejected.
    from gradio.utils import get_upload_folder

    handlers = SpaceHandlers(recommender, upload_dir=get_upload_folder())
    warming = warm_model(recommender)
    song_choices, catalog_rows, catalog_note, _ = handlers.browse(SOURCE_BUILTIN, ui_lang)  # the page opens on it
    tr = _Translator(ui_lang)
    results = partial(gr.Dataframe, empty_table(RESULT_COLUMNS, ui_lang), datatype=RESULT_TYPES, interactive=False,
                      wrap=True, column_widths=RESULT_WIDTHS, elem_classes=["lyricmood-table"])
    primary = partial(gr.Button, variant="primary")

    with gr.Blocks(title="lyricmood") as demo:
        upload_state = gr.State(None, time_to_live=UPLOAD_TTL_S)
        with gr.Row():
            with gr.Column(scale=4):
                tr(gr.Markdown, value=_t("title"))
                tr(gr.Markdown, value=_t("intro"))
            with gr.Column(scale=1, min_width=220):
                ui_lang_radio = tr(partial(gr.Radio, list(UI_LANGUAGES), value=ui_lang), label=_t("ui_lang"))
                source = tr(partial(gr.Radio, value=SOURCE_BUILTIN), label=_t("source"), choices=_source_choices)

        with gr.Row():
            with gr.Column(scale=1, min_width=240):
                tr(gr.Markdown, value=lambda lang: f"### {text('filters', lang)}")
                k = tr(partial(gr.Slider, 1, MAX_K, value=DEFAULT_K, step=1), label=_t("k"))
                exclude = tr(partial(gr.Checkbox, False), label=_t("exclude_same_artist"))
                with gr.Row():
                    # Text boxes: a Number box shows 0 when empty. Empty (or 0) means no bound; the handler
                    # checks the text (a year, or a message in the page).
                    year_from, year_to = (
                        tr(partial(gr.Textbox, None, max_lines=1), label=_t(key),
                           placeholder=_t("year_placeholder", year=example), info=_t("year_info"))
                        for key, example in (("year_from", 1990), ("year_to", 2010))
                    )
                lang_filter = tr(partial(gr.Dropdown, value=LANG_ANY), label=_t("lang_filter"), choices=_lang_choices)
                diversity = tr(partial(gr.Slider, 0.0, 1.0, value=0.0, step=0.05), label=_t("diversity"))
                mood_weight = tr(partial(gr.Slider, 0.0, 1.0, value=DEFAULT_MOOD_WEIGHT, step=0.05),
                                 label=_t("mood_weight"), info=_t("mood_weight_info"))
                dig = tr(partial(gr.Dropdown, value=DIG_NONE), label=_t("dig"), choices=_dig_choices)

            with gr.Column(scale=3), gr.Tabs():
                with tr(gr.Tab, label=_t("tab_similar")):
                    with gr.Row():
                        with gr.Column():
                            song = tr(partial(gr.Dropdown, song_choices, value=None, filterable=True), label=_t("song"))
                            btn_song = tr(primary, value=_t("btn_song"))
                        with gr.Column():
                            lyrics = tr(partial(gr.Textbox, lines=6, max_lines=12), label=_t("lyrics"),
                                        placeholder=_t("lyrics_placeholder"))
                            btn_lyrics = tr(gr.Button, value=_t("btn_lyrics"))
                            model_note = gr.Markdown(text("model_warming", ui_lang) if warming else "",
                                                     visible=warming is not None)
                    message = gr.Markdown(latex_delimiters=[], label="message")
                    table = tr(results, label=_t("results"))
                    # The figures carry their own titles: Gradio's label badge would cover them.
                    with gr.Row():
                        plot_emotions = tr(partial(gr.Plot, show_label=False), label=_t("plot_emotions"))
                        plot_arc = tr(partial(gr.Plot, show_label=False), label=_t("plot_arc"))
                    plot_heatmap = tr(partial(gr.Plot, show_label=False), label=_t("plot_heatmap"))

                with tr(gr.Tab, label=_t("tab_mood")):
                    tr(gr.Markdown, value=_t("mood_intro"))
                    with gr.Row():
                        sliders = [tr(partial(gr.Slider, 0.0, 1.0, value=0.0, step=0.05, min_width=140),
                                      label=lambda lang, e=emotion: emotion_name(e, lang))
                                   for emotion in handlers.mood_labels]
                    btn_mood = tr(primary, value=_t("btn_mood"))
                    mood_message = gr.Markdown(latex_delimiters=[], label="message")
                    mood_table = tr(results, label=_t("results"))
                    mood_plot = tr(gr.Plot, label=_t("mood_plot"))

                with tr(gr.Tab, label=_t("tab_dig")):
                    tr(gr.Markdown, value=_t("dig_intro"))
                    with gr.Row():
                        with gr.Column():
                            seeds = tr(partial(gr.Dropdown, song_choices, value=None, multiselect=True,
                                               filterable=True), label=_t("seeds"))
                            btn_seeds = tr(primary, value=_t("btn_seeds"))
                        with gr.Column():
                            with gr.Row():
                                journey_from = tr(partial(gr.Dropdown, song_choices, value=None, filterable=True),
                                                  label=_t("journey_from"))
                                journey_to = tr(partial(gr.Dropdown, song_choices, value=None, filterable=True),
                                                label=_t("journey_to"))
                            journey_steps = tr(partial(gr.Slider, 1, 20, value=6, step=1), label=_t("steps"))
                            btn_journey = tr(gr.Button, value=_t("btn_journey"))
                    dig_message = gr.Markdown(latex_delimiters=[], label="message")
                    dig_table = tr(results, label=_t("dig_results"))
                    dig_map = tr(partial(gr.Plot, show_label=False), label=_t("dig_map"))

                with tr(gr.Tab, label=_t("tab_catalog")):
                    limits = {"mb": MAX_UPLOAD_BYTES // 2**20, "songs": f"{MAX_UPLOAD_SONGS:,}"}
                    tr(gr.Markdown, value=_t("catalog_intro", **limits))
                    with gr.Row():
                        upload_file = tr(partial(gr.File, file_types=list(UPLOAD_SUFFIXES), type="filepath"),
                                         label=_t("upload"))
                        btn_upload = tr(partial(primary, scale=0), value=_t("btn_upload"))
                    upload_message = gr.Markdown(catalog_note, latex_delimiters=[])
                    browse_table = tr(partial(gr.Dataframe, catalog_rows, datatype=BROWSE_TYPES, interactive=False,
                                              wrap=True, show_search="search", max_height=600), label=_t("browse"))

                with tr(gr.Tab, label=_t("tab_about")):
                    tr(gr.Markdown, value=_t("about"))

        # -- wiring: each handler is an API endpoint --------------------------------------------------
        filters = [source, k, exclude, year_from, year_to, lang_filter, diversity, mood_weight, dig, ui_lang_radio,
                   upload_state]
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
        recommend_song = api_function(
            "recommend_song", handlers.recommend_song,
            [("song", None, "a catalog song: its id (e.g. en-001-ribbon-for-your-hair) or exact title")],
            "Songs whose lyrics feel like a catalog song (its stored vectors: no model, milliseconds).")
        recommend_lyrics = api_function(
            "recommend_lyrics", handlers.recommend_lyrics,
            [("lyrics", None, "any lyrics, up to 20,000 characters (sections split by blank lines or [tags])")],
            "Songs whose lyrics feel like the given lyrics (scored by the emotion model).")
        then_figures(btn_song.click(recommend_song, [song, *filters], [table, message, figure_state],
                                    api_name="recommend_song", **catalog), api_name="song_figures")
        then_figures(btn_lyrics.click(recommend_lyrics, [lyrics, *filters], [table, message, figure_state],
                                      api_name="recommend_lyrics", preprocess=False, **pool("model")))

        recommend_songs = api_function(
            "recommend_songs", handlers.recommend_songs,
            [("songs", None, "catalog songs (ids or exact titles), a list of 1 to 20")],
            "Songs that fit a whole set of catalog songs (the mean of their similarities), the seeds left out; "
            "the map shows the seeds and the results.",
            returns="(table, message, map): the songs, a Markdown note, and the catalog map (a plot)")
        journey = api_function(
            "journey", handlers.journey,
            [("start", None, "the first catalog song (id or exact title)"),
             ("end", None, "the last catalog song (id or exact title)"),
             ("steps", 6, "how many songs between them, 1 to 100")],
            "An ordered playlist whose feel moves from one catalog song to another: step i is the best unused song "
            "near the point i/(steps+1) of the way; the map draws the path.",
            returns="(table, message, map): the steps (distance to their ideal point, top emotions), a note, the map")
        btn_seeds.click(recommend_songs, [seeds, *filters], [dig_table, dig_message, dig_map],
                        api_name="recommend_songs", **catalog)
        btn_journey.click(journey, [journey_from, journey_to, journey_steps, *filters],
                          [dig_table, dig_message, dig_map], api_name="journey", **catalog)

        mood_labels = list(handlers.mood_labels)
        mood_state = gr.State(None)

        def mood_handler(*args):
            values, rest = args[: len(mood_labels)], args[len(mood_labels):]
            return handlers.recommend_mood(dict(zip(mood_labels, values)), *rest)

        recommend_mood = api_function(
            "recommend_mood", mood_handler,
            [(label, 0.0, f"weight of {label}, 0 to 1") for label in mood_labels],
            "Songs for a mood described by emotion weights (at least one above 0; no model).")
        btn_mood.click(recommend_mood, [*sliders, *filters], [mood_table, mood_message, mood_state],
                       api_name="recommend_mood", **catalog).then(
            handlers.render_mood_figure, mood_state, mood_plot, api_name="mood_figure", **figures)

        def upload_catalog(file=None, ui_lang=ui_lang, upload=None,
                           progress=gr.Progress(track_tqdm=True)):  # noqa: B008 - Gradio's way
            """Index a CSV or JSON Lines catalog for this session (columns id, title, lyrics; optional artist,
            year, lang); later recommendations with source="upload" rank its songs.

            Args:
                file: the catalog file (gradio_client.handle_file(path))
                ui_lang: "ko" or "en": the language of the answer
                upload: the session's uploaded catalog (session state: not sent by API callers)

            Returns:
                a Markdown note (songs indexed, or what was wrong), the catalog choice, the song list, the
                catalog's table, and the cleared file control.
            """
            previous = upload
            upload, note, new_source, browse_rows = handlers.upload_catalog(file, ui_lang, progress)
            cleared = gr.update(value=None)  # the file is gone from the server: clear the control too
            if upload is None:  # a bad file leaves the session as it was
                return previous, note, gr.update(), gr.update(), gr.update(), cleared
            return upload, note, new_source, gr.update(choices=handlers.song_choices(upload.index), value=None), \
                browse_rows, cleared

        def dig_choices(source=SOURCE_BUILTIN, upload=None):
            # The Dig tab's song lists follow the catalog shown, as the song list does.
            index = upload.index if source == SOURCE_UPLOAD and upload is not None else recommender.index
            update = gr.update(choices=handlers.song_choices(index), value=None)
            return update, update, update

        dig_lists = {"fn": dig_choices, "inputs": [source, upload_state], "outputs": [seeds, journey_from, journey_to],
                     "api_visibility": "private", "queue": False}
        btn_upload.click(upload_catalog, [upload_file, ui_lang_radio, upload_state],
                         [upload_state, upload_message, source, song, browse_table, upload_file],
                         api_name="upload_catalog", preprocess=False, **pool("index")).then(**dig_lists)

        def switch_catalog(source=SOURCE_BUILTIN, ui_lang=ui_lang, upload=None):
            """Show a catalog's songs: the built-in one or this session's upload.

            Args:
                source: "builtin" or "upload"
                ui_lang: "ko" or "en"
                upload: the session's uploaded catalog (session state: not sent by API callers)

            Returns:
                the song list, the catalog's table, a Markdown note and the catalog actually shown.
            """
            choices, rows, note, effective = handlers.browse(source, ui_lang, upload)
            return gr.update(choices=choices, value=None), rows, note, effective

        source.input(switch_catalog, [source, ui_lang_radio, upload_state],
                     [song, browse_table, upload_message, source],
                     api_name="switch_catalog", **catalog).then(**dig_lists)

        def set_language(ui_lang=ui_lang):
            """Switch the interface language.

            Args:
                ui_lang: "ko" or "en"

            Returns:
                the texts of every labelled control in that language.
            """
            return tr.updates(interface_language(ui_lang))

        ui_lang_radio.change(set_language, ui_lang_radio, tr.components, api_name="set_language", preprocess=False)

        if warming is not None:  # tell the page when the lyrics model is ready
            timer = gr.Timer(1.0)

            def model_status():
                if warming.is_alive():
                    return gr.update(), gr.update()
                return gr.update(value="", visible=False), gr.Timer(active=False)

            timer.tick(model_status, None, [model_note, timer], api_visibility="private", queue=False)

        example = recommender.index.ids[0] if len(recommender.index) else None

        def on_load(request: gr.Request):
            """The page's first answer: the song of the URL (?song=<id or title>&lang=en), else an example song."""
            lang, song_id = handlers.query_params(request)
            song_id = song_id or example
            if not song_id:
                return lang, gr.update(), gr.update(), gr.update(), None
            outputs = handlers.recommend_song(song_id, ui_lang=lang)
            found = handlers.catalog_id(song_id)
            return (lang, found if found is not None else gr.update(), *outputs)

        on_load.__annotations__["request"] = gr.Request  # resolved here: this module postpones annotations
        then_figures(demo.load(on_load, None, [ui_lang_radio, song, table, message, figure_state],
                               api_name="load_from_url", **pool("catalog")))

        def dig_example(lang=ui_lang):
            # The Dig tab opens on an example too: the songs that fit the catalog's first two songs, on the map.
            seeds_shown = recommender.index.ids[:2]
            return (gr.update(value=list(seeds_shown)), *handlers.recommend_songs(seeds_shown, ui_lang=lang))

        if len(recommender.index) > 2:
            demo.load(dig_example, ui_lang_radio, [seeds, dig_table, dig_message, dig_map], api_visibility="private",
                      **pool("figures"))

    demo.queue(**QUEUE_SETTINGS)
    demo.lyricmood_recommender = recommender  # for benchmarks and tools that drive the served app
    return demo


def warm_model(recommender: Recommender) -> threading.Thread | None:
    """Load the lyrics model in a background thread now, so that the first pasted lyrics do not wait for it
    (23.5 s on 2 cores); None when there is nothing to load. Catalog songs and moods never need it."""
    # Recommender loads a model given as load_predictor on first use (recommender.py); here, at start-up.
    if recommender._predictor is not None or recommender._load_predictor is None:
        return None

    def load() -> None:
        try:
            _ = recommender.predictor
        except Exception:  # the first lyrics request reports the same error to its visitor
            logger.exception("warming the lyrics model failed")

    thread = threading.Thread(target=load, name="lyricmood-warm-model", daemon=True)
    thread.start()
    return thread


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, **kwargs: Any):
    """Serve ``demo`` with the app's upload cap (also checked in the handler) and no SSR (no Node needed)."""
    kwargs.setdefault("max_file_size", MAX_UPLOAD_BYTES)
    kwargs.setdefault("ssr_mode", False)
    kwargs.setdefault("css", CSS)
    return demo.launch(server_name=host, server_port=port, share=share, **kwargs)
