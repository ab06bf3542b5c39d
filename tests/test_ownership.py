"""Folders lyricmood manages, turned against the user: hand-edited markers, planted links, racing builds.

Each test would lose or misplace a file of the user's on the code before the second hardening pass.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lyricmood.cli import main
from lyricmood.errors import LyricMoodError
from lyricmood.index import SongIndex
from lyricmood.io import MARKER_FILE, read_marker

LABELS = ["joy", "sadness", "anger", "love"]
WORDS = "love sad tears rain night light alone happy joy dance fear angry hope home sorry miss heart cry".split()

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def rows(n: int) -> list[dict]:
    return [
        {"id": f"s{i}", "title": f"Song {i}", "lyrics": " ".join(WORDS[i % 7: i % 7 + 6]) + "\n" + WORDS[i % 11] * 3}
        for i in range(n)
    ]


def write_jsonl(path: Path, songs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(song) + "\n" for song in songs), encoding="utf-8")
    return path


def cli(argv: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file and link under ``root`` (links as their target, never followed)."""
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            path = Path(dirpath) / name
            if path.is_symlink():
                found[str(path)] = "-> " + os.readlink(path)
            elif path.is_file():
                found[str(path)] = path.read_bytes()
    return found


# ------------------------------------------------------------------------------------------------
# 1. A marker names only plain files inside its folder


HOSTILE_NAMES = ["../victim.txt", "/ABS/victim.txt", "sub/../../victim.txt", "./../victim.txt", "", "..", 7]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n) for n in HOSTILE_NAMES])
def test_a_marker_naming_files_outside_is_refused_by_every_writer(name, model_dir, tmp_path, capsys):
    catalog = write_jsonl(tmp_path / "songs.jsonl", rows(3))
    out = tmp_path / "idx"
    assert cli(["index", catalog, "--out", out, "--model", model_dir, "--no-progress"], capsys)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's file")
    marker = json.loads((out / MARKER_FILE).read_text())
    marker["files"].append(name.replace("/ABS", str(tmp_path)) if isinstance(name, str) else name)
    (out / MARKER_FILE).write_text(json.dumps(marker))
    before = tree(tmp_path)
    for flag in ("--update", "--overwrite"):
        code, err = cli(["index", catalog, "--out", out, "--model", model_dir, "--no-progress", flag], capsys)
        assert code == 1 and "not a plain file name inside the folder" in err, err
        assert "Traceback" not in err
    with pytest.raises(LyricMoodError, match="not a plain file name inside the folder"):
        SongIndex.load(out).save(out)
    with pytest.raises(LyricMoodError, match="not a plain file name inside the folder"):
        read_marker(out)
    assert tree(tmp_path) == before and victim.read_text() == "the user's file"


def test_a_space_export_marker_naming_files_outside_is_refused(tmp_path):
    from lyricmood.space_export import MARKER_KIND, export_space

    out = tmp_path / "space"
    out.mkdir()
    (tmp_path / "victim.txt").write_text("keep")
    (out / MARKER_FILE).write_text(json.dumps({"created_by": "lyricmood", "kind": MARKER_KIND,
                                               "files": ["app.py", "../victim.txt"]}))
    wheel = tmp_path / "lyricmood-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"not used")
    with pytest.raises(LyricMoodError, match="not a plain file name"):
        export_space(out, wheel=wheel, overwrite=True)
    assert (tmp_path / "victim.txt").read_text() == "keep"


# ------------------------------------------------------------------------------------------------
# 2. `data export --overwrite` replaces only the files lyricmood wrote


def write_csv(path: Path, songs: list[dict]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "title", "lyrics"])
        writer.writeheader()
        writer.writerows(songs)
    return path


@pytest.mark.parametrize("listed", [True, False], ids=["marker lists its files", "marker of an older export"])
def test_data_export_overwrite_keeps_the_users_files(listed, tmp_path, capsys):
    import datasets

    out = tmp_path / "export"
    argv = ["data", "export", "lyrics_catalog", "--out", out, "--data-files"]
    assert cli(argv + [write_csv(tmp_path / "a.csv", rows(3))], capsys)[0] == 0
    shards = sorted(out.glob("*/*.parquet"))
    assert shards
    if not listed:  # exports before this change wrote a marker without a files list
        (out / MARKER_FILE).write_text(json.dumps({"created_by": "lyricmood", "kind": "dataset-export"}))
    (out / "NOTES.md").write_text("my notes about this export")
    (shards[0].parent / "NOTES.md").write_text("notes beside the shards")
    code, err = cli(argv + [write_csv(tmp_path / "b.csv", rows(5)), "--overwrite"], capsys)
    assert code == 0, err
    assert (out / "NOTES.md").read_text() == "my notes about this export"
    assert (shards[0].parent / "NOTES.md").read_text() == "notes beside the shards"
    reloaded = datasets.load_dataset("parquet", data_files=[str(p) for p in sorted(out.glob("*/*.parquet"))])
    assert reloaded["train"]["id"] == [f"s{i}" for i in range(5)]
    marker = read_marker(out)
    assert "NOTES.md" not in marker["files"] and "README.md" in marker["files"]


