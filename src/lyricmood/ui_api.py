"""The Space's public API: each endpoint's name, parameters (English names, defaults) and documentation.

One place defines what ``gradio_client`` sees: :data:`CONTROLS` names the controls every recommendation takes
after its query (their defaults are :class:`~lyricmood.ui_handlers.Controls`'), and :func:`api_function`
gives an endpoint the signature and docstring Gradio reads for ``view_api()``, so that a call naming only the
query works::

    client.predict("en-001-ribbon-for-your-hair", api_name="/recommend_song")
    client.predict("비가 오면 네 생각이 나", k=5, lang_filter="en", api_name="/recommend_lyrics")
    client.predict(sadness=0.8, love=0.3, api_name="/recommend_mood")

To add a control (e.g. a slider), add its field to ``Controls``, its line to :data:`CONTROLS` and its component
to ``lyricmood.ui``'s ``filters`` list, in the same order. To add an endpoint, give :func:`api_function` its
name, query parameters and summary, and wire it in ``lyricmood.ui.build_demo``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from .ui_handlers import Controls

#: The shared controls, in the order of ``Controls`` and of the page's inputs: (name, what a caller sends).
CONTROLS: tuple[tuple[str, str], ...] = (
    ("source", '"builtin" (the demo catalog) or "upload" (the catalog this session uploaded)'),
    ("k", "how many songs, 1 to 50"),
    ("exclude_same_artist", "leave out songs by the query song's artist"),
    ("year_from", "only songs from this year on (None: no bound)"),
    ("year_to", "only songs up to this year (None: no bound)"),
    ("lang_filter", '"any", "ko" or "en": the language of the recommended songs'),
    ("diversity", "0 (most similar) to 1 (more varied)"),
    ("mood_weight", "how songs are ranked: 1 = by emotion only, 0 = by meaning only (None: the catalog's own, 0.5)"),
    ("dig", '"none", "decades" or "languages": spread the list over as many decades (languages) as the catalog allows, '
            "every song still among the most similar"),
    ("ui_lang", '"ko" or "en": the language of the answer\'s table headers and message'),
    ("upload", "the session's uploaded catalog (session state: not sent by API callers)"),
)
assert [name for name, _ in CONTROLS] == [f.name for f in dataclasses.fields(Controls)]  # noqa: S101 - one order

RECOMMENDATION_RETURNS = (
    "(table, message): the recommended songs (rank, title, artist, year, language, similarity, shared emotions) "
    "and a Markdown note on the query (its top emotions) or on what was wrong with it. "
    "/song_figures (or /mood_figure) then returns the plots of the session's last recommendation."
)


def _doc(summary: str, params: Sequence[tuple[str, Any, str]], returns: str) -> str:
    lines = [summary, "", "Args:"]
    lines += [f"    {name}: {doc}" for name, _, doc in params if name != "upload"]
    return "\n".join([*lines, "", "Returns:", f"    {returns}"])


def api_function(
    name: str,
    handler: Callable[..., Any],
    query: Sequence[tuple[str, Any, str]],
    summary: str,
    *,
    controls: bool = True,
    returns: str = RECOMMENDATION_RETURNS,
) -> Callable[..., Any]:
    """``handler`` as the endpoint ``name``: called with the query values then the controls, in order, it takes
    the signature ``(query..., source="builtin", k=10, ...)`` and a docstring listing each parameter.

    ``query``: the endpoint's own parameters as ``(name, default, description)``.
    """
    params = list(query)
    if controls:
        defaults = {f.name: f.default for f in dataclasses.fields(Controls)}
        params += [(field, defaults[field], doc) for field, doc in CONTROLS]

    def endpoint(*args: Any) -> Any:
        return handler(*args)

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    endpoint.__signature__ = inspect.Signature([inspect.Parameter(p, kind, default=d) for p, d, _ in params])
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__doc__ = _doc(summary, params, returns)
    return endpoint
