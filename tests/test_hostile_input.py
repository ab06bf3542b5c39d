"""Input from a hostile hand or an unlucky one: invalid Unicode, bad API arguments, wide or deep files, huge lyrics.

Each case gets one clear :class:`LyricMoodError` (or a message in the Space) naming what is wrong, before any model
loads where one would; none reaches a tokenizer, a traceback or a silently wrong answer.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from lyricmood.cli import main
from lyricmood.errors import LyricMoodError

LABELS = ["joy", "sadness", "anger", "love"]
NO_MODEL = "/nonexistent/model"  # a command that loaded the model first would fail on it instead

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def cli(argv: list, capsys) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# 5. Invalid Unicode on every input path


@pytest.mark.parametrize("command", ["recommend", "analyze"])
@pytest.mark.parametrize("text, where", [("sad \udcff rain", "character 5"), ("sad rain\nthen \ud800", "line 2")])
def test_invalid_unicode_text_is_refused_before_the_model_loads(command, text, where, capsys):
    code, err = cli([command, "--text", text, "--model", NO_MODEL], capsys)
    assert code == 1, err
    assert "invalid character in the lyrics: a lone surrogate" in err and "field '--text'" in err and where in err
    assert "Traceback" not in err and "nonexistent" not in err


def test_invalid_bytes_on_the_command_line_give_one_line():
    """The real path: bytes that are not UTF-8 in argv, decoded by Python with surrogateescape."""
    run = subprocess.run([sys.executable, "-m", "lyricmood.cli", "recommend", "--text", b"sad \xff rain",
                          "--model", NO_MODEL], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("\n") == 1 and "U+DCFF" in run.stderr and "Traceback" not in run.stderr


def test_empty_text_is_refused_before_the_model_loads(capsys):
    code, err = cli(["recommend", "--text", "", "--model", NO_MODEL], capsys)
    assert code == 1 and "the lyrics are empty" in err and "nonexistent" not in err, err


@pytest.mark.parametrize("field", ["lyrics", "title", "id", "artist"])
def test_jsonl_catalog_with_an_escaped_lone_surrogate_names_line_and_field(field, tmp_path, capsys):
    rows = [{"id": "a", "title": "A", "artist": "x", "lyrics": "sad rain"},
            {"id": "b", "title": "B", "artist": "y", "lyrics": "happy joy"}]
    rows[1][field] = rows[1][field] + "\udcff"
    path = tmp_path / "songs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")  # "\udcff" escaped
    code, err = cli(["index", path, "--out", tmp_path / "idx", "--model", NO_MODEL], capsys)
    assert code == 1, err
    assert f"songs.jsonl, line 2, field '{field}': invalid character" in err and "U+DCFF" in err


def test_api_lyrics_with_a_lone_surrogate_are_refused(predictor):
    from lyricmood.indexing import build_index

    with pytest.raises(LyricMoodError, match=r"lone surrogate \(U\+DCFF\)"):
        predictor.score_song("sad \udcff rain")
    with pytest.raises(LyricMoodError, match=r"field 'lyrics'.*lone surrogate"):
        build_index([{"id": "a", "title": "A", "lyrics": "sad \udcff rain"}], predictor, progress=False)


# ------------------------------------------------------------------------------------------------
# 6. Python API arguments are checked where they enter


@pytest.mark.parametrize("kwargs, field", [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": -1}, "batch_size"), ({"batch_size": 2.5}, "batch_size"),
    ({"max_length": 1}, "max_length"), ({"max_length": 100_000}, "max_length"), ({"max_length": "64"}, "max_length"),
])
def test_predictor_arguments_are_checked(kwargs, field, predictor):
    from lyricmood.inference import EmotionPredictor

    with pytest.raises(LyricMoodError, match=f"field '{field}'"):
        EmotionPredictor(predictor.model, tokenizer=predictor.tokenizer, **kwargs)


def test_a_predictor_with_a_valid_max_length_scores_alike(predictor):
    from lyricmood.inference import EmotionPredictor

    short = EmotionPredictor(predictor.model, tokenizer=predictor.tokenizer, max_length=16, batch_size=1)
    assert short.max_length == 16
    lyrics = "the sad rain at night\nalone\n\nhappy dance joy light"
    np.testing.assert_allclose(short.score_song(lyrics).vector, predictor.score_song(lyrics).vector, rtol=1e-4,
                               atol=1e-5)  # chunks here are shorter than 16 tokens: same chunks, same vector


@pytest.mark.parametrize("year", ["abc", 1e30, "1e12", True, -5, 1998.5])
def test_in_memory_rows_with_a_bad_year_are_refused(year, predictor):
    from lyricmood.indexing import build_index

    rows = [{"id": "a", "title": "A", "lyrics": "sad rain", "year": 1999},
            {"id": "b", "title": "B", "lyrics": "happy joy", "year": year}]
    with pytest.raises(LyricMoodError, match=r"field 'year': the year of song 'b'"):
        build_index(rows, predictor, progress=False)


def test_in_memory_rows_with_a_year_as_text_keep_the_number(predictor, tmp_path):
    from lyricmood.index import SongIndex
    from lyricmood.indexing import build_index

    rows = [{"id": "a", "title": "A", "lyrics": "sad rain", "year": "1999"},
            {"id": "b", "title": "B", "lyrics": "happy joy", "year": 2001.0}]
    index = build_index(rows, predictor, progress=False)
    index.save(tmp_path / "idx")
    assert [SongIndex.load(tmp_path / "idx").get(i)["year"] for i in "ab"] == [1999, 2001]


@pytest.mark.parametrize("path", [None, 3, b"idx", ""])
def test_index_load_and_save_need_a_path(path):
    from lyricmood.index import SongIndex

    with pytest.raises(LyricMoodError, match="field 'path'"):
        SongIndex.load(path)
    with pytest.raises(LyricMoodError, match="field 'path'"):
        SongIndex.empty(LABELS, "x").save(path)


def test_an_index_refuses_a_label_given_twice():
    from lyricmood.index import SongIndex

    with pytest.raises(LyricMoodError, match="field 'labels': the label 'joy' is given twice"):
        SongIndex.empty(["joy", "sadness", "joy"], "x")


@pytest.mark.parametrize("value", ["no", "yes", 0, 1, None, [True]])
def test_filters_refuse_a_non_boolean_same_artist_flag(value):
    from lyricmood.filters import Filters

    with pytest.raises(LyricMoodError, match="field 'exclude_same_artist'"):
        Filters(exclude_same_artist=value)
    assert Filters(exclude_same_artist=np.bool_(True)).exclude_same_artist is True


def test_an_all_zero_query_vector_is_refused_as_an_all_zero_mood_is():
    from lyricmood.recommender import Recommender
    from lyricmood.testing import index_from_vectors

    rec = Recommender(index_from_vectors(LABELS, {"a": [1, 0, 0, 0], "b": [0, 1, 0, 0], "c": [0, 0, 1, 0]}))
    with pytest.raises(LyricMoodError, match="field 'vector': the query vector is all zeros"):
        rec.similar_to_vector(np.zeros(len(LABELS)), k=2)
    with pytest.raises(LyricMoodError, match="every mood weight is 0"):
        rec.similar_to_mood({"joy": 0.0}, k=2)
    assert [r.id for r in rec.similar_to_vector([0, 1, 0, 0], k=1)] == ["b"]


# ------------------------------------------------------------------------------------------------
# 9. Wide or deep catalog files are refused before they are parsed (linear checks, caps)


def test_a_wide_csv_header_is_refused_before_parsing(tmp_path, capsys):
    import time

    from lyricmood import catalog

    columns = ["id", "title", "lyrics"] + [f"c{i}" for i in range(200_000)]  # ~1.5 MB, as in the report
    path = tmp_path / "wide.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(["a", "A", "sad rain"] + [""] * 200_000) + "\n")
    start = time.perf_counter()
    with pytest.raises(LyricMoodError, match=r"wide.csv, line 1: the header is too wide \(200,003 columns"):
        catalog.read_songs([path])
    assert time.perf_counter() - start < 30  # minutes before (quadratic); generous for a loaded machine
    code, err = cli(["index", path, "--out", tmp_path / "idx", "--model", NO_MODEL], capsys)
    assert code == 1 and "the header is too wide" in err


def test_columns_are_counted_linearly_and_capped(tmp_path, monkeypatch):
    from lyricmood import catalog

    path = tmp_path / "c.csv"
    path.write_text("id,title,lyrics," + ",".join(f"c{i}" for i in range(catalog.MAX_COLUMNS)) + "\na,A,x\n")
    with pytest.raises(LyricMoodError, match="the header is too wide"):
        catalog.read_songs([path])
    path.write_text("id,title,lyrics,x,y,x\na,A,sad rain,1,2,3\n")
    with pytest.raises(LyricMoodError, match="line 1, field 'x': column 'x' appears 2 times"):
        catalog.read_songs([path])
    monkeypatch.setattr(catalog, "MAX_HEADER_CHARS", 20)
    path.write_text("id,title,lyrics,a_long_column_name\na,A,sad rain,1\n")
    with pytest.raises(LyricMoodError, match="the header is too wide"):
        catalog.read_songs([path])


def test_fields_and_json_lines_are_capped(tmp_path, monkeypatch):
    from lyricmood import catalog

    monkeypatch.setattr(catalog, "MAX_FIELD_CHARS", 1000)
    csv_path = tmp_path / "long.csv"
    csv_path.write_text('id,title,lyrics\na,A,"' + "la " * 400 + '"\n')
    with pytest.raises(LyricMoodError, match="field larger than field limit"):
        catalog.read_songs([csv_path])
    jsonl = tmp_path / "long.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "title": "A", "lyrics": "la " * 400}) + "\n")
    with pytest.raises(LyricMoodError, match="long.jsonl, line 1: the line is too long"):
        catalog.read_songs([jsonl])


def test_deeply_nested_json_lines_are_named(tmp_path, capsys):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "A", "lyrics": "sad rain"}) + "\n" + "[" * 100_000 + "\n")
    code, err = cli(["index", path, "--out", tmp_path / "idx", "--model", NO_MODEL], capsys)
    assert code == 1 and "deep.jsonl, line 2: the JSON is nested too deeply" in err, err


# ------------------------------------------------------------------------------------------------
# 12. Huge lyrics on the command line are refused above a documented size, before the model loads


@pytest.mark.parametrize("size", ["just over", "2 MB"])
@pytest.mark.parametrize("command", ["recommend", "analyze"])
def test_huge_lyrics_files_are_refused_before_the_model_loads(command, size, tmp_path, capsys):
    import time

    from lyricmood.commands import MAX_QUERY_CHARS

    line = "I miss you in the rain tonight\n"
    n = MAX_QUERY_CHARS // len(line) + 1 if size == "just over" else 2 * 2**20 // len(line)
    path = tmp_path / "huge.txt"
    path.write_text(line * n, encoding="utf-8")
    start = time.perf_counter()
    code, err = cli([command, "--lyrics-file", path, "--model", NO_MODEL], capsys)
    assert code == 1 and "more than a query takes (at most 100,000" in err and "field '--lyrics-file'" in err, err
    assert "nonexistent" not in err and time.perf_counter() - start < 60
    code, err = cli([command, "--text", "sad rain " * (MAX_QUERY_CHARS // 9 + 1), "--model", NO_MODEL], capsys)
    assert code == 1 and "field '--text'" in err and "more than a query takes" in err, err
