"""The Space (lyricmood.ui): handlers called directly, then the app served and driven by gradio_client.

A tiny random model scores a slice of the demo catalog; the expected rankings come from the
recommender itself (tested in its own module), so these tests check the wiring: the right library
call, the right table, translated labels, and bad input turned into messages instead of exceptions.
"""

from __future__ import annotations

import inspect
import json
import re
import uuid
import warnings
from pathlib import Path

import numpy as np
import pytest

gr = pytest.importorskip("gradio")

from lyricmood import ui, ui_uploads
from lyricmood.testing import free_port
from lyricmood.errors import LyricMoodError
from lyricmood.ui_handlers import SpaceHandlers
from lyricmood.ui_input import DEFAULT_K, MAX_SONG_CHARS, SOURCE_BUILTIN, SOURCE_UPLOAD, escape_html, escape_markdown
from lyricmood.ui_text import EMOTION_NAMES_KO, text

N_SONGS = 16


@pytest.fixture(scope="module")
def recommender(tmp_path_factory):
    from lyricmood.testing import demo_songs, make_tiny_recommender

    songs = demo_songs()
    # Both languages and several songs per artist, so the filters have something to remove.
    rows = songs[:N_SONGS // 2] + songs[-N_SONGS // 2:]
    return make_tiny_recommender(tmp_path_factory.mktemp("tiny"), rows)


@pytest.fixture(scope="module")
def handlers(recommender):
    return SpaceHandlers(recommender)


def _quiet(fn, *args, **kwargs):
    """Call a handler; gr.Warning outside a server is a Python warning, collected here."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught]


def _csv(path: Path, rows: list[dict], columns=("id", "title", "artist", "year", "lyrics")) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


UPLOAD_ROWS = [
    {"id": "u1", "title": "첫 노래", "artist": "나", "year": 2001, "lyrics": "사랑 눈물\n그대 밤 비\n\n행복 기쁨 노래"},
    {"id": "u2", "title": "Second", "artist": "Me", "year": 1999, "lyrics": "the sad rain\nalone at night\n\nmiss you"},
    {"id": "u3", "title": "Third", "artist": "Me", "year": 2010, "lyrics": "happy dance\njoy and light\nhope"},
    {"id": "u4", "title": "넷째", "artist": "너", "year": 2020, "lyrics": "외로워 그리워\n\n미안해 고마워"},
]


def test_every_interface_string_has_both_languages_with_the_same_fields():
    import string

    from lyricmood.ui_text import TEXTS

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

    assert len(TEXTS) > 50 and "title" in TEXTS
    for key, entry in TEXTS.items():
        assert set(entry) == {"ko", "en"} and all(entry.values()), key
        assert fields(entry["ko"]) == fields(entry["en"]), key
    assert text("catalog_intro", "en", mb=5, songs="2,000").startswith("Upload your own songs as CSV or JSON Lines")
    assert "{" not in text("catalog_intro", "ko", mb=5, songs="2,000")


# -- handlers ---------------------------------------------------------------------------------------


def _titles(recommendations) -> list[str]:
    return [escape_html(r.title) for r in recommendations]


def test_the_mood_weight_slider_moves_the_ranking_as_the_library_does(handlers, recommender):
    from lyricmood.filters import Filters

    query = recommender.index.ids[1]
    assert recommender.index.representation == "mood-and-meaning"
    tables = {}
    for weight in (0.0, 1.0):
        (table, message, _), caught = _quiet(handlers.recommend_song, query, k=6, mood_weight=weight, ui_lang="en")
        expected = recommender.similar_to_song(query, k=6, filters=Filters(mood_weight=weight))
        assert not caught and table["title"].tolist() == _titles(expected)
        tables[weight] = table["title"].tolist()
    assert tables[0.0] != tables[1.0]  # meaning alone and emotion alone rank this tiny catalog differently
    (table, message, _), _ = _quiet(handlers.recommend_song, query, mood_weight=1.5, ui_lang="en")
    assert message.startswith("⚠️") and len(table) == 0


def test_dig_tab_seeds_and_journey_match_the_library(handlers, recommender):
    from matplotlib.figure import Figure

    ids = recommender.index.ids
    (table, message, figure), caught = _quiet(handlers.recommend_songs, [ids[0], ids[3]], k=4, ui_lang="en")
    assert not caught and isinstance(figure, Figure)
    assert table["title"].tolist() == _titles(recommender.similar_to_songs([ids[0], ids[3]], k=4))
    assert "2 seeds" in message
    (table, message, figure), caught = _quiet(handlers.journey, ids[0], ids[5], 3, ui_lang="en")
    journey = recommender.journey(ids[0], ids[5], 3)
    assert not caught and isinstance(figure, Figure)
    assert list(table.columns) == ["step", "distance", "title", "artist", "year", "language", "top emotions"]
    assert table["title"].tolist() == _titles([s.song for s in journey.steps])
    np.testing.assert_allclose(table["distance"], [round(s.distance, 3) for s in journey.steps], atol=1e-9)
    for args, expected in (((ids[0], ids[0], 3), "starts and ends"), ((ids[0], ids[1], 0), "Steps: 0 is out of range"),
                           ((ids[0], ids[1], "x"), "Steps: not a number")):
        (table, message, figure), _ = _quiet(handlers.journey, *args, ui_lang="en")
        assert expected in message and len(table) == 0 and figure is None, message
    (table, message, figure), _ = _quiet(handlers.recommend_songs, [], ui_lang="en")
    assert message == "⚠️ " + text("err_no_song", "en") and figure is None


def test_dig_control_spreads_the_list_as_the_library_does(handlers, recommender):
    from lyricmood.filters import Filters

    query = recommender.index.ids[0]
    (table, message, _), caught = _quiet(handlers.recommend_song, query, k=6, dig="languages", ui_lang="en")
    expected = recommender.similar_to_song(query, k=6, filters=Filters(dig="languages"))
    assert not caught and table["title"].tolist() == _titles(expected)
    langs = sorted({r.lang for r in expected})
    assert f"6 songs across {len(langs)} languages ({', '.join(langs)})" in message
    (_, message, _), _ = _quiet(handlers.recommend_song, query, dig="centuries", ui_lang="en")
    assert message.startswith("⚠️") and "centuries" in message
    (_, message, _), _ = _quiet(handlers.recommend_song, query, dig="decades", diversity=0.5, ui_lang="en")
    assert message.startswith("⚠️") and "diversity or dig" in message


def test_recommend_song_table_matches_library(handlers, recommender):
    query = recommender.index.ids[0]
    (table, message, figures), caught = _quiet(handlers.recommend_song, query, k=5, ui_lang="en")
    assert not caught
    expected = recommender.similar_songs(query, k=5)
    assert list(table.columns) == ["rank", "title", "artist", "year", "language", "similarity", "shared emotions"]
    assert table["title"].tolist() == _titles(expected)
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(table["similarity"], [round(r.score, 3) for r in expected], atol=1e-9)
    assert escape_markdown(recommender.index.get(query)["title"]) in message
    # The heatmap shows the query and its recommendations; the figures come from the chained event.
    assert figures.heatmap_ids == tuple(r.id for r in expected) and len(figures.heatmap_names) == 1 + 5
    # ...compared as they were ranked: the query's row holds the recommendation scores
    np.testing.assert_allclose(figures.heatmap_matrix[0, 1:], [r.score for r in expected], atol=1e-5)
    emotions, _arc, heatmap = handlers.render_figures(figures)
    assert emotions.type == "matplotlib" and emotions.plot.startswith("data:image/webp;base64,")
    assert heatmap is not None


def test_catalog_song_figures_are_cached(recommender):
    handlers = SpaceHandlers(recommender)  # a fresh cache
    query = next(i for i in recommender.index.ids if len(recommender.index.song_emotion(i).sections) > 1)
    (_, _, figures), _ = _quiet(handlers.recommend_song, query, k=3, ui_lang="en")
    first = handlers.render_figures(figures)
    assert all(plot is not None for plot in first)
    (_, _, again), _ = _quiet(handlers.recommend_song, query, k=3, ui_lang="en")
    assert all(a is b for a, b in zip(handlers.render_figures(again), first))  # no second rendering
    (_, _, korean), _ = _quiet(handlers.recommend_song, query, k=3, ui_lang="ko")
    assert handlers.render_figures(korean)[0] is not first[0]  # labels differ by language
    # Pasted lyrics are never cached; no request clears the plots.
    assert handlers.render_figures(None) == (None, None, None)


def test_korean_interface_translates_headers_and_emotions(handlers, recommender):
    query = recommender.index.ids[1]
    (table, message, _), _ = _quiet(handlers.recommend_song, query, k=4, ui_lang="ko")
    assert list(table.columns)[:3] == ["순위", "제목", "아티스트"]
    expected = recommender.similar_songs(query, k=4)
    shared = [", ".join(EMOTION_NAMES_KO[e] for e in r.shared_emotions) for r in expected]
    assert table["공유 감정"].tolist() == shared
    assert "주요 감정" in message


def test_filters_are_passed_to_the_recommender(handlers, recommender):
    query = recommender.index.ids[0]
    artist = recommender.index.get(query)["artist"]
    (table, *_), _ = _quiet(handlers.recommend_song, query, k=10, exclude_same_artist=True, lang_filter="en",
                            ui_lang="en")
    expected = recommender.similar_songs(query, k=10, exclude_same_artist=True, lang="en")
    assert table["title"].tolist() == _titles(expected)
    assert artist not in set(table["artist"]) and set(table["language"]) <= {"en"}
    (table, *_), _ = _quiet(handlers.recommend_song, query, k=10, year_from=1960, year_to=1965, ui_lang="en")
    assert all(1960 <= year <= 1965 for year in table["year"])
    # A title works as well as an id.
    (by_title, *_), _ = _quiet(handlers.recommend_song, recommender.index.get(query)["title"], k=3, ui_lang="en")
    assert by_title["title"].tolist() == _titles(recommender.similar_songs(query, k=3))


def test_recommend_lyrics_and_bad_lyrics(handlers, recommender):
    lyrics = "[Verse]\nthe sad rain at night\nalone\n\n[Chorus]\nhappy dance joy"
    (table, message, figures), caught = _quiet(handlers.recommend_lyrics, lyrics, k=3, ui_lang="en")
    assert not caught and len(table) == 3
    assert table["title"].tolist() == _titles(recommender.similar_to_lyrics(lyrics, k=3))
    assert "2 sections" in message and figures.cache_key is None
    assert handlers.render_figures(figures)[1] is not None  # the arc over the two sections

    for bad, key_text in [("", "empty"), ("   \n  ", "empty"), ("x" * 200_000, "200,000")]:
        (table, message, figures), caught = _quiet(handlers.recommend_lyrics, bad, ui_lang="en")
        assert message.startswith("⚠️") and key_text in message
        assert len(table) == 0 and figures is None
        assert caught  # also shown as a toast (gr.Warning)
    # Text without letters: the library's LyricMoodError, shown as a message.
    (table, message, _), _ = _quiet(handlers.recommend_lyrics, "1234 !!!", ui_lang="en")
    assert message.startswith("⚠️") and len(table) == 0


def test_recommend_mood(handlers, recommender):
    assert handlers.mood_labels[:3] == ["joy", "love", "sadness"]
    (table, message, figures), _ = _quiet(handlers.recommend_mood, {"joy": 1.0, "love": 0.5}, k=4, ui_lang="en")
    expected = recommender.recommend_for_mood({"joy": 1.0, "love": 0.5}, k=4)
    assert table["title"].tolist() == _titles(expected)
    assert "joy 1.00" in message and handlers.render_mood_figure(figures) is not None
    # Sliders left at None count as 0.
    (table, message, figures), caught = _quiet(handlers.recommend_mood, {"joy": 0.0, "love": None}, ui_lang="ko")
    assert message == "⚠️ " + text("err_mood_zero", "ko") and figures is None and caught
    assert handlers.render_mood_figure(figures) is None


def test_bad_song_choices_give_messages(handlers):
    (table, message, _), _ = _quiet(handlers.recommend_song, None, ui_lang="en")
    assert message == "⚠️ " + text("err_no_song", "en") and len(table) == 0
    (_, message, _), _ = _quiet(handlers.recommend_song, "no-such-song", ui_lang="en")
    assert message.startswith("⚠️") and "no-such-song" in message
    (_, message, _), _ = _quiet(handlers.recommend_song, "x", year_from=2000, year_to=1990, ui_lang="en")
    assert "2000 > 1990" in message
    (_, message, _), _ = _quiet(handlers.recommend_song, "x", source=SOURCE_UPLOAD, ui_lang="en")
    assert message == "⚠️ " + text("err_no_upload", "en")


# -- hardening: types, limits, escaping, uploads -----------------------------------------------------


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"k": "abc"}, "Number of songs: not a number ('abc')"),
        ({"k": 0}, "Number of songs: 0 is out of range (1–50)"),
        ({"k": 1e9}, "Number of songs: 1e+09 is out of range"),
        ({"k": 2.5}, "Number of songs: not a number (2.5)"),
        ({"k": True}, "Number of songs: not a number (True)"),
        ({"k": [3]}, "Number of songs: not a number ([3])"),
        ({"year_from": "1990s"}, "Year from: not a number ('1990s')"),
        ({"year_to": 1e12}, "Year to: 1e+12 is out of range (1–9999)"),
        ({"year_to": "inf"}, "Year to: not a number ('inf')"),
        ({"diversity": "lots"}, "Diversity (0 = most similar first): not a number ('lots')"),
        ({"diversity": 2}, "out of range (0–1)"),
        ({"lang_filter": "xx"}, "Song language: unknown value 'xx'. Use one of: any, ko, en."),
        ({"source": "elsewhere"}, "Catalog: unknown value 'elsewhere'"),
        ({"exclude_same_artist": "yes"}, "Exclude the same artist: expected true or false, got 'yes'"),
    ],
)
@pytest.mark.parametrize("endpoint", ["recommend_song", "recommend_lyrics", "recommend_mood"])
def test_wrong_types_give_clear_messages(handlers, recommender, endpoint, changes, expected):
    query = {"recommend_song": recommender.index.ids[0], "recommend_lyrics": "the sad rain\nalone at night",
             "recommend_mood": {"joy": 1.0}}[endpoint]
    args = {"k": 3, "ui_lang": "en", **changes}
    (table, message, figures), caught = _quiet(getattr(handlers, endpoint), query, **args)
    assert message.startswith("⚠️ ") and len(table) == 0 and figures is None and caught
    assert escape_markdown(expected) in message, message


@pytest.mark.parametrize(
    "endpoint, query, expected",
    [
        ("recommend_song", 42, "Song (search by title or artist): expected text, got 42"),
        ("recommend_lyrics", ["la la"], "Or paste lyrics: expected text, got ['la la']"),
        ("recommend_mood", {"joy": "abc"}, "joy: not a number ('abc')"),
        ("recommend_mood", {"joy": 5}, "joy: 5 is out of range (0–1)"),
        ("recommend_mood", {"joy": float("nan")}, "joy: not a number (nan)"),
    ],
)
def test_wrong_query_types_give_clear_messages(handlers, endpoint, query, expected):
    (table, message, _), caught = _quiet(getattr(handlers, endpoint), query, ui_lang="en")
    assert message.startswith("⚠️ ") and len(table) == 0 and caught
    assert escape_markdown(expected) in message, message


def test_none_and_empty_inputs_mean_defaults(handlers, recommender):
    query = recommender.index.ids[0]
    (table, message, _), caught = _quiet(handlers.recommend_song, query, None, None, None, None, None, None, None,
                                         None)
    assert not caught and len(table) == min(DEFAULT_K, len(recommender.index) - 1)
    (table, _, _), caught = _quiet(handlers.recommend_song, query, k="", year_from="", year_to=0, ui_lang="fr")
    assert not caught and "주요 감정" in _quiet(handlers.recommend_song, query, ui_lang="fr")[0][1]


class _NoScoring:
    """Stands in for the predictor: any scoring fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the model was used ({name}) for a song looked up by id or title")


HOSTILE = [
    '<a href="https://evil.example/login">Session expired</a><img src=https://evil.example/t.png>',
    "<img src=x onerror=alert(1)>",
    "[Session expired](https://evil.example/login) ![t](https://evil.example/t.png)",
    "visit www.evil.example or mail me@evil.example, $$\\href{javascript:alert(1)}{x}$$",
]
RAW_MARKUP = ("<a", "<img", "](", "https://", "www.", "@evil", "$$")


def _assert_inert(value: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in value, (markup, value)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_url_song_is_escaped_and_never_scored(recommender, monkeypatch, hostile):
    from types import SimpleNamespace

    handlers = SpaceHandlers(recommender)
    monkeypatch.setattr(recommender, "predictor", _NoScoring())
    lang, song = handlers.query_params(SimpleNamespace(query_params={"lang": "en", "song": hostile}))
    (table, message, figures), caught = _quiet(handlers.recommend_song, song, ui_lang=lang)
    assert len(table) == 0 and figures is None and message.startswith("⚠️")
    assert "unknown song id" in message
    _assert_inert(message)
    assert caught and all(_assert_inert(w) is None for w in caught)  # the toast too
    # A long text with spaces (the 64 KB URL of the report) is refused before any lookup or scoring.
    (_, message, _), _ = _quiet(handlers.recommend_song, "sad rain " * 8000, ui_lang="en")
    assert "71,999 characters" in message and str(MAX_SONG_CHARS) in message


@pytest.mark.parametrize("hostile", HOSTILE)
def test_uploaded_titles_are_escaped_everywhere(handlers, tmp_path, hostile):
    rows = [dict(row, title=hostile if i == 1 else row["title"], artist=hostile if i == 2 else row["artist"])
            for i, row in enumerate(UPLOAD_ROWS)]
    rows.append({"id": hostile, "title": "id", "artist": "x", "year": 2000, "lyrics": "눈물 비\n\n사랑 노래"})
    path = _csv(tmp_path / "evil<b>.csv", rows)
    (upload, message, _, browse), _ = _quiet(handlers.upload_catalog, str(path), "en")
    assert upload is not None, message
    _assert_inert(message)
    assert "evil&lt;b&gt;.csv" in message
    for column in ("id", "title", "artist"):
        for cell in browse[column]:
            assert "<" not in cell and ">" not in cell
    assert escape_html(hostile) in set(browse["title"]) | set(browse["artist"]) | set(browse["id"])
    for song in (hostile, "u1"):
        (table, message, _), _ = _quiet(handlers.recommend_song, song, source=SOURCE_UPLOAD, upload=upload,
                                        ui_lang="en")
        assert len(table) > 0, message
        _assert_inert(message)
        for cell in list(table["title"]) + list(table["artist"]):
            assert "<" not in cell and ">" not in cell
    choices, browse, note, _ = handlers.browse(SOURCE_UPLOAD, "en", upload)
    _assert_inert(note)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_upload_progress_is_labelled_in_the_interface_language(handlers, tmp_path, monkeypatch, lang):
    import tqdm.auto

    labels, bar = [], tqdm.auto.tqdm

    def recording_bar(*args, **kwargs):  # what gr.Progress(track_tqdm=True) shows is the bar's desc
        labels.append(kwargs.get("desc"))
        return bar(*args, **kwargs)

    monkeypatch.setattr(tqdm.auto, "tqdm", recording_bar)
    progress = []
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "p.csv", UPLOAD_ROWS)), lang,
                                      lambda value, desc=None: progress.append(desc))
    assert upload is not None, message
    chars = sum(len(row["lyrics"]) for row in UPLOAD_ROWS)
    # Told before indexing starts: the songs, the characters and the estimated time, then the bar under that label.
    assert progress[0] == text("progress_read", lang) and labels == progress[1:]
    expected = text("progress_index_cost", lang, n=4, chars=chars, seconds=0).rsplit("0", 1)[0]
    assert labels[0].startswith(expected[: expected.index(f"{chars}") + len(str(chars))]), labels


