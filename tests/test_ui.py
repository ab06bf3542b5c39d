"""The Space (lyricmood.ui): handlers called directly, then the app served and driven by gradio_client.

A tiny random model scores a slice of the demo catalog; the expected rankings come from the
recommender itself (tested in its own module), so these tests check the wiring: the right library
call, the right table, translated labels, and bad input turned into messages instead of exceptions.
"""

from __future__ import annotations

import json
import socket
import warnings
from pathlib import Path

import numpy as np
import pytest

gr = pytest.importorskip("gradio")

from lyricmood import ui
from lyricmood.ui_text import EMOTION_NAMES_KO, text

N_SONGS = 16


@pytest.fixture(scope="module")
def recommender(tmp_path_factory):
    from lyricmood.datasets_scripts.goemotions import LABELS
    from lyricmood.datasets_scripts.lyrics_catalog import demo_catalog_path
    from lyricmood.modeling import LyricMoodForSequenceClassification

    from lyricmood.index import build_index
    from lyricmood.inference import EmotionPredictor
    from lyricmood.recommender import Recommender
    from lyricmood.testing import make_tiny_backbone

    folder = make_tiny_backbone(tmp_path_factory.mktemp("tiny") / "backbone")
    model = LyricMoodForSequenceClassification.from_backbone(str(folder), id2label=list(LABELS))
    predictor = EmotionPredictor(model, tokenizer=folder)
    songs = [json.loads(line) for line in demo_catalog_path().read_text(encoding="utf-8").splitlines()]
    # Both languages and several songs per artist, so the filters have something to remove.
    rows = songs[:N_SONGS // 2] + songs[-N_SONGS // 2:]
    return Recommender(build_index(rows, predictor, progress=False), predictor=predictor)


@pytest.fixture(scope="module")
def handlers(recommender):
    return ui.SpaceHandlers(recommender)


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


# -- handlers ---------------------------------------------------------------------------------------


def test_recommend_song_table_matches_library(handlers, recommender):
    query = recommender.index.ids[0]
    (table, message, emotions, _arc, heatmap), caught = _quiet(handlers.recommend_song, query, k=5, ui_lang="en")
    assert not caught
    expected = recommender.similar_songs(query, k=5)
    assert list(table.columns) == ["rank", "title", "artist", "year", "language", "similarity", "shared emotions"]
    assert table["title"].tolist() == [r.title for r in expected]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(table["similarity"], [round(r.score, 3) for r in expected], atol=1e-9)
    assert recommender.index.get(query)["title"] in message
    assert emotions is not None and heatmap is not None
    # The heatmap shows the query and its recommendations.
    assert len(heatmap.axes[0].get_yticklabels()) == 1 + 5


def test_korean_interface_translates_headers_and_emotions(handlers, recommender):
    query = recommender.index.ids[1]
    (table, message, *_), _ = _quiet(handlers.recommend_song, query, k=4, ui_lang="ko")
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
    assert table["title"].tolist() == [r.title for r in expected]
    assert artist not in set(table["artist"]) and set(table["language"]) <= {"en"}
    (table, *_), _ = _quiet(handlers.recommend_song, query, k=10, year_from=1960, year_to=1965, ui_lang="en")
    assert all(1960 <= year <= 1965 for year in table["year"])


def test_recommend_lyrics_and_bad_lyrics(handlers, recommender):
    lyrics = "[Verse]\nthe sad rain at night\nalone\n\n[Chorus]\nhappy dance joy"
    (table, message, _emotions, arc, _heatmap), caught = _quiet(handlers.recommend_lyrics, lyrics, k=3, ui_lang="en")
    assert not caught and len(table) == 3
    assert table["title"].tolist() == [r.title for r in recommender.similar_songs(lyrics, k=3)]
    assert arc is not None and "2 sections" in message

    for bad, key_text in [("", "empty"), ("   \n  ", "empty"), ("x" * 200_000, "200,000")]:
        (table, message, *figs), caught = _quiet(handlers.recommend_lyrics, bad, ui_lang="en")
        assert message.startswith("⚠️") and key_text in message
        assert len(table) == 0 and figs == [None, None, None]
        assert caught  # also shown as a toast (gr.Warning)
    # Text without letters: the library's LyricMoodError, shown as a message.
    (table, message, *_), _ = _quiet(handlers.recommend_lyrics, "1234 !!!", ui_lang="en")
    assert message.startswith("⚠️") and len(table) == 0


def test_recommend_mood(handlers, recommender):
    assert handlers.mood_labels[:3] == ["joy", "love", "sadness"]
    (table, message, figure), _ = _quiet(handlers.recommend_mood, {"joy": 1.0, "love": 0.5}, k=4, ui_lang="en")
    expected = recommender.recommend_for_mood({"joy": 1.0, "love": 0.5}, k=4)
    assert table["title"].tolist() == [r.title for r in expected]
    assert "joy 1.00" in message and figure is not None
    (table, message, figure), caught = _quiet(handlers.recommend_mood, {"joy": 0.0}, ui_lang="ko")
    assert message == "⚠️ " + text("err_mood_zero", "ko") and figure is None and caught


def test_bad_song_choices_give_messages(handlers):
    (table, message, *_), _ = _quiet(handlers.recommend_song, None, ui_lang="en")
    assert message == "⚠️ " + text("err_no_song", "en") and len(table) == 0
    (_, message, *_), _ = _quiet(handlers.recommend_song, "no-such-song", ui_lang="en")
    assert message.startswith("⚠️") and "no-such-song" in message
    (_, message, *_), _ = _quiet(handlers.recommend_song, "x", year_from=2000, year_to=1990, ui_lang="en")
    assert "2000 > 1990" in message
    (_, message, *_), _ = _quiet(handlers.recommend_song, "x", source=ui.SOURCE_UPLOAD, ui_lang="en")
    assert message == "⚠️ " + text("err_no_upload", "en")


def test_upload_then_recommend_from_it(handlers, recommender, tmp_path):
    path = _csv(tmp_path / "mine.csv", UPLOAD_ROWS)
    (upload, message, source, browse), caught = _quiet(handlers.upload_catalog, str(path), "en")
    assert not caught, caught
    assert isinstance(upload, ui.UploadedCatalog) and upload.index.ids == ["u1", "u2", "u3", "u4"]
    assert source == ui.SOURCE_UPLOAD and "indexed 4 songs" in message and "mine.csv" in message
    assert browse["id"].tolist() == ["u1", "u2", "u3", "u4"]
    # The built-in catalog is untouched; recommendations now come from the upload when asked.
    assert len(recommender.index) == N_SONGS
    (table, message, *_), _ = _quiet(handlers.recommend_song, "u2", source=ui.SOURCE_UPLOAD, k=3, upload=upload,
                                     ui_lang="en")
    assert set(table["title"]) == {"첫 노래", "Third", "넷째"}
    choices, browse, _note, effective = handlers.browse(ui.SOURCE_UPLOAD, "en", upload)
    assert effective == ui.SOURCE_UPLOAD and [c[1] for c in choices] == ["u2", "u3", "u4", "u1"]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("no_lyrics.csv", "id,title,text\n1,a,b\n", "missing column 'lyrics'"),
        ("cp949.csv", "id,title,lyrics\n1,노래,사랑해\n".encode("cp949"), "UTF-8"),
        ("broken.jsonl", '{"id": "a", "title": "t", "lyrics": "x"}\n{not json\n', "line 2"),
        ("notes.txt", "hello", ".csv or .jsonl"),
        ("empty_lyrics.csv", "id,title,lyrics\n1,a,\n", "empty lyrics"),
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
    big.write_bytes(b"id,title,lyrics\n" + b"x" * (ui.MAX_UPLOAD_BYTES + 1))
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(big), "en")
    assert upload is None and "too large" in message and "5 MB" in message
    monkeypatch.setattr(ui, "MAX_UPLOAD_SONGS", 3)
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, str(_csv(tmp_path / "four.csv", UPLOAD_ROWS)), "ko")
    assert upload is None and "4곡" in message and "최대 3곡" in message
    (upload, message, *_), _ = _quiet(handlers.upload_catalog, None, "en")
    assert message == "⚠️ " + text("err_no_file", "en")


