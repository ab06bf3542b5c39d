"""``lyricmood space export``: a self-contained Hugging Face Space folder, built from ``space/``.

The folder holds:

- ``app.py``: ``space/app.py`` as it is (it builds the app from the installed library);
- ``README.md``: ``space/README.md`` with its front matter completed from data: ``sdk_version`` (the
  installed gradio), ``python_version: "3.11"`` (the Hub's default, 3.10, is below lyricmood's
  ``requires-python``), ``app_file``, ``license`` (the package's), and ``models`` / ``datasets`` (the
  default model's ``base_model`` and ``datasets``, where its card names them);
- ``requirements.txt``: ``space/requirements.txt`` (the CPU torch index) plus torch's pin from the
  package's own requirements and the lyricmood wheel;
- the lyricmood wheel, built from this source checkout (or given with ``wheel=``).

Where requirements.txt finds the wheel: the Space builder runs ``pip install -r requirements.txt`` with
only that file mounted, *before* it copies the repository, so a path to a file of the Space cannot
work there. With ``space_id`` (``OWNER/NAME``) the wheel is fetched by URL from the Space repository
itself; without it, requirements.txt names the wheel by path (``./lyricmood-….whl``, relative to the
folder: run pip from there), for a local or Docker install and the offline test.

The folder carries lyricmood's marker (``.lyricmood``, listing the files it wrote). An existing folder
is written into only when it is empty, or when it is a Space folder lyricmood exported and
``overwrite`` is given; then only the files of the previous export are replaced, others are kept.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata, resources
from pathlib import Path

from .errors import LyricMoodError
from .io import MARKER_FILE, check_ours, read_marker, write_marker

PYTHON_VERSION = "3.11"
APP_FILE = "app.py"
MARKER_KIND = "space"
HUB_URL = "https://huggingface.co"
SETUPTOOLS_MAJOR = 77  # the first setuptools that reads `license = "Apache-2.0"` (PEP 639)


def space_source() -> Path:
    """The ``space/`` folder (installed as the package ``lyricmood.space``)."""
    return Path(str(resources.files("lyricmood.space")))


def source_checkout() -> Path | None:
    """The root of the lyricmood source checkout this package is imported from, or ``None`` (a wheel install)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and re.search(r'(?m)^name = "lyricmood"$', pyproject.read_text(encoding="utf-8")):
        return root
    return None