def test_figures_survive_dollar_signs_in_titles(handlers, tmp_path):
    rows = [dict(row, title=f"${row['title']} $\\frac{{" if i == 0 else row["title"]) for i, row in enumerate(UPLOAD_ROWS)]
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "money.csv", rows)), "en")
    (table, message, figures), _ = _quiet(handlers.recommend_song, "u1", source=SOURCE_UPLOAD, upload=upload,
                                          ui_lang="en")
    assert all(plot is not None for plot in handlers.render_figures(figures)[::2]), message


def test_uploads_are_deleted_once_indexed_or_rejected(recommender, tmp_path):
    uploads = tmp_path / "uploads"
    handlers = SpaceHandlers(recommender, upload_dir=uploads)
    good = _csv((uploads / "a1").mkdir(parents=True) or uploads / "a1" / "good.csv", UPLOAD_ROWS)
    bad = uploads / "b2" / "bad.csv"
    bad.parent.mkdir()
    bad.write_text("id,title\n1,a\n", encoding="utf-8")
    outside = _csv(tmp_path / "mine.csv", UPLOAD_ROWS)
    (upload, *_), _ = _quiet(handlers.upload_catalog, str(good), "en")
    (rejected, message, *_), _ = _quiet(handlers.upload_catalog, str(bad), "en")
    assert upload is not None and rejected is None
    assert not good.exists() and not bad.exists() and list(uploads.iterdir()) == []
    # A file outside the upload folder (a local caller's own) is never deleted.
    (upload, *_), _ = _quiet(handlers.upload_catalog, str(outside), "en")
    assert upload is not None and outside.exists()
    # Indexing the same (now deleted) upload again asks for the file again.
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(good), "en")
    assert upload is None and message == "⚠️ " + text("err_file_gone", "en")


