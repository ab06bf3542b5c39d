"""Digging: several seeds, journeys, dig across decades / languages, arc match and the map, on small hand-made
catalogs whose right answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import cosine_similarity

from lyricmood.arcs import ARC_POINTS, catalog_arcs, resample_arc
from lyricmood.cli import main
from lyricmood.dig import DIG_POOL, MOOD_ANCHOR_SONGS, journey_points, line_scores, seed_scores
from lyricmood.emotions import SongEmotion
from lyricmood.errors import LyricMoodError
from lyricmood.filters import Filters
from lyricmood.index import SongIndex
from lyricmood.recommender import Recommender
from lyricmood.similarity import CatalogSpace
from lyricmood.song_map import catalog_map, map_figure, project
from lyricmood.testing import index_from_vectors

LABELS = ["a", "b", "c"]


def with_metadata(index: SongIndex, **fields: dict) -> SongIndex:
    """``index`` with metadata fields set per song: ``year={"s1": 1990}``, ``lang={...}``, ``artist={...}``."""
    for name, values in fields.items():
        for song_id, value in values.items():
            index.metadata[index.position(song_id)][name] = value
    return index


# -- several seeds -----------------------------------------------------------------------------------


def seeds_index() -> SongIndex:
    return index_from_vectors(LABELS, {
        "s1": [1.0, 0.0, 0.0],
        "s2": [0.0, 1.0, 0.0],
        "between": [0.4, 0.4, 0.8],  # as close to s1 as to s2 (cosine 0.41 each)
        "near_s1": [1.0, 0.1, 0.0],  # very close to s1 (0.995), far from s2 (0.10): a higher mean
        "far": [0.0, 0.0, 1.0],
    })


def test_fits_every_seed_picks_the_song_between_them():
    recommender = Recommender(seeds_index(), similarity="cosine")
    assert [r.id for r in recommender.similar_to_songs(["s1", "s2"], k=1, fit="every")] == ["between"]
    assert [r.id for r in recommender.similar_to_songs(["s1", "s2"], k=1, fit="mean")] == ["near_s1"]


@pytest.mark.parametrize("fit, aggregate", [("mean", np.mean), ("every", np.min)])
def test_seed_scores_match_an_independent_reference(fit, aggregate):
    index = seeds_index()
    recs = Recommender(index, similarity="cosine").similar_to_songs(["s1", "s2"], k=3, fit=fit)
    reference = aggregate(cosine_similarity(index.vectors[:2], index.vectors[2:]), axis=0)
    expected = np.argsort(-reference, kind="stable")[:3]
    assert [r.id for r in recs] == [index.ids[2 + i] for i in expected]
    assert [r.score for r in recs] == pytest.approx(reference[expected], abs=1e-5)


def test_seeds_and_their_artists_are_left_out():
    index = with_metadata(seeds_index(), artist={"s1": "X", "near_s1": "X", "s2": "Y"})
    recommender = Recommender(index, similarity="cosine")
    assert {r.id for r in recommender.similar_to_songs(["s1", "s2"], k=3)} == {"between", "near_s1", "far"}
    kept = recommender.similar_to_songs(["s1", "s2"], k=3, filters=Filters(exclude_same_artist=True))
    assert [r.id for r in kept] == ["between", "far"]


@pytest.mark.parametrize("similarity", ["centered-cosine", "cosine", "jensen-shannon"])
def test_the_fast_paths_score_as_the_space_does(similarity):
    """The mean of several seeds in one pass, and a journey's line in two, equal scoring every query."""
    rng = np.random.default_rng(0)
    space = CatalogSpace(rng.dirichlet(np.full(6, 0.5), size=200), similarity)
    seeds = [3, 17, 42]
    np.testing.assert_allclose(seed_scores(space, seeds, "mean"), space.scores(space.rows[seeds]).mean(axis=0),
                               rtol=1e-5, atol=1e-5)
    points, _ = journey_points(space.rows[3], space.rows[17], 10)
    np.testing.assert_allclose(line_scores(space, points), space.scores(points), rtol=1e-5, atol=1e-5)


