"""Dataset builders for lyricmood: one ``datasets.GeneratorBasedBuilder`` per source, reading local files.

``datasets`` ≥ 4 no longer runs loading scripts, so each "dataset script" is an importable builder:

    >>> from lyricmood.datasets_scripts import load_builder_dataset
    >>> ds = load_builder_dataset("goemotions", "ko", data_dir="../shared/data/goemotions")  # doctest: +SKIP
    >>> ds["train"].features["labels"].feature.names[:3]  # doctest: +SKIP
    ['admiration', 'amusement', 'anger']

:func:`export_parquet` writes Parquet shards and a dataset card, ready for ``huggingface_hub.upload_folder``.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import datasets

from lyricmood.errors import LyricMoodError
from lyricmood.io import atomic_path, check_ours, write_marker

from ._common import LocalFilesBuilder
from .aihub_emotion import AIHubEmotion
from .goemotions import GoEmotions
from .kote import Kote
from .lyrics_catalog import LyricsCatalog, detect_lang, parse_lrc

#: the ownership marker's kind of a folder written by :func:`export_parquet` (see :mod:`lyricmood.io`)
EXPORT_KIND = "dataset-export"

BUILDERS: dict[str, type[LocalFilesBuilder]] = {
    "goemotions": GoEmotions,
    "kote": Kote,
    "aihub_emotion": AIHubEmotion,
    "lyrics_catalog": LyricsCatalog,
}

__all__ = [
    "AIHubEmotion",
    "BUILDERS",
    "GoEmotions",
    "Kote",
    "LyricsCatalog",
    "dataset_card",
    "detect_lang",
    "export_parquet",
    "get_builder",
    "load_builder_dataset",
    "parse_lrc",
]


def _builder_class(name: str) -> type[LocalFilesBuilder]:
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
    cls = _builder_class(name)
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


def load_builder_dataset(
    name: str,
    config_name: str | None = None,
    data_dir: str | os.PathLike | None = None,
    data_files: Any = None,
    cache_dir: str | os.PathLike | None = None,
    **config_kwargs: Any,
) -> datasets.DatasetDict:
    """Build (or reuse from the cache) and return one of :data:`BUILDERS` as a ``DatasetDict``.

    The cache key includes every input file's size and mtime, so an edited file is rebuilt.
    ``config_kwargs`` override the config's options (e.g. ``grouping="ekman"``, ``utterances="first"``).
    Bad input raises :class:`LyricMoodError` naming the file, line and field.
    """
    builder = get_builder(name, config_name, data_dir, data_files, cache_dir, **config_kwargs)
    builder.download_and_prepare()
    return builder.as_dataset()


def dataset_card(name: str, configs: dict[str, list[str]] | None = None) -> str:
    """The dataset card (``datasets_scripts/<name>.md``); with ``configs`` ({config: [splits]}) its
    YAML ``configs:`` list points at Parquet files laid out as :func:`export_parquet` writes them."""
    import yaml

    _builder_class(name)
    text = (resources.files(__package__) / f"{name}.md").read_text(encoding="utf-8")
    if configs is None:
        return text
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    header = yaml.safe_load(match.group(1)) if match else {}
    body = text[match.end() :] if match else text
    header["configs"] = [
        {
            "config_name": config,
            **({"default": True} if i == 0 else {}),
            "data_files": [{"split": split, "path": f"{config}/{split}-*.parquet"} for split in splits],
        }
        for i, (config, splits) in enumerate(configs.items())
    ]
    dumped = yaml.safe_dump(header, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{body}"


def export_parquet(
    name: str,
    out: str | os.PathLike,
    configs: list[str] | None = None,
    data_dir: str | os.PathLike | None = None,
    data_files: Any = None,
    overwrite: bool = False,
    max_shard_size: int = 500 * 2**20,
    cache_dir: str | os.PathLike | None = None,
    **config_kwargs: Any,
) -> Path:
    """Write ``<out>/<config>/<split>-0000i-of-0000N.parquet`` for each config and split, plus
    ``<out>/README.md`` (the dataset card, with ``configs``/``data_files`` YAML), atomically.

    The folder is ready for ``huggingface_hub.upload_folder(repo_type="dataset")``. An existing
    non-empty ``out`` is refused unless ``overwrite``. Returns ``out``.
    """
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise LyricMoodError("output path exists and is not a folder", file=out, hint="choose another --out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise LyricMoodError(
            "output folder exists and is not empty",
            file=out,
            hint="choose another --out, or pass --overwrite to replace it",
        )
    check_ours(out, EXPORT_KIND)  # --overwrite replaces only an earlier export (marked), never another folder
    cls = _builder_class(name)
    configs = list(configs or [cls.DEFAULT_CONFIG_NAME])
    written: dict[str, list[str]] = {}
    # Build everything first: a bad input must not leave a half-written folder behind.
    built = {c: load_builder_dataset(name, c, data_dir, data_files, cache_dir, **config_kwargs) for c in configs}
    with atomic_path(out) as tmp:
        for config, dataset_dict in built.items():
            written[config] = list(dataset_dict)
            for split, dataset in dataset_dict.items():
                num_shards = max(1, math.ceil(dataset.data.nbytes / max_shard_size))
                for index in range(num_shards):
                    path = tmp / config / f"{split}-{index:05d}-of-{num_shards:05d}.parquet"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    dataset.shard(num_shards, index, contiguous=True).to_parquet(str(path))
        (tmp / "README.md").write_text(dataset_card(name, written), encoding="utf-8")
        _copy_license(name, data_dir, tmp)
        write_marker(tmp, EXPORT_KIND)
    return out


def _copy_license(name: str, data_dir: str | os.PathLike | None, folder: Path) -> None:
    """Ship the corpus' own licence file next to the data when the user's copy has one."""
    if data_dir is None or not Path(data_dir).is_dir():
        return
    for path in sorted(Path(data_dir).glob("LICENSE*")):
        shutil.copyfile(path, folder / path.name)