def test_one_song_upload_gives_a_sensible_answer(handlers, tmp_path):
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "one.csv", UPLOAD_ROWS[:1])), "en")
    assert upload is not None and "indexed 1 songs" in message and text("msg_one_song", "en") in message
    (table, message, _), caught = _quiet(handlers.recommend_song, "u1", source=SOURCE_UPLOAD, upload=upload,
                                         ui_lang="en")
    assert message == "⚠️ " + text("err_only_song", "en") and caught
    assert text("msg_no_results", "en") not in message
    (table, message, _), caught = _quiet(handlers.recommend_lyrics, "the sad rain\n\nalone", source=SOURCE_UPLOAD,
                                         upload=upload, ui_lang="en")
    assert not caught and table["title"].tolist() == ["첫 노래"]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("no_lyrics.csv", "id,title,text\n1,a,b\n", "missing column 'lyrics'"),
        ("cp949.csv", "id,title,lyrics\n1,노래,사랑해\n".encode("cp949"), "UTF-8"),
        ("broken.jsonl", '{"id": "a", "title": "t", "lyrics": "x"}\n{not json\n', "line 2"),
        ("notes.txt", "hello", ".csv or .jsonl"),
        ("empty_lyrics.csv", "id,title,lyrics\n1,a,\n", "empty lyrics"),
        ("deep.jsonl", "[" * 100_000 + "\n", "line 1: the JSON is nested too deeply"),  # was RecursionError
        ("wide.csv", ",".join(f"c{i}" for i in range(300)) + "\n", "the header is too wide"),
    ],
)
def test_bad_uploads_give_messages(handlers, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (upload, message, source, browse), caught = _quiet(handlers.upload_catalog, str(path), "en")
    assert upload is None and source is None and browse is None
    assert message.startswith("⚠️") and expected in message, message
    assert str(tmp_path) not in message  # the visitor sees their file name, not the server's temp path
    assert caught


def test_upload_limits(handlers, tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,title,lyrics\n" + b"x" * (ui_uploads.MAX_UPLOAD_BYTES + 1))
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(big), "en")
    assert upload is None and "too large" in message and "at most 1 MB" in message
    long = _csv(tmp_path / "long.csv", [*UPLOAD_ROWS[:2], dict(UPLOAD_ROWS[2], lyrics="la " * 8000)])
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(long), "en")
    assert upload is None and "the lyrics of song 'u3' are too long (23,999 characters, at most 20,000)" in message
    chars = sum(len(row["lyrics"]) for row in UPLOAD_ROWS)
    monkeypatch.setattr(ui_uploads, "MAX_UPLOAD_CHARS", chars - 1)  # what indexing costs: the lyrics' characters
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "chars.csv", UPLOAD_ROWS)), "en")
    assert upload is None and f"the lyrics total {chars} characters, too many (at most {chars - 1}" in message
    monkeypatch.undo()
    monkeypatch.setattr(ui_uploads, "MAX_UPLOAD_SONGS", 3)
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "four.csv", UPLOAD_ROWS)), "ko")
    assert upload is None and "4곡" in message and "최대 3곡" in message
    for nothing in (None, 42, {"path": None}):
        (upload, message, *_), _ = _quiet(handlers.upload_catalog, nothing, "en")
        assert upload is None and message == "⚠️ " + text("err_no_file", "en")


