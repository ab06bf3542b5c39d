"""Export a dataset builder's output as Parquet shards plus a dataset card, ready for the Hub.

>>> from lyricmood.dataset_export import export_parquet
>>> export_parquet("kote", "kote-parquet", data_dir="../shared/data/kote")  # doctest: +SKIP

Lives in the library, not with the builders: it writes folders through :mod:`lyricmood.io`, and the builders
import only :mod:`lyricmood.errors` and :mod:`lyricmood.catalog` (see :mod:`lyricmood.datasets_scripts`).
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

import datasets
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard

from .datasets_scripts import builder_class, config_languages, dataset_card, load_builder_dataset
from .errors import LyricMoodError
from .io import check_ours, staged_folder

#: the ownership marker's kind of a folder written by :func:`export_parquet` (see :mod:`lyricmood.io`)
EXPORT_KIND = "dataset-export"
# Licenses of configs whose source differs from the rest of their builder's (the card's license).
CONFIG_LICENSES = {("lyrics_catalog", "demo"): "apache-2.0"}  # lyrics written for lyricmood


def _size_category(num_rows: int) -> str:
    """The Hub's ``size_categories`` bucket of a row count."""
    for limit, label in ((10**3, "n<1K"), (10**4, "1K<n<10K"), (10**5, "10K<n<100K"), (10**6, "100K<n<1M")):
        if num_rows < limit:
            return label
    return "1M<n<10M" if num_rows < 10**7 else "n>10M"


def export_card(name: str, built: dict[str, datasets.DatasetDict], parquet_bytes: dict[str, int]) -> DatasetCard:
    """The card of an export: the builder's card, with metadata describing exactly what was exported.

    ``language``: the languages of the exported rows (a ``lang`` column's values, else the configs');
    ``configs``: each config's Parquet files; ``dataset_info``: features, splits, rows and bytes per config
    (``download_size``: the Parquet files); ``license``: per source (a config may have its own, see
    :data:`CONFIG_LICENSES`); ``size_categories`` from the largest config's rows.
    """
    card = DatasetCard(dataset_card(name))
    data = card.data
    languages: dict[str, None] = {}
    for config, dataset_dict in built.items():
        first = next(iter(dataset_dict.values()))
        if "lang" in first.column_names:
            found = {lang for split in dataset_dict.values() for lang in split.unique("lang") if lang}
            languages.update(dict.fromkeys(sorted(found)))
        else:
            languages.update(dict.fromkeys(config_languages(name, config)))
    data.language = list(languages)
    if data.multilinguality and len(languages) == 1:
        data.multilinguality = ["monolingual"]
    licenses = list(dict.fromkeys(CONFIG_LICENSES.get((name, config), data.license) for config in built))
    data.license = licenses[0] if len(licenses) == 1 else licenses
    if "other" not in licenses:
        data.pop("license_name", None)
        data.pop("license_link", None)
    data.size_categories = [_size_category(max(sum(dd.num_rows.values()) for dd in built.values()))]
    data.configs = [
        {
            "config_name": config,
            **({"default": True} if i == 0 else {}),
            "data_files": [{"split": split, "path": f"{config}/{split}-*.parquet"} for split in dataset_dict],
        }
        for i, (config, dataset_dict) in enumerate(built.items())
    ]
    infos = {}
    for config, dataset_dict in built.items():
        splits = datasets.SplitDict()
        for split, dataset in dataset_dict.items():
            splits.add(datasets.SplitInfo(name=split, num_bytes=dataset.data.nbytes, num_examples=dataset.num_rows))
        infos[config] = datasets.DatasetInfo(
            config_name=config,
            features=next(iter(dataset_dict.values())).features,
            splits=splits,
            download_size=parquet_bytes[config],
            dataset_size=sum(s.num_bytes for s in splits.values()),
        )
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return card


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
    non-empty ``out`` is refused unless ``overwrite``, and then only an earlier export: its files are replaced
    (and those this export does not write again deleted), any other file there (your notes) is kept. Returns ``out``.
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
    cls = builder_class(name)
    configs = list(configs or [cls.DEFAULT_CONFIG_NAME])
    # Build everything first: a bad input must not leave a half-written folder behind.
    options = dict(data_dir=data_dir, data_files=data_files, cache_dir=cache_dir, **config_kwargs)
    built = {c: load_builder_dataset(name, c, **options) for c in configs}
    with staged_folder(out, EXPORT_KIND, legacy_files=_files_of_unlisted_export) as tmp:
        for config, dataset_dict in built.items():
            for split, dataset in dataset_dict.items():
                num_shards = max(1, math.ceil(dataset.data.nbytes / max_shard_size))
                for index in range(num_shards):
                    path = tmp / config / f"{split}-{index:05d}-of-{num_shards:05d}.parquet"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    dataset.shard(num_shards, index, contiguous=True).to_parquet(str(path))
        parquet_bytes = {c: sum(p.stat().st_size for p in (tmp / c).glob("*.parquet")) for c in built}
        (tmp / "README.md").write_text(str(export_card(name, built, parquet_bytes)), encoding="utf-8")
        _copy_license(name, data_dir, tmp)
    return out


def _files_of_unlisted_export(folder: Path) -> list[str]:
    """What an export written before markers listed their files wrote: the card, licences and Parquet shards."""
    patterns = ("README.md", "LICENSE*", "*/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9].parquet")
    return sorted({p.relative_to(folder).as_posix() for pattern in patterns for p in folder.glob(pattern)
                   if p.is_file() and not p.is_symlink()})


def _copy_license(name: str, data_dir: str | os.PathLike | None, folder: Path) -> None:
    """Ship the corpus' own licence file next to the data when the user's copy has one."""
    if data_dir is None or not Path(data_dir).is_dir():
        return
    for path in sorted(Path(data_dir).glob("LICENSE*")):
        shutil.copyfile(path, folder / path.name)
