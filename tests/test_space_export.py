"""``lyricmood space export``: the Space folder's files, its refusals, and (slow) a fresh venv serving it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest
from huggingface_hub import ModelCard, SpaceCard

from lyricmood import space_export
from lyricmood.testing import free_port, venv_with_running_packages
from lyricmood.cli import main
from lyricmood.errors import LyricMoodError

REPO_ROOT = Path(__file__).resolve().parents[1]
VERSION = metadata.version("lyricmood")


@pytest.fixture()
def fake_wheel(tmp_path) -> Path:
    """A file named like the wheel, for the tests that only look at the folder's text files."""
    wheel = tmp_path / "wheels" / f"lyricmood-{VERSION}-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"not really a wheel")
    return wheel


def test_export_writes_app_card_and_requirements(tmp_path, fake_wheel, capsys):
    out = tmp_path / "space"
    assert main(["space", "export", str(out), "--wheel", str(fake_wheel)]) == 0
    assert f"wrote the Space to {out}" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".lyricmood", "README.md", "app.py", "requirements.txt", fake_wheel.name])
    assert (out / "app.py").read_bytes() == (REPO_ROOT / "space" / "app.py").read_bytes()
    assert (out / fake_wheel.name).read_bytes() == fake_wheel.read_bytes()

    import gradio

    data = SpaceCard.load(out / "README.md").data
    assert (data.sdk, data.sdk_version, data.python_version, data.app_file) == (
        "gradio", gradio.__version__, "3.11", "app.py")
    assert data.license == metadata.metadata("lyricmood")["License-Expression"].lower()
    assert data.title == "lyricmood" and data.short_description  # kept from space/README.md
    # models / datasets: exactly what the default model's card names (as Hub ids).
    default_card = ModelCard.load(REPO_ROOT / "src" / "lyricmood" / "default_model" / "README.md").data
    base = default_card.base_model
    assert (data.models or []) == ([base] if isinstance(base, str) else list(base or []))
    assert (data.datasets or []) == list(default_card.datasets or [])
    assert SpaceCard.load(out / "README.md").text.strip() == SpaceCard.load(REPO_ROOT / "space" / "README.md").text.strip()

    lines = [line for line in (out / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    torch_pin = next(r for r in metadata.requires("lyricmood") if r.startswith("torch")).replace(" ", "")
    assert lines == ["--extra-index-url https://download.pytorch.org/whl/cpu", torch_pin, f"./{fake_wheel.name}"]
    # Nothing names a path of this machine.
    for name in ("README.md", "app.py", "requirements.txt"):
        assert str(tmp_path) not in (out / name).read_text() and str(REPO_ROOT) not in (out / name).read_text()


def test_space_id_fetches_the_wheel_from_the_space_repository(tmp_path, fake_wheel):
    out = space_export.export_space(tmp_path / "space", space_id="me/my-space", wheel=fake_wheel)
    requirements = (out / "requirements.txt").read_text().splitlines()
    assert requirements[-1] == (
        f"lyricmood @ https://huggingface.co/spaces/me/my-space/resolve/main/{fake_wheel.name}")
    assert 'Client("me/my-space")' in (out / "README.md").read_text()


@pytest.mark.parametrize(
    "setup, args, expected",
    [
        ("foreign", [], "exists and was not created by lyricmood"),
        ("file", [], "exists and is not a folder"),
        ("ours", [], "pass --overwrite"),
        ("other-kind", ["--overwrite"], "is a lyricmood index folder, not a space folder"),
        (None, ["--space-id", "not a repo"], "bad Space id"),
        (None, ["--wheel", "README.md"], "is not a lyricmood wheel file"),
    ],
)
def test_export_refuses_what_it_did_not_create(tmp_path, fake_wheel, capsys, setup, args, expected):
    out = tmp_path / "space"
    if setup == "file":
        out.write_text("mine")
    elif setup is not None:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
        if setup in ("ours", "other-kind"):
            kind = "space" if setup == "ours" else "index"
            (out / ".lyricmood").write_text(json.dumps({"created_by": "lyricmood", "kind": kind, "files": []}))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    argv = ["space", "export", str(out), *args]
    if "--wheel" not in args:
        argv += ["--wheel", str(fake_wheel)]
    assert main(argv) != 0
    assert expected in capsys.readouterr().err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_overwrite_replaces_only_what_the_export_wrote(tmp_path, fake_wheel):
    out = space_export.export_space(tmp_path / "space", wheel=fake_wheel)
    (out / "notes.txt").write_text("mine")
    newer = fake_wheel.with_name("lyricmood-9.9.9-py3-none-any.whl")
    newer.write_bytes(b"newer")
    space_export.export_space(out, wheel=newer, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / fake_wheel.name).exists() and (out / newer.name).read_bytes() == b"newer"
    assert (out / "requirements.txt").read_text().rstrip().endswith(f"./{newer.name}")


def test_export_needs_a_checkout_or_a_wheel(tmp_path, monkeypatch):
    monkeypatch.setattr(space_export, "source_checkout", lambda: None)
    with pytest.raises(LyricMoodError, match="not imported from a source checkout"):
        space_export.export_space(tmp_path / "space")
    assert not (tmp_path / "space").exists()


@pytest.mark.slow
def test_exported_space_installs_in_a_fresh_venv_and_serves(tmp_path):
    """Build the folder (wheel included), install it offline into a fresh venv from its requirements, serve it."""
    from gradio_client import Client

    out = space_export.export_space(tmp_path / "space")
    wheel = next(out.glob("lyricmood-*.whl"))
    # The venv sees the running interpreter's packages (no network here), not lyricmood: that comes from the folder.
    python = venv_with_running_packages(tmp_path / "venv")
    venv = python.parent.parent
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
                    "--find-links", str(out), "-r", "requirements.txt"], cwd=out, check=True)
    where = subprocess.run([str(python), "-c", "import lyricmood, sys; print(lyricmood.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(venv)), f"lyricmood imported from {where}, not from the installed {wheel.name}"

    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    env.pop("PYTHONPATH", None)
    log = open(tmp_path / "app.log", "wb")
    app = subprocess.Popen([str(python), "app.py"], cwd=out, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while True:
            assert app.poll() is None, (tmp_path / "app.log").read_text(errors="replace")[-3000:]
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:
                assert time.monotonic() < deadline, "the exported app did not start within 600 s"
                time.sleep(2)
        song = "en-001-ribbon-for-your-hair"
        table, message = client.predict(song, "builtin", 3, False, None, None, "any", 0.0, None, "none", "en",
                                        api_name="/recommend_song")
        assert len(table["data"]) == 3 and not message.startswith("⚠️"), message
    finally:
        app.terminate()
        app.wait(timeout=30)
        log.close()