def test_query_params(handlers):
    from types import SimpleNamespace

    request = SimpleNamespace(query_params={"lang": "en", "song": "en-001-ribbon-for-your-hair"})
    assert handlers.query_params(request) == ("en", "en-001-ribbon-for-your-hair")
    assert handlers.query_params(None) == ("ko", None)
    assert handlers.query_params(SimpleNamespace(query_params={"lang": "fr"})) == ("ko", None)


def test_language_switch_updates_every_translated_text(recommender):
    from lyricmood.ui_text import emotion_name

    demo = ui.build_demo(recommender, ui_lang="en")
    switch = next(fn for fn in demo.fns.values() if fn.api_name == "set_language")
    updates = switch.fn("ko")
    assert len(updates) == len(switch.outputs) > 30
    labels = {update.get("label") for update in updates}
    values = {update.get("value") for update in updates}
    assert {text("tab_similar", "ko"), text("results", "ko"), text("year_to", "ko"), emotion_name("joy", "ko")} <= labels
    assert {text("btn_song", "ko"), text("title", "ko"), f"### {text('filters', 'ko')}"} <= values
    assert [update["choices"] for update in updates if "choices" in update][0][0] == (text("source_builtin", "ko"),
                                                                                      SOURCE_BUILTIN)
    assert switch.fn("xx") == updates  # an unknown language falls back to the default, Korean
    assert {update.get("label") for update in switch.fn("en")} >= {text("tab_similar", "en"), "joy"}