def test_one_seed_is_a_query_by_song():
    index = seeds_index()
    recommender = Recommender(index)
    assert recommender.similar_to_songs(["s1"], k=4) == recommender.similar_to_song("s1", k=4)


def test_the_why_names_what_the_set_shares():
    index = index_from_vectors(["joy", "sadness", "love", "fear"], {
        "s1": [0.8, 0.0, 0.6, 0.0], "s2": [0.0, 0.2, 0.8, 0.0], "x": [0.3, 0.0, 0.9, 0.0],
        "y": [0.0, 0.9, 0.0, 0.1], "z": [0.1, 0.1, 0.1, 0.9],
    })
    best = Recommender(index).similar_to_songs(["s1", "s2"], k=1)[0]
    assert best.id == "x" and best.shared_emotions[0] == "love"


@pytest.mark.parametrize("songs, message", [
    (["s1", "nope"], "unknown song id 'nope'"),
    (["s1", "S1"], "given twice"),  # the id and its title are the same song
    ([], "no seed song"),
    ("s1", "as a list"),
])
def test_bad_seeds(songs, message):
    with pytest.raises(LyricMoodError, match=message):
        Recommender(seeds_index()).similar_to_songs(songs, k=2)


def test_bad_fit_and_by():
    recommender = Recommender(seeds_index())
    with pytest.raises(LyricMoodError, match="unknown fit"):
        recommender.similar_to_songs(["s1"], fit="max")
    with pytest.raises(LyricMoodError, match="unknown comparison"):
        recommender.similar_to_song("s1", by="chorus")


# -- journeys ----------------------------------------------------------------------------------------

STEPS = 5


def journey_index() -> SongIndex:
    """Songs exactly at the ideal points from A to B (cosine), decoys a little off them, and far songs."""
    songs = {"A": [1.0, 0.0, 0.0], "B": [0.0, 1.0, 0.0]}
    for i in range(1, STEPS + 1):
        t = i / (STEPS + 1)
        songs[f"p{i}"] = [1 - t, t, 0.0]
        songs[f"d{i}"] = [1 - t, t, 0.15]
    songs |= {"far1": [0.0, 0.0, 1.0], "far2": [0.1, 0.1, 1.0]}
    return index_from_vectors(LABELS, songs)


def test_a_journey_walks_from_start_to_end():
    index = journey_index()
    recommender = Recommender(index, similarity="cosine")
    journey = recommender.journey("A", "B", steps=STEPS)
    ids = [s.song.id for s in journey.steps]
    assert ids == [f"p{i}" for i in range(1, STEPS + 1)]
    assert [s.distance for s in journey.steps] == pytest.approx([0.0] * STEPS, abs=1e-5)
    assert [s.at for s in journey.steps] == pytest.approx([i / (STEPS + 1) for i in range(1, STEPS + 1)])
    rows = [index.position(i) for i in ids]
    to_a = cosine_similarity(index.vectors[rows], index.vectors[[0]])[:, 0]
    to_b = cosine_similarity(index.vectors[rows], index.vectors[[1]])[:, 0]
    assert np.all(np.diff(to_a) < 0) and np.all(np.diff(to_b) > 0)  # monotonic progress
    assert journey.steps[0].top_emotions[0] == "a" and journey.steps[-1].top_emotions[0] == "b"


def test_a_journey_never_repeats_and_respects_filters():
    index = journey_index()
    index = with_metadata(index, lang={song_id: "ko" if song_id.startswith("p") else "en" for song_id in index.ids})
    recommender = Recommender(index, similarity="cosine")
    journey = recommender.journey("A", "B", steps=STEPS, filters=Filters(lang="en"))
    ids = [s.song.id for s in journey.steps]
    assert ids == [f"d{i}" for i in range(1, STEPS + 1)]  # the next best, in order
    long = [s.song.id for s in recommender.journey("A", "B", steps=12).steps]
    assert len(set(long)) == 12 and not {"A", "B"} & set(long)
    assert all(s.distance > 0 for s in journey.steps)


