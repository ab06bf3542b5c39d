"""AI-Hub 감성대화말뭉치 (emotional dialogue corpus), from the user's own copy (JSON or XLSX).

The corpus cannot be redistributed: get it from https://aihub.or.kr under its terms, then

    >>> from lyricmood.datasets_scripts import AIHubEmotion
    >>> builder = AIHubEmotion(config_name="fine", data_dir="~/aihub/감성대화")  # doctest: +SKIP
    >>> builder.download_and_prepare(); ds = builder.as_dataset()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets

from lyricmood.errors import LyricMoodError

from ._common import LocalFilesBuilder, UniqueIds, files_with_suffix, read_text, split_from_name

_DESCRIPTION = """\
AI-Hub 감성대화말뭉치: Korean dialogues between a person and a system, each tagged with one of 60
emotions (E10–E69) in 6 major groups (분노, 슬픔, 불안, 상처, 당황, 기쁨). Examples are the
person's utterances (사람문장 / HS01–HS03). Single-label. Read from the user's own copy in either
AI-Hub format (JSON or XLSX); nothing is downloaded or redistributed.
"""

_CITATION = """\
@misc{aihub_emotional_dialogue,
  title = {감성 대화 말뭉치 (Emotional Dialogue Corpus)},
  author = {{NIA, AI-Hub}},
  howpublished = {\\url{https://aihub.or.kr/aihubdata/data/view.do?dataSetSn=86}},
  year = {2021}
}
"""

_HOMEPAGE = "https://aihub.or.kr/aihubdata/data/view.do?dataSetSn=86"
_LICENSE = "other"  # AI-Hub terms of use: obtain your own copy; no redistribution.

# E10..E69 in order. Names must be unique for a ClassLabel: the two sub-labels whose name repeats
# in another group carry their group in brackets.
FINE_LABELS = [
    "분노", "툴툴대는", "좌절한", "짜증내는", "방어적인", "악의적인", "안달하는", "구역질 나는", "노여워하는", "성가신",
    "슬픔", "실망한", "비통한", "후회되는", "우울한", "마비된", "염세적인", "눈물이 나는", "낙담한", "환멸을 느끼는",
    "불안", "두려운", "스트레스 받는", "취약한", "혼란스러운", "당혹스러운", "회의적인", "걱정스러운", "조심스러운", "초조한",
    "상처", "질투하는", "배신당한", "고립된", "충격 받은", "가난한 불우한", "희생된", "억울한", "괴로워하는", "버려진",
    "당황", "고립된(당황)", "남의 시선을 의식하는", "외로운", "열등감", "죄책감의", "부끄러운", "혐오스러운", "한심한", "혼란스러운(당황)",
    "기쁨", "감사하는", "신뢰하는", "편안한", "만족스러운", "흥분", "느긋", "안도", "신이 난", "자신하는",
]  # fmt: skip
FINE_CODES = [f"E{n}" for n in range(10, 70)]
MAJOR_LABELS = ["분노", "슬픔", "불안", "상처", "당황", "기쁨"]
UTTERANCE_MODES = ("first", "all", "joined")
FILE_FORMATS = ("auto", "json", "xlsx")


def major_of(code: str) -> int:
    """Index in :data:`MAJOR_LABELS` of a fine code: ``"E23"`` → 1 (슬픔)."""
    return int(code[1]) - 1


def _normalize(name: str) -> str:
    return re.sub(r"[\s,·/]+", "", str(name))


def _name_lookup() -> dict[str, list[str]]:
    """Normalised sub-label name → codes ("고립된" → [E43, E51]); bracketed and plain forms both."""
    lookup: dict[str, list[str]] = {}
    for code, name in zip(FINE_CODES, FINE_LABELS):
        for form in {name, re.sub(r"\(.*\)$", "", name)}:
            lookup.setdefault(_normalize(form), []).append(code)
    return lookup


_NAME_TO_CODES = _name_lookup()
_CODE_RE = re.compile(r"(?<![A-Za-z0-9])E([1-6]\d)(?!\d)")


def code_from_name(sub: str, major: str | None = None) -> str | None:
    """AI-Hub 감정_소분류 (a name such as "노여워하는", or a code "E18") → code, or None if unknown.

    Names shared by two groups (고립된, 혼란스러운) are resolved with 감정_대분류.

    >>> code_from_name("구역질나는"), code_from_name("가난한, 불우한"), code_from_name("고립된", "당황")
    ('E17', 'E45', 'E51')
    """
    norm = _normalize(sub)
    coded = re.fullmatch(r"(E[1-6]\d)(.*)", norm)
    if coded:  # "E18" or "E18 노여워하는"
        code, rest = coded.groups()
        return code if not rest or code in _NAME_TO_CODES.get(rest, []) else None
    codes = _NAME_TO_CODES.get(norm, [])
    if len(codes) > 1 and major:
        codes = [c for c in codes if MAJOR_LABELS[major_of(c)] == _normalize(major)]
    return codes[0] if len(codes) == 1 else None


@dataclass
class AIHubEmotionConfig(datasets.BuilderConfig):
    """``level``: ``"fine"`` (60 labels) or ``"major"`` (6 groups).
    ``utterances``: ``"all"`` (each person utterance is an example; default), ``"first"`` (only the
    first one per dialogue) or ``"joined"`` (a dialogue's person utterances joined by a space).
    ``file_format``: ``"auto"`` (JSON files if a split has any, else XLSX), ``"json"`` or ``"xlsx"``."""

    level: str = "fine"
    utterances: str = "all"
    file_format: str = "auto"

    def validate(self) -> None:
        for option, value, allowed in (
            ("level", self.level, ("fine", "major")),
            ("utterances", self.utterances, UTTERANCE_MODES),
            ("file_format", self.file_format, FILE_FORMATS),
        ):
            if value not in allowed:
                raise LyricMoodError(f"unknown {option} {value!r}", field=option, hint=f"use one of {list(allowed)}")


class AIHubEmotion(LocalFilesBuilder):
    """AI-Hub 감성대화말뭉치. ``data_dir``: a folder searched (recursively) for the corpus' ``.json``
    and/or ``.xlsx`` files; the split comes from the file name (``Training``/``train`` → train,
    ``Validation``/``val`` → validation, ``test`` → test, anything else → train).
    Or ``data_files={"train": [...], "validation": [...]}``."""

    DESCRIPTION, HOMEPAGE, CITATION, LICENSE = _DESCRIPTION, _HOMEPAGE, _CITATION, _LICENSE

    BUILDER_CONFIG_CLASS = AIHubEmotionConfig
    BUILDER_CONFIGS = [
        AIHubEmotionConfig(
            name="fine", level="fine", version=datasets.Version("1.0.0"), description="60 emotions E10–E69"
        ),
        AIHubEmotionConfig(
            name="major", level="major", version=datasets.Version("1.0.0"), description="6 major groups"
        ),
    ]
    DEFAULT_CONFIG_NAME = "fine"
    MISSING_DATA_HINT = (
        "download 감성대화말뭉치 yourself from https://aihub.or.kr (dataSetSn=86, under its terms) and pass "
        "data_dir= the folder holding its .json or .xlsx files"
    )

    def _features(self) -> datasets.Features:
        self.config.validate()
        names = FINE_LABELS if self.config.level == "fine" else MAJOR_LABELS
        return datasets.Features(
            {
                "id": datasets.Value("string"),
                "dialogue_id": datasets.Value("string"),
                "text": datasets.Value("string"),
                "label": datasets.ClassLabel(names=list(names)),
                "code": datasets.Value("string"),
            }
        )

    # -- files ----------------------------------------------------------------------------------
    def _files_by_split(self) -> dict[str, list[Path]]:
        if self.config.data_files:
            by_split = {split: [Path(p) for p in files] for split, files in self.config.data_files.items()}
        else:
            root = self._require_data_dir()
            found = [root] if root.is_file() else files_with_suffix(root, (".json", ".xlsx"))
            if not found:
                raise LyricMoodError("no .json or .xlsx file found", file=root, hint=self.MISSING_DATA_HINT)
            by_split = {}
            for path in found:
                by_split.setdefault(split_from_name(path.name), []).append(path)
        for split, paths in by_split.items():
            fmt = self.config.file_format
            if fmt == "auto":
                # AI-Hub ships the same dialogues in both formats: never read both.
                fmt = "json" if any(p.suffix.lower() == ".json" for p in paths) else "xlsx"
            kept = [p for p in paths if p.suffix.lower() == f".{fmt}"]
            if not kept:
                raise LyricMoodError(
                    f"no .{fmt} file for the {split} split",
                    file=paths[0].parent,
                    hint="check file_format and the files",
                )
            by_split[split] = kept
        return by_split

    def _read_splits(self) -> dict[str, list[dict[str, Any]]]:
        splits = {}
        for split, paths in self._files_by_split().items():
            ids = UniqueIds()
            rows: list[dict[str, Any]] = []
            for path in paths:
                reader = self._read_json if path.suffix.lower() == ".json" else self._read_xlsx
                for dialogue_id, code, utterances, where in reader(path):
                    rows.extend(self._examples(path, where, dialogue_id, code, utterances, ids))
            splits[split] = rows
        return splits

    def _examples(
        self,
        path: Path,
        where: dict[str, Any],
        dialogue_id: str,
        code: str,
        utterances: list[tuple[str, str]],
        ids: UniqueIds,
    ) -> list[dict[str, Any]]:
        """One dialogue → its examples, per the ``utterances`` option.

        ``utterances`` is [(field, text)] for the person's turns; ``where`` has ``line`` (XLSX row)
        and ``id_field``, for error messages.
        """
        label = FINE_CODES.index(code) if self.config.level == "fine" else major_of(code)
        line = where.get("line")
        said = [text.strip() for _, text in utterances if text and text.strip()]
        if not utterances or not utterances[0][1].strip():
            field = utterances[0][0] if utterances else "사람문장1"
            raise LyricMoodError(
                "empty text", file=path, line=line, field=field, hint="every dialogue needs its first person utterance"
            )
        ids.add(dialogue_id, path, line, field=where["id_field"])
        if self.config.utterances == "first":
            said = said[:1]
        elif self.config.utterances == "joined":
            said = [" ".join(said)]
        examples = []
        for n, text in enumerate(said, start=1):
            id_ = dialogue_id if self.config.utterances != "all" else f"{dialogue_id}-{n}"
            examples.append({"id": id_, "dialogue_id": dialogue_id, "text": text, "label": label, "code": code})
        return examples

    def _read_json(self, path: Path):
        try:
            dialogues = json.loads(read_text(path, what="AI-Hub JSON file"))
        except json.JSONDecodeError as err:
            raise LyricMoodError(
                f"invalid JSON ({err.msg})", file=path, line=err.lineno, hint="check the file is the corpus' JSON"
            ) from None
        if not isinstance(dialogues, list):
            raise LyricMoodError(
                "expected a JSON list of dialogues", file=path, hint="use the corpus' original JSON file"
            )
        for i, dialogue in enumerate(dialogues):
            prefix = f"[{i}]"
            try:
                emotion = dialogue["profile"]["emotion"]
                content = dialogue["talk"]["content"]
            except (KeyError, TypeError):
                raise LyricMoodError(
                    "missing profile.emotion or talk.content", file=path, field=prefix, hint="each dialogue needs both"
                ) from None
            raw = emotion.get("type") or ""
            code = raw.strip() if raw.strip() in FINE_CODES else None
            if code is None and not raw:
                match = _CODE_RE.search(str(emotion.get("emotion-id", "")))
                code = f"E{match.group(1)}" if match else None
            if code is None:
                raise LyricMoodError(
                    f"unknown emotion {raw or emotion.get('emotion-id')!r}",
                    file=path,
                    field=f"{prefix}.profile.emotion.type",
                    hint="use a code E10–E69",
                )
            talk_id = (dialogue.get("talk", {}).get("id") or {}).get("talk-id")
            dialogue_id = str(talk_id) if talk_id else f"{path.stem}-{i}"
            human = sorted((k for k in content if re.fullmatch(r"HS\d+", k)), key=lambda k: int(k[2:]))
            if not human:
                raise LyricMoodError(
                    "no person utterance (HS01…)",
                    file=path,
                    field=f"{prefix}.talk.content.HS01",
                    hint="each dialogue needs HS01",
                )
            utterances = [(f"{prefix}.talk.content.{k}", str(content[k] or "")) for k in human]
            yield dialogue_id, code, utterances, {"id_field": f"{prefix}.talk.id.talk-id"}

    def _read_xlsx(self, path: Path):
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas comes with datasets
            raise LyricMoodError("reading .xlsx needs pandas", hint="pip install pandas openpyxl") from None
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise LyricMoodError(
                "reading .xlsx needs openpyxl", file=path, hint="pip install openpyxl, or use the JSON files"
            ) from None
        try:
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as err:  # openpyxl raises several types for a damaged/non-xlsx file
            raise LyricMoodError(
                f"cannot read as .xlsx ({type(err).__name__}: {err})", file=path, hint="re-save it as .xlsx"
            ) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        for column in ("감정_소분류", "사람문장1"):
            if column not in frame.columns:
                raise LyricMoodError(
                    f"missing column {column!r} (columns: {', '.join(frame.columns)})",
                    file=path,
                    line=1,
                    field=column,
                    hint="use the corpus' original .xlsx (header row with 감정_대분류, 감정_소분류, 사람문장1, …)",
                )
        human = sorted((c for c in frame.columns if re.fullmatch(r"사람문장\d+", c)), key=lambda c: int(c[4:]))
        id_column = next((c for c in ("연번", "번호", "id", "ID") if c in frame.columns), None)

        def cell(value: Any) -> str:
            return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()

        for i, row in enumerate(frame.to_dict("records")):
            line = i + 2  # the spreadsheet's row number: header is row 1
            sub, major = cell(row["감정_소분류"]), cell(row.get("감정_대분류"))
            code = code_from_name(sub, major or None)
            if code is None:
                raise LyricMoodError(
                    f"unknown emotion {sub!r}" + (f" (감정_대분류 {major!r})" if major else ""),
                    file=path,
                    line=line,
                    field="감정_소분류",
                    hint="use one of the corpus' 60 sub-label names (or a code E10–E69)",
                )
            raw_id = cell(row[id_column]) if id_column else ""
            if raw_id.endswith(".0"):
                raw_id = raw_id[:-2]  # numeric ids come back as floats from Excel
            dialogue_id = raw_id or f"{path.stem}-{i}"
            utterances = [(c, cell(row[c])) for c in human]
            yield dialogue_id, code, utterances, {"line": line, "id_field": id_column or "id"}