def test_query_params(handlers):
    from types import SimpleNamespace

    request = SimpleNamespace(query_params={"lang": "en", "song": "en-001-ribbon-for-your-hair"})
    assert handlers.query_params(request) == ("en", "en-001-ribbon-for-your-hair")
    assert handlers.query_params(None) == ("ko", None)
    assert handlers.query_params(SimpleNamespace(query_params={"lang": "fr"})) == ("ko", None)


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


def test_space_command_launches_the_app(monkeypatch, recommender):
    import lyricmood.recommender
    from lyricmood.cli import main

    launched = {}
    monkeypatch.setattr(lyricmood.recommender, "load_default_recommender", lambda **kwargs: recommender)
    monkeypatch.setattr(ui, "launch", lambda demo, **kwargs: launched.update(kwargs, demo=demo))
    assert main(["space", "--port", "7999", "--lang", "en"]) == 0
    assert launched["host"] == "127.0.0.1" and launched["port"] == 7999 and launched["share"] is False
    assert launched["demo"].lyricmood_recommender is recommender


# -- the served app, driven through its API ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(recommender):
    from gradio_client import Client

    demo = ui.build_demo(recommender, ui_lang="en")
    assert demo._queue.default_concurrency_limit == ui.QUEUE_SETTINGS["default_concurrency_limit"]
    assert demo._queue.max_size == ui.QUEUE_SETTINGS["max_size"]
    pools = {fn.api_name: (fn.concurrency_id, fn.concurrency_limit) for fn in demo.fns.values()}
    for name in ("recommend_song", "recommend_lyrics", "recommend_mood", "load_from_url"):
        assert pools[name] == ("cpu", 2), (name, pools[name])  # one shared pool of 2 on 2 cores
    assert pools["upload_catalog"] == ("index", 1)
    _, url, _ = ui.launch(demo, port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield Client(url, verbose=False)
    finally:
        demo.close()


def test_api_endpoints(client, recommender, tmp_path):
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/recommend_song", "/recommend_lyrics", "/recommend_mood", "/upload_catalog", "/switch_catalog",
            "/set_language", "/load_from_url"} <= endpoints

    query = recommender.index.ids[2]
    table, message, *_ = client.predict(query, ui.SOURCE_BUILTIN, 4, False, None, None, "any", 0.0, "en",
                                        api_name="/recommend_song")
    assert [row[1] for row in table["data"]] == [r.title for r in recommender.similar_songs(query, k=4)]

    table, message, *_ = client.predict("", ui.SOURCE_BUILTIN, 4, False, None, None, "any", 0.0, "en",
                                        api_name="/recommend_lyrics")
    assert message == "⚠️ " + text("err_empty_lyrics", "en") and table["data"] == []

    joy = [1.0] + [0.0] * (len(ui.SpaceHandlers(recommender).mood_labels) - 1)
    table, message, _ = client.predict(*joy, ui.SOURCE_BUILTIN, 3, False, None, None, "any", 0.0, "en",
                                       api_name="/recommend_mood")
    assert [row[1] for row in table["data"]] == [r.title for r in recommender.recommend_for_mood({"joy": 1.0}, k=3)]


def test_api_upload_keeps_session_state(client, tmp_path):
    from gradio_client import handle_file

    bad = tmp_path / "bad.csv"
    bad.write_text("id,title\n1,a\n", encoding="utf-8")
    message, *_ = client.predict(handle_file(str(bad)), "en", api_name="/upload_catalog")
    assert message.startswith("⚠️") and "missing column 'lyrics'" in message

    good = _csv(tmp_path / "good.csv", UPLOAD_ROWS)
    message, source, _, _browse = client.predict(handle_file(str(good)), "en", api_name="/upload_catalog")
    assert "indexed 4 songs" in message and source == ui.SOURCE_UPLOAD
    # The same client session now recommends from its upload (the state lives on the server).
    table, message, *_ = client.predict("u1", ui.SOURCE_UPLOAD, 3, False, None, None, "any", 0.0, "en",
                                        api_name="/recommend_song")
    assert {row[1] for row in table["data"]} == {"Second", "Third", "넷째"}