def test_a_journey_to_a_mood_ends_among_its_songs():
    index = journey_index()
    recommender = Recommender(index, similarity="cosine")
    journey = recommender.journey("A", {"c": 1.0}, steps=3)
    anchors = {r.id for r in recommender.similar_to_mood({"c": 1.0}, MOOD_ANCHOR_SONGS)}
    assert journey.steps[-1].song.id in anchors and journey.end == "mood c=1"
    # the mood's point: the mean ranking vector of those songs (an independent recomputation of the last step)
    point = index.vectors[[index.position(i) for i in anchors]].mean(axis=0)
    ideal = 0.25 * index.vectors[0] + 0.75 * point
    others = [i for i in range(len(index)) if index.ids[i] not in {"A"} | {s.song.id for s in journey.steps[:-1]}]
    best = others[int(np.argmax(cosine_similarity(ideal[None], index.vectors[others])[0]))]
    assert journey.steps[-1].song.id == index.ids[best]


@pytest.mark.parametrize("start, end, steps, filters, message", [
    ("A", "A", 3, None, "starts and ends"),
    ({"a": 1}, {"a": 2}, 3, None, "starts and ends"),  # the same mood, weights normalised
    ("A", "B", 0, None, "steps must be"),
    ("A", "B", 1000, None, "steps must be"),
    ("A", "B", 13, None, "only 12 songs"),  # the catalog holds 14, the two ends are not steps
    ("A", "B", 3, Filters(lang="ko"), "only 0 songs"),
    ("A", "nope", 3, None, "unknown song"),
    ("A", "B", 3, Filters(dig="decades"), "no diversity or dig"),
])
def test_bad_journeys(start, end, steps, filters, message):
    with pytest.raises(LyricMoodError, match=message):
        Recommender(journey_index()).journey(start, end, steps, filters)


# -- dig across decades and languages ------------------------------------------------------------------


def dig_index() -> SongIndex:
    """The four songs closest to q are from the 1990s; the next ones, a little further, from other decades."""
    songs = {"q": [1.0, 0.0, 0.0]}
    years = {"q": 1995}
    for i in range(4):
        songs[f"n{i}"] = [1.0, 0.05 * (i + 1), 0.0]
        years[f"n{i}"] = 1990 + i
    for i, year in enumerate([1965, 1978, 2012]):
        songs[f"o{i}"] = [1.0, 0.3 + 0.05 * i, 0.1]
        years[f"o{i}"] = year
    songs["far"] = [0.0, 0.0, 1.0]
    years["far"] = 1985
    langs = {song_id: "ko" if song_id == "o2" else "en" for song_id in songs}
    return with_metadata(index_from_vectors(LABELS, songs), year=years, lang=langs)


