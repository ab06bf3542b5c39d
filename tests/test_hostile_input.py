"""Input from a hostile hand or an unlucky one: invalid Unicode, bad API arguments, wide or deep files, huge lyrics.

Each case gets one clear :class:`LyricMoodError` (or a message in the Space) naming what is wrong, before any model
loads where one would; none reaches a tokenizer, a traceback or a silently wrong answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lyricmood.cli import main
from lyricmood.errors import LyricMoodError

LABELS = ["joy", "sadness", "anger", "love"]
NO_MODEL = "/nonexistent/model"  # a command that loaded the model first would fail on it instead

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    from lyricmood.testing import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("model"), LABELS)


@pytest.fixture(scope="module")
def predictor(model_dir):
    from lyricmood.inference import EmotionPredictor

    return EmotionPredictor(model_dir)


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
