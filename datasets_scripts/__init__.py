"""Dataset builders for lyricmood: one ``datasets.GeneratorBasedBuilder`` per source, reading local files.

``datasets`` ≥ 4 no longer runs loading scripts, so each "dataset script" is an importable builder:

    >>> from lyricmood.datasets_scripts import load_builder_dataset
    >>> ds = load_builder_dataset("goemotions", "ko", data_dir="../shared/data/goemotions")  # doctest: +SKIP
    >>> ds["train"].features["labels"].feature.names[:3]  # doctest: +SKIP
    ['admiration', 'amusement', 'anger']

:func:`lyricmood.dataset_export.export_parquet` writes Parquet shards and a dataset card, ready for
``huggingface_hub.upload_folder``.

Imports run one way: the library may use these builders; the builders use only the library's leaf modules
:mod:`lyricmood.errors` (the error users see) and :mod:`lyricmood.catalog` (songs: reading and checking a
lyrics catalog), which import nothing but the standard library. So a builder never pulls in torch, the
index or the CLI, and the library's catalog logic lives in the library, not here.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from typing import Any

import datasets
from huggingface_hub import DatasetCard

from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder
from .aihub_emotion import AIHubEmotion
from .goemotions import GoEmotions
from .kote import Kote
from .lyrics_catalog import LyricsCatalog, detect_lang, parse_lrc

BUILDERS: dict[str, type[LocalFilesBuilder]] = {
    "goemotions": GoEmotions,
    "kote": Kote,
    "aihub_emotion": AIHubEmotion,
    "lyrics_catalog": LyricsCatalog,
}

__all__ = [
    "AIHubEmotion",
    "BUILDERS",
    "builder_class",
    "GoEmotions",
    "Kote",
    "LyricsCatalog",
    "config_languages",
    "dataset_card",
    "detect_lang",
    "get_builder",
    "load_builder_dataset",
    "parse_lrc",
]


def builder_class(name: str) -> type[LocalFilesBuilder]:
    """The builder class called ``name``, or a :class:`LyricMoodError` listing the known ones."""
    try:
        return BUILDERS[name]
    except KeyError:
        raise LyricMoodError(f"unknown dataset {name!r}", hint=f"use one of {', '.join(BUILDERS)}") from None


def get_builder(
    name: str,
    config_name: str | None = None,
    data_dir: str | os.PathLike | None = None,
    data_files: Any = None,
    cache_dir: str | os.PathLike | None = None,
    **config_kwargs: Any,
) -> LocalFilesBuilder:
    """The builder ``BUILDERS[name]`` for ``config_name``, with unknown names and options reported
    as :class:`LyricMoodError`. ``cache_dir`` defaults to ``datasets``' cache (under ``$HF_HOME``)."""
    cls = builder_class(name)
    if config_name is not None and config_name not in cls.builder_configs:
        raise LyricMoodError(
            f"unknown config {config_name!r} for {name}",
            field="config",
            hint=f"use one of {', '.join(cls.builder_configs)}",
        )
    try:
        return cls(
            config_name=config_name,
            data_dir=None if data_dir is None else str(data_dir),
            data_files=data_files,
            cache_dir=None if cache_dir is None else str(cache_dir),
            **config_kwargs,
        )
    except (TypeError, ValueError) as err:
        if isinstance(err, LyricMoodError):
            raise
        match = re.search(r"doesn't have a '(\w+)' key|unexpected keyword argument '(\w+)'", str(err))
        if match:
            option = match.group(1) or match.group(2)
            raise LyricMoodError(
                f"unknown option {option!r} for {name}", field=option, hint=_options_hint(cls)
            ) from None
        raise


def _options_hint(cls: type[LocalFilesBuilder]) -> str:
    base = set(datasets.BuilderConfig.__dataclass_fields__)
    options = [f for f in cls.BUILDER_CONFIG_CLASS.__dataclass_fields__ if f not in base]
    return f"{cls.__name__} takes the options {', '.join(options)}" if options else f"{cls.__name__} takes no options"


def load_builder_dataset(name: str, config_name: str | None = None, **options: Any) -> datasets.DatasetDict:
    """Build (or reuse from the cache) and return one of :data:`BUILDERS` as a ``DatasetDict``.

    ``options`` are :func:`get_builder`'s: ``data_dir``, ``data_files``, ``cache_dir`` and the config's
    options (e.g. ``grouping="ekman"``, ``utterances="first"``).
    The cache key includes every input file's size and mtime, so an edited file is rebuilt.
    Bad input raises :class:`LyricMoodError` naming the file, line and field.
    """
    builder = get_builder(name, config_name, **options)
    builder.download_and_prepare()
    return builder.as_dataset()


def dataset_card(name: str) -> str:
    """The dataset card of builder ``name`` (``datasets_scripts/<name>.md``), as shipped."""
    builder_class(name)
    return (resources.files(__package__) / f"{name}.md").read_text(encoding="utf-8")


def config_languages(name: str, config_name: str | None = None) -> list[str]:
    """Languages of one builder config: those the config names (GoEmotions' ``langs``), else its card's.

    >>> config_languages("goemotions", "ko-ekman"), config_languages("kote")
    (['ko'], ['ko'])
    """
    cls = builder_class(name)
    langs = getattr(cls.builder_configs.get(config_name or cls.DEFAULT_CONFIG_NAME), "langs", None)
    if langs:
        return list(langs)
    return list(DatasetCard(dataset_card(name)).data.language or [])