def test_dig_spans_more_decades_than_plain_top_k():
    recommender = Recommender(dig_index(), similarity="cosine")
    plain = recommender.similar_to_song("q", k=3)
    dug = recommender.similar_to_song("q", k=3, filters=Filters(dig="decades"))
    assert {r.year // 10 for r in plain} == {199}
    assert len({r.year // 10 for r in dug}) == 3
    floor = {r.id for r in recommender.similar_to_song("q", k=min(DIG_POOL * 3, 8))}
    assert {r.id for r in dug} <= floor and "far" not in {r.id for r in dug}
    assert [r.score for r in dug] == sorted((r.score for r in dug), reverse=True)
    assert dug[0].id == plain[0].id  # the best song stays first


@pytest.mark.parametrize("rank, dug", [(DIG_POOL * 3, True), (DIG_POOL * 3 + 1, False)])
def test_dig_keeps_every_song_above_the_floor(rank, dug):
    """A song of another decade is picked when it is among the DIG_POOL·k most similar, never below."""
    songs = {"q": [1.0, 0.0, 0.0]} | {f"n{i}": [1.0, 0.01 * (i + 1), 0.0] for i in range(rank - 1)}
    songs |= {"old": [1.0, 0.01 * rank, 0.0], "older": [0.0, 1.0, 0.0]}
    years = {song_id: 1990 for song_id in songs} | {"old": 1960, "older": 1950}
    recommender = Recommender(with_metadata(index_from_vectors(LABELS, songs), year=years), similarity="cosine")
    assert recommender.similar_to_song("q", k=rank)[-1].id == "old"
    ids = [r.id for r in recommender.similar_to_song("q", k=3, filters=Filters(dig="decades"))]
    assert ("old" in ids) == dug and "older" not in ids and ids[:2] == ["n0", "n1"]


def test_dig_across_languages():
    recommender = Recommender(dig_index(), similarity="cosine")
    dug = recommender.similar_to_song("q", k=3, filters=Filters(dig="languages"))
    assert {r.lang for r in dug} == {"en", "ko"} and dug[0].id == "n0"


def test_dig_needs_years_and_is_one_filter():
    recommender = Recommender(seeds_index())  # no years
    with pytest.raises(LyricMoodError, match="no song of the catalog has a year"):
        recommender.similar_to_song("s1", k=2, filters=Filters(dig="decades"))
    with pytest.raises(LyricMoodError, match="no song of the catalog has a language"):
        recommender.similar_to_song("s1", k=2, filters=Filters(dig="languages"))
    with pytest.raises(LyricMoodError, match="unknown dig"):
        Filters(dig="genres")
    with pytest.raises(LyricMoodError, match="not both"):
        Filters(dig="decades", diversity=0.5)


# -- arc match -----------------------------------------------------------------------------------------


def arc_song(sections: list[list[float]]) -> SongEmotion:
    S = np.asarray(sections, dtype=np.float32)
    return SongEmotion(S.mean(axis=0), list(LABELS), [f"part {i}" for i in range(len(S))], S, num_chunks=len(S))


def arc_index() -> SongIndex:
    rise = [[0.9, 0.1, 0.2], [0.6, 0.4, 0.2], [0.4, 0.6, 0.2], [0.1, 0.9, 0.2]]
    index = SongIndex.empty(LABELS, fingerprint="x")
    songs = {
        "query": arc_song(rise),
        "reversed": arc_song(rise[::-1]),  # the same mean, the opposite arc: first by the whole song
        "same_arc": arc_song([[0.85, 0.15, 0.3], [0.5, 0.5, 0.3], [0.15, 0.85, 0.3]]),  # 3 sections, rising too
        "flat": arc_song([[0.5, 0.5, 0.1]]),
        "other": arc_song([[0.1, 0.1, 0.9], [0.2, 0.1, 0.8]]),
    }
    index.add_many(list(songs), list(songs.values()), [{"title": s} for s in songs])
    return index


def test_arc_match_prefers_the_same_arc_over_the_same_mean():
    recommender = Recommender(arc_index())
    assert recommender.similar_to_song("query", k=1)[0].id == "reversed"
    by_arc = [r.id for r in recommender.similar_to_song("query", k=4, by="arc")]
    assert by_arc[0] == "same_arc" and by_arc.index("reversed") > by_arc.index("flat")


@pytest.mark.usefixtures("one_torch_thread")
def test_lyrics_find_their_own_song_by_arc(tmp_path):
    from lyricmood.testing import demo_songs, make_tiny_recommender

    rows = demo_songs()[:12]
    recommender = make_tiny_recommender(tmp_path, rows, spread=True)
    song = recommender.predictor.score_song(rows[5]["lyrics"])
    best = recommender.similar_to_arc(song, k=2)
    assert best[0].id == rows[5]["id"] and best[0].score == pytest.approx(1.0, abs=1e-4)
    assert best[1].score < 1 - 1e-3
    with pytest.raises(LyricMoodError, match="expected a SongEmotion"):
        recommender.similar_to_arc(song.vector)


def test_arcs_leave_neutral_out():
    labels = ["joy", "neutral", "sadness"]
    index = SongIndex.empty(labels, fingerprint="x")
    rise = np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.9]], dtype=np.float32)
    swing = rise.copy()
    swing[:, 1] = [0.9, 0.0]  # the same emotions, neutral swinging
    for song_id, S in {"q": rise, "swing": swing, "fall": rise[::-1].copy()}.items():
        index.add(song_id, SongEmotion(S.mean(axis=0), labels, ["v", "c"], S, num_chunks=2))
    arcs = catalog_arcs(index).reshape(3, ARC_POINTS, 2)
    np.testing.assert_allclose(arcs[0], arcs[1])
    assert [r.id for r in Recommender(index).similar_to_song("q", k=2, by="arc")] == ["swing", "fall"]


