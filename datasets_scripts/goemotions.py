"""GoEmotions (English) and its line-aligned Korean machine translation, from local TSV files.

>>> from lyricmood.datasets_scripts import GoEmotions
>>> builder = GoEmotions(config_name="ko", data_dir="../shared/data/goemotions")  # doctest: +SKIP
>>> builder.download_and_prepare(); ds = builder.as_dataset()  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets

from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder, UniqueIds, parse_label_ids, read_lines, require_text, split_tsv

_DESCRIPTION = """\
GoEmotions (Demszky et al., 2020): 58k English Reddit comments labelled with 27 emotions + neutral
(multi-label), plus the same rows machine-translated to Korean (line-aligned, same labels).
Configs choose the language (`en`, `ko`, `en+ko`) and the label set (28 fine labels, Ekman-6 +
neutral, or sentiment). Read from local TSV files; nothing is downloaded.
"""

_CITATION = """\
@inproceedings{demszky2020goemotions,
  author = {Demszky, Dorottya and Movshovitz-Attias, Dana and Ko, Jeongwoo and Cowen, Alan and Nemade, Gaurav and Ravi, Sujith},
  booktitle = {58th Annual Meeting of the Association for Computational Linguistics (ACL)},
  title = {{GoEmotions: A Dataset of Fine-Grained Emotions}},
  year = {2020}
}
"""

_HOMEPAGE = "https://github.com/google-research/google-research/tree/master/goemotions"
_LICENSE = "Apache-2.0"

LABELS = [
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
]  # fmt: skip

# The groupings published with GoEmotions (ekman_mapping.json, sentiment_mapping.json).
EKMAN_LABELS = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
EKMAN_MAPPING = {
    "anger": ["anger", "annoyance", "disapproval"],
    "disgust": ["disgust"],
    "fear": ["fear", "nervousness"],
    "joy": ["joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
            "pride", "admiration", "desire", "caring"],
    "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
    "surprise": ["surprise", "realization", "confusion", "curiosity"],
    "neutral": ["neutral"],
}  # fmt: skip
SENTIMENT_LABELS = ["positive", "negative", "ambiguous", "neutral"]
SENTIMENT_MAPPING = {
    "positive": ["amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
                 "admiration", "gratitude", "relief", "approval"],
    "negative": ["fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness",
                 "grief", "disgust", "anger", "annoyance", "disapproval"],
    "ambiguous": ["realization", "surprise", "curiosity", "confusion"],
    "neutral": ["neutral"],
}  # fmt: skip

GROUPINGS: dict[str, tuple[list[str], dict[str, list[str]] | None]] = {
    "none": (LABELS, None),
    "ekman": (EKMAN_LABELS, EKMAN_MAPPING),
    "sentiment": (SENTIMENT_LABELS, SENTIMENT_MAPPING),
}
LANGS = ("en", "ko")
_SPLIT_FILES = {"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"}


def group_label_ids(label_ids: list[int], grouping: str) -> list[int]:
    """Map fine GoEmotions label ids to ids in the grouped label list (sorted, deduplicated).

    >>> group_label_ids([LABELS.index("joy"), LABELS.index("gratitude")], "ekman")
    [3]
    >>> [SENTIMENT_LABELS[i] for i in group_label_ids([LABELS.index("fear"), LABELS.index("surprise")], "sentiment")]
    ['negative', 'ambiguous']
    """
    names, mapping = GROUPINGS[grouping]
    if mapping is None:
        return sorted(set(label_ids))
    fine_to_group = {fine: names.index(group) for group, fines in mapping.items() for fine in fines}
    return sorted({fine_to_group[LABELS[i]] for i in label_ids})


@dataclass
class GoEmotionsConfig(datasets.BuilderConfig):
    """``langs``: languages to include (``("en",)``, ``("ko",)`` or both, concatenated).
    ``grouping``: ``"none"`` (28 labels), ``"ekman"`` (7) or ``"sentiment"`` (4)."""

    langs: tuple[str, ...] = ("en",)
    grouping: str = "none"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Normalise ``langs`` (``"en+ko"`` → ``("en", "ko")``) and check both options."""
        if isinstance(self.langs, str):
            self.langs = tuple(self.langs.split("+"))
        self.langs = tuple(self.langs)
        bad = [lang for lang in self.langs if lang not in LANGS]
        if bad or not self.langs:
            raise LyricMoodError(
                f"unknown GoEmotions language(s) {bad}", field="langs", hint="use 'en', 'ko' or 'en+ko'"
            )
        if self.grouping not in GROUPINGS:
            raise LyricMoodError(
                f"unknown grouping {self.grouping!r}", field="grouping", hint=f"use one of {sorted(GROUPINGS)}"
            )


