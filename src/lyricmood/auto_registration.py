"""Teach transformers' Auto classes the `lyricmood` model type as soon as they are used, without importing them.

`import lyricmood` must stay light (the CLI answers catalog queries without torch), but in transformers 5
even `from transformers import AutoConfig` imports torch. So `import lyricmood` only installs an import
hook, and registration follows the imports the program makes anyway:

- transformers' `configuration_auto` loaded → `LyricMoodConfig` is registered with `AutoConfig`;
- transformers' `modeling_auto` loaded → `LyricMoodModel` and `LyricMoodForSequenceClassification` are
  registered with `AutoModel` and `AutoModelForSequenceClassification`.

Each step waits until the transformers modules it needs have finished loading, so it never meets a
half-imported module.
With lyricmood installed, saved folders then load through the Auto classes without `trust_remote_code`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys

_CONFIGURATION_AUTO = "transformers.models.auto.configuration_auto"
_MODELING_AUTO = "transformers.models.auto.modeling_auto"
_CONFIGURATION = "lyricmood.modeling.configuration_lyricmood"
_MODELING = "lyricmood.modeling.modeling_lyricmood"
# Modules that modeling_lyricmood imports and that may themselves be importing modeling_auto when it finishes
# (AutoTokenizer's module does): the models are registered once these are done too.
_NEEDED_BY_MODELING = ("transformers.modeling_utils", "transformers.models.auto.tokenization_auto")


def _register_config() -> None:
    from transformers.models.auto.configuration_auto import AutoConfig

    config = sys.modules[_CONFIGURATION].LyricMoodConfig
    AutoConfig.register(config.model_type, config, exist_ok=True)


def _register_models() -> None:
    from transformers.models.auto.modeling_auto import AutoModel, AutoModelForSequenceClassification

    _register_config()
    modeling = sys.modules[_MODELING]
    config = sys.modules[_CONFIGURATION].LyricMoodConfig
    AutoModel.register(config, modeling.LyricMoodModel, exist_ok=True)
    AutoModelForSequenceClassification.register(config, modeling.LyricMoodForSequenceClassification, exist_ok=True)


def _half_imported(name: str) -> bool:
    # importlib marks a module's spec `_initializing` while the module's code runs.
    module = sys.modules.get(name)
    return module is not None and bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _after_import(name: str) -> None:
    """Called when module `name` has finished loading."""
    if name == _CONFIGURATION:
        _register_config()
    elif name == _MODELING:
        _register_models()
    elif name == _CONFIGURATION_AUTO and _CONFIGURATION not in sys.modules:
        importlib.import_module(_CONFIGURATION)  # needs only what configuration_auto needed
    # modeling_lyricmood, once modeling_auto is loaded and neither it nor anything modeling_lyricmood needs is
    # half-way through its import (if modeling_lyricmood is already in sys.modules, it registers when done).
    if (
        _MODELING_AUTO in sys.modules and _MODELING not in sys.modules
        and not any(_half_imported(needed) for needed in (_MODELING_AUTO, *_NEEDED_BY_MODELING) if needed != name)
    ):
        importlib.import_module(_MODELING)


class _HookedLoader(importlib.abc.Loader):
    """Runs the real loader, then `_after_import`."""

    def __init__(self, loader, name: str):
        self.loader, self.name = loader, name

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.loader.exec_module(module)
        _after_import(self.name)

    def __getattr__(self, attr):  # get_source, get_filename, is_package … of the real loader
        return getattr(self.loader, attr)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the watched modules through the other finders and wraps their loader."""

    watched = (_CONFIGURATION_AUTO, _MODELING_AUTO, *_NEEDED_BY_MODELING, _CONFIGURATION, _MODELING)

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.watched:
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
    """Register when the Auto classes load, or now if they already have (once per process)."""
    if any(isinstance(finder, _Finder) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
    if _CONFIGURATION_AUTO in sys.modules:
        _after_import(_CONFIGURATION_AUTO)
