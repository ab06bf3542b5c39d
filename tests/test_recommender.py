"""Recommender: ranking against brute-force references, similarities, filters, MMR, ties, errors, output, plots."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from lyricmood.errors import LyricMoodError
from lyricmood.filters import Filters
from lyricmood.formatting import display_width, fit_width, format_recommendations, format_table
from lyricmood.index import SongIndex
from lyricmood.moods import parse_mood
from lyricmood.recommender import Recommender, top_k
from lyricmood.similarity import jensen_shannon_similarity, pairwise_similarity
from lyricmood.testing import index_from_vectors

LABELS = ["joy", "sadness", "anger", "love", "fear", "기쁨"]


def make_index(n: int = 40, seed: int = 0) -> SongIndex:
    rng = np.random.default_rng(seed)
    vectors = rng.dirichlet(np.full(len(LABELS), 0.7), size=n).astype(np.float32)
    index = SongIndex.empty(LABELS, fingerprint="f" * 64)
    index.add_many(
        [f"s{i:02d}" for i in range(n)],
        list(vectors),
        [
            {
                "title": f"Song {i}" if i % 5 else f"노래 {i}",
                "artist": f"artist{i % 7}",
                "year": 1960 + i,
                "lang": "ko" if i % 3 == 0 else "en",
            }
            for i in range(n)
        ],
    )
    return index


def reference_ranking(scores: np.ndarray, allowed: np.ndarray, k: int) -> list[int]:
    candidates = [(-float(scores[i]), i) for i in range(len(scores)) if allowed[i]]
    return [i for _, i in sorted(candidates)[:k]]


@pytest.fixture(scope="module")
def index() -> SongIndex:
    return make_index()


def test_centered_cosine_matches_an_independent_reference(index):
    X = index.vectors.astype(np.float64)
    centred = X - X.mean(axis=0)
    expected = cosine_similarity(centred[3:4], centred)[0]
    recs = Recommender(index).similar_songs("s03", k=10)
    allowed = np.ones(len(X), bool)
    allowed[3] = False
    assert [r.id for r in recs] == [f"s{i:02d}" for i in reference_ranking(expected, allowed, 10)]
    np.testing.assert_allclose([r.score for r in recs], np.sort(expected[allowed])[::-1][:10], atol=1e-6)


def test_similarity_matrix_is_what_ranks_the_songs(index):
    from lyricmood.emotions import SongEmotion

    X = index.vectors.astype(np.float64)
    centred = X - X.mean(axis=0)
    rows = [4, 0, 17]
    recommender = Recommender(index)
    matrix = recommender.similarity_matrix(["s04", "노래 0", "s17"])  # ids or titles
    np.testing.assert_allclose(matrix, cosine_similarity(centred[rows]), atol=1e-12)
    # A query comes first, scored as its recommendations were (the ranking's scores are float32).
    mood = recommender.mood_vector({"sadness": 1.0})
    with_mood = recommender.similarity_matrix(["s04", "s00", "s17"], query=mood)
    np.testing.assert_allclose(with_mood[0, 1:], recommender.scores(mood)[0, rows], atol=1e-6)
    np.testing.assert_allclose(with_mood[1:, 1:], matrix, atol=1e-12)
    song = SongEmotion(index.vectors[9], LABELS, ["song"], index.vectors[9:10], 1)
    np.testing.assert_allclose(recommender.similarity_matrix(["s04", "s00", "s17"], query=song)[0],
                               cosine_similarity(centred[[9, *rows]])[0], atol=1e-6)
    with pytest.raises(LyricMoodError, match="values"):
        recommender.similarity_matrix(["s04"], query=np.ones(3))
    with pytest.raises(LyricMoodError, match="one query vector"):
        recommender.similarity_matrix(["s04"], query=np.ones((2, len(LABELS))))


def test_centering_spreads_scores_that_plain_cosine_squeezes(index):
    X = index.vectors.astype(np.float64) + 0.5  # a large shared component, as probability vectors have
    plain = cosine_similarity(X)
    centred = pairwise_similarity(X, similarity="centered-cosine")
    off = ~np.eye(len(X), dtype=bool)
    assert np.ptp(centred[off]) > 5 * np.ptp(plain[off])


def test_cosine_matches_sklearn(index):
    expected = cosine_similarity(index.vectors[7:8], index.vectors)[0]
    recs = Recommender(index, similarity="cosine").similar_songs("s07", k=5)
    allowed = np.ones(len(index), bool)
    allowed[7] = False
    assert [r.id for r in recs] == [f"s{i:02d}" for i in reference_ranking(expected, allowed, 5)]
    np.testing.assert_allclose([r.score for r in recs], expected[[int(r.id[1:]) for r in recs]], atol=1e-6)


def test_jensen_shannon_matches_scipy(index):
    rng = np.random.default_rng(1)
    P = rng.random((4, 6))
    P[0, 2] = 0.0  # zeros must follow 0·log 0 = 0
    Q = rng.random((5, 6))
    ours = jensen_shannon_similarity(P, Q)
    try:
        from scipy.spatial.distance import jensenshannon

        expected = np.array([[1 - jensenshannon(p, q, base=2) for q in Q] for p in P])
    except ImportError:  # the direct formula

        def js(p, q):
            p, q = p / p.sum(), q / q.sum()
            m = (p + q) / 2
            kl = lambda a, b: np.sum(np.where(a > 0, a * np.log2(np.where(a > 0, a, 1) / b), 0))
            return np.sqrt((kl(p, m) + kl(q, m)) / 2)

        expected = np.array([[1 - js(p, q) for q in Q] for p in P])
    np.testing.assert_allclose(ours, expected, atol=1e-9)
    recs = Recommender(index, similarity="jensen-shannon").similar_songs("s00", k=3)
    direct = jensen_shannon_similarity(index.vectors[:1], index.vectors)[0]
    allowed = np.ones(len(index), bool)
    allowed[0] = False
    assert [r.id for r in recs] == [f"s{i:02d}" for i in reference_ranking(direct, allowed, 3)]


def test_filters(index):
    recommender = Recommender(index)
    query = index.get("s05")
    recs = recommender.similar_songs("s05", k=10, exclude_same_artist=True, year_range=(1965, 1990), lang="en")
    assert recs
    for r in recs:
        assert r.artist != query["artist"] and 1965 <= r.year <= 1990 and r.lang == "en" and r.id != "s05"
    allowed = np.array(
        [
            m["artist"] != query["artist"] and 1965 <= m["year"] <= 1990 and m["lang"] == "en" and i != 5
            for i, m in enumerate(index.metadata)
        ]
    )
    scores = recommender.scores(index.vectors[5:6])[0]
    assert [r.id for r in recs] == [f"s{i:02d}" for i in reference_ranking(scores, allowed, 10)]
    # fewer songs than k pass the filters: fewer come back, no error
    assert len(recommender.similar_songs("s05", k=30, year_range=(1960, 1964))) == 5


def test_explicit_api_with_filters_equals_the_keyword_wrappers(index):
    recommender = Recommender(index)
    filters = Filters(year_range=(1965, 1990), lang="EN", exclude_same_artist=True, diversity=0.2)
    options = {"year_range": (1965, 1990), "lang": "en", "exclude_same_artist": True, "diversity": 0.2}
    assert recommender.similar_to_song("s05", 10, filters) == recommender.similar_songs("s05", k=10, **options)
    assert recommender.similar_to_song("song 6", 10, filters) == recommender.similar_to_song("s06", 10, filters)
    mood = {"sadness": 0.7, "love": 0.3}
    assert recommender.similar_to_mood(mood, 5, Filters(lang="ko")) == recommender.recommend_for_mood(mood, 5, lang="ko")
    vector = index.vectors[3]
    assert recommender.similar_to_vector(vector, 4) == recommender.similar_songs(vector=vector, k=4)
    # a vector has no artist and is not a catalog song: exclude_same_artist changes nothing, the song itself ranks
    assert recommender.similar_to_vector(vector, 4, Filters(exclude_same_artist=True))[0].id == "s03"


def test_filters_are_checked_once_and_normalised():
    assert Filters(year_range=(1990, None)).year_range == (1990, 9999)
    assert Filters(year_range=(None, 2000)).year_range == (0, 2000)
    assert Filters(lang=["KO", "en"]).lang == ("ko", "en") and Filters(lang="").lang is None
    for years, message in (((2000, 1990), "reversed: 2000 > 1990"), ((1, 2, 3), "bad year range"),
                           ((float("nan"), 1), "bad year range"), ((-1, 5), "out of range")):
        with pytest.raises(LyricMoodError, match=message):
            Filters(year_range=years)
    with pytest.raises(LyricMoodError, match="diversity"):
        Filters(diversity="lots")


def test_no_guessing_between_ids_and_lyrics(index):
    recommender = Recommender(index)
    with pytest.raises(LyricMoodError, match="unknown song id 'sad rain at night'"):
        recommender.similar_songs("sad rain at night", k=2)  # a string is a catalog song, whatever its spaces
    with pytest.raises(LyricMoodError, match="needs the model"):
        recommender.similar_to_lyrics("s01", k=2)  # lyrics, even one word that is an id
    with pytest.raises(LyricMoodError, match="not both"):
        recommender.similar_to_emotion(index.song_emotion("s01"), 2, Filters(), lang="ko")
    with pytest.raises(LyricMoodError, match="unexpected keyword argument 'years'"):
        recommender.similar_songs("s01", k=2, years=(1990, 2000))


def test_batch_equals_single_queries(index):
    recommender = Recommender(index)
    batch = recommender.similar_songs_batch(["s01", "s02", "s09"], k=4, lang="ko")
    single = [recommender.similar_songs(q, k=4, lang="ko") for q in ["s01", "s02", "s09"]]
    assert [[r.id for r in b] for b in batch] == [[r.id for r in s] for s in single]
    # float32 scores: a batch and a single query take different BLAS kernels (6e-8 apart on an AVX2 CPU)
    np.testing.assert_allclose(
        [[r.score for r in b] for b in batch], [[r.score for r in s] for s in single], rtol=1e-5, atol=1e-6
    )
    by_vector = recommender.similar_songs_batch(vectors=index.vectors[[1, 2]], k=4)
    # a bare vector is not "itself": the song comes first with similarity 1
    assert [b[0].id for b in by_vector] == ["s01", "s02"] and by_vector[0][0].score == pytest.approx(1.0)


def test_mmr_diversity():
    index = index_from_vectors(["a", "b", "c"], {
        "query": [0.8, 0.1, 0.1],
        "twin1": [0.78, 0.12, 0.10],
        "twin2": [0.78, 0.12, 0.10],  # a duplicate of twin1: redundant
        "other": [0.6, 0.05, 0.35],  # a little less similar, but different
        "far1": [0.1, 0.8, 0.1],
        "far2": [0.1, 0.1, 0.8],
        "far3": [0.2, 0.7, 0.1],
    })
    recommender = Recommender(index, similarity="cosine")
    plain = [r.id for r in recommender.similar_songs("query", k=3)]
    assert plain[:2] == ["twin1", "twin2"]
    assert [r.id for r in recommender.similar_songs("query", k=3, diversity=0.0)] == plain
    diverse = [r.id for r in recommender.similar_songs("query", k=2, diversity=0.5)]
    assert diverse == ["twin1", "other"]


def test_ties_are_broken_by_catalog_order():
    index = index_from_vectors(["a", "b"], {song_id: [0.5, 0.5] for song_id in "zyxw"} | {"q": [0.9, 0.1]})
    recs = Recommender(index, similarity="cosine").similar_songs("x", k=2)
    assert [r.id for r in recs] == ["z", "y"]
    scores = np.array([1.0, 3.0, 3.0, 2.0, 3.0, -np.inf])
    assert top_k(scores, 2).tolist() == [1, 2]
    assert top_k(scores, 10).tolist() == [1, 2, 4, 3, 0]



@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_top_k_matches_a_full_sort(dtype):
    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        scores = rng.integers(0, 6, size=n).astype(dtype)  # few distinct values: many ties
        scores[rng.random(n) < 0.2] = -np.inf
        if trial % 7 == 0:
            scores[rng.integers(n)] = np.nan
        k = int(rng.integers(1, n + 3))
        finite = [i for i in range(n) if np.isfinite(scores[i])]
        expected = sorted(finite, key=lambda i: (-scores[i], i))[:k]
        assert top_k(scores, k).tolist() == expected, (scores, k)

def test_mood_queries(index):
    recommender = Recommender(index)
    recs = recommender.recommend_for_mood({"sadness": 0.7, "love": 0.3}, k=5)
    X = index.vectors.astype(np.float64)
    w = np.zeros(len(LABELS))
    w[1], w[3] = 0.7, 0.3
    expected = cosine_similarity(w[None], X - X.mean(axis=0))[0]
    assert [r.id for r in recs] == [f"s{i:02d}" for i in reference_ranking(expected, np.ones(len(X), bool), 5)]
    assert set(recs[0].shared_emotions[:1]) <= {"sadness", "love"}
    with pytest.raises(LyricMoodError, match="unknown emotion 'sadnes'.*joy, sadness, anger"):
        recommender.recommend_for_mood({"sadnes": 1.0})
    with pytest.raises(LyricMoodError, match="≥ 0"):
        recommender.recommend_for_mood({"sadness": -0.5, "joy": 1})
    with pytest.raises(LyricMoodError, match="every mood weight is 0"):
        recommender.recommend_for_mood({"sadness": 0})
    assert parse_mood("sadness=0.7, love=0.3") == {"sadness": 0.7, "love": 0.3}
    with pytest.raises(LyricMoodError, match="bad weight"):
        parse_mood("sadness=lots")


def test_why_names_the_shared_emotions():
    index = index_from_vectors(["joy", "sadness", "anger", "love"], {
        "a": [0.1, 0.6, 0.0, 0.3],
        "b": [0.1, 0.5, 0.05, 0.35],
        "c": [0.7, 0.0, 0.3, 0.0],
        "d": [0.5, 0.0, 0.5, 0.0],
    })
    rec = Recommender(index).similar_songs("a", k=1)[0]
    assert rec.id == "b" and rec.shared_emotions[:2] == ["sadness", "love"]


def test_bad_queries(index):
    recommender = Recommender(index)
    with pytest.raises(LyricMoodError, match=r"unknown song id 'Song 1x'.*Song 1"):
        recommender.similar_songs("Song 1x")
    assert recommender.resolve_id("song 12") == "s12"  # an exact title (any case) works too
    for k in (0, -3, len(index) + 1):
        with pytest.raises(LyricMoodError, match="k"):
            recommender.similar_songs("s01", k=k)
    with pytest.raises(LyricMoodError, match="diversity"):
        recommender.similar_songs("s01", diversity=1.5)
    with pytest.raises(LyricMoodError, match="year range"):
        recommender.similar_songs("s01", year_range=(2000, 1990))
    with pytest.raises(LyricMoodError, match="similarity"):
        Recommender(index, similarity="euclid")
    with pytest.raises(LyricMoodError, match="empty"):
        Recommender(SongIndex.empty(LABELS, "x"))


def test_terminal_table_aligns_hangul(index):
    assert display_width("사랑 love") == 9
    assert fit_width("사랑해요", 5) == "사랑…" and display_width(fit_width("ab", 5)) == 5
    recs = Recommender(index).similar_songs("s00", k=8)
    table = format_recommendations(recs, "table")
    lines = table.splitlines()
    header = lines[0]
    start = display_width(header[: header.index("artist")])
    for line, rec in zip(lines[2:], recs):
        assert display_width(line[: line.index(rec.artist)]) == start
    rows = json.loads(format_recommendations(recs, "json"))
    assert [r["id"] for r in rows] == [r.id for r in recs] and rows[0]["rank"] == 1
    csv_text = format_recommendations(recs, "csv")
    assert csv_text.splitlines()[0].startswith("rank,score,title") and len(csv_text.splitlines()) == 9
    assert "emotion" in format_table([{"emotion": "기쁨", "score": 0.5}], ["emotion", "score"])


def test_plots(tmp_path, index):
    from lyricmood.inference import SongEmotion
    from lyricmood.plots import (
        plot_emotional_arc,
        plot_similarity_matrix,
        plot_top_emotions,
    )

    song = SongEmotion(index.vectors[0], LABELS, ["Verse 1", "후렴", "Verse 2"], index.vectors[:3], 6)
    fig = plot_top_emotions(song, k=4, title="노래", path=tmp_path / "top.png")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [e for e, _ in song.top(4)]
    plot_emotional_arc(song, k=3, path=tmp_path / "arc.png", kind="area")
    matrix = pairwise_similarity(index.vectors[:5])
    fig = plot_similarity_matrix(matrix, [m["title"] for m in index.metadata[:5]], path=tmp_path / "heat.png")
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), matrix, atol=1e-12)
    for name in ("top.png", "arc.png", "heat.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_why_and_top_emotions_never_name_neutral():
    from lyricmood.inference import SongEmotion

    labels = ["joy", "neutral", "sadness", "love"]
    index = index_from_vectors(labels, {
        "a": [0.05, 0.7, 0.2, 0.05],  # both a and b stand furthest above the catalog on neutral
        "b": [0.05, 0.65, 0.25, 0.05],
        "c": [0.6, 0.1, 0.0, 0.3],
        "d": [0.5, 0.1, 0.0, 0.4],
    })
    rec = Recommender(index).similar_songs("a", k=1)[0]
    assert rec.id == "b" and rec.shared_emotions[0] == "sadness" and "neutral" not in rec.shared_emotions
    song = SongEmotion(np.array([0.1, 0.7, 0.15, 0.05]), labels, ["song"], np.zeros((1, 4)), 1)
    assert [label for label, _ in song.top(2)] == ["sadness", "joy"]
    assert song.top(1, include_neutral=True)[0][0] == "neutral" and song.neutral == pytest.approx(0.7)