def test_importing_space_app_builds_nothing(monkeypatch):
    import importlib.util

    import lyricmood.ui

    calls = []
    monkeypatch.setattr(lyricmood.ui, "build_demo", lambda *a, **k: calls.append(1))
    path = Path(__file__).resolve().parents[1] / "space" / "app.py"
    spec = importlib.util.spec_from_file_location("space_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert calls == [] and callable(module.build_demo)


def test_space_command_launches_the_app(monkeypatch, recommender, capsys):
    import lyricmood.demo
    from lyricmood.cli import main

    launched = {}
    monkeypatch.setattr(lyricmood.demo, "load_default_recommender", lambda **kwargs: recommender)
    monkeypatch.setattr(ui, "launch", lambda demo, **kwargs: launched.update(kwargs, demo=demo))
    assert main(["space", "--port", "7999", "--lang", "en"]) == 0
    assert launched["host"] == "127.0.0.1" and launched["port"] == 7999 and launched["share"] is False
    assert launched["demo"].lyricmood_recommender is recommender
    # Gradio's banner ("set `share=True` in `launch()`") is silenced; the CLI names its own flag
    assert launched["quiet"] is True and "--share for a public link" in capsys.readouterr().out


# -- the served app, driven through its API ----------------------------------------------------------


@pytest.fixture(scope="module")
def client(recommender):
    from gradio_client import Client

    demo = ui.build_demo(recommender, ui_lang="en")
    assert demo._queue.default_concurrency_limit == ui.QUEUE_SETTINGS["default_concurrency_limit"]
    assert demo._queue.max_size == ui.QUEUE_SETTINGS["max_size"]
    pools = {fn.api_name: (fn.concurrency_id, fn.concurrency_limit) for fn in demo.fns.values()}
    # Catalog songs and moods never queue behind the model; figures render in a pool of their own.
    expected = {"recommend_song": "catalog", "recommend_mood": "catalog", "load_from_url": "catalog",
                "switch_catalog": "catalog", "recommend_lyrics": "model", "upload_catalog": "index",
                "song_figures": "figures", "mood_figure": "figures"}
    for name, pool in expected.items():
        assert pools[name] == (pool, ui.POOLS[pool]), (name, pools[name])
    # The upload's progress bar follows the index builder's tqdm bar.
    upload = next(fn for fn in demo.fns.values() if fn.api_name == "upload_catalog")
    assert inspect.signature(upload.fn).parameters["progress"].default.track_tqdm
    _, url, _ = ui.launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield Client(url, verbose=False)
    finally:
        demo.close()


FILTERS = (SOURCE_BUILTIN, 4, False, None, None, "any", 0.0, None, "none", "en")


def test_api_endpoints(client, recommender, tmp_path):
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/recommend_song", "/recommend_lyrics", "/recommend_mood", "/upload_catalog", "/switch_catalog",
            "/set_language", "/load_from_url", "/song_figures", "/mood_figure"} <= endpoints

    query = recommender.index.ids[2]
    table, message = client.predict(query, *FILTERS, api_name="/recommend_song")
    assert [row[1] for row in table["data"]] == _titles(recommender.similar_songs(query, k=4))
    # The figures of the session's last recommendation, as the page asks for them next.
    emotions, _arc, heatmap = client.predict(api_name="/song_figures")
    assert emotions is not None and heatmap is not None

    table, message = client.predict("", *FILTERS, api_name="/recommend_lyrics")
    assert message == "⚠️ " + text("err_empty_lyrics", "en") and table["data"] == []
    assert client.predict(api_name="/song_figures") == (None, None, None)  # a failed request clears the plots

    joy = [1.0] + [0.0] * (len(SpaceHandlers(recommender).mood_labels) - 1)
    table, message = client.predict(*joy, SOURCE_BUILTIN, 3, False, None, None, "any", 0.0, None, "none", "en",
                                    api_name="/recommend_mood")
    assert [row[1] for row in table["data"]] == _titles(recommender.recommend_for_mood({"joy": 1.0}, k=3))
    assert client.predict(api_name="/mood_figure") is not None


