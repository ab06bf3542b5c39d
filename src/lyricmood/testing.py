"""Tiny random models for tests and benchmarks: built from configs, offline, in seconds.

The one home of the test fixtures (as transformers' ``ModelTester``), from the smallest up:
:func:`make_tiny_backbone` (a 4-layer, 32-wide BERT or RoBERTa folder with a fast tokenizer),
:func:`make_tiny_classifier` (a LyricMood classifier on it), :func:`make_tiny_model` (that classifier saved
as a model folder), :func:`make_tiny_predictor`, :func:`make_tiny_index` and :func:`make_tiny_recommender`;
and :func:`index_from_vectors`, a small index of hand-written emotion vectors.

Example:
    >>> import tempfile
    >>> from transformers import AutoModel, AutoTokenizer
    >>> path = make_tiny_backbone(tempfile.mkdtemp(), style="roberta")
    >>> AutoTokenizer.from_pretrained(path)("the sad rain").input_ids[0]  # <s>
    0
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import AutoModel, AutoTokenizer, BertConfig, PreTrainedTokenizerFast, RobertaConfig

# Words of both languages, so that tests can feed lyrics-like text; other words made of ASCII letters or
# the first 400 Hangul syllables are split into characters; anything else becomes the unknown token.
_WORDS = (
    "the a i you me my we love sad tears rain night light alone happy joy dance fear angry hope home "
    "sorry thank proud miss heart cry smile dark morning goodbye forever "
    "사랑 눈물 그대 너 나 밤 비 슬픔 기쁨 행복 외로워 그리워 고마워 미안해 희망 내일 어제 노래 별 바람"
).split()

STYLES = ("bert", "roberta")


def _vocab(specials: list[str]) -> dict[str, int]:
    pieces = specials + _WORDS + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += [chr(c) for c in range(ord("0"), ord("9") + 1)] + list(".,!?'\"-")
    pieces += [chr(c) for c in range(0xAC00, 0xAC00 + 400)]  # a slice of Hangul syllables
    pieces += ["##" + p for p in pieces[len(specials) + len(_WORDS):]]
    return {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}


def tiny_backbone_config(style: str = "bert", vocab_size: int = 512, **overrides):
    """A 4-layer, 32-wide config of the given style (BERT: [CLS]=2, pad=0; RoBERTa: <s>=0, pad=1)."""
    common = dict(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    common.update(overrides)
    if style == "bert":
        return BertConfig(pad_token_id=0, **common)
    if style == "roberta":
        return RobertaConfig(pad_token_id=1, bos_token_id=0, eos_token_id=2, type_vocab_size=1, **common)
    raise ValueError(f"style must be one of {STYLES}, got {style!r}")


def make_tiny_backbone(path: str | Path, style: str = "bert", seed: int = 0) -> Path:
    """Write a random tiny backbone (model + fast tokenizer) of `style` to `path`, as from_pretrained reads it."""
    path = Path(path)
    if style == "bert":
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        bos, eos, pad, unk, mask = "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"
    else:
        specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        bos, eos, pad, unk, mask = "<s>", "</s>", "<pad>", "<unk>", "<mask>"
    vocab = _vocab(specials)
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token=unk, continuing_subword_prefix="##"))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} $B {eos}",
        special_tokens=[(bos, vocab[bos]), (eos, vocab[eos])],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=pad,
        unk_token=unk,
        mask_token=mask,
        model_max_length=126,
    )
    if style == "roberta":
        fast.model_input_names = ["input_ids", "attention_mask"]
    torch.manual_seed(seed)
    model = AutoModel.from_config(tiny_backbone_config(style, vocab_size=len(vocab)))
    model.save_pretrained(path)
    fast.save_pretrained(path)
    return path


def make_tiny_classifier(
    backbone: str | Path, labels: Sequence[str], *, seed: int = 0, spread: bool = True, **config_kwargs
):
    """A `LyricMoodForSequenceClassification` with a random head (seeded) on the tiny backbone folder `backbone`.

    ``spread``: scale the head so that the outputs are spread out (a random head gives ≈0.5 everywhere).
    """
    from .modeling import LyricMoodForSequenceClassification

    torch.manual_seed(seed)
    model = LyricMoodForSequenceClassification.from_backbone(str(backbone), id2label=list(labels), **config_kwargs)
    if spread:
        with torch.no_grad():
            model.classifier.weight.mul_(30)
    return model.eval()


def make_tiny_model(
    path: str | Path, labels: Sequence[str], *, style: str = "bert", seed: int = 0, spread: bool = True, **config_kwargs
) -> Path:
    """Save a tiny classifier and its tokenizer as the folder ``path/"model"`` (the backbone: ``path/"backbone"``)."""
    path = Path(path)
    backbone = make_tiny_backbone(path / "backbone", style=style, seed=seed)
    model = make_tiny_classifier(backbone, labels, seed=seed, spread=spread, **config_kwargs)
    model.save_pretrained(path / "model")
    AutoTokenizer.from_pretrained(backbone).save_pretrained(path / "model")
    return path / "model"


def make_tiny_predictor(
    path: str | Path, labels: Sequence[str], batch_size: int = 64, seed: int = 0, spread: bool = True,
    meaning: bool = False,
):
    """An `EmotionPredictor` over a tiny classifier (see :func:`make_tiny_classifier`); the backbone goes to `path`.

    ``meaning``: it reads meaning too, with the tiny backbone as its (untuned) meaning encoder, as the default
    predictor reads it with base e5 (:func:`lyricmood.default_model.load_predictor`)."""
    from .inference import EmotionPredictor
    from .meaning import MeaningEncoder

    backbone = make_tiny_backbone(path, seed=seed)
    model = make_tiny_classifier(backbone, labels, seed=seed, spread=spread)
    encoder = MeaningEncoder.from_pretrained(backbone) if meaning else None
    return EmotionPredictor(model, tokenizer=backbone, batch_size=batch_size, meaning=encoder,
                            chunks="sections" if meaning else "lines")


def demo_songs() -> list[dict]:
    """The rows of the demo catalog shipped with the package (both languages, several songs per artist)."""
    from .catalog import demo_catalog_path

    return [json.loads(line) for line in demo_catalog_path().read_text(encoding="utf-8").splitlines()]


def make_tiny_index(rows: Sequence[dict], predictor):
    """A `SongIndex` of catalog ``rows`` scored by ``predictor`` (no progress bar)."""
    from .indexing import build_index

    return build_index(list(rows), predictor, progress=False)


def index_from_vectors(labels: Sequence[str], vectors: Mapping[str, Sequence[float]], fingerprint: str = "x"):
    """A `SongIndex` over ``labels`` of the songs ``{id: emotion vector}``, in that order, each titled by its id."""
    from .index import SongIndex

    index = SongIndex.empty(labels, fingerprint=fingerprint)
    index.add_many(list(vectors), list(vectors.values()), [{"title": song_id} for song_id in vectors])
    return index


def make_tiny_recommender(
    path: str | Path, rows: Sequence[dict] | None = None, *, spread: bool = False, meaning: bool = True
):
    """A `Recommender` on a tiny model with GoEmotions' 28 labels over ``rows`` (default: the demo catalog), ranking
    by mood and meaning as the default recommender does (``meaning=False``: by the emotion feature alone)."""
    from .datasets_scripts.goemotions import LABELS
    from .recommender import Recommender

    predictor = make_tiny_predictor(Path(path) / "backbone", LABELS, spread=spread, meaning=meaning)
    index = make_tiny_index(demo_songs() if rows is None else rows, predictor)
    return Recommender(index, predictor=predictor)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for a test or benchmark server)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def venv_with_running_packages(path: str | Path, leave_out: str = "lyricmood") -> Path:
    """A fresh venv (no pip) that sees the running interpreter's installed packages, except ``leave_out``.

    For offline install checks: ``pip --python <venv>/bin/python install --no-index ...`` then finds every
    dependency already installed, wherever the running interpreter got it (a venv, a system or conda Python,
    ``--system-site-packages`` or not), and installs ``leave_out`` itself. A ``.pth`` file adds, as site
    folders, mirrors (symlinks) of the running interpreter's site-packages without ``leave_out``'s files.
    Where two site folders hold one project (a venv's own setuptools over the base's), the newest version is
    mirrored, as a consistent environment would hold. Returns the venv's python.
    """
    import subprocess
    import sys
    import sysconfig
    from importlib import metadata

    from packaging.version import Version

    venv = Path(path)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    candidates = [Path(p) for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    candidates += [Path(sysconfig.get_path(k)) for k in ("purelib", "platlib")]
    site_dirs = list(dict.fromkeys(p.resolve() for p in candidates if p.is_dir()))

    def norm(name: str) -> str:
        return name.lower().replace("-", "_").replace(".", "_")

    newest: dict[str, tuple[Version, Path, set[str]]] = {}
    hidden: dict[Path, set[str]] = {d: set() for d in site_dirs}  # top-level entries of shadowed versions
    for site_dir in site_dirs:
        for dist in metadata.distributions(path=[str(site_dir)]):
            name, version = norm(dist.metadata["Name"]), Version(dist.version)
            tops = {Path(str(f)).parts[0] for f in dist.files or []} | {Path(dist._path).name}
            if name not in newest or version > newest[name][0]:
                if name in newest:
                    hidden[newest[name][1]] |= newest[name][2]
                newest[name] = (version, site_dir, tops)
            else:
                hidden[site_dir] |= tops
    ours = norm(leave_out)
    lines = []
    for number, site_dir in enumerate(site_dirs):
        mirror = venv / "running-packages" / str(number)
        mirror.mkdir(parents=True)
        for entry in site_dir.iterdir():
            name = norm(entry.name)
            if entry.name in hidden[site_dir] or name.startswith((ours, f"__editable___{ours}", f"__editable____{ours}")):
                continue
            (mirror / entry.name).symlink_to(entry)
        lines.append(f"import site; site.addsitedir({str(mirror)!r})")
    (Path(purelib) / "_running_packages.pth").write_text("\n".join(lines) + "\n")
    return python
