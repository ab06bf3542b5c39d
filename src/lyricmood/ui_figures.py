"""The Space's plots: what a recommendation's figures need (:class:`FigureRequest`), and their rendering.

Figures are off the critical path: a recommendation answers with its table and message, then a chained event
renders the plots from its :class:`FigureRequest` (matplotlib takes ~0.4 s per recommendation, ten times the
ranking). A catalog song's emotion profile, arc and heatmap are rendered once and cached
(:data:`FIGURE_CACHE_SIZE` entries); pasted lyrics and moods are drawn each time.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .ui_input import escape_plot_text
from .ui_text import emotion_name, text

if TYPE_CHECKING:
    from .recommender import Recommender

HEATMAP_SONGS = 12  # the query plus this many recommendations: more would make the cells unreadable
FIGURE_CACHE_SIZE = 512  # rendered catalog-song figures kept (~40 KB each)


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
    heatmap_matrix: np.ndarray | None = None  # similarities of the query and its recommendations
    heatmap_names: list[str] = dataclasses.field(default_factory=list)
    heatmap_ids: tuple = ()
    similarity: str | None = None  # the recommender's similarity (None: the default)
    cache_key: tuple | None = None
    mood: bool = False  # a described mood: one bar chart of the requested weights


def song_figure_request(rec: Recommender, song_emotion: Any, name: str, recommendations: Sequence[Any], lang: str,
                        cache_key: tuple | None = None) -> FigureRequest:
    """The figures of a song's (or pasted lyrics') recommendations: its profile, its arc and a heatmap of the
    query and the first :data:`HEATMAP_SONGS` recommendations."""
    shown = recommendations[:HEATMAP_SONGS]
    # The heatmap shows what ranked the songs, as the recommender scored them.
    matrix = rec.similarity_matrix([r.id for r in shown], query=song_emotion) if shown else None
    return FigureRequest(lang=lang, name=name, labels=list(rec.index.labels), vector=np.asarray(song_emotion.vector),
                         song_emotion=song_emotion, heatmap_matrix=matrix,
                         heatmap_names=[name] + [r.title for r in shown], heatmap_ids=tuple(r.id for r in shown),
                         similarity=rec.similarity, cache_key=cache_key)


def mood_figure_request(rec: Recommender, mood: dict[str, float], lang: str) -> FigureRequest:
    """The figure of a described mood: the bars of its requested weights."""
    labels = list(rec.index.labels)
    vector = np.array([mood.get(label, 0.0) for label in labels], dtype=np.float32)
    return FigureRequest(lang=lang, name=text("mood_plot", lang), labels=labels, vector=vector, mood=True)


def _rendered(figure: Any) -> Any:
    """A matplotlib Figure rendered once into what ``gr.Plot`` sends to the browser (cacheable)."""
    from gradio.components.plot import PlotData
    from gradio.processing_utils import encode_plot_to_base64

    return PlotData(type="matplotlib", plot=encode_plot_to_base64(figure, "webp"))


class FigureRenderer:
    """Draws the figures of :class:`FigureRequest` s for ``gr.Plot``, caching a catalog song's (thread-safe)."""

    def __init__(self, cache_size: int = FIGURE_CACHE_SIZE):
        self.cache_size = cache_size
        self._cache: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: tuple | None, draw: Callable[[], Any]) -> Any:
        """``draw()`` rendered, from the cache when ``key`` (a catalog song's figure) was drawn before."""
        if key is not None:
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
        plot = _rendered(draw())
        if key is not None:
            with self._lock:
                self._cache[key] = plot
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return plot

    def song_figures(self, request: FigureRequest | None) -> tuple:
        """(emotion profile, emotional arc, similarity heatmap); ``None`` clears a plot (no request, a song of one
        section, no recommendation)."""
        from . import plots

        if request is None or request.mood:
            return None, None, None
        lang, key = request.lang, request.cache_key
        labels = [escape_plot_text(emotion_name(label, lang)) for label in request.labels]
        name = escape_plot_text(request.name)

        def emotions():
            return plots.plot_top_emotions(np.asarray(request.vector), labels, k=8,
                                           title=f"{text('plot_emotions', lang)}: {name}")

        def arc():
            song = dataclasses.replace(request.song_emotion, labels=labels,
                                       sections=[escape_plot_text(s) for s in request.song_emotion.sections])
            return plots.plot_emotional_arc(song, k=5, title=f"{text('plot_arc', lang)}: {name}")

        def heatmap():
            names = [f"[{name}]"] + [escape_plot_text(n) for n in request.heatmap_names[1:]]
            return plots.plot_similarity_matrix(request.heatmap_matrix, names, similarity=request.similarity,
                                                title=text("plot_heatmap", lang))

        def cache_key(kind: str, *extra) -> tuple | None:
            return None if key is None else (*key, kind, lang, *extra)

        has_arc = request.song_emotion is not None and len(request.song_emotion.sections) > 1
        return (self._cached(cache_key("emotions"), emotions),
                self._cached(cache_key("arc"), arc) if has_arc else None,
                self._cached(cache_key("heatmap", request.heatmap_ids), heatmap)
                if request.heatmap_matrix is not None else None)

    def mood_figure(self, request: FigureRequest | None) -> Any:
        """The bars of a described mood's weights (``None`` clears the plot)."""
        from . import plots

        if request is None or not request.mood:
            return None
        labels = [escape_plot_text(emotion_name(label, request.lang)) for label in request.labels]
        k = min(8, int(np.count_nonzero(request.vector)))
        return _rendered(plots.plot_top_emotions(request.vector, labels, k=k, title=request.name))
