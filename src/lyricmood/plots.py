"""Figures (matplotlib, rendered with Agg): Hangul-capable fonts and the label-similarity heatmap."""

from __future__ import annotations

import functools
import importlib.util
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib import font_manager, rcParams

# Figures are built as bare `Figure` objects (not pyplot): they render with Agg when saved, open
# no window and need no global backend switch.
from matplotlib.figure import Figure

from lyricmood.emotions import ranked_emotions
from lyricmood.errors import LyricMoodError
from lyricmood.io import atomic_path, check_creatable

# Font families with Hangul glyphs, best first: the NanumGothic bundled by the
# `koreanize-matplotlib` wheel, then Debian's fonts-nanum / fonts-noto-cjk, then macOS and Windows.
HANGUL_FONT_FAMILIES = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "Apple SD Gothic Neo",
    "AppleGothic",
    "Malgun Gothic",
    "UnDotum",
    "Baekmuk Gulim",
)


def _bundled_font_files() -> list[Path]:
    # Find koreanize_matplotlib's fonts without importing it: importing it rewrites rcParams.
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    files: list[Path] = []
    for location in spec.submodule_search_locations:
        files.extend(sorted((Path(location) / "fonts").glob("*.ttf")))
    return files


@functools.lru_cache(maxsize=1)
def use_hangul_font() -> str | None:
    """Make matplotlib draw Hangul; return the font family used, or None if none is installed.

    Registers the first available family of :data:`HANGUL_FONT_FAMILIES` and appends it to
    ``font.family``, so Latin text keeps its look and glyphs missing there (Hangul) come from it:
    matplotlib falls back per glyph. Without any Hangul font it warns once and changes nothing:
    Hangul then renders as empty boxes, but nothing fails.
    """
    for path in _bundled_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError):  # an unreadable font file is skipped, not fatal
            continue
    available = {entry.name for entry in font_manager.fontManager.ttflist}
    family = next((name for name in HANGUL_FONT_FAMILIES if name in available), None)
    if family is None:
        warnings.warn(
            "no font with Hangul glyphs found: Korean labels will show as boxes. "
            "Install `koreanize-matplotlib` (pip) or `fonts-nanum` (apt).",
            stacklevel=2,
        )
        return None
    # Fallback works across the named families of font.family (a generic name such as
    # "sans-serif" resolves to one font), so the Hangul family is appended there.
    families = list(rcParams["font.family"])
    if family not in families:
        rcParams["font.family"] = families + [family]
    return family


def plot_label_similarity(
    similarity,
    labels: Sequence[str],
    path: str | Path | None = None,
    title: str = "Label similarity",
    annotate: bool | None = None,
) -> Figure:
    """Heatmap of a label-similarity matrix, labels on both axes; written as PNG when ``path`` is given.

    ``annotate`` prints each value in its cell (default: only for 15 labels or fewer).
    """
    S = _square_matrix(similarity, labels, "labels")
    return plot_heatmap(S, labels, labels, path=path, title=title, xlabel="label", ylabel="label", annotate=annotate,
                        colorbar_label="similarity")


