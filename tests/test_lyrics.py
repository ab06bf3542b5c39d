"""Lyrics splitting and chunking, and whole-song scoring with a real tiny model (never truncated)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from lyricmood.errors import LyricMoodError
from lyricmood.inference import EmotionPredictor
from lyricmood.lyrics import chunk_lyrics, content_tokens, split_lyrics
from lyricmood.testing import make_tiny_predictor

LABELS = ["joy", "sadness", "anger", "love", "fear"]
SONG = """[Verse 1]
the rain at night, i miss you
alone

tears
sad heart cry

[후렴]
사랑 그대 눈물 밤
happy dance joy morning light forever and forever
"""


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def predictor(tmp_path_factory) -> EmotionPredictor:
    return make_tiny_predictor(tmp_path_factory.mktemp("backbone"), LABELS, batch_size=64)


def test_split_lyrics_sections_and_tags():
    sections = split_lyrics(SONG.replace("\n", "\r\n"))
    assert [s.name for s in sections] == ["Verse 1", "section 2", "후렴"]
    assert sections[0].lines == ["the rain at night, i miss you", "alone"]
    assert sections[2].lines[0] == "사랑 그대 눈물 밤"
    assert split_lyrics("[Chorus]\n(Bridge)\nla la")[0].name == "Bridge"


@pytest.mark.parametrize("text", ["", "   \n\t\n", "123 456\n!!!", "[Chorus]\n[Verse]", None])
def test_split_lyrics_refuses_text_without_words(text):
    with pytest.raises(LyricMoodError, match="lyrics"):
        split_lyrics(text)


def test_chunks_group_short_lines_within_a_section(predictor):
    tokenizer = predictor.tokenizer
    sections = split_lyrics(SONG)
    chunks = chunk_lyrics(sections, tokenizer, max_tokens=50)
    count = lambda t: len(tokenizer(t, add_special_tokens=False).input_ids)
    # every token of every line is in exactly one chunk
    assert sum(c.weight for c in chunks) == sum(count(line) for s in sections for line in s.lines)
    assert chunks[0].text == "the rain at night, i miss you"  # 8 tokens: a chunk of its own
    assert chunks[1].text == "alone" and chunks[1].section_index == 0  # not grouped across sections
    assert all(c.weight == count(c.text) for c in chunks)


def test_long_line_is_windowed_not_truncated(predictor):
    tokenizer = predictor.tokenizer
    words = ("the sad rain night light alone happy joy dance fear " * 40).split()
    line = " ".join(words)  # 400 tokens, the model reads 126 at most
    limit = content_tokens(tokenizer, predictor.max_length)
    chunks = chunk_lyrics(split_lyrics(line), tokenizer, limit)
    assert len(chunks) == 4
    assert all(len(tokenizer(c.text, add_special_tokens=False).input_ids) == c.weight <= limit for c in chunks)
    assert " ".join(c.text for c in chunks).split() == words
    # the end of a long line changes the song: truncation would not see it
    other = " ".join(words[:-30] + ["tears"] * 30)
    assert not np.allclose(predictor.score_song(line).vector, predictor.score_song(other).vector, atol=1e-6)
    np.testing.assert_allclose(predictor.predict([line])[0], predictor.predict([other])[0], atol=1e-6)


def test_song_vector_is_the_token_weighted_mean_of_chunk_predictions(predictor):
    long_line = " ".join(["love you forever my heart"] * 60)
    lyrics = SONG + "\n[Bridge]\n" + long_line
    song = predictor.score_song(lyrics)
    sections = split_lyrics(lyrics)
    chunks = chunk_lyrics(sections, predictor.tokenizer, content_tokens(predictor.tokenizer, predictor.max_length))
    probs = predictor.predict([c.text for c in chunks]).astype(np.float64)
    weights = np.array([c.weight for c in chunks], dtype=np.float64)
    np.testing.assert_allclose(song.vector, weights @ probs / weights.sum(), rtol=1e-5, atol=1e-6)
    for i in range(len(sections)):
        mine = np.array([c.section_index == i for c in chunks])
        expected = weights[mine] @ probs[mine] / weights[mine].sum()
        np.testing.assert_allclose(song.section_vectors[i], expected, rtol=1e-5, atol=1e-6)
    assert song.sections == ["Verse 1", "section 2", "후렴", "Bridge"]
    assert song.num_chunks == len(chunks) and song.num_tokens == weights.sum()
    assert song.top(2)[0][1] == pytest.approx(float(song.vector.max()))


def test_batch_size_and_streaming_do_not_change_song_vectors(predictor):
    songs = [SONG, "i love you\n\nsad rain", "[Chorus]\n" + " ".join(["happy"] * 300), "눈물 비 밤 그리워"]
    batched = list(predictor.score_songs(songs))
    one = EmotionPredictor(predictor.model, predictor.tokenizer, batch_size=1)
    singles = [one.score_song(s) for s in songs]
    streamed = list(predictor.score_songs(iter(songs), chunks_per_call=3))  # chunks of songs mixed in calls
    for a, b, c in zip(batched, singles, streamed):
        np.testing.assert_allclose(a.vector, b.vector, atol=1e-6)
        np.testing.assert_allclose(a.section_vectors, b.section_vectors, atol=1e-6)
        np.testing.assert_allclose(a.vector, c.vector, atol=1e-6)


def test_big_lyrics_stream_in_bounded_calls(predictor, monkeypatch):
    calls = []
    original = EmotionPredictor.encode

    def spy(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(EmotionPredictor, "encode", spy)
    lyrics = "\n".join(f"the rain {i} at night i miss you" for i in range(600))
    song = predictor.score_song(lyrics)
    assert song.num_chunks == 600 and max(calls) <= 8 * predictor.batch_size and len(calls) >= 2


def test_fingerprint_is_stable_and_sensitive(predictor, tmp_path):
    predictor.model.save_pretrained(tmp_path / "m")
    AutoTokenizer.from_pretrained(predictor.tokenizer.name_or_path).save_pretrained(tmp_path / "m")
    reloaded = EmotionPredictor(tmp_path / "m")
    assert reloaded.fingerprint == predictor.fingerprint and len(predictor.fingerprint) == 64
    with torch.no_grad():
        reloaded.model.classifier.bias.add_(1e-3)
    reloaded.__dict__.pop("_fingerprint_cache")
    assert reloaded.fingerprint != predictor.fingerprint


def test_bf16_autocast_stays_close_to_float32(predictor):
    texts = ["the rain at night, i miss you", "happy dance joy morning light", "사랑 그대 눈물 밤"]
    exact = predictor.predict(texts)
    fast = EmotionPredictor(predictor.model, predictor.tokenizer, bf16=True)
    approx = fast.predict(texts)
    assert np.abs(approx - exact).max() < 0.02
    assert not np.array_equal(approx, exact)  # autocast did run in bfloat16
    assert np.array_equal(predictor.predict(texts), exact)  # and left the float32 predictor untouched
