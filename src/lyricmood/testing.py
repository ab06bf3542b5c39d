"""Tiny random backbones for tests and benchmarks: built from configs, offline, in seconds.

Example:
    >>> import tempfile
    >>> from transformers import AutoModel, AutoTokenizer
    >>> path = make_tiny_backbone(tempfile.mkdtemp(), style="roberta")
    >>> AutoTokenizer.from_pretrained(path)("the sad rain").input_ids[0]  # <s>
    0
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import AutoModel, BertConfig, PreTrainedTokenizerFast, RobertaConfig

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


def make_tiny_predictor(path: str | Path, labels: list[str], batch_size: int = 64, seed: int = 0):
    """An `EmotionPredictor` over a random tiny model whose outputs are spread out (not ≈0.5 everywhere)."""
    from .inference import EmotionPredictor
    from .modeling import LyricMoodForSequenceClassification

    backbone = make_tiny_backbone(path)
    torch.manual_seed(seed)
    model = LyricMoodForSequenceClassification.from_backbone(str(backbone), id2label=labels)
    with torch.no_grad():
        model.classifier.weight.mul_(30)  # a random head gives ≈0.5 everywhere: spread the outputs
    return EmotionPredictor(model.eval(), tokenizer=backbone, batch_size=batch_size)
