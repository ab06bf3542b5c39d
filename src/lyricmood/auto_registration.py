"""Teach transformers' Auto classes the `lyricmood` model type as soon as they are used, without importing them.

`import lyricmood` must stay light (the CLI answers catalog queries without torch), but in transformers 5
even `from transformers import AutoConfig` imports torch. So `import lyricmood` only installs an import
hook: when transformers' `configuration_auto` or `modeling_auto` module finishes loading, `lyricmood.modeling`
is imported, and its ``__init__`` registers `LyricMoodConfig`, `LyricMoodModel` and `LyricMoodForSequenceClassification`
with AutoConfig, AutoModel and AutoModelForSequenceClassification. With lyricmood installed, saved folders
then load through the Auto classes without `trust_remote_code`.
"""

from __future__ import annotations

import importlib.abc
import sys

_CONFIGURATION_AUTO = "transformers.models.auto.configuration_auto"
_MODELING_AUTO = "transformers.models.auto.modeling_auto"
_MODELING = "lyricmood.modeling"


def _after_auto_module(name: str) -> None:
    if _MODELING in sys.modules:
        return  # imported, or being imported: lyricmood.modeling registers at the end of its own import
    if name == _CONFIGURATION_AUTO and _MODELING_AUTO in sys.modules:
        return  # modeling_auto is half-way through its import (it imports configuration_auto): wait for it
    import lyricmood.modeling  # noqa: F401  (its __init__ registers the classes)


class _HookedLoader(importlib.abc.Loader):
    """Runs the real loader, then `_after_auto_module`."""

    def __init__(self, loader, name: str):
        self.loader, self.name = loader, name

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.loader.exec_module(module)
        _after_auto_module(self.name)

    def __getattr__(self, attr):  # get_source, get_filename, is_package … of the real loader
        return getattr(self.loader, attr)


class _AutoModulesFinder(importlib.abc.MetaPathFinder):
    """Finds transformers' auto modules through the other finders and wraps their loader."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in (_CONFIGURATION_AUTO, _MODELING_AUTO):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _HookedLoader(spec.loader, fullname)
                return spec
        return None


def install() -> None:
    """Register now if transformers' auto modules are already loaded, else when they load (once per process)."""
    if any(isinstance(finder, _AutoModulesFinder) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _AutoModulesFinder())
    if _MODELING_AUTO in sys.modules or _CONFIGURATION_AUTO in sys.modules:
        _after_auto_module(_MODELING_AUTO)