@pytest.mark.parametrize(
    "endpoint, changes, expected",
    [
        ("/recommend_song", {2: "abc"}, "Number of songs: not a number ('abc')"),
        ("/recommend_song", {4: "1990s"}, "Year from: not a number ('1990s')"),
        ("/recommend_song", {0: "x" * 70_000}, "at most 300"),
        ("/recommend_song", {0: HOSTILE[0]}, "unknown song id"),
        ("/recommend_song", {0: HOSTILE[2]}, "unknown song id"),
        ("/recommend_lyrics", {7: None}, "Song language: unknown value None"),  # replaced below
        ("/recommend_lyrics", {0: "la " * 10_000}, "30,000 characters (at most 20,000)"),
        ("/recommend_mood", {0: "abc"}, "joy: not a number ('abc')"),
        ("/recommend_mood", {"sliders": None}, text("err_mood_zero", "en")),
    ],
)
def test_api_wrong_types_answer_in_the_page(client, recommender, endpoint, changes, expected):
    n_sliders = len(SpaceHandlers(recommender).mood_labels)
    query = {"/recommend_song": [recommender.index.ids[0]], "/recommend_lyrics": ["the sad rain\nalone"],
             "/recommend_mood": [1.0] + [0.0] * (n_sliders - 1)}[endpoint]
    if changes == {7: None}:  # a None language box: the default, not an error
        changes, expected = {6: "xx"}, "Song language: unknown value 'xx'"
    args = list(query) + list(FILTERS)
    for position, value in changes.items():
        if position == "sliders":
            args[:n_sliders] = [None] * n_sliders
        else:
            args[position] = value
    table, message = client.predict(*args, api_name=endpoint)
    assert message.startswith("⚠️ ") and table["data"] == []
    assert escape_markdown(expected) in message, message
    _assert_inert(message)


def test_api_other_endpoints_take_bad_values_quietly(client, recommender):
    # An unknown catalog or interface language falls back to the built-in catalog / the default language.
    _, browse, note, source = client.predict("elsewhere", "fr", api_name="/switch_catalog")
    assert source == SOURCE_BUILTIN and len(browse["data"]) == len(recommender.index)
    assert note == text("msg_catalog", "ko", name=text("source_builtin", "ko"), n=len(recommender.index))
    message, *_ = client.predict(None, 123, api_name="/upload_catalog")
    assert message == "⚠️ " + text("err_no_file", "ko")


