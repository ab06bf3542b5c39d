"""The embedded default model: Arch2 on multilingual-e5-small, fine-tuned on GoEmotions en+ko.

The package ships only what training changed (`default_model/weights.safetensors`, float16: every weight
but the token-embedding table, which stayed frozen) plus its config and model card. On first use the full
model is rebuilt offline from the converted e5 backbone (`lyricmood.backbones.prepare_e5`) and these files,
into the cache; later calls reuse it. The rebuild is deterministic: the same files give the same weights.

The cached folder's stamp (``lyricmood_default_model.json``) records the fingerprint of the shipped files and
the size and sha256 of every file it holds; a folder that no longer matches (truncated, edited) is rebuilt.
Rebuilds hold a lock, so that concurrent first runs build once, and remove what killed rebuilds left.
"""

from __future__ import annotations

import hashlib
import shutil
from importlib import resources
from pathlib import Path

from .errors import LyricMoodError
from .io import atomic_path, build_once, cache_dir, is_stamped, write_stamp

SHIPPED_FILES = ("config.json", "weights.safetensors", "README.md", "eval_results.json", "training_info.json")
FROZEN_EMBEDDINGS = "lyricmood.backbone.embeddings.word_embeddings.weight"
_E5_EMBEDDINGS = "embeddings.word_embeddings.weight"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
STAMP_FILE = "lyricmood_default_model.json"


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

    Example (first call converts the backbone and rebuilds, about 10 s; then it is instant):
        >>> from lyricmood.inference import EmotionPredictor   # doctest: +SKIP
        >>> EmotionPredictor(default_model_path()).predict(["눈물이 나 너를 사랑해"])  # doctest: +SKIP
    """
    fingerprint = shipped_fingerprint()
    target = (cache or cache_dir()) / "models" / f"default-{fingerprint[:16]}"
    return rebuild_default_model(target, fingerprint)


def resolve_model(model: str | Path | None) -> str:
    """A model argument as a loadable path or Hub id: None or "default" is the embedded default model.

    >>> resolve_model("runs/my-model/final")
    'runs/my-model/final'
    """
    if model is None or str(model) == "default":
        return str(default_model_path())
    return str(model)


def rebuild_default_model(target: Path, fingerprint: str) -> Path:
    """Rebuild the full model from the e5 backbone and the shipped weights into `target` (atomically),
    unless it is already there and intact (see :func:`lyricmood.io.build_once`)."""
    return build_once(
        target,
        lambda path: is_stamped(path, STAMP_FILE, fingerprint=fingerprint),
        lambda tmp: _build(tmp, fingerprint),
        family="default-",
    )


def _build(tmp: Path, fingerprint: str) -> None:
    from safetensors.torch import load_file  # here, not above: shipped_fingerprint needs no torch

    from .backbones import prepare_e5
    from .modeling import LyricMoodConfig, LyricMoodForSequenceClassification

    shipped = shipped_dir()
    backbone = prepare_e5()
    state = {k: v.float() for k, v in load_file(shipped / "weights.safetensors").items()}
    state[FROZEN_EMBEDDINGS] = load_file(backbone / "model.safetensors")[_E5_EMBEDDINGS]
    model = LyricMoodForSequenceClassification(LyricMoodConfig.from_pretrained(shipped))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise LyricMoodError(
            f"the shipped default model does not fit its config (missing {missing[:3]}, unexpected {unexpected[:3]})",
            file=shipped / "weights.safetensors",
            hint="reinstall lyricmood",
        )
    model.save_pretrained(tmp)
    for name in _TOKENIZER_FILES:
        if (backbone / name).is_file():
            shutil.copy2(backbone / name, tmp / name)
    for name in ("README.md", "eval_results.json", "training_info.json"):
        if (shipped / name).is_file():
            shutil.copy2(shipped / name, tmp / name)
    write_stamp(tmp, STAMP_FILE, {"fingerprint": fingerprint})


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