def test_arcs_are_resampled_by_linear_interpolation():
    sections = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    arc = resample_arc(sections, points=6)
    where, at = (np.arange(3) + 0.5) / 3, (np.arange(6) + 0.5) / 6
    reference = np.stack([np.interp(at, where, sections[:, j]) for j in range(3)], axis=1)
    np.testing.assert_allclose(arc, reference)
    index = arc_index()
    index.add("bare", np.array([0.2, 0.3, 0.5]))  # a bare vector: no sections
    arcs = catalog_arcs(index).reshape(len(index), ARC_POINTS, len(LABELS))
    for song_id in index.ids:  # the vectorised catalog arcs equal each song's own
        own = index.song_emotion(song_id).section_vectors
        np.testing.assert_allclose(arcs[index.position(song_id)], resample_arc(own), rtol=1e-5, atol=1e-6)
    # a one-section song (or a bare vector) gets a flat arc: its vector at every point
    np.testing.assert_allclose(arcs[index.position("bare")], np.tile([0.2, 0.3, 0.5], (ARC_POINTS, 1)), atol=1e-6)
    np.testing.assert_allclose(arcs[index.position("flat")], np.tile([0.5, 0.5, 0.1], (ARC_POINTS, 1)), atol=1e-6)


# -- built on the ranking space alone ---------------------------------------------------------------------


def test_every_feature_follows_the_ranking_space():
    """Seeds, journeys and the map use Recommender.ranking_space(), whatever it holds: here a space that gives p1
    the vector of p5 (and back) and p2 that of p4 ranks the songs, and the answers follow it, not the probabilities."""
    index = journey_index()
    swap = {"p1": "p5", "p5": "p1", "p2": "p4", "p4": "p2"}
    perm = [index.position(swap.get(song_id, song_id)) for song_id in index.ids]

    class Swapped(Recommender):
        def ranking_space(self, mood_weight=None) -> CatalogSpace:
            return CatalogSpace(index.vectors[perm], "cosine")

    swapped, plain = Swapped(index, similarity="cosine"), Recommender(index, similarity="cosine")
    assert [s.song.id for s in plain.journey("A", "B", STEPS).steps] == ["p1", "p2", "p3", "p4", "p5"]
    assert [s.song.id for s in swapped.journey("A", "B", STEPS).steps] == ["p5", "p4", "p3", "p2", "p1"]
    assert plain.similar_to_songs(["p1"], 1)[0].id == "d1" and swapped.similar_to_songs(["p1"], 1)[0].id == "d5"
    np.testing.assert_allclose(catalog_map(swapped).xy, catalog_map(plain).xy[perm], atol=1e-5)


def _unit(X):
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def fused():
    """A mood-and-meaning index (random parts, index weight 0.4) and its two parts centred and unit-normalised."""
    rng = np.random.default_rng(0)
    mood, meaning = rng.normal(size=(30, 6)), rng.normal(size=(30, 5))
    index = SongIndex([f"s{i}" for i in range(30)], [{"title": f"s{i}"} for i in range(30)], np.full((30, 3), 1 / 3),
                      LABELS, "fp", features=mood, meaning=meaning, mood_weight=0.4, meaning_fingerprint="m")
    return index, mood, meaning


