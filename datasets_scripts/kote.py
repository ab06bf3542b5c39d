"""KOTE (Korean Online That-gul Emotions): native Korean online comments, 43 emotions + 없음, multi-label.

>>> from lyricmood.datasets_scripts import Kote
>>> builder = Kote(data_dir="../shared/data/kote")  # doctest: +SKIP
>>> builder.download_and_prepare(); ds = builder.as_dataset()  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder, UniqueIds, parse_label_ids, read_lines, require_text, split_tsv

_DESCRIPTION = """\
KOTE (Jeon et al., 2022): 50k Korean online comments (news, video, community sites) labelled by
five annotators each with 43 emotions plus "없음" (no emotion). Multi-label: a label is kept when
annotators chose it, as in the published label_ids. Read from local TSV files; nothing is downloaded.
"""

_CITATION = """\
@article{jeon2022user,
  title = {User Guide for KOTE: Korean Online Comments Emotions Dataset},
  author = {Jeon, Duyoung and Lee, Junho and Kim, Cheongtag},
  journal = {arXiv preprint arXiv:2205.05300},
  year = {2022}
}
"""

_HOMEPAGE = "https://github.com/searle-j/KOTE"
_LICENSE = "MIT"

LABELS = [
    "불평/불만", "환영/호의", "감동/감탄", "지긋지긋", "고마움", "슬픔", "화남/분노", "존경", "기대감",
    "우쭐댐/무시함", "안타까움/실망", "비장함", "의심/불신", "뿌듯함", "편안/쾌적", "신기함/관심",
    "아껴주는", "부끄러움", "공포/무서움", "절망", "한심함", "역겨움/징그러움", "짜증", "어이없음",
    "없음", "패배/자기혐오", "귀찮음", "힘듦/지침", "즐거움/신남", "깨달음", "죄책감", "증오/혐오",
    "흐뭇함(귀여움/예쁨)", "당황/난처", "경악", "부담/안_내킴", "서러움", "재미없음",
    "불쌍함/연민", "놀람", "행복", "불안/걱정", "기쁨", "안심/신뢰",
]  # fmt: skip

# file name → split; the public release has train/val/test, ../shared/data has val only.
_SPLIT_FILES = {"train": "train.tsv", "validation": "val.tsv", "test": "test.tsv"}


class Kote(LocalFilesBuilder):
    """KOTE. ``data_dir`` holds any of ``train.tsv``, ``val.tsv``, ``test.tsv``
    (``id<TAB>text<TAB>label_ids``, no header); the splits present are built.
    Or ``data_files={"train": ..., "validation": ...}`` in the same format."""

    DESCRIPTION, HOMEPAGE, CITATION, LICENSE = _DESCRIPTION, _HOMEPAGE, _CITATION, _LICENSE

    BUILDER_CONFIGS = [
        datasets.BuilderConfig(name="default", version=datasets.Version("1.0.0"), description="KOTE, 44 labels")
    ]
    DEFAULT_CONFIG_NAME = "default"
    MISSING_DATA_HINT = (
        "pass data_dir= the folder holding KOTE's train.tsv / val.tsv / test.tsv "
        "(from https://github.com/searle-j/KOTE)"
    )

    def _features(self) -> datasets.Features:
        return datasets.Features(
            {
                "id": datasets.Value("string"),
                "text": datasets.Value("string"),
                "labels": datasets.List(datasets.ClassLabel(names=LABELS)),
            }
        )

    def _read_file(self, path: Path) -> list[dict[str, Any]]:
        columns = ("id", "text", "label_ids")
        ids = UniqueIds()
        rows = []
        for i, line in enumerate(read_lines(path, what="KOTE file")):
            line_no = i + 1
            id_, text, label_ids = split_tsv(path, line_no, line, columns)
            id_ = id_.strip()
            if not id_:
                raise LyricMoodError("empty id", file=path, line=line_no, field="id", hint="fill in the id")
            ids.add(id_, path, line_no)
            rows.append(
                {
                    "id": id_,
                    "text": require_text(path, line_no, text),
                    "labels": parse_label_ids(path, line_no, label_ids, len(LABELS)),
                }
            )
        return rows

    def _read_splits(self) -> dict[str, list[dict[str, Any]]]:
        if self.config.data_files:
            return {
                split: [row for path in files for row in self._read_file(Path(path))]
                for split, files in self.config.data_files.items()
            }
        root = self._require_data_dir()
        if root.is_dir() and not any((root / f).exists() for f in _SPLIT_FILES.values()) and (root / "kote").is_dir():
            root = root / "kote"  # accept the parent folder too (e.g. ../shared/data)
        splits = {
            split: self._read_file(root / name) for split, name in _SPLIT_FILES.items() if (root / name).exists()
        }
        if not splits:
            raise LyricMoodError(
                "no KOTE split file found (expected train.tsv, val.tsv or test.tsv)",
                file=root,
                hint=self.MISSING_DATA_HINT,
            )
        return splits
