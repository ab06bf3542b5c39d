"""The `index`, `recommend`, `analyze` and `heatmap` commands, run through `lyricmood.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lyricmood.cli import main
from lyricmood.filters import Filters
from lyricmood.index import SongIndex
from lyricmood.recommender import Recommender
from lyricmood.testing import make_tiny_model

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
LABELS = ["joy", "sadness", "anger", "love", "fear"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("model"), LABELS)


@pytest.fixture(scope="module")
def index_dir(model_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("indexes") / "fixture-index"
    assert (
        main(["index", str(FIXTURES / "songs.jsonl"), "--out", str(out), "--model", str(model_dir), "--no-progress",
              "--emotion-only"])
        == 0
    )
    return out


def run_json(capsys, *argv: str):
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_index_command_writes_an_index(index_dir, capsys):
    index = SongIndex.load(index_dir)
    assert index.ids == ["j1", "j2", "j3"] and index.get("j2")["title"] == "봄비"
    assert not index_dir.with_name(index_dir.name + ".partial").exists()
    # an existing index is not overwritten by accident
    assert main(["index", str(FIXTURES / "songs.jsonl"), "--out", str(index_dir), "--model", "unused"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_recommend_by_song_matches_the_library(index_dir, model_dir, capsys):
    rows = run_json(capsys, "recommend", "--song", "j1", "--index", str(index_dir), "-k", "2", "--format", "json")
    expected = Recommender(SongIndex.load(index_dir)).similar_songs("j1", k=2)
    assert [r["id"] for r in rows] == [r.id for r in expected]
    assert [r["score"] for r in rows] == pytest.approx([r.score for r in expected])
    assert set(rows[0]) >= {"rank", "id", "title", "artist", "year", "lang", "score", "shared_emotions"}


def test_recommend_by_text_file_and_mood(index_dir, model_dir, tmp_path, capsys):
    base = ["recommend", "--index", str(index_dir), "--model", str(model_dir), "--format", "json", "-k", "3"]
    by_text = run_json(capsys, *base, "--text", "the sad rain at night\n\n눈물 그대")
    lyrics = tmp_path / "song.txt"
    lyrics.write_text("the sad rain at night\n\n눈물 그대", encoding="utf-8")
    by_file = run_json(capsys, *base, "--lyrics-file", str(lyrics))
    assert [r["id"] for r in by_text] == [r["id"] for r in by_file] and len(by_text) == 3
    by_mood = run_json(
        capsys, "recommend", "--index", str(index_dir), "--mood", "sadness=0.7,love=0.3", "--format", "json", "-k", "3"
    )
    assert len(by_mood) == 3
    filtered = run_json(capsys, *base, "--text", "happy dance", "--lang", "ko")
    assert [r["lang"] for r in filtered] == ["ko"]
    capsys.readouterr()
    assert main(["recommend", "--song", "j1", "--index", str(index_dir), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("rank,score,title")
    assert main(["recommend", "--song", "j1", "--index", str(index_dir)]) == 0
    assert "봄비" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--song", "Lanter"], "unknown song id 'Lanter'. Fix: did you mean 'j1' (Lantern)"),
        (["--song", "j1", "-k", "4"], "larger than the catalog"),
        (["--mood", "sadnes=1"], "unknown emotion 'sadnes'. Fix: use the model's labels: joy, sadness"),
        (["--song", "j1", "--years", "19x"], "bad --years"),
        (["--text", "   "], "lyrics are empty"),
    ],
)
def test_recommend_errors(index_dir, model_dir, capsys, argv, message):
    assert main(["recommend", "--index", str(index_dir), "--model", str(model_dir), *argv]) == 1
    assert message in capsys.readouterr().err


def test_mood_and_meaning_index_through_the_cli(model_dir, tmp_path, capsys):
    encoder = model_dir.parent / "backbone"  # the tiny backbone stands in for base e5
    out = tmp_path / "fused"
    assert main(["index", str(FIXTURES / "songs.jsonl"), "--out", str(out), "--model", str(model_dir),
                 "--meaning-model", str(encoder), "--mood-weight", "0.6", "--no-progress"]) == 0
    index = SongIndex.load(out)
    assert index.representation == "mood-and-meaning" and index.mood_weight == 0.6
    assert index.meaning_model == "backbone"  # a local encoder is named, never located
    for weight in ("0", "1", "0.6"):
        rows = run_json(capsys, "recommend", "--song", "j1", "--index", str(out), "-k", "2", "--format", "json",
                        "--mood-weight", weight)
        expected = Recommender(index).similar_to_song("j1", k=2, filters=Filters(mood_weight=float(weight)))
        assert [r["score"] for r in rows] == pytest.approx([r.score for r in expected])
    base = ["recommend", "--index", str(out), "--model", str(model_dir), "--format", "json", "-k", "2"]
    by_text = run_json(capsys, *base, "--meaning-model", str(encoder), "--text", "the sad rain at night")
    assert len(by_text) == 2
    assert main([*base, "--meaning-model", str(model_dir.parent / "nowhere"), "--text", "sad rain"]) == 1
    assert "cannot load a text encoder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["recommend", "--song", "j1", "--index", str(out), "--mood-weight", "1.5"])
    assert main(["index", str(FIXTURES / "songs.jsonl"), "--out", str(tmp_path / "x"), "--model", str(model_dir),
                 "--mood-weight", "-1"]) == 1
    assert "mood weight must be in [0, 1]" in capsys.readouterr().err


def test_index_made_by_another_model_is_refused(index_dir, tmp_path, capsys):
    other = make_tiny_model(tmp_path, LABELS, seed=1, spread=False)
    assert main(["recommend", "--index", str(index_dir), "--model", str(other), "--text", "sad rain"]) == 1
    assert "another model" in capsys.readouterr().err


def test_analyze_and_heatmap(index_dir, model_dir, tmp_path, capsys):
    report = run_json(
        capsys,
        "analyze",
        "--text",
        "[Verse]\nthe sad rain\n\n[Chorus]\nhappy dance joy",
        "--model",
        str(model_dir),
        "--format",
        "json",
        "--out",
        str(tmp_path / "a"),
    )
    assert [s["section"] for s in report["arc"]] == ["Verse", "Chorus"] and len(report["top_emotions"]) == 5
    for name in ("top_emotions.png", "arc.png", "emotions.json"):
        assert (tmp_path / "a" / name).is_file()
    assert (
        main(["heatmap", "--songs", "j1", "j2", "j3", "--index", str(index_dir), "--out", str(tmp_path / "h.png")]) == 0
    )
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_default_recommender_builds_the_demo_index_once(model_dir, monkeypatch, capsys):
    import lyricmood.indexing as indexing_module
    from lyricmood import default_model
    from lyricmood.io import cache_dir

    # A default model other than the one that built the shipped demo index: its files' fingerprint differs too.
    monkeypatch.setattr(default_model, "default_model_path", lambda: model_dir)
    monkeypatch.setattr(default_model, "shipped_fingerprint", lambda folder=None: "0" * 64)
    demo_id = json.loads(
        (Path(indexing_module.__file__).parent / "demo" / "catalog.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )["id"]
    rows = run_json(capsys, "recommend", "--song", demo_id, "-k", "3", "--format", "json")
    assert len(rows) == 3 and demo_id not in [r["id"] for r in rows]
    built = list((cache_dir() / "indexes").glob("demo-*"))
    assert len(built) == 1
    calls = []
    monkeypatch.setattr(indexing_module, "build_index", lambda *a, **k: calls.append(1))
    again = run_json(capsys, "recommend", "--song", demo_id, "-k", "3", "--format", "json")
    assert again == rows and not calls  # reused from the cache
    vectors = SongIndex.load(built[0]).vectors
    assert vectors.shape[1] == len(LABELS) and np.isfinite(vectors).all()


def test_build_demo_index_records_the_default_models_files(model_dir, monkeypatch, tmp_path):
    from lyricmood import default_model
    from lyricmood.index import read_index_info
    from lyricmood.demo import SHIPPED_MODEL_KEY, build_demo_index

    monkeypatch.setattr(default_model, "default_model_path", lambda: model_dir)
    info = read_index_info(build_demo_index(tmp_path / "default", progress=False))
    assert info[SHIPPED_MODEL_KEY] == default_model.shipped_fingerprint()
    SongIndex.load(tmp_path / "default")  # still a valid index
    other = read_index_info(build_demo_index(tmp_path / "other", model_path=model_dir, progress=False))
    assert SHIPPED_MODEL_KEY not in other and other["fingerprint"] == info["fingerprint"]