def build_wheel(out_dir: str | Path) -> Path:
    """Build the lyricmood wheel from the source checkout into ``out_dir``; returns its path.

    The checkout is copied first (only what the package is built from), so the build leaves nothing in it.
    """
    root = source_checkout()
    if root is None:
        raise LyricMoodError(
            "cannot build the lyricmood wheel: lyricmood is not imported from a source checkout",
            hint="run from a clone of lyricmood, or pass a built wheel with --wheel",
        )
    with tempfile.TemporaryDirectory(prefix="lyricmood-wheel-") as tmp:
        tree = Path(tmp) / "src"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".*")
        tree.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (root / name).is_file():
                shutil.copy2(root / name, tree / name)
        # The folders pyproject.toml builds packages from (its package-dir): one list, kept there.
        setuptools_config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
        for name in sorted({Path(folder).parts[0] for folder in setuptools_config["package-dir"].values()}):
            shutil.copytree(root / name, tree / name, ignore=ignore)
        done = subprocess.run(
            [_build_python(), "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
             "--wheel-dir", str(Path(tmp) / "wheel"), str(tree)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise LyricMoodError(f"building the lyricmood wheel failed:\n{done.stderr.strip()[-2000:]}")
        (wheel,) = (Path(tmp) / "wheel").glob("lyricmood-*.whl")
        return Path(shutil.copy2(wheel, Path(out_dir) / wheel.name))


def _build_python() -> str:
    """An interpreter whose setuptools builds lyricmood (pyproject's license expression needs setuptools ≥ 77).

    The build runs without isolation (offline: no index to fetch a build backend from). A virtual
    environment made with ``--system-site-packages`` carries its own, older setuptools (Python 3.11's
    venv installs 65.5); its base interpreter's is then used: the wheel is pure Python either way.
    """
    for python in dict.fromkeys([sys.executable, getattr(sys, "_base_executable", sys.executable)]):
        found = subprocess.run([python, "-c", "import setuptools; print(setuptools.__version__)"],
                               capture_output=True, text=True).stdout.strip()
        if found and int(found.split(".")[0]) >= SETUPTOOLS_MAJOR:
            return python
    raise LyricMoodError(
        f"building the lyricmood wheel needs setuptools>={SETUPTOOLS_MAJOR} (pyproject.toml's license expression)",
        hint=f"pip install -U 'setuptools>={SETUPTOOLS_MAJOR}', or pass a built wheel with --wheel",
    )


def _torch_requirement() -> str:
    """torch's requirement as lyricmood's metadata states it (one pin, in pyproject.toml)."""
    for requirement in metadata.requires("lyricmood") or []:
        if re.match(r"torch\b", requirement) and "extra ==" not in requirement:
            return requirement.replace(" ", "")
    raise LyricMoodError("lyricmood's metadata names no torch requirement", hint="reinstall lyricmood")


def requirements_text(wheel_name: str, space_id: str | None = None) -> str:
    """``space/requirements.txt`` (the CPU torch index), torch's pin, and the lyricmood wheel."""
    head = (space_source() / "requirements.txt").read_text(encoding="utf-8").rstrip("\n")
    if space_id:
        wheel = f"lyricmood @ {HUB_URL}/spaces/{space_id}/resolve/main/{wheel_name}"
        where = "# lyricmood is not on PyPI: its wheel, from this Space's own repository."
    else:
        wheel = f"./{wheel_name}"
        where = ("# lyricmood is not on PyPI: its wheel, next to this file (run pip from this folder). On the Hub,\n"
                 "# export with --space-id OWNER/NAME: the builder installs requirements before it copies files.")
    return f"{head}\n{_torch_requirement()}\n{where}\n{wheel}\n"


def _license() -> str:
    meta = metadata.metadata("lyricmood")
    return str(meta.get("License-Expression") or meta.get("License") or "other").lower()


def _default_model_card_data() -> dict:
    """``base_model`` and ``datasets`` of the shipped default model's card (empty where it names none)."""
    from huggingface_hub import ModelCard

    from .default_model import shipped_dir

    card = shipped_dir() / "README.md"
    data = ModelCard.load(card).data.to_dict() if card.is_file() else {}
    hub_id = re.compile(r"^[\w.-]+/[\w.-]+$")  # a Hub id, never a local path
    base = data.get("base_model") or []
    models = [m for m in ([base] if isinstance(base, str) else base) if hub_id.match(str(m))]
    datasets = [d for d in data.get("datasets") or [] if hub_id.match(str(d))]
    return {"models": models, "datasets": datasets}


def space_readme(space_id: str | None = None) -> str:
    """``space/README.md`` with its front matter completed (see the module docstring)."""
    import gradio
    from huggingface_hub import SpaceCard

    card = SpaceCard((space_source() / "README.md").read_text(encoding="utf-8"))
    data = card.data
    data.sdk = "gradio"
    data.sdk_version = gradio.__version__
    data.python_version = PYTHON_VERSION
    data.app_file = APP_FILE
    data.license = _license()
    for field, values in _default_model_card_data().items():
        if values:
            setattr(data, field, values)
    if space_id:
        card.text = card.text.replace('Client("lyricmood/lyricmood")', f'Client("{space_id}")')
    return str(card)


def _check_out(out: Path, overwrite: bool) -> list[str]:
    """Refuse an ``out`` lyricmood may not write into; returns the files a previous export left there."""
    check_ours(out, MARKER_KIND)  # absent, empty, or a Space folder lyricmood exported
    marker = read_marker(out) if out.is_dir() else None
    if marker is None:
        return []
    if not overwrite:
        raise LyricMoodError("holds a Space lyricmood exported before", file=out,
                             hint="pass --overwrite to replace its files (other files there are kept)")
    return [str(name) for name in marker.get("files", []) if "/" not in str(name) and str(name) != MARKER_FILE]


def _check_space_id(space_id: str | None) -> None:
    if space_id is not None and not re.fullmatch(r"[\w.-]+/[\w.-]+", space_id):
        raise LyricMoodError(f"bad Space id {space_id!r}", field="--space-id", hint="write it as OWNER/NAME")


def export_space(
    out: str | Path, *, space_id: str | None = None, wheel: str | Path | None = None, overwrite: bool = False
) -> Path:
    """Write the Space folder ``out`` (see the module docstring); returns its path.

    Args:
        out: the folder to write (new, empty, or a previous export with ``overwrite``).
        space_id: ``OWNER/NAME`` of the Space on the Hub: requirements.txt then fetches the wheel from it.
        wheel: a lyricmood wheel to ship instead of building one from the source checkout.
        overwrite: replace the files of a previous export in ``out``.
    """
    out = Path(out)
    _check_space_id(space_id)
    if wheel is not None and not (Path(wheel).is_file() and Path(wheel).name.startswith("lyricmood-")
                                  and Path(wheel).suffix == ".whl"):
        raise LyricMoodError(f"{wheel} is not a lyricmood wheel file", field="--wheel",
                             hint="give a lyricmood-<version>-py3-none-any.whl")
    previous = _check_out(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".lyricmood-space-", dir=out.parent) as tmp:
        staged = Path(tmp)
        built = Path(shutil.copy2(wheel, staged)) if wheel is not None else build_wheel(staged)
        shutil.copy2(space_source() / APP_FILE, staged / APP_FILE)
        (staged / "README.md").write_text(space_readme(space_id), encoding="utf-8")
        (staged / "requirements.txt").write_text(requirements_text(built.name, space_id), encoding="utf-8")
        files = sorted(path.name for path in staged.iterdir())
        write_marker(staged, MARKER_KIND, files)
        out.mkdir(exist_ok=True)
        for name in previous:
            if name not in files:
                (out / name).unlink(missing_ok=True)  # e.g. the wheel of an older version
        for name in [*files, MARKER_FILE]:  # the marker last: it lists what is there
            os.replace(staged / name, out / name)
    return out
