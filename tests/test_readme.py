"""README.md as a newcomer reads it: every shell command and Python block either runs as written (slow: the real
default model, fresh interpreters) or is listed here with what it needs that a test machine lacks."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lyricmood.cli import build_parser

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"

#: commands that cannot run on a test machine, by pattern: what they need
NEEDS = {
    r"^pip install": "the network (PyPI)",
    r"^python -m pytest": "nothing: it is this test suite",
    r"^hf upload": "the network and a Hub account",
    r"^python bench/": "minutes of machine time (benchmarks, not tests)",
    r"^(torchrun|accelerate launch)": "several processes or GPUs (tests/test_index.py runs the sharded build)",
    r"^lyricmood (train|evaluate)(?! .*--help)": "a data set you download (see README 'Datasets')",
    r"^lyricmood data export": "a data set you download (see README 'Datasets')",
    r"^lyricmood space(?! export)": "nothing: it serves until stopped (tests/test_ui.py launches the app)",
    r"--space-id": "nothing more than `space export` without it, which tests/test_space_export.py runs",
}
#: Python blocks that cannot run as written, by their first line: what they need
PYTHON_NEEDS = {
    "from lyricmood.modeling import LyricMoodForSequenceClassification": "the network (the Hub id klue/bert-base)",
    "import evaluate": "a model and its predictions (model, preds, labels)",
    "from lyricmood.datasets_scripts import load_builder_dataset, GoEmotions": "data sets you download",
}
MY_SONG = "[Verse]\nI still hear the rain on the window\nand I miss you more than words\n\n[Chorus]\n비가 오면 네 생각이 나\n"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


def shell_commands() -> list[str]:
    """Each command of README's bash blocks (`a && b` gives two), without its comment."""
    commands = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            commands += [part.strip() for part in line.split("&&") if part.strip()]
    return commands


def need(command: str) -> str | None:
    return next((why for pattern, why in NEEDS.items() if re.search(pattern, command)), None)


def test_every_lyricmood_command_in_the_readme_parses():
    """Fast: each `lyricmood …` line is a valid command line (flags, choices, sub-commands)."""
    commands = [c for c in shell_commands() if c.startswith("lyricmood ")]
    assert len(commands) > 20
    parser = build_parser()
    for command in commands:
        argv = shlex.split(command)[1:]
        args, unknown = parser.parse_known_args(argv)
        assert not unknown or getattr(args, "accepts_unknown", False), command


def test_every_python_block_runs_or_says_what_it_needs():
    for block in blocks("python"):
        first = block.splitlines()[0]
        assert first in PYTHON_NEEDS or "load_default_recommender" in block, f"unclassified README block: {first}"


@pytest.fixture()
def newcomer(tmp_path: Path) -> dict:
    """A working folder with the files README's examples name, and the environment of a fresh shell."""
    from lyricmood.testing import demo_songs

    (tmp_path / "my_song.txt").write_text(MY_SONG, encoding="utf-8")
    songs = demo_songs()[:4] + [{**demo_songs()[-1], "id": "some-id"}]
    with open(tmp_path / "my_songs.csv", "w", encoding="utf-8", newline="") as f:
        import csv

        writer = csv.DictWriter(f, fieldnames=["id", "title", "artist", "year", "lang", "lyrics"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(songs)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "HF_HUB_OFFLINE": "1"}
    return {"cwd": tmp_path, "env": env}


@pytest.mark.slow
def test_readme_commands_run_as_written(newcomer):
    """Every README command that needs no network, GPU or private data, in README's order, in one folder (so that
    `index` then `index --update` then `recommend --index` build on each other)."""
    ran = []
    for command in shell_commands():
        if need(command) is not None:
            continue
        done = subprocess.run(command, shell=True, cwd=newcomer["cwd"], env=newcomer["env"], capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr and "Loading weights" not in done.stderr, command
        ran.append(command)
    assert any("--text" in c for c in ran) and any(c.startswith("lyricmood index") for c in ran)
    assert json.loads(subprocess.run("lyricmood recommend --lyrics-file my_song.txt --format json -k 2", shell=True,
                                     cwd=newcomer["cwd"], env=newcomer["env"], capture_output=True, text=True,
                                     check=True).stdout)


@pytest.mark.slow
def test_readme_python_runs_as_written(newcomer):
    block = next(b for b in blocks("python") if "load_default_recommender" in b)
    done = subprocess.run([sys.executable, "-c", block], cwd=newcomer["cwd"], env=newcomer["env"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("shared:") == 5