# ------------------------------------------------------------------------------------------------
# 3. A link inside a folder lyricmood manages is refused, never followed


def _mark(folder: Path, kind: str = "checkpoint") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER_FILE).write_text(json.dumps({"created_by": "lyricmood", "kind": kind}))
    return folder


def _planted_shard(tmp: Path) -> None:
    (tmp / "idx.partial").mkdir()
    os.symlink("../outside", tmp / "idx.partial" / "shard-0-of-1")


def _planted_shard_in_marked_checkpoint(tmp: Path) -> None:
    _mark(tmp / "idx.partial")
    os.symlink("../outside", tmp / "idx.partial" / "shard-0-of-1")


def _planted_part(tmp: Path) -> None:
    shard = _mark(_mark(tmp / "idx.partial") / "shard-0-of-1")
    os.symlink("../../outside", shard / "part-000000")


def _planted_partial(tmp: Path) -> None:
    os.symlink("outside", tmp / "idx.partial")


def _planted_marker(tmp: Path) -> None:
    (tmp / "outside" / "mine.txt").write_text("the user's")
    (tmp / "outside" / "marker.json").write_text(json.dumps({"created_by": "lyricmood", "kind": "index", "files": []}))
    (tmp / "idx").mkdir()
    os.symlink("../outside/marker.json", tmp / "idx" / MARKER_FILE)
    (tmp / "idx" / "mine.txt").write_text("the user's")


PLANTED = [_planted_shard, _planted_shard_in_marked_checkpoint, _planted_part, _planted_partial, _planted_marker]


@pytest.mark.parametrize("plant", PLANTED, ids=[p.__name__.strip("_") for p in PLANTED])
def test_a_planted_link_is_refused_not_followed(plant, model_dir, tmp_path, capsys):
    catalog = write_jsonl(tmp_path / "songs.jsonl", rows(3))
    work = tmp_path / "work"
    (work / "outside").mkdir(parents=True)
    plant(work)
    outside = tree(work / "outside")
    argv = ["index", catalog, "--out", work / "idx", "--model", model_dir, "--no-progress", "--checkpoint-every", 1]
    code, err = cli(argv + (["--overwrite"] if plant is _planted_marker else []), capsys)
    assert code == 1 and "symbolic link" in err, err
    assert tree(work / "outside") == outside  # nothing written, nothing deleted through the link


# ------------------------------------------------------------------------------------------------
# 4. Concurrent builds of one folder leave no <out>.partial behind


class _PausingPredictor:
    """The predictor, pausing after its first scored song until told to go on (a slower concurrent build)."""

    def __init__(self, predictor):
        import threading

        self._predictor, self.paused, self.resume = predictor, threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self._predictor, name)

    def score_songs(self, songs):
        for i, emotion in enumerate(self._predictor.score_songs(songs)):
            if i == 1:
                self.paused.set()
                assert self.resume.wait(60)
            yield emotion


def test_a_slower_concurrent_build_leaves_no_partial_folder(predictor, tmp_path):
    import threading

    from lyricmood.indexing import index_catalog, partial_path

    out, songs = tmp_path / "idx", rows(4)
    slow, errors = _PausingPredictor(predictor), []

    def slow_build():
        try:
            index_catalog(songs, slow, out, progress=False, checkpoint_every=1, overwrite=True)
        except Exception as err:  # reported below, in the test's thread
            errors.append(err)
        finally:
            slow.paused.set()

    thread = threading.Thread(target=slow_build)
    thread.start()
    assert slow.paused.wait(60)
    assert partial_path(out).is_dir()  # the slow build has checkpointed its first song
    fast = index_catalog(songs, predictor, out, progress=False, overwrite=True)
    slow.resume.set()
    thread.join(60)
    assert not errors, errors
    assert not partial_path(out).exists(), sorted(p.name for p in partial_path(out).rglob("*"))
    loaded = SongIndex.load(out)
    assert loaded.ids == fast.ids == [song["id"] for song in songs]


# ------------------------------------------------------------------------------------------------
# Index files follow the user's umask (safetensors writes 0600: another account could not read a shared index)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_index_files_are_written_with_the_users_umask(umask, tmp_path):
    from lyricmood.testing import index_from_vectors

    old = os.umask(umask)
    try:
        index_from_vectors(LABELS, {"a": [1, 0, 0, 0], "b": [0, 1, 0, 0]}).save(tmp_path / "idx")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "idx").iterdir()}
    assert set(modes.values()) == {0o666 & ~umask}, {name: oct(mode) for name, mode in modes.items()}
