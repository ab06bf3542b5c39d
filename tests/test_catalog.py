"""``lyricmood.catalog``: songs read and checked once, in a leaf module the dataset builders may import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from lyricmood import catalog
from lyricmood.errors import LyricMoodError

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG = Path(__file__).resolve().parent / "fixtures" / "catalog"


def _lyricmood_imports(path: Path) -> set[str]:
    """The ``lyricmood`` modules a file imports (relative imports of ``src/lyricmood`` resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "lyricmood"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "lyricmood":
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and path.parent.name == "lyricmood":
            found.add(f"lyricmood.{node.module}")
    return found


def test_builders_import_only_the_leaf_modules():
    offenders = {
        path.name: sorted(imports - {"lyricmood.errors", "lyricmood.catalog"})
        for path in sorted((REPO_ROOT / "datasets_scripts").glob("*.py"))
        if (imports := _lyricmood_imports(path)) - {"lyricmood.errors", "lyricmood.catalog"}
    }
    assert offenders == {}, "datasets_scripts/ may import only lyricmood.errors and lyricmood.catalog"
    assert _lyricmood_imports(REPO_ROOT / "src" / "lyricmood" / "catalog.py") == {"lyricmood.errors"}


def test_importing_catalog_is_light():
    code = "import sys, lyricmood.catalog; print(sorted({'datasets', 'numpy', 'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_read_songs_without_datasets():
    songs = catalog.read_songs([CATALOG / "songs.csv", CATALOG / "songs.jsonl"])
    assert [s["id"] for s in songs] == ["c1", "c2", "c3", "j1", "j2", "j3"]
    assert [s["year"] for s in songs] == [1998, None, 2015, 2003, None, None]
    assert all(list(song) == list(catalog.SONG_FIELDS) for song in songs)
    with pytest.raises(LyricMoodError, match=r"songs\.csv, line 2, field 'id': duplicate id 'c1'"):
        catalog.read_songs([CATALOG / "songs.csv", CATALOG / "songs.csv"])


def test_catalog_songs_checks_rows_in_memory():
    rows = [{"id": " a ", "lyrics": "la"}, {"id": "b", "lyrics": "da"}]
    assert [(p, i, lyr) for p, i, lyr, _ in catalog.catalog_songs(rows)] == [(0, "a", "la"), (1, "b", "da")]
    with pytest.raises(LyricMoodError, match="field 'id': duplicate song id 'a' in the catalog"):
        list(catalog.catalog_songs([*rows, {"id": "a", "lyrics": "again"}]))
    with pytest.raises(LyricMoodError, match="catalog row 2 is not a mapping"):
        list(catalog.catalog_songs([rows[0], "b"]))
    with pytest.raises(LyricMoodError, match="field 'lyrics': song 'b' has no lyrics"):
        list(catalog.catalog_songs([{"id": "b", "lyrics": " "}]))
