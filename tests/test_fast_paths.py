"""Queries on stored vectors (catalog song, mood, heatmap) import neither torch nor transformers and load no
model; the model loads on the first query by lyrics, and is checked against the index then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from lyricmood.emotions import SongEmotion
from lyricmood.errors import LyricMoodError
from lyricmood.index import SongIndex, read_index_info
from lyricmood.demo import SHIPPED_MODEL_KEY, demo_index_path, load_default_recommender
from lyricmood.recommender import Recommender

# Runs each command line given (a JSON list of argv lists) through lyricmood.cli.main in one fresh interpreter,
# then prints what each printed and which heavy modules the interpreter holds at the end.
_SCRIPT = """
import contextlib, io, json, sys
from lyricmood.cli import main
outputs = []
for argv in json.loads(sys.argv[1]):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    outputs.append({"code": code, "stdout": buffer.getvalue()})
heavy = [name for name in ("torch", "transformers") if name in sys.modules]
print(json.dumps({"outputs": outputs, "heavy": heavy}))
"""


def run_cli_fresh(commands: list[list[str]], home) -> list[str]:
    env = {**os.environ, "HF_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(commands)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["heavy"] == [], f"imported {report['heavy']}"
    assert [o["code"] for o in report["outputs"]] == [0] * len(commands), done.stderr[-3000:]
    return [o["stdout"] for o in report["outputs"]]


@pytest.fixture(scope="module")
def shipped_index() -> SongIndex:
    from lyricmood.default_model import shipped_dir

    if not (shipped_dir() / "weights.safetensors").is_file():
        pytest.skip("the default model's weights are not shipped in this checkout")
    if SHIPPED_MODEL_KEY not in read_index_info(demo_index_path()):
        pytest.fail(f"the shipped demo index does not record {SHIPPED_MODEL_KEY}: rebuild it with build_demo_index()")
    return SongIndex.load(demo_index_path())


def assert_same_results(printed: str, expected) -> None:
    rows = json.loads(printed)
    assert [r["id"] for r in rows] == [r.id for r in expected]
    assert [r["score"] for r in rows] == pytest.approx([r.score for r in expected], abs=1e-6)
    assert [r["shared_emotions"] for r in rows] == [r.shared_emotions for r in expected]


@pytest.mark.slow
def test_catalog_song_mood_and_heatmap_need_no_torch(shipped_index, tmp_path):
    song, mood = shipped_index.ids[0], "sadness=0.7,love=0.3"
    png = tmp_path / "heatmap.png"
    by_song, by_mood, by_song_filtered, heatmap = run_cli_fresh(
        [
            ["recommend", "--song", song, "-k", "5", "--format", "json"],
            ["recommend", "--mood", mood, "-k", "5", "--format", "json"],
            ["recommend", "--song", song, "-k", "4", "--lang", "ko", "--diversity", "0.3", "--format", "json"],
            ["heatmap", "--songs", *shipped_index.ids[:3], "--out", str(png)],
        ],
        home=tmp_path / "hf-home",
    )
    # The same answers as the library gives over the shipped index (whose model the full path checks: see
    # test_default_model.py::test_catalog_queries_without_the_model_match_the_full_path).
    library = Recommender(shipped_index)
    assert_same_results(by_song, library.similar_songs(song, k=5))
    assert_same_results(by_mood, library.recommend_for_mood({"sadness": 0.7, "love": 0.3}, k=5))
    assert_same_results(by_song_filtered, library.similar_songs(song, k=4, lang="ko", diversity=0.3))
    assert png.read_bytes()[:4] == b"\x89PNG" and "wrote" in heatmap
    assert not (tmp_path / "hf-home" / "lyricmood" / "models").exists()  # no model was built


def _stub_predictor(fingerprint: str, labels: list[str], vector: np.ndarray) -> SimpleNamespace:
    return SimpleNamespace(
        fingerprint=fingerprint, labels=labels, meaning=None, meaning_fingerprint=None,  # an emotion-only model
        score_song=lambda text: SongEmotion(vector, labels, ["song"], vector[None], 1),
    )


def test_the_model_loads_once_on_the_first_lyrics_query_and_is_checked():
    labels = ["joy", "sadness", "love"]
    index = SongIndex.empty(labels, fingerprint="a" * 64)
    vectors = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.3, 0.2, 0.5]]
    index.add_many(["s1", "s2", "s3"], [np.array(v) for v in vectors], [{}, {}, {}])
    loads = []

    def load():
        loads.append(1)
        return _stub_predictor("a" * 64, labels, np.array([0.1, 0.9, 0.0]))

    recommender = Recommender(index, load_predictor=load)
    assert [r.id for r in recommender.similar_songs("s1", k=2)] == ["s3", "s2"]
    assert recommender.recommend_for_mood({"joy": 1.0}, k=1)[0].id == "s1"
    with pytest.raises(LyricMoodError, match="unknown song id"):
        recommender.similar_songs("no-such-id", k=1)
    with pytest.raises(LyricMoodError, match="unknown song id"):
        recommender.similar_songs("sad rain again", k=1)  # a string is a catalog song, never guessed to be lyrics
    assert loads == []
    assert recommender.similar_to_lyrics("sad rain again", k=1)[0].id == "s2"
    assert recommender.similar_to_lyrics("s1", k=1)[0].id == "s2"  # lyrics, even one word that is an id
    assert loads == [1]

    other = Recommender(index, load_predictor=lambda: _stub_predictor("b" * 64, labels, np.array([0.3, 0.3, 0.4])))
    assert other.similar_songs("s1", k=1)[0].id == "s3"
    with pytest.raises(LyricMoodError, match="another model"):
        other.similar_to_lyrics("sad rain again", k=1)


def test_the_default_recommender_answers_from_the_shipped_index_without_the_model(shipped_index):
    # (When the installed default model's files are not those the shipped index records, the model is loaded
    # and its own demo index built: test_cli_recommend.py::test_default_recommender_builds_the_demo_index_once.)
    recommender = load_default_recommender()
    assert recommender.index.ids == shipped_index.ids
    assert recommender.similar_songs(shipped_index.ids[1], k=3) and recommender._predictor is None


def test_concurrent_first_lyrics_queries_load_the_model_once():
    import copy
    import threading
    import time

    labels = ["joy", "sadness", "love"]
    index = SongIndex.empty(labels, fingerprint="a" * 64)
    index.add_many(["s1", "s2"], [np.array([0.8, 0.1, 0.1]), np.array([0.1, 0.8, 0.1])], [{}, {}])
    loads = []

    def load():
        loads.append(1)
        time.sleep(0.2)  # a slow model load, during which the other queries arrive
        return _stub_predictor("a" * 64, labels, np.array([0.1, 0.9, 0.0]))

    recommender = Recommender(index, load_predictor=load)
    copy.deepcopy(recommender)  # still copyable (e.g. into a session's state)
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(recommender.similar_to_lyrics("sad rain", k=1)[0].id))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1] and answers == ["s2"] * 4
