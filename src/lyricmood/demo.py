"""The demo catalog and the default recommender: the embedded default model over the shipped demo index.

Example (offline; the model loads only on the first query by lyrics)::

    from lyricmood.demo import load_default_recommender

    rec = load_default_recommender()
    rec.similar_to_song("en-001-ribbon-for-your-hair", k=5)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LyricMoodError
from .index import SongIndex, read_index_info
from .recommender import Recommender
from .similarity import DEFAULT_SIMILARITY

if TYPE_CHECKING:  # catalog queries need no torch: the model is imported and loaded only to score lyrics
    from .inference import EmotionPredictor


def demo_index_path() -> Path:
    """The precomputed demo index shipped with lyricmood (``lyricmood/demo/index``)."""
    from importlib import resources

    return Path(str(resources.files("lyricmood") / "demo" / "index"))


def _score_demo_catalog(predictor: EmotionPredictor, progress: bool) -> SongIndex:
    """The demo catalog's index by ``predictor``, built in this process alone (never sharded under accelerate)."""
    from .indexing import build_index, load_catalog

    return build_index(load_catalog("demo"), predictor, progress=progress, num_processes=1, process_index=0)


def _default_predictor(
    model_path: str | Path | None, index: SongIndex | None = None, meaning_model: str | Path | None = None
) -> EmotionPredictor:
    """The model at ``model_path`` (default: the embedded one) that reads songs as ``index`` was built: with its
    meaning encoder (``meaning_model``, else the one the index names, else the default), or emotion only where
    the index keeps no meaning vectors (one built with ``--emotion-only``, or before meaning was read)."""
    from .inference import load_predictor
    from .meaning import DEFAULT_MEANING_MODEL

    if index is not None and index.meaning is None:
        return load_predictor(model_path, meaning_model=None)
    recorded = None if index is None else index.meaning_model
    return load_predictor(model_path, meaning_model=meaning_model or recorded or DEFAULT_MEANING_MODEL)


#: ``index.json`` key of the shipped demo index: the :func:`~lyricmood.default_model.shipped_fingerprint` of the
#: default model that built it. It tells, without loading the model, that the index is the default model's.
SHIPPED_MODEL_KEY = "shipped_model_fingerprint"


def _is_default_model(model_path: str | Path | None) -> bool:
    return model_path is None or str(model_path) == "default"


def shipped_demo_index() -> SongIndex | None:
    """The shipped demo index if it records the default model's shipped files as they are installed, else None."""
    from .default_model import shipped_fingerprint

    try:
        if read_index_info(demo_index_path()).get(SHIPPED_MODEL_KEY) == shipped_fingerprint():
            return SongIndex.load(demo_index_path())
    except LyricMoodError:  # a missing model file or a damaged index: take the path that loads the model
        pass
    return None


def demo_index(predictor: EmotionPredictor, progress: bool = False) -> SongIndex:
    """The demo catalog's index for ``predictor``'s model: the shipped one if the model matches, else one
    built once into ``cache_dir()/indexes/demo-<fingerprint>`` and reused."""
    from .io import cache_dir

    fingerprint = predictor.fingerprint
    name = f"demo-{fingerprint[:12]}" + (f"-{predictor.meaning_fingerprint[:8]}" if predictor.meaning else "")
    for path in (demo_index_path(), cache_dir() / "indexes" / name):
        try:
            info = read_index_info(path)
            if info["fingerprint"] == fingerprint and info.get("meaning_fingerprint") == predictor.meaning_fingerprint:
                return SongIndex.load(path)
        except LyricMoodError:
            continue
    index = _score_demo_catalog(predictor, progress)
    index.save(path)
    return index


def load_default_recommender(
    similarity: str = DEFAULT_SIMILARITY, *, model_path: str | Path | None = None, progress: bool = False
) -> Recommender:
    """A recommender over the demo catalog with the embedded default model (or ``model_path``), offline.

    With the default model and the shipped demo index built by it (see :func:`shipped_demo_index`), the model
    is loaded only on the first query by lyrics, and checked against the index then: queries by catalog song
    or by mood answer at once, without torch.
    """
    if _is_default_model(model_path):
        index = shipped_demo_index()
        if index is not None:
            return Recommender(index, similarity=similarity, load_predictor=lambda: _default_predictor(None, index))
    predictor = _default_predictor(model_path)
    return Recommender(demo_index(predictor, progress=progress), similarity=similarity, predictor=predictor)


def open_recommender(
    index: str | Path | None = None,
    model: str | Path | None = None,
    similarity: str = DEFAULT_SIMILARITY,
    *,
    need_model: bool = False,
    progress: bool = False,
    meaning_model: str | Path | None = None,
) -> Recommender:
    """What the CLI uses: the index at ``index`` (default: the demo catalog's, see :func:`load_default_recommender`).

    The model (``model``, else the default one) is loaded now when ``need_model`` (a query by raw lyrics),
    else on the first query by lyrics, if any; it must be the one that built the index (and so must the meaning
    encoder, ``meaning_model``: by default the one the index names).
    """
    if index is None:
        recommender = load_default_recommender(similarity, model_path=model, progress=progress)
    else:
        songs = SongIndex.load(index)
        recommender = Recommender(songs, similarity=similarity,
                                  load_predictor=lambda: _default_predictor(model, songs, meaning_model))
    if need_model:
        _ = recommender.predictor  # load and check the model before any work
    return recommender


def build_demo_index(
    out_dir: str | Path | None = None, *, model_path: str | Path | None = None, progress: bool = True
) -> Path:
    """Score the demo catalog with the default model (or ``model_path``) and save it to ``out_dir``
    (default: the package's ``lyricmood/demo/index``, shipped so a fresh install needs no indexing)."""
    path = _score_demo_catalog(_default_predictor(model_path), progress).save(out_dir or demo_index_path())
    if _is_default_model(model_path):  # recorded so that catalog queries can use the index without the model
        from .default_model import shipped_fingerprint
        from .index import INFO_FILE
        from .index_files import sealed_info
        from .io import write_text_atomic

        info = sealed_info({**read_index_info(path), SHIPPED_MODEL_KEY: shipped_fingerprint()})
        write_text_atomic(path / INFO_FILE, json.dumps(info, ensure_ascii=False, indent=1))
    return path