@pytest.mark.parametrize("weight", [None, 0.0, 0.7, 1.0])
def test_seeds_and_journeys_rank_by_mood_and_meaning(fused, weight):
    """On a fused index the features follow Filters(mood_weight): checked against the mix written out with numpy."""
    index, mood, meaning = fused
    w = 0.4 if weight is None else weight
    recommender, filters = Recommender(index), Filters(mood_weight=weight)

    def scores(mood_points, meaning_points):  # w · centred cosine(mood) + (1 − w) · centred cosine(meaning)
        A, B = _unit(mood - mood.mean(0)), _unit(meaning - meaning.mean(0))
        return (w * _unit(mood_points - mood.mean(0)) @ A.T
                + (1 - w) * _unit(meaning_points - meaning.mean(0)) @ B.T)

    S = scores(mood[[1, 2]], meaning[[1, 2]])
    for fit, combined in (("mean", S.mean(axis=0)), ("every", S.min(axis=0))):
        combined[[1, 2]] = -np.inf
        got = recommender.similar_to_songs(["s1", "s2"], k=5, filters=filters, fit=fit)
        assert [r.id for r in got] == [f"s{i}" for i in np.argsort(-combined, kind="stable")[:5]]
        np.testing.assert_allclose([r.score for r in got], np.sort(combined)[::-1][:5], rtol=1e-5, atol=1e-5)
    at = np.arange(1, 5)[:, None] / 5
    ideal = scores(mood[0] + at * (mood[1] - mood[0]), meaning[0] + at * (meaning[1] - meaning[0]))
    ideal[:, [0, 1]] = -np.inf
    expected = []
    for row in ideal:  # the best unused song for each point, in order
        row[expected] = -np.inf
        expected.append(int(np.argmax(row)))
    journey = recommender.journey("s0", "s1", 4, filters)
    assert [s.song.id for s in journey.steps] == [f"s{i}" for i in expected]


def test_the_map_follows_the_mood_weight(fused):
    index, mood, meaning = fused
    recommender = Recommender(index)
    for w in (0.0, 1.0):
        A, B = _unit(mood - mood.mean(0)), _unit(meaning - meaning.mean(0))
        prepared = np.hstack([np.sqrt(w) * A, np.sqrt(1 - w) * B])
        reference = PCA(n_components=2).fit_transform(prepared)
        np.testing.assert_allclose(np.abs(catalog_map(recommender, w).xy), np.abs(reference), atol=1e-4)


# -- the map -----------------------------------------------------------------------------------------------


def test_the_map_is_the_principal_component_projection():
    rng = np.random.default_rng(0)
    t = rng.uniform(-1, 1, 60)
    emotions = np.stack([0.5 + 0.4 * t, 0.5 - 0.4 * t, 0.2 + 0.02 * rng.normal(size=60)], axis=1)
    space = CatalogSpace(emotions, "cosine")
    song_map = project(space, emotions, LABELS)
    reference = PCA(n_components=2).fit(space.items)
    np.testing.assert_allclose(np.abs(song_map.xy), np.abs(reference.transform(space.items)), atol=1e-4)
    assert song_map.explained[0] == pytest.approx(reference.explained_variance_ratio_[0], abs=1e-5)
    assert song_map.axes[0].endswith("b ↔ a")  # the first axis runs from b-heavy songs to a-heavy ones
    assert song_map.top_emotions == ["a" if x > 0 else "b" for x in t]


def test_map_figure_marks_the_query_and_results(tmp_path):
    recommender = Recommender(journey_index())
    journey = recommender.journey("A", "B", 3)
    fig = map_figure(recommender, "A", [s.song for s in journey.steps], connect=True, path=tmp_path / "map.png")
    labels = {text.get_text() for text in fig.axes[0].texts}
    assert labels == {"A"} | {s.song.title for s in journey.steps} and len(labels) == 4
    assert (tmp_path / "map.png").stat().st_size > 0


# -- the CLI -----------------------------------------------------------------------------------------------


@pytest.fixture
def index_dir(tmp_path):
    return dig_index().save(tmp_path / "index")