def _configs() -> list[GoEmotionsConfig]:
    configs = []
    for langs in (("en",), ("ko",), ("en", "ko")):
        for grouping in ("none", "ekman", "sentiment"):
            name = "+".join(langs) + ("" if grouping == "none" else f"-{grouping}")
            configs.append(
                GoEmotionsConfig(
                    name=name,
                    langs=langs,
                    grouping=grouping,
                    version=datasets.Version("1.0.0"),
                    description=f"GoEmotions {'+'.join(langs)}, labels: {grouping if grouping != 'none' else '28 fine'}",
                )
            )
    return configs


class GoEmotions(LocalFilesBuilder):
    """GoEmotions en/ko. ``data_dir`` is the folder holding ``en/`` and ``ko/``
    (each with ``train.tsv``, ``dev.tsv``, ``test.tsv``, ``labels.txt``)."""

    DESCRIPTION, HOMEPAGE, CITATION, LICENSE = _DESCRIPTION, _HOMEPAGE, _CITATION, _LICENSE

    BUILDER_CONFIG_CLASS = GoEmotionsConfig
    BUILDER_CONFIGS = _configs()
    DEFAULT_CONFIG_NAME = "en"
    MISSING_DATA_HINT = (
        "pass data_dir= the folder holding en/ and ko/ (GoEmotions TSVs from "
        "https://github.com/google-research/google-research/tree/master/goemotions/data)"
    )

    def _features(self) -> datasets.Features:
        self.config.validate()  # options may have been overridden after __post_init__
        names, _ = GROUPINGS[self.config.grouping]
        return datasets.Features(
            {
                "id": datasets.Value("string"),
                "text": datasets.Value("string"),
                "labels": datasets.List(datasets.ClassLabel(names=list(names))),
                "lang": datasets.Value("string"),
            }
        )

    def _root(self) -> Path:
        root = self._require_data_dir()
        # Accept the parent folder too (e.g. ../shared/data).
        if not any((root / lang).is_dir() for lang in LANGS) and (root / "goemotions").is_dir():
            root = root / "goemotions"
        return root

    def _check_labels_file(self, folder: Path) -> None:
        path = folder / "labels.txt"
        if not path.exists():
            return  # the names are fixed by the dataset; labels.txt is only a cross-check
        names = [line.strip() for line in read_lines(path, what="labels file") if line.strip()]
        if names != LABELS:
            raise LyricMoodError(
                f"label list differs from GoEmotions' 28 labels (got {len(names)} names)",
                file=path,
                hint="use the labels.txt shipped with GoEmotions; the builder expects its order",
            )

    def _read_lang_split(self, root: Path, lang: str, split: str, file_name: str) -> list[dict[str, Any]]:
        folder = root / lang
        if not folder.is_dir():
            raise LyricMoodError(
                f"no '{lang}' folder for the {self.config.name!r} config", file=folder, hint=self.MISSING_DATA_HINT
            )
        self._check_labels_file(folder)
        path = folder / file_name
        lines = read_lines(path, what=f"GoEmotions {lang} {split} file")
        columns = ("text", "label_ids", "comment_id") if lang == "en" else ("text", "label_ids")
        en_ids: list[str] | None = None
        if lang == "ko":
            en_ids = self._en_ids(root, file_name, len(lines))
        ids = UniqueIds()
        rows = []
        for i, line in enumerate(lines):
            line_no = i + 1
            fields = split_tsv(path, line_no, line, columns)
            text = require_text(path, line_no, fields[0])
            label_ids = parse_label_ids(path, line_no, fields[1], len(LABELS))
            if lang == "en":
                id_ = fields[2].strip()
                if not id_:
                    raise LyricMoodError(
                        "empty comment_id", file=path, line=line_no, field="comment_id", hint="fill in the id"
                    )
            else:
                id_ = en_ids[i] if en_ids is not None else f"ko-{split}-{i}"
            ids.add(id_, path, line_no, field="comment_id" if lang == "en" else "id")
            rows.append(
                {"id": id_, "text": text, "labels": group_label_ids(label_ids, self.config.grouping), "lang": lang}
            )
        return rows

    def _en_ids(self, root: Path, file_name: str, num_lines: int) -> list[str] | None:
        """The comment ids of the English file that ``ko/<file_name>`` translates, if it is there."""
        path = root / "en" / file_name
        if not path.is_file():
            return None
        lines = read_lines(path, what="GoEmotions en file")
        if len(lines) != num_lines:
            raise LyricMoodError(
                f"en/{file_name} has {len(lines)} lines but ko/{file_name} has {num_lines}: "
                "the files must be line-aligned to share ids",
                file=path,
                hint="use matching en/ko files, or move en/ away to get ids 'ko-<split>-<row>'",
            )
        return [line.rsplit("\t", 1)[-1].strip() for line in lines]

    def _read_splits(self) -> dict[str, list[dict[str, Any]]]:
        root = self._root()
        splits: dict[str, list[dict[str, Any]]] = {}
        for split, file_name in _SPLIT_FILES.items():
            rows: list[dict[str, Any]] = []
            for lang in self.config.langs:
                rows.extend(self._read_lang_split(root, lang, split, file_name))
            splits[split] = rows
        return splits