def test_api_upload_keeps_session_state(client, tmp_path):
    from gradio.utils import get_upload_folder
    from gradio_client import handle_file

    bad = tmp_path / "bad.csv"
    bad.write_text("id,title\n1,a\n", encoding="utf-8")
    message, *_ = client.predict(handle_file(str(bad)), "en", api_name="/upload_catalog")
    assert message.startswith("⚠️") and "missing column 'lyrics'" in message

    name = f"good-{uuid.uuid4().hex}.csv"
    rows = UPLOAD_ROWS + [{"id": "u5", "title": HOSTILE[0], "artist": HOSTILE[2], "year": 1990, "lyrics": "비 눈물"}]
    good = _csv(tmp_path / name, rows)
    message, source, _, browse, _ = client.predict(handle_file(str(good)), "en", api_name="/upload_catalog")
    assert "indexed 5 songs" in message and source == SOURCE_UPLOAD
    assert escape_html(HOSTILE[0]) in [row[1] for row in browse["data"]]
    # The server deleted its copy of both uploads; the visitor's own file is untouched.
    assert not list(Path(get_upload_folder()).rglob(name)) and not list(Path(get_upload_folder()).rglob("bad.csv"))
    assert good.exists()
    # The same client session now recommends from its upload (the state lives on the server).
    table, message = client.predict("u1", SOURCE_UPLOAD, 3, False, None, None, "any", 0.0, None, "none", "en",
                                    api_name="/recommend_song")
    assert {row[1] for row in table["data"]} <= {"Second", "Third", "넷째", escape_html(HOSTILE[0])}
    for cell in [row[i] for row in table["data"] for i in (1, 2)]:  # HTML cells: no tag can open
        assert "<" not in cell and ">" not in cell


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_space_never_names_no_emotion_among_a_songs_emotions(lang):
    # As the CLI and the plots: neutral is the strongest label of every song here, and is never shown.
    from lyricmood.emotions import NON_EMOTION_LABELS
    from lyricmood.recommender import Recommender
    from lyricmood.testing import index_from_vectors

    index = index_from_vectors(["joy", "neutral", "sadness", "love"],
                               {"s0": [0.1, 0.7, 0.15, 0.05], "s1": [0.05, 0.8, 0.05, 0.1], "s2": [0.2, 0.6, 0.1, 0.1]})
    handlers = SpaceHandlers(Recommender(index))
    hidden = {text_ for label in NON_EMOTION_LABELS for text_ in (label, EMOTION_NAMES_KO.get(label, label))}
    top = handlers.catalog_table(index, lang).iloc[:, -1]
    assert all(name not in hidden for cell in top for name in cell.split(", ")), list(top)
    assert top.iloc[0] == ", ".join(EMOTION_NAMES_KO[e] if lang == "ko" else e for e in ("sadness", "joy", "love"))
    (table, message, _), _ = _quiet(handlers.recommend_song, "s0", k=2, ui_lang=lang)
    assert len(table) == 2 and not any(name in message for name in hidden if name), message


def test_build_demo_refuses_an_unknown_interface_language(recommender):
    with pytest.raises(LyricMoodError, match="unknown interface language 'fr'.*use one of"):
        ui.build_demo(recommender, ui_lang="fr")


def _call_raw(client, api_name: str, data: list) -> list:
    """Call an endpoint over Gradio's REST API with a body encoded by ``json.dumps`` (ASCII, escapes kept)."""
    import httpx

    base = client.src.rstrip("/") + "/gradio_api/call/" + api_name
    event = httpx.post(base, content=json.dumps({"data": data}), headers={"Content-Type": "application/json"},
                       timeout=60).json()["event_id"]
    stream = httpx.get(f"{base}/{event}", timeout=120).text
    return json.loads(stream.split("event: complete\ndata: ", 1)[1].splitlines()[0])


def test_invalid_unicode_gets_a_clear_message_everywhere(handlers, client, tmp_path):
    """A lone surrogate (pasted, sent to the API, or escaped in an uploaded JSON Lines file) is named, never a
    tokenizer's TypeError ("Something went wrong")."""
    bad = "the sad rain\nalone \udcff tonight"
    (table, message, _), caught = _quiet(handlers.recommend_lyrics, bad, ui_lang="en")
    assert message.startswith("⚠️") and "invalid character (U+DCFF at character 20)" in message, message
    assert len(table) == 0 and caught
    # As a browser sends it: JSON with the surrogate escaped (gradio_client's httpx cannot encode it).
    table, message, *_ = _call_raw(client, "recommend_lyrics", [bad, *FILTERS])
    assert "invalid character (U+DCFF" in message and "went wrong" not in message, message
    upload = tmp_path / "songs.jsonl"
    upload.write_text(json.dumps({"id": "a", "title": "A", "lyrics": "sad \udcff rain"}) + "\n", encoding="utf-8")
    (uploaded, message, *_), _ = _quiet(handlers.upload_catalog, str(upload), "en")
    assert uploaded is None and "line 1, field 'lyrics': invalid character" in message, message


def test_an_identical_upload_queued_behind_another_gets_its_own_copy(recommender, tmp_path):
    """Gradio names an upload's folder by a hash of its bytes: two sessions uploading the same file share one
    path, and the first request's clean-up deleted the file the second, queued behind it, was to read."""
    import hashlib

    from gradio.processing_utils import hash_seed

    uploads = tmp_path / "uploads"
    data = _csv(tmp_path / "songs.csv", UPLOAD_ROWS).read_bytes()
    shared = uploads / hashlib.sha256(hash_seed + data).hexdigest() / "songs.csv"
    shared.parent.mkdir(parents=True)
    shared.write_bytes(data)
    handlers = SpaceHandlers(recommender, upload_dir=uploads)
    (first, message, *_), _ = _quiet(handlers.upload_catalog, str(shared), "en")
    assert first is not None and not shared.exists()  # indexed, and the file is gone from the disk
    (second, message, *_), _ = _quiet(handlers.upload_catalog, str(shared), "en")
    assert second is not None, message
    assert second.index.ids == first.index.ids and np.array_equal(second.index.vectors, first.index.vectors)