def run_cli(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_several_seeds_and_dig(index_dir, capsys, tmp_path):
    recommender = Recommender(SongIndex.load(index_dir))
    code, out, _ = run_cli(capsys, "recommend", "--song", "n0", "--song", "o0", "--fit", "every", "-k", "3",
                           "--index", str(index_dir), "--format", "json")
    assert code == 0
    expected = recommender.similar_to_songs(["n0", "o0"], 3, fit="every")
    assert [r["id"] for r in json.loads(out)] == [r.id for r in expected]
    (tmp_path / "seeds.txt").write_text("n0\n\no0\n", encoding="utf-8")
    code, out2, _ = run_cli(capsys, "recommend", "--songs-file", str(tmp_path / "seeds.txt"), "--fit", "every",
                            "-k", "3", "--index", str(index_dir), "--format", "json")
    assert code == 0 and out2 == out
    code, out, _ = run_cli(capsys, "recommend", "--song", "q", "-k", "3", "--dig", "decades", "--index", str(index_dir))
    assert code == 0 and "3 songs, 3 decades" in out and "plain top 3: 3 songs, 1 decade (1990s)" in out


def test_cli_journey_and_map(index_dir, capsys, tmp_path):
    code, out, _ = run_cli(capsys, "journey", "--from", "q", "--to", "far", "--steps", "3", "--index",
                           str(index_dir), "--format", "json")
    expected = Recommender(SongIndex.load(index_dir)).journey("q", "far", 3)
    assert code == 0 and json.loads(out) == json.loads(json.dumps(expected.to_dict()))
    code, out, _ = run_cli(capsys, "journey", "--from", "q", "--to-mood", "c", "--steps", "2", "--index",
                           str(index_dir))
    assert code == 0 and out.startswith("from q to mood c=1\nstep") and "top_emotions" in out
    code, out, _ = run_cli(capsys, "journey", "--from-mood", "a", "--to", "far", "--steps", "2", "--map-out",
                           str(tmp_path / "journey.png"), "--index", str(index_dir))
    assert code == 0 and (tmp_path / "journey.png").is_file() and out.startswith("from mood a=1 to far")
    code, out, _ = run_cli(capsys, "map", "--out", str(tmp_path / "map.png"), "--song", "q", "-k", "3", "--index",
                           str(index_dir))
    assert code == 0 and (tmp_path / "map.png").is_file() and out.startswith("x: PC1")
    code, out, _ = run_cli(capsys, "recommend", "--song", "q", "--by", "arc", "-k", "2", "--arcs-out",
                           str(tmp_path / "arcs.png"), "--index", str(index_dir))
    assert code == 0 and (tmp_path / "arcs.png").is_file() and "wrote" in out


@pytest.mark.parametrize("argv, message", [
    (["recommend", "--song", "q", "--song", "q"], "given twice"),
    (["recommend", "--songs-file", "{seeds}"], "seeds.txt, line 2: unknown song id 'nope'"),
    (["recommend", "--mood", "a", "--by", "arc"], "a mood has no arc"),
    (["recommend", "--song", "q", "--arcs-out", "x.png"], "--arcs-out draws the arc match of one song"),
    (["journey", "--from", "q", "--to", "q"], "starts and ends"),
    (["journey", "--from", "q", "--to", "far", "--steps", "9"], "only 7 songs"),
    (["journey", "--from", "q", "--to", "far", "--years", "2020-2025"], "only 0 songs"),
    (["recommend", "--song", "q", "--dig", "decades", "--diversity", "0.5"], "not both"),
])
def test_cli_bad_input_is_one_line(index_dir, capsys, tmp_path, argv, message):
    (tmp_path / "seeds.txt").write_text("q\nnope\n", encoding="utf-8")
    argv = [a.replace("{seeds}", str(tmp_path / "seeds.txt")) for a in argv]
    code, _, err = run_cli(capsys, *argv, "--index", str(index_dir))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_cli_dig_decades_without_years(tmp_path, capsys):
    path = seeds_index().save(tmp_path / "index")
    code, _, err = run_cli(capsys, "recommend", "--song", "s1", "--dig", "decades", "--index", str(path))
    assert code == 1 and "no song of the catalog has a year" in err
