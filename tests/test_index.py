"""SongIndex files (exact round trip, atomic, corruption), add/update/remove, fingerprints, resumable and sharded builds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lyricmood.errors import LyricMoodError
from lyricmood.index import SongIndex, read_index_info
from lyricmood.index_files import INFO_CHECKSUM, info_checksum
from lyricmood.indexing import build_index
from lyricmood.inference import EmotionPredictor, SongEmotion
from lyricmood.recommender import Recommender
from lyricmood.testing import make_tiny_predictor

LABELS = ["joy", "sadness", "love"]
WORDS = [
    "the",
    "a",
    "i",
    "you",
    "me",
    "my",
    "we",
    "love",
    "sad",
    "tears",
    "rain",
    "night",
    "light",
    "alone",
    "happy",
    "joy",
    "dance",
    "fear",
    "hope",
    "home",
    "사랑",
    "눈물",
    "그대",
    "밤",
    "비",
]


def catalog(n: int = 11) -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        verses = ["\n".join(" ".join(rng.choice(WORDS, size=rng.integers(2, 9))) for _ in range(3)) for _ in range(2)]
        rows.append(
            {
                "id": f"song-{i}",
                "title": f"Title {i}",
                "artist": f"A{i % 3}",
                "year": 2000 + i,
                "lang": "en",
                "lyrics": "[Verse]\n" + "\n\n".join(verses),
                "intended_mood": None,
            }
        )
    return rows


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def predictor(tmp_path_factory) -> EmotionPredictor:
    return make_tiny_predictor(tmp_path_factory.mktemp("backbone"), LABELS, batch_size=16)


ARC = SongEmotion(
    np.array([0.2, 0.5, 0.3], np.float32),
    LABELS,
    ["Verse", "후렴"],
    np.array([[0.1, 0.6, 0.3], [0.3, 0.4, 0.3]], np.float32),
    num_chunks=4,
    num_tokens=30,
)


def small_index() -> SongIndex:
    index = SongIndex.empty(LABELS, fingerprint="a" * 64, model="tiny")
    index.add("x1", ARC, {"title": "봄비", "artist": "가수", "year": 1999, "lang": "ko", "intended_mood": None})
    index.add("x2", np.array([0.7, 0.1, 0.2]), {"title": "Sun", "artist": "B", "year": None, "lang": "en"})
    return index


def test_round_trip_is_exact(tmp_path):
    index = small_index()
    index.save(tmp_path / "idx")
    loaded = SongIndex.load(tmp_path / "idx")
    assert loaded.ids == index.ids and loaded.labels == LABELS and loaded.fingerprint == index.fingerprint
    assert np.array_equal(loaded.vectors, index.vectors) and loaded.vectors.dtype == np.float32
    assert loaded.get("x1")["title"] == "봄비" and loaded.get("x2")["year"] is None
    arc = loaded.song_emotion("x1")
    assert arc.sections == ["Verse", "후렴"] and np.array_equal(arc.section_vectors, ARC.section_vectors)
    assert arc.num_chunks == 4 and read_index_info(tmp_path / "idx")["num_songs"] == 2
    assert np.array_equal(loaded.section_vectors, ARC.section_vectors) and loaded.section_offsets.tolist() == [0, 2, 2]
    assert "section_vectors" not in loaded.metadata[0]  # metadata holds JSON values only
    bare = loaded.song_emotion("x2")  # added as a bare vector: one section, the song itself
    assert bare.sections == ["song"] and np.array_equal(bare.section_vectors, np.float32([[0.7, 0.1, 0.2]]))


def test_add_update_remove():
    index = small_index()
    index.add("x3", np.array([0.1, 0.1, 0.8]), {"title": "Three"})
    index.add("x2", np.array([0.0, 1.0, 0.0]), {"title": "Sun (new)"})  # an update, in place
    assert index.ids == ["x1", "x2", "x3"] and index.get("x2")["title"] == "Sun (new)"
    assert np.array_equal(index.vectors[1], [0.0, 1.0, 0.0])
    with pytest.raises(LyricMoodError, match="already in the index"):
        index.add("x2", np.array([0.0, 1.0, 0.0]), replace=False)
    index.remove(["x1"])
    assert index.ids == ["x2", "x3"] and index.position("x3") == 1
    with pytest.raises(LyricMoodError, match="unknown song id 'x9'"):
        index.remove(["x2", "x9"])
    assert index.ids == ["x2", "x3"]  # nothing removed
    with pytest.raises(LyricMoodError, match="3 labels"):
        index.add("bad", np.array([0.5, 0.5]))


def test_sections_stay_with_their_song_through_add_update_remove_merge_and_save(tmp_path):
    """Random changes applied to an index and to a plain dict of songs (the reference) leave the same songs."""
    rng = np.random.default_rng(3)

    def random_song(with_sections: bool):
        vector = rng.random(3).astype(np.float32)
        if not with_sections:
            return vector
        k = int(rng.integers(1, 5))
        return SongEmotion(vector, LABELS, [f"part {j}" for j in range(k)], rng.random((k, 3)).astype(np.float32), k)

    def expected(song):  # what song_emotion gives back, computed from what was added
        if isinstance(song, SongEmotion):
            return song.sections, song.section_vectors
        return ["song"], song[None]

    index, other = SongIndex.empty(LABELS, "a" * 64), SongIndex.empty(LABELS, "a" * 64)
    reference: dict[str, object] = {}
    for step in range(40):
        song_id = f"s{int(rng.integers(0, 12))}"
        action = rng.choice(["add", "add", "remove", "merge"])
        if action == "add":
            song = random_song(bool(rng.integers(0, 3)))
            index.add(song_id, song, {"title": song_id})
            reference[song_id] = song
        elif action == "remove" and song_id in reference:
            index.remove(song_id)
            del reference[song_id]
        elif action == "merge":
            other = SongIndex.empty(LABELS, "a" * 64)
            for merged_id in {song_id, f"s{int(rng.integers(0, 12))}"}:
                song = random_song(True)
                other.add(merged_id, song, {"title": merged_id})
                reference[merged_id] = song
            index.merge(other)
        assert sorted(index.ids) == sorted(reference), step
    index.save(tmp_path / "idx")
    for loaded in (index, SongIndex.load(tmp_path / "idx")):
        assert loaded.section_offsets[-1] == len(loaded.section_vectors)
        for song_id, song in reference.items():
            emotion = loaded.song_emotion(song_id)
            sections, section_vectors = expected(song)
            assert emotion.sections == sections
            np.testing.assert_array_equal(emotion.section_vectors, section_vectors)
            np.testing.assert_array_equal(emotion.vector, song.vector if isinstance(song, SongEmotion) else song)


def test_vectors_of_another_model_or_label_set_are_refused(tmp_path, predictor):
    index = small_index()
    with pytest.raises(LyricMoodError, match="another model"):
        index.add("x4", np.array([0.3, 0.3, 0.4]), fingerprint="b" * 64)
    other_labels = SongEmotion(np.ones(3, np.float32) / 3, ["a", "b", "c"], ["s"], np.ones((1, 3), np.float32) / 3, 1)
    with pytest.raises(LyricMoodError, match="other labels"):
        index.add("x4", other_labels)
    with pytest.raises(LyricMoodError, match="another model"):
        Recommender(index, predictor=predictor)
    other = SongIndex.empty(LABELS, fingerprint="b" * 64)
    other.add("y", np.array([1.0, 0.0, 0.0]))
    with pytest.raises(LyricMoodError, match="another model"):
        index.merge(other)
    assert index.ids == ["x1", "x2"]


def test_damaged_index_files_raise_clear_errors(tmp_path):
    path = small_index().save(tmp_path / "idx")
    vectors = path / "vectors.safetensors"
    vectors.write_bytes(vectors.read_bytes()[:-20])  # truncated
    with pytest.raises(LyricMoodError, match="truncated or corrupt"):
        SongIndex.load(path)
    (path / "index.json").write_text('{"format": "lyricmood-ind')
    with pytest.raises(LyricMoodError, match="index.json is truncated or corrupt"):
        SongIndex.load(path)
    with pytest.raises(LyricMoodError, match="not a lyricmood index"):
        SongIndex.load(tmp_path)
    with pytest.raises(LyricMoodError, match="index not found"):
        SongIndex.load(tmp_path / "nowhere")
    # saving over a folder that is not an index is refused, and it stays as it was
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(LyricMoodError, match="not created by lyricmood"):
        small_index().save(tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_build_index_matches_direct_scoring(predictor):
    rows = catalog(5)
    index = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    assert index.ids == [r["id"] for r in rows] and index.fingerprint == predictor.fingerprint
    for row in rows:
        expected = predictor.score_song(row["lyrics"])
        np.testing.assert_allclose(index.get(row["id"])["vector"], expected.vector, atol=1e-6)
        assert index.metadata[index.position(row["id"])]["sections"] == expected.sections
    bad = rows + [{"id": "empty", "title": "E", "lyrics": "123\n..."}]
    with pytest.raises(LyricMoodError, match="song 'empty'.*no letters"):
        build_index(bad, predictor, progress=False, num_processes=1, process_index=0)
    with pytest.raises(LyricMoodError, match="duplicate song id 'song-0'"):
        build_index(rows + rows[:1], predictor, progress=False, num_processes=1, process_index=0)


def test_a_catalog_is_checked_once(tmp_path, predictor, monkeypatch):
    """Songs read from a file are checked as they are read and indexed as they are; rows given in memory are
    checked once, as they are indexed. Both give the same index."""
    from lyricmood import catalog as catalog_module
    from lyricmood.indexing import load_catalog

    rows = catalog(4)
    path = tmp_path / "songs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    checked = []
    original = catalog_module.UniqueIds.add
    monkeypatch.setattr(catalog_module.UniqueIds, "add", lambda self, i, *a, **k: checked.append(i) or original(self, i, *a, **k))
    from_file = build_index(load_catalog(path), predictor, progress=False, num_processes=1, process_index=0)
    assert checked == [row["id"] for row in rows]
    checked.clear()
    from_rows = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    assert checked == [row["id"] for row in rows]
    assert from_file.ids == from_rows.ids and from_file.metadata == from_rows.metadata
    np.testing.assert_array_equal(from_file.vectors, from_rows.vectors)
    np.testing.assert_array_equal(from_file.section_vectors, from_rows.section_vectors)


def test_building_splits_each_scored_song_once(predictor, monkeypatch):
    from lyricmood import lyrics

    rows = catalog(6)
    calls = []
    original = lyrics.split_lyrics
    monkeypatch.setattr(lyrics, "split_lyrics", lambda text: calls.append(text) or original(text))
    first = build_index(rows[:4], predictor, progress=False, num_processes=1, process_index=0)
    assert sorted(calls) == sorted(r["lyrics"] for r in rows[:4])
    calls.clear()
    updated = build_index(rows, predictor, progress=False, reuse=first, num_processes=1, process_index=0)
    assert sorted(calls) == sorted(r["lyrics"] for r in rows[4:])  # reused songs are not split at all
    expected = predictor.score_song(rows[5]["lyrics"])
    np.testing.assert_allclose(updated.get("song-5")["vector"], expected.vector, atol=1e-6)


def test_interrupted_build_resumes_to_the_same_index(tmp_path, predictor, monkeypatch):
    rows = catalog(11)
    full = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    scored = []
    original = EmotionPredictor.score_songs

    def flaky(self, lyrics, **kwargs):
        for n, song in enumerate(original(self, lyrics, **kwargs)):
            if fail_after is not None and n == fail_after:
                raise KeyboardInterrupt
            scored.append(song)
            yield song

    monkeypatch.setattr(EmotionPredictor, "score_songs", flaky)
    fail_after = 7
    with pytest.raises(KeyboardInterrupt):
        build_index(
            rows,
            predictor,
            progress=False,
            checkpoint_dir=tmp_path / "ckpt",
            checkpoint_every=3,
            num_processes=1,
            process_index=0,
        )
    assert len(list((tmp_path / "ckpt" / "shard-0-of-1").glob("part-*"))) == 2  # 6 songs saved
    fail_after, scored = None, []
    resumed = build_index(
        rows,
        predictor,
        progress=False,
        checkpoint_dir=tmp_path / "ckpt",
        checkpoint_every=3,
        num_processes=1,
        process_index=0,
    )
    assert len(scored) == 5  # only the songs not yet checkpointed
    assert resumed.ids == full.ids
    np.testing.assert_allclose(resumed.vectors, full.vectors, atol=1e-6)
    assert [m["title"] for m in resumed.metadata] == [m["title"] for m in full.metadata]
    # an edited song is scored again, not taken from the checkpoint
    rows[2] = {**rows[2], "lyrics": "sad tears rain night alone"}
    scored = []
    edited = build_index(
        rows, predictor, progress=False, checkpoint_dir=tmp_path / "ckpt", num_processes=1, process_index=0
    )
    assert len(scored) == 1
    np.testing.assert_allclose(
        edited.get(rows[2]["id"])["vector"], predictor.score_song(rows[2]["lyrics"]).vector, atol=1e-6
    )


def test_sharded_build_merges_in_catalog_order(tmp_path, predictor):
    rows = catalog(7)
    full = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    kwargs = {"progress": False, "checkpoint_dir": tmp_path / "shared", "num_processes": 3}
    assert build_index(rows, predictor, process_index=1, **kwargs) is None
    assert build_index(rows, predictor, process_index=2, **kwargs) is None
    merged = build_index(rows, predictor, process_index=0, **kwargs)
    assert merged.ids == full.ids and "_position" not in merged.metadata[0]
    np.testing.assert_allclose(merged.vectors, full.vectors, atol=1e-6)
    shard = SongIndex.load(tmp_path / "shared" / "result-1-of-3")
    assert shard.ids == ["song-1", "song-4"]


def test_index_json_records_checksums(tmp_path):
    path = small_index().save(tmp_path / "idx")
    info = json.loads((path / "index.json").read_text())
    assert set(info["files"]) == {"vectors.safetensors", "songs.jsonl"} and info["labels"] == LABELS


def test_songs_are_ranked_by_pooled_features_and_explained_by_probabilities(tmp_path, predictor):
    """The feature of a song is the token-weighted mean of its chunks' pooled features, computed here with the
    model's own submodules (an independent path from EmotionPredictor.encode); the index keeps it, saves it,
    and the recommender ranks catalog songs by its centred cosine while moods rank by the probabilities."""
    import torch
    from sklearn.metrics.pairwise import cosine_similarity

    from lyricmood.lyrics import content_tokens, iter_chunks, split_lyrics

    rows = catalog(8)
    index = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    assert index.representation == "pooled-emotion-feature" and index.features.shape == (8, predictor.feature_size)
    model, tokenizer = predictor.model, predictor.tokenizer
    chunks = list(iter_chunks(split_lyrics(rows[0]["lyrics"]), tokenizer, content_tokens(tokenizer, predictor.max_length)))
    with torch.no_grad():
        batch = tokenizer([c.text for c in chunks], padding=True, return_tensors="pt")
        pooled = model.lyricmood(**batch).pooler_output.numpy()
    weights = np.array([c.weight for c in chunks], dtype=np.float64)
    np.testing.assert_allclose(index.features[0], weights @ pooled / weights.sum(), atol=1e-5)

    index.save(tmp_path / "idx")
    loaded = SongIndex.load(tmp_path / "idx")
    assert np.array_equal(loaded.features, index.features)
    assert read_index_info(tmp_path / "idx")["representation"] == "pooled-emotion-feature"

    recommender = Recommender(loaded)
    F = loaded.features.astype(np.float64)
    expected = cosine_similarity(F[:1] - F.mean(0), F - F.mean(0))[0]
    expected[0] = -np.inf
    recs = recommender.similar_songs("song-0", k=7)
    assert [r.id for r in recs] == [f"song-{i}" for i in np.argsort(-expected, kind="stable")[:7]]
    np.testing.assert_allclose([r.score for r in recs], np.sort(expected)[::-1][:7], atol=1e-5)
    P = loaded.vectors.astype(np.float64)
    mood = recommender.recommend_for_mood({"sadness": 1.0}, k=3)
    w = np.array([0.0, 1.0, 0.0])
    by_mood = cosine_similarity(w[None], P - P.mean(0))[0]
    assert [r.id for r in mood] == [f"song-{i}" for i in np.argsort(-by_mood, kind="stable")[:3]]
    with_model = Recommender(loaded, predictor=predictor).similar_to_lyrics(rows[0]["lyrics"], k=7)
    assert [r.id for r in with_model][1:] == [r.id for r in recs][:6]  # the lyrics of song-0 rank song-0 first
    scored = Recommender(loaded).similar_to_emotion(predictor.score_song(rows[0]["lyrics"]), k=7)
    assert [(r.id, round(r.score, 5)) for r in scored] == [(r.id, round(r.score, 5)) for r in with_model]


def test_an_index_never_mixes_representations(tmp_path, predictor):
    index = build_index(catalog(3), predictor, progress=False, num_processes=1, process_index=0)
    with pytest.raises(LyricMoodError, match="without a pooled emotion feature"):
        index.add("bare", np.array([0.2, 0.5, 0.3]), {"title": "Bare"})
    probabilities_only = SongIndex.empty(LABELS, predictor.fingerprint)
    probabilities_only.add("p", np.ones(3) / 3, {})
    with pytest.raises(LyricMoodError, match="without a pooled emotion feature"):
        index.merge(probabilities_only)
    index.save(tmp_path / "idx")
    info = json.loads((tmp_path / "idx" / "index.json").read_text())
    info["representation"] = "emotion-probabilities"
    info[INFO_CHECKSUM] = info_checksum(info)  # resealed: the representation check itself applies
    (tmp_path / "idx" / "index.json").write_text(json.dumps(info))
    with pytest.raises(LyricMoodError, match="ranked by 'emotion-probabilities'.*holds"):
        SongIndex.load(tmp_path / "idx")


def _edit_info(path, edit) -> None:
    info = json.loads((path / "index.json").read_text())
    edit(info)
    (path / "index.json").write_text(json.dumps(info, ensure_ascii=False))


EDITS = {
    "labels reversed": lambda info: info.update(labels=info["labels"][::-1]),
    "representation": lambda info: info.update(representation="pooled-emotion-feature"),
    "fingerprint": lambda info: info.update(fingerprint="0" * 64),
    "model": lambda info: info.update(model="someone/else"),
    "num_songs": lambda info: info.update(num_songs=info["num_songs"]),  # unchanged: a control, loads
    "a key added": lambda info: info.update(mood_weight=0.5),
    "a key removed": lambda info: info.pop("model"),
    "checksum garbled": lambda info: info.update({INFO_CHECKSUM: "0" * 64}),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_every_key_of_index_json_is_covered_by_its_checksum(name, tmp_path):
    """Reversing the labels made --mood rank by the wrong emotions with no error: any edit of index.json is refused."""
    from lyricmood.testing import index_from_vectors

    index = index_from_vectors(LABELS, {"a": [0.7, 0.2, 0.1], "b": [0.1, 0.2, 0.7]})
    index.save(tmp_path / "idx")
    _edit_info(tmp_path / "idx", EDITS[name])
    if name == "num_songs":
        assert SongIndex.load(tmp_path / "idx").labels == LABELS
        return
    for read in (SongIndex.load, read_index_info):
        with pytest.raises(LyricMoodError, match=f"field '{INFO_CHECKSUM}': index.json was changed after it was written"):
            read(tmp_path / "idx")


def test_an_index_json_without_a_checksum_still_loads(tmp_path):
    """Indexes written before the checksum (no INFO_CHECKSUM key) load as before."""
    from lyricmood.testing import index_from_vectors

    index = index_from_vectors(LABELS, {"a": [0.7, 0.2, 0.1], "b": [0.1, 0.2, 0.7]})
    index.save(tmp_path / "idx")
    _edit_info(tmp_path / "idx", lambda info: info.pop(INFO_CHECKSUM))
    loaded = SongIndex.load(tmp_path / "idx")
    assert loaded.labels == LABELS and loaded.ids == ["a", "b"]
    np.testing.assert_array_equal(loaded.vectors, index.vectors)