def test_concurrent_identical_uploads_through_the_api_all_succeed(client, tmp_path):
    import threading

    from gradio_client import Client, handle_file

    path = _csv(tmp_path / "same.csv", UPLOAD_ROWS)
    sessions, rounds, answers = 4, 3, []
    clients = [Client(client.src, verbose=False) for _ in range(sessions)]  # one session each
    for _ in range(rounds):
        barrier = threading.Barrier(sessions)

        def upload(session):
            barrier.wait()
            answers.append(session.predict(handle_file(str(path)), "en", api_name="/upload_catalog")[0])

        threads = [threading.Thread(target=upload, args=(session,)) for session in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert len(answers) == sessions * rounds
    assert all("indexed 4 songs" in answer for answer in answers), [a for a in answers if "indexed 4 songs" not in a]


def test_bidi_overrides_are_dropped_as_the_cli_drops_them(handlers, tmp_path):
    """U+202E (right-to-left override) showed an uploaded title reversed in the Space; the CLI strips it."""
    from lyricmood.formatting import terminal_safe

    rows = [dict(row, title=f"evil\u202eexe.txt{i}", artist="\u2066me\u2069") for i, row in enumerate(UPLOAD_ROWS)]
    (upload, message, _, browse), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "bidi.csv", rows)), "en")
    (table, *_), _ = _quiet(handlers.recommend_song, "u1", source=SOURCE_UPLOAD, upload=upload, ui_lang="en")
    cells = [str(cell) for frame in (browse, table) for cell in frame.to_numpy().ravel()]
    cells += [label for label, _ in handlers.song_choices(upload.index)]
    assert any("evilexe.txt" in cell for cell in cells)
    assert not any(set(cell) & {"\u202e", "\u2066", "\u2069"} for cell in cells), cells
    assert terminal_safe("a\u202eb") == "ab"  # the CLI's rule, the same one
def test_space_card_snippets_run_as_written(client, monkeypatch):
    """The Space card's Python blocks through gradio_client (issue 23: its one-argument call failed), with
    `Client("lyricmood/lyricmood")` answered by the local app; each answer is a result, not an error message."""
    import gradio_client

    card = (Path(__file__).resolve().parents[1] / "space" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", card, re.S)
    assert blocks and 'Client("lyricmood/lyricmood")' in blocks[0]
    answers = []

    class Recording:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            return getattr(client, name)

        def predict(self, *args, **kwargs):
            answers.append((kwargs["api_name"], client.predict(*args, **kwargs)))
            return answers[-1][1]

    monkeypatch.setattr(gradio_client, "Client", Recording)
    for block in blocks:
        exec(compile(block, "space/README.md", "exec"), {})
    recommendations = [(name, answer[:2]) for name, answer in answers if name.startswith("/recommend")]
    assert {name for name, _ in recommendations} == {"/recommend_song", "/recommend_lyrics", "/recommend_mood",
                                                    "/recommend_songs"}
    journey = [answer for name, answer in answers if name == "/journey"]
    assert len(journey) == 1 and [row[0] for row in journey[0][0]["data"]] == [1, 2, 3, 4], journey
    for name, (table, message) in recommendations:
        assert not message.startswith("⚠️"), (name, message)
        assert table["data"] or "no song" in message.lower(), (name, message)
    assert answers[0][1][0]["data"][0][0] == 1  # ranked


def test_every_endpoint_names_its_parameters_and_documents_them(client):
    info = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    for name in ("/recommend_song", "/recommend_lyrics", "/recommend_mood", "/upload_catalog", "/switch_catalog",
                 "/set_language"):
        parameters = info[name]["parameters"]
        assert info[name]["description"], name
        for parameter in parameters:
            assert re.fullmatch(r"[a-z_]+", parameter["parameter_name"]), (name, parameter["parameter_name"])
            assert not parameter["parameter_name"].startswith("param_"), name
        assert all(p["parameter_has_default"] for p in parameters[1:]), name
    song = info["/recommend_song"]["parameters"]
    assert [p["parameter_name"] for p in song] == ["song", "source", "k", "exclude_same_artist", "year_from",
                                                   "year_to", "lang_filter", "diversity", "mood_weight", "dig",
                                                   "ui_lang"]
    assert [r["label"] for r in info["/recommend_song"]["returns"]][1] == "message"


def test_the_page_opens_on_an_example_song(client, recommender):
    """A first visit (no ?song=) shows an example song's results, not an empty page."""
    _lang, song, table, message = client.predict(api_name="/load_from_url")
    example = recommender.index.ids[0]
    assert song == example and not message.startswith("⚠️")
    assert [row[1] for row in table["data"]] == _titles(recommender.similar_songs(example, k=DEFAULT_K))


def test_the_lyrics_model_warms_in_the_background(recommender):
    from lyricmood.recommender import Recommender

    loads = []
    lazy = Recommender(recommender.index, load_predictor=lambda: loads.append(1) or recommender.predictor)
    thread = ui.warm_model(lazy)
    thread.join(timeout=60)
    assert loads == [1] and lazy._predictor is recommender.predictor
    assert ui.warm_model(lazy) is None and ui.warm_model(recommender) is None  # nothing left to load