def _square_matrix(matrix, names: Sequence[str], what: str) -> np.ndarray:
    """``matrix`` as a square float64 array with one of ``names`` per row; else an error saying what is wrong."""
    M = np.asarray(matrix, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise LyricMoodError(f"a similarity matrix must be square, got shape {M.shape}")
    if len(names) != len(M):
        raise LyricMoodError(f"got {len(names)} {what} for a {len(M)}x{len(M)} similarity matrix")
    return M


def figure_formats() -> list[str]:
    """The file extensions matplotlib can write (png, svg, pdf, jpg …)."""
    return sorted(Figure().canvas.get_supported_filetypes())


def check_figure_path(path: str | Path, *, overwrite: bool = False) -> Path:
    """Refuse, before any drawing, a figure path lyricmood must not or cannot write.

    A folder is never replaced by a figure; an existing file only with ``overwrite``; the extension must
    be an image format (PNG when there is none); the parent must be creatable.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    if fmt not in figure_formats():
        raise LyricMoodError(
            f"cannot draw a figure as .{fmt}", file=path, hint="end the file name with .png, .svg or .pdf"
        )
    if path.is_dir():
        raise LyricMoodError("is a folder: not replacing it with a figure", file=path, hint="give a file name")
    if path.exists() and not overwrite:
        raise LyricMoodError("already exists", file=path, hint="pass --overwrite to replace it, or choose another name")
    check_creatable(path, what="figure")
    return path


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` atomically, replacing a file there (never a folder); the format comes from the file
    extension (PNG when there is none)."""
    path = check_figure_path(path, overwrite=True)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return path


def plot_heatmap(
    matrix,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    path: str | Path | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    vmin: float = 0.0,
    vmax: float = 1.0,
    cmap: str = "viridis",
    annotate: bool | None = None,
    colorbar_label: str = "",
) -> Figure:
    """A labelled heatmap (Hangul rendered); written as PNG when ``path`` is given.

    ``annotate`` prints each value in its cell (default: only for 15 rows and columns or fewer).
    """
    use_hangul_font()
    M = np.asarray(matrix, dtype=np.float64)
    rows, cols = M.shape
    if annotate is None:
        annotate = max(rows, cols) <= 15
    side = min(24.0, max(5.0, 0.28 * max(rows, cols) + 2.5))
    fig = Figure(figsize=(side + 1.2, side), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(M, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    fontsize = 10 if max(rows, cols) <= 15 else max(6, 11 - max(rows, cols) // 10)
    ax.set_xticks(range(cols), labels=list(column_labels), rotation=90, fontsize=fontsize)
    ax.set_yticks(range(rows), labels=list(row_labels), fontsize=fontsize)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if annotate:
        middle = (vmin + vmax) / 2
        for i in range(rows):
            for j in range(cols):
                ax.text(j, i, f"{M[i, j]:.2f}", ha="center", va="center", fontsize=fontsize - 2,
                        color="black" if M[i, j] > middle else "white")
    fig.colorbar(image, ax=ax, shrink=0.8, label=colorbar_label)
    if path is not None:
        save_figure(fig, path)
    return fig


# --------------------------------------------------------------------------------------------
# Songs: top emotions, emotional arc, pairwise similarity


def _song_parts(song, labels: Sequence[str] | None):
    vector = getattr(song, "vector", song)
    labels = list(labels if labels is not None else getattr(song, "labels", []))
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    if len(labels) != vector.size:
        raise LyricMoodError(f"got {len(labels)} labels for a vector of {vector.size} values")
    return vector, labels


def plot_top_emotions(
    song, labels: Sequence[str] | None = None, k: int = 8, title: str = "", path: str | Path | None = None
) -> Figure:
    """Horizontal bars of a song's ``k`` strongest emotions (a ``SongEmotion`` or a vector with ``labels``)."""
    use_hangul_font()
    vector, labels = _song_parts(song, labels)
    order = ranked_emotions(vector, labels)[: max(1, k)]
    fig = Figure(figsize=(6.4, 0.42 * len(order) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(range(len(order)), vector[order], color="#4c72b0")
    ax.set_yticks(range(len(order)), labels=[labels[i] for i in order])
    ax.invert_yaxis()  # strongest on top
    for y, i in enumerate(order):
        ax.text(vector[i], y, f" {vector[i]:.2f}", va="center", fontsize=9)
    ax.set_xlim(0, max(1e-9, float(vector[order].max())) * 1.18)
    ax.set_xlabel("emotion score (token-weighted mean over the lyrics)")
    ax.set_title(title or "Top emotions")
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_emotional_arc(
    song, k: int = 5, title: str = "", path: str | Path | None = None, kind: str = "lines"
) -> Figure:
    """A song's ``k`` strongest emotions across its sections (``kind``: ``"lines"`` or ``"area"``, stacked)."""
    use_hangul_font()
    if kind not in ("lines", "area"):
        raise LyricMoodError(f"unknown arc kind {kind!r}", hint="use 'lines' or 'area'")
    sections = list(song.sections)
    S = np.asarray(song.section_vectors, dtype=np.float64).reshape(len(sections), -1)
    vector = np.asarray(song.vector, dtype=np.float64)
    top = ranked_emotions(vector, song.labels)[: max(1, k)]
    x = np.arange(len(sections))
    fig = Figure(figsize=(max(6.4, 0.7 * len(sections) + 2.5), 4.2), layout="constrained")
    ax = fig.add_subplot()
    names = [song.labels[i] for i in top]
    if kind == "area":
        ax.stackplot(x, S[:, top].T, labels=names, alpha=0.85)
    else:
        for i, name in zip(top, names):
            ax.plot(x, S[:, i], marker="o", label=name)
    ax.set_xticks(x, labels=[f"{j + 1}. {name}" for j, name in enumerate(sections)], rotation=35, ha="right")
    ax.set_xlabel("section")
    ax.set_ylabel("emotion score")
    ax.set_title(title or "Emotional arc")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_similarity_matrix(
    matrix,
    names: Sequence[str],
    similarity: str | None = None,
    title: str = "",
    path: str | Path | None = None,
) -> Figure:
    """Heatmap of pairwise similarities among songs (the study's figure), songs on both axes.

    ``matrix``: the similarities, e.g. :meth:`Recommender.similarity_matrix <lyricmood.recommender.Recommender.
    similarity_matrix>`; ``similarity``: the name of the similarity that made them (default: the default
    similarity), which sets the colour scale ([-1, 1] for signed scores, else [0, 1]).
    """
    from lyricmood.similarity import DEFAULT_SIMILARITY, get_similarity

    measure = get_similarity(similarity or DEFAULT_SIMILARITY)
    M = _square_matrix(matrix, names, "names")
    signed = measure.signed
    return plot_heatmap(
        M,
        names,
        names,
        path=path,
        title=title or f"Song similarity ({measure.name})",
        vmin=-1.0 if signed else 0.0,
        vmax=1.0,
        cmap="RdBu_r" if signed else "viridis",
    )



# --------------------------------------------------------------------------------------------
# The catalog map

#: how many top emotions get a colour of their own on the map (the others are grey)
MAP_COLOURS = 9
#: the most songs drawn on the map (a random sample beyond; the marked songs are always drawn)
MAP_POINTS = 20_000


def plot_song_map(
    song_map,
    names: Sequence[str],
    query: Sequence[int] = (),
    results: Sequence[int] = (),
    *,
    connect: bool = False,
    title: str = "",
    path: str | Path | None = None,
) -> Figure:
    """The catalog in 2-D (a :class:`lyricmood.song_map.SongMap`), each song coloured by its top emotion; the songs at
    rows ``query`` starred and at rows ``results`` circled and labelled with their ``names`` (``connect``: joined by
    a line, in order)."""
    use_hangul_font()
    xy, top = song_map.xy, np.asarray(song_map.top_emotions, dtype=object)
    shown = np.arange(len(xy))
    if len(shown) > MAP_POINTS:
        shown = np.sort(np.random.default_rng(0).choice(len(xy), MAP_POINTS, replace=False))
    emotions, counts = np.unique(top, return_counts=True)
    coloured = list(emotions[np.lexsort((emotions, -counts))][:MAP_COLOURS])
    fig = Figure(figsize=(9.5, 7.0), layout="constrained")
    ax = fig.add_subplot()
    palette = [f"C{i}" for i in range(10)]
    other = shown[~np.isin(top[shown], coloured)]
    if len(other):
        ax.scatter(*xy[other].T, s=14, color="#c8c8c8", label="other", linewidths=0)
    for emotion, colour in zip(coloured, palette):
        rows = shown[top[shown] == emotion]
        ax.scatter(*xy[rows].T, s=16, color=colour, label=emotion, alpha=0.85, linewidths=0)
    results = list(results)
    if connect and results:
        ax.plot(*xy[list(query)[:1] + results].T, color="black", linewidth=1, alpha=0.6, zorder=3)
    if results:
        ax.scatter(*xy[results].T, s=90, facecolors="none", edgecolors="black", linewidths=1.4, zorder=4,
                   label="results")
    if len(query):
        ax.scatter(*xy[list(query)].T, s=260, marker="*", color="gold", edgecolors="black", zorder=5, label="query")
    for row in list(query) + results:
        ax.annotate(str(names[row]), xy[row], xytext=(5, 4), textcoords="offset points", fontsize=8, zorder=6)
    ax.set_xlabel(song_map.axes[0])
    ax.set_ylabel(song_map.axes[1])
    ax.set_title(title or "The catalog by feel (colour: top emotion)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_arcs(songs: Sequence, names: Sequence[str], k: int = 4, title: str = "", path: str | Path | None = None
              ) -> Figure:
    """The emotional arcs of ``songs`` (``SongEmotion``s, e.g. a query and its best match by arc) side by side, as
    arc match compares them: resampled to :data:`lyricmood.arcs.ARC_POINTS` points over the song's course, the
    ``k`` emotions strongest in them all in the same colours in every panel."""
    from lyricmood.arcs import ARC_POINTS, resample_arc

    use_hangul_font()
    songs = list(songs)
    if not songs or len(songs) != len(names):
        raise LyricMoodError(f"got {len(songs)} songs and {len(names)} names to plot arcs for")
    labels = songs[0].labels
    top = ranked_emotions(np.sum([np.asarray(s.vector, dtype=np.float64) for s in songs], axis=0), labels)[: max(1, k)]
    x = (np.arange(ARC_POINTS) + 0.5) / ARC_POINTS * 100
    fig = Figure(figsize=(4.2 * len(songs) + 1.6, 3.8), layout="constrained")
    axes = fig.subplots(1, len(songs), sharey=True, squeeze=False)[0]
    for ax, song, name in zip(axes, songs, names):
        arc = resample_arc(song.section_vectors)
        for colour, i in enumerate(top):
            ax.plot(x, arc[:, i], marker="o", markersize=3, color=f"C{colour}", label=labels[i])
        ax.set_title(f"{name} ({len(song.sections)} section{'s' if len(song.sections) != 1 else ''})", fontsize=10)
        ax.set_xlabel("course of the song (%)")
        ax.set_xlim(0, 100)
    axes[0].set_ylabel("emotion score")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    fig.suptitle(title or "Emotional arcs")
    if path is not None:
        save_figure(fig, path)
    return fig
