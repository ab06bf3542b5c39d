"""Dataset builders (datasets_scripts/) and ``lyricmood data export``.

References are independent: the shared TSVs parsed here by hand, the fixture generator's own
table of dialogues, and the GoEmotions groupings re-typed from the published JSON files.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import shutil
from pathlib import Path

import datasets
import pytest

from lyricmood.cli import main as cli_main
from lyricmood.datasets_scripts import (
    BUILDERS,
    GoEmotions,
    aihub_emotion,
    goemotions,
    load_builder_dataset,
    lyrics_catalog,
)
from lyricmood.errors import LyricMoodError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AIHUB = FIXTURES / "aihub"
CATALOG = FIXTURES / "catalog"


def _load_fixture_table():
    spec = importlib.util.spec_from_file_location("aihub_fixture_table", AIHUB / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AIHUB_TABLE = _load_fixture_table()


def _read_tsv(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def _names(dataset: datasets.Dataset, column: str = "labels") -> list[list[str]]:
    feature = dataset.features[column].feature
    return [[feature.int2str(i) for i in ids] for ids in dataset[column]]


# -- GoEmotions ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def goemotions_built(shared_data):
    root = shared_data / "goemotions"
    return {config: load_builder_dataset("goemotions", config, data_dir=root) for config in ("en", "ko", "en+ko")}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_goemotions_rows_and_labels_match_the_tsv(goemotions_built, shared_data, lang):
    root = shared_data / "goemotions"
    names = (root / lang / "labels.txt").read_text(encoding="utf-8").split()
    ds = goemotions_built[lang]
    assert set(ds) == {"train", "validation", "test"}
    for split, file_name in (("train", "train.tsv"), ("validation", "dev.tsv"), ("test", "test.tsv")):
        rows = _read_tsv(root / lang / file_name)
        part = ds[split]
        assert part.num_rows == len(rows)
        assert part["text"] == [r[0].strip() for r in rows]
        assert _names(part) == [sorted((names[int(i)] for i in r[1].split(",")), key=names.index) for r in rows]
        assert set(part["lang"]) == {lang}
        en_ids = [r[2] for r in _read_tsv(root / "en" / file_name)]
        assert part["id"] == en_ids  # ko rows carry the id of the English row they translate
    assert ds["train"].features["labels"].feature.names == names


@pytest.mark.slow
def test_goemotions_en_plus_ko_concatenates(goemotions_built):
    both, en, ko = goemotions_built["en+ko"], goemotions_built["en"], goemotions_built["ko"]
    for split in ("train", "validation", "test"):
        assert both[split].num_rows == en[split].num_rows + ko[split].num_rows
        n = en[split].num_rows
        assert both[split]["lang"] == ["en"] * n + ["ko"] * ko[split].num_rows
        assert both[split]["text"][n:] == ko[split]["text"]
        assert both[split]["labels"][:n] == en[split]["labels"]


def test_goemotions_ko_ids_without_english_files(shared_data, tmp_path):
    (tmp_path / "ko").mkdir()
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        lines = (shared_data / "goemotions" / "ko" / name).read_text(encoding="utf-8").splitlines()[:5]
        (tmp_path / "ko" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_builder_dataset("goemotions", "ko", data_dir=tmp_path)
    assert ds["validation"]["id"] == [f"ko-validation-{i}" for i in range(5)]


# Published GoEmotions groupings (ekman_mapping.json, sentiment_mapping.json), typed independently.
EKMAN = {
    "anger": "anger annoyance disapproval", "disgust": "disgust", "fear": "fear nervousness",
    "joy": "joy amusement approval excitement gratitude love optimism relief pride admiration desire caring",
    "sadness": "sadness disappointment embarrassment grief remorse",
    "surprise": "surprise realization confusion curiosity", "neutral": "neutral",
}  # fmt: skip
SENTIMENT = {
    "positive": "amusement excitement joy love desire optimism caring pride admiration gratitude relief approval",
    "negative": "fear nervousness remorse embarrassment disappointment sadness grief disgust anger annoyance disapproval",
    "ambiguous": "realization surprise curiosity confusion", "neutral": "neutral",
}  # fmt: skip


@pytest.fixture(scope="module")
def goemotions_small(shared_data, tmp_path_factory):
    """The first 300 rows of each English file: enough to exercise every grouping quickly."""
    root = tmp_path_factory.mktemp("goemotions_small")
    (root / "en").mkdir()
    for name in ("train.tsv", "dev.tsv", "test.tsv", "labels.txt"):
        lines = (shared_data / "goemotions" / "en" / name).read_text(encoding="utf-8").splitlines()[:300]
        (root / "en" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("config", "kwargs", "mapping"),
    [("en-ekman", {}, EKMAN), ("en-sentiment", {}, SENTIMENT), ("en", {"grouping": "ekman"}, EKMAN)],
)
def test_goemotions_groupings(goemotions_small, config, kwargs, mapping):
    fine = load_builder_dataset("goemotions", "en", data_dir=goemotions_small)["train"]
    grouped = load_builder_dataset("goemotions", config, data_dir=goemotions_small, **kwargs)["train"]
    assert grouped.features["labels"].feature.names == list(mapping)
    group_of = {fine_name: group for group, members in mapping.items() for fine_name in members.split()}
    assert len(group_of) == 28
    expected = [sorted({group_of[n] for n in names}, key=list(mapping).index) for names in _names(fine)]
    assert _names(grouped) == expected
    assert grouped["id"] == fine["id"]
    # a few rows by hand: "joy"+"gratitude" is one ekman "joy"; "fear"+"surprise" two sentiments
    assert goemotions.group_label_ids([17, 15], "ekman") == [3]
    assert goemotions.group_label_ids([14, 26], "sentiment") == [1, 2]


def test_goemotions_unknown_grouping_is_reported(goemotions_small):
    with pytest.raises(LyricMoodError, match="unknown grouping 'plutchik'"):
        load_builder_dataset("goemotions", "en", data_dir=goemotions_small, grouping="plutchik")


# -- KOTE ---------------------------------------------------------------------------------------


def test_kote_rows_and_labels_match_the_tsv(shared_data):
    ds = load_builder_dataset("kote", data_dir=shared_data / "kote")
    assert list(ds) == ["validation"]
    rows = _read_tsv(shared_data / "kote" / "val.tsv")
    part = ds["validation"]
    assert part.num_rows == len(rows) == 5000
    assert part["id"] == [r[0] for r in rows]
    names = part.features["labels"].feature.names
    assert len(names) == 44 and names[24] == "없음" and names[-1] == "안심/신뢰"
    assert _names(part) == [[names[int(i)] for i in sorted(set(map(int, r[2].split(","))))] for r in rows]


# -- AI-Hub -------------------------------------------------------------------------------------


def _expected_aihub(split: str, mode: str, level: str, fmt: str) -> list[tuple[str, str, str]]:
    """(id, text, label name) per example, from the fixture generator's own table."""
    expected = []
    for index, (code, _, _, said, dialogue_split) in enumerate(AIHUB_TABLE.DIALOGUES):
        if dialogue_split != split:
            continue
        n = int(code[1:])
        label = (
            aihub_emotion.FINE_LABELS[n - 10]
            if level == "fine"
            else ["분노", "슬픔", "불안", "상처", "당황", "기쁨"][n // 10 - 1]
        )
        # JSON ids are talk-ids; XLSX ids come from 연번 (1-based)
        dialogue_id = AIHUB_TABLE.talk_id(index) if fmt == "json" else str(index + 1)
        if mode == "first":
            expected.append((dialogue_id, said[0], label))
        elif mode == "joined":
            expected.append((dialogue_id, " ".join(said), label))
        else:
            expected.extend((f"{dialogue_id}-{k}", text, label) for k, text in enumerate(said, start=1))
    return expected


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.parametrize(
    ("config", "mode"), [("fine", "all"), ("fine", "first"), ("major", "all"), ("major", "joined")]
)
def test_aihub_both_formats(fmt, config, mode):
    ds = load_builder_dataset("aihub_emotion", config, data_dir=AIHUB / fmt, utterances=mode)
    assert set(ds) == {"train", "validation"}
    label_feature = ds["train"].features["label"]
    assert label_feature.num_classes == (60 if config == "fine" else 6)
    for split in ("train", "validation"):
        part = ds[split]
        got = list(zip(part["id"], part["text"], label_feature.int2str(part["label"])))
        assert got == _expected_aihub(split, mode, config, fmt)


def test_aihub_label_names_are_unique_and_complete():
    names = aihub_emotion.FINE_LABELS
    assert len(names) == len(set(names)) == 60
    assert names[51 - 10] == "고립된(당황)" and names[43 - 10] == "고립된" and names[59 - 10] == "혼란스러운(당황)"


def test_aihub_auto_format_prefers_json(tmp_path):
    for fmt in ("json", "xlsx"):
        for path in (AIHUB / fmt).iterdir():
            shutil.copy(path, tmp_path / path.name)
    ds = load_builder_dataset("aihub_emotion", "fine", data_dir=tmp_path, utterances="first")
    assert ds["train"].num_rows == 8 and ds["validation"].num_rows == 4
    ds = load_builder_dataset("aihub_emotion", "fine", data_dir=tmp_path, utterances="first", file_format="xlsx")
    assert ds["train"]["id"][0] == "1"


# -- lyrics catalog -----------------------------------------------------------------------------


def test_catalog_csv():
    songs = load_builder_dataset("lyrics_catalog", data_files=str(CATALOG / "songs.csv"))["train"]
    assert songs["id"] == ["c1", "c2", "c3"]
    assert songs["year"] == [1998, None, 2015]
    assert songs["lang"] == ["en", "ko", "en"]  # c2, c3 detected
    assert songs["intended_mood"] == ["nostalgic", None, "energetic"]
    assert songs[0]["lyrics"].splitlines()[:2] == ["[Verse 1]", "We fold our letters into paper boats"]
    assert "[후렴]" in songs[1]["lyrics"].splitlines()


def test_catalog_jsonl():
    songs = load_builder_dataset("lyrics_catalog", data_files=[CATALOG / "songs.jsonl"])["train"]
    assert songs["id"] == ["j1", "j2", "j3"]
    assert songs["year"] == [2003, None, None]
    assert songs["lang"] == ["en", "ko", "en"]
    assert songs["artist"] == ["Fictional Folk", "지어낸 밴드", ""]
    assert songs[1]["lyrics"] == "봄비가 내리면\n너와 걷던 길이 생각나"


def test_catalog_lrc_and_txt_folder():
    songs = load_builder_dataset("lyrics_catalog", data_dir=CATALOG / "folder")["train"].to_list()
    by_id = {song["id"]: song for song in songs}
    assert set(by_id) == {"rain_walk", "plain_song"}
    rain = by_id["rain_walk"]
    assert (rain["title"], rain["artist"], rain["year"], rain["lang"]) == ("Rain Walk", "Nobody Real", None, "en")
    assert rain["lyrics"].splitlines() == [
        "[Verse 1]", "Puddles on the pavement", "shine like broken glass", "",
        "[Chorus]", "Walk with me in the rain", "[후렴]", "비 오는 거리를 걸어",
    ]  # fmt: skip
    plain = by_id["plain_song"]
    assert (plain["title"], plain["artist"]) == ("plain_song", "")
    assert plain["lyrics"] == "No tags here\nJust a plain text song\n\nSecond verse, still plain"


def test_catalog_folder_of_mixed_files_and_detect_lang():
    songs = load_builder_dataset("lyrics_catalog", data_dir=CATALOG)["train"]
    assert songs.num_rows == 8
    assert lyrics_catalog.detect_lang("안녕하세요 hello") == "ko"
    assert lyrics_catalog.detect_lang("hello hello hello 안녕") == "en"


def test_catalog_demo_config():
    path = lyrics_catalog.demo_catalog_path()
    if not path.is_file():
        pytest.skip(f"demo catalog not written yet: {path}")
    songs = load_builder_dataset("lyrics_catalog", "demo")["train"]
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert songs["id"] == [str(line["id"]) for line in lines]
    assert set(songs["lang"]) <= {"ko", "en"}


def test_catalog_sees_an_edited_file(tmp_path):
    path = tmp_path / "songs.csv"
    path.write_text("id,title,lyrics\na,A,first words\n", encoding="utf-8")
    assert load_builder_dataset("lyrics_catalog", data_files=path)["train"]["lyrics"] == ["first words"]
    path.write_text("id,title,lyrics\na,A,second words\nb,B,more\n", encoding="utf-8")
    assert load_builder_dataset("lyrics_catalog", data_files=path)["train"]["lyrics"] == ["second words", "more"]
    assert load_builder_dataset("lyrics_catalog", data_dir=tmp_path)["train"]["id"] == ["a", "b"]
    (tmp_path / "c.txt").write_text("a third song\n", encoding="utf-8")
    assert sorted(load_builder_dataset("lyrics_catalog", data_dir=tmp_path)["train"]["id"]) == ["a", "b", "c"]
    path.write_text("id,title,lyrics\na,A,\n", encoding="utf-8")
    with pytest.raises(LyricMoodError, match="empty lyrics"):
        load_builder_dataset("lyrics_catalog", data_files=path)


# -- bad input ----------------------------------------------------------------------------------


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _aihub_json(tmp_path: Path, mutate) -> Path:
    dialogues = json.loads((AIHUB / "json" / "emotion_Training.json").read_text(encoding="utf-8"))
    mutate(dialogues)
    return _write(tmp_path / "aihub" / "x_Training.json", json.dumps(dialogues, ensure_ascii=False))


def _aihub_xlsx(tmp_path: Path, mutate) -> Path:
    import pandas as pd

    frame = pd.read_excel(AIHUB / "xlsx" / "emotion_Training.xlsx", engine="openpyxl")
    frame = mutate(frame)
    path = tmp_path / "aihub" / "x_Training.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_excel(path, index=False, engine="openpyxl")
    return path


BAD_KOTE = {
    "missing column": ("1\t좋아요\n", r"val\.tsv, line 1, field 'label_ids': expected 3 tab-separated columns"),
    "empty text": ("1\t좋아요\t1\n2\t \t3\n", r"val\.tsv, line 2, field 'text': empty text"),
    "unknown label": ("1\t좋아요\t1,44\n", r"val\.tsv, line 1, field 'label_ids': unknown label id '44'"),
    "duplicate id": (
        "7\t좋아요\t1\n7\t싫어요\t0\n",
        r"val\.tsv, line 2, field 'id': duplicate id '7' \(first seen in val\.tsv line 1\)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_KOTE))
def test_kote_bad_input(tmp_path, case):
    text, message = BAD_KOTE[case]
    _write(tmp_path / "val.tsv", text)
    with pytest.raises(LyricMoodError, match=message):
        load_builder_dataset("kote", data_dir=tmp_path)


def test_bad_encoding_is_reported(tmp_path):
    _write(tmp_path / "kote" / "val.tsv", "1\t좋아요\t1\n2\t정말 싫어요\t0\n", encoding="cp949")
    with pytest.raises(LyricMoodError, match=r"val\.tsv, line 1: not valid UTF-8.*Fix: re-save the file as UTF-8"):
        load_builder_dataset("kote", data_dir=tmp_path / "kote")
    csv_path = _write(tmp_path / "songs.csv", "id,title,lyrics\n1,봄,봄이 왔어요\n", encoding="cp949")
    with pytest.raises(LyricMoodError, match=r"songs\.csv, line 2: not valid UTF-8"):
        load_builder_dataset("lyrics_catalog", data_files=csv_path)


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(LyricMoodError, match=r"nowhere: data folder not found"):
        load_builder_dataset("kote", data_dir=tmp_path / "nowhere")
    with pytest.raises(LyricMoodError, match=r"no KOTE split file found"):
        load_builder_dataset("kote", data_dir=tmp_path)
    with pytest.raises(LyricMoodError, match=r"songs\.csv: data file not found"):
        load_builder_dataset("lyrics_catalog", data_files=tmp_path / "songs.csv")
    with pytest.raises(LyricMoodError, match=r"needs a data folder.*aihub\.or\.kr"):
        load_builder_dataset("aihub_emotion", "fine")
    (tmp_path / "ge" / "en").mkdir(parents=True)
    _write(tmp_path / "ge" / "en" / "labels.txt", "\n".join(goemotions.LABELS) + "\n")
    _write(tmp_path / "ge" / "en" / "train.tsv", "hello\t0\tid1\n")
    with pytest.raises(LyricMoodError, match=r"dev\.tsv: GoEmotions en validation file not found"):
        load_builder_dataset("goemotions", "en", data_dir=tmp_path / "ge")
    with pytest.raises(LyricMoodError, match=r"no 'ko' folder"):
        load_builder_dataset("goemotions", "ko", data_dir=tmp_path / "ge")


def test_goemotions_bad_rows(tmp_path):
    en = tmp_path / "en"
    _write(en / "labels.txt", "\n".join(goemotions.LABELS) + "\n")
    for name in ("dev.tsv", "test.tsv"):
        _write(en / name, "fine\t27\tok1\n")
    _write(en / "train.tsv", "good\t1,2\ta1\nbad\t28\ta2\n")
    with pytest.raises(LyricMoodError, match=r"train\.tsv, line 2, field 'label_ids': unknown label id '28'"):
        load_builder_dataset("goemotions", "en", data_dir=tmp_path)
    _write(en / "train.tsv", "good\t1\ta1\nagain\t2\ta1\n")
    with pytest.raises(LyricMoodError, match=r"line 2, field 'comment_id': duplicate id 'a1'"):
        load_builder_dataset("goemotions", "en", data_dir=tmp_path)
    _write(en / "labels.txt", "\n".join(reversed(goemotions.LABELS)) + "\n")
    with pytest.raises(LyricMoodError, match=r"labels\.txt: label list differs"):
        load_builder_dataset("goemotions", "en", data_dir=tmp_path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d[2]["profile"]["emotion"].update(type="E70"),
            r"field '\[2\]\.profile\.emotion\.type': unknown emotion 'E70'",
        ),
        (lambda d: d[1]["talk"]["content"].update(HS01=""), r"field '\[1\]\.talk\.content\.HS01': empty text"),
        (
            lambda d: d[3]["talk"]["id"].update({"talk-id": "fx-0001"}),
            r"field '\[3\]\.talk\.id\.talk-id': duplicate id 'fx-0001'",
        ),
        (lambda d: d[0].pop("talk"), r"field '\[0\]': missing profile\.emotion or talk\.content"),
    ],
    ids=["unknown label", "empty text", "duplicate id", "missing field"],
)
def test_aihub_json_bad_input(tmp_path, mutate, message):
    path = _aihub_json(tmp_path, mutate)
    with pytest.raises(LyricMoodError, match=r"x_Training\.json, " + message):
        load_builder_dataset("aihub_emotion", "fine", data_dir=path.parent)


def _set(frame, row, column, value):
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns=["사람문장1"]), r"line 1, field '사람문장1': missing column '사람문장1'"),
        (
            lambda f: _set(f, 2, "감정_소분류", "행복한 척하는"),
            r"line 4, field '감정_소분류': unknown emotion '행복한 척하는'",
        ),
        (lambda f: _set(f, 1, "사람문장1", None), r"line 3, field '사람문장1': empty text"),
        (lambda f: _set(f, 4, "연번", 1), r"line 6, field '연번': duplicate id '1'"),
        (lambda f: _set(f, 6, "감정_대분류", None), r"line 8, field '감정_소분류': unknown emotion '고립된'"),
    ],
    ids=["missing column", "unknown label", "empty text", "duplicate id", "ambiguous name without group"],
)
def test_aihub_xlsx_bad_input(tmp_path, mutate, message):
    path = _aihub_xlsx(tmp_path, mutate)
    with pytest.raises(LyricMoodError, match=r"x_Training\.xlsx, " + message):
        load_builder_dataset("aihub_emotion", "fine", data_dir=path.parent)


def test_aihub_not_an_xlsx(tmp_path):
    _write(tmp_path / "broken_Training.xlsx", "this is not a spreadsheet")
    with pytest.raises(LyricMoodError, match=r"broken_Training\.xlsx: cannot read as \.xlsx"):
        load_builder_dataset("aihub_emotion", "fine", data_dir=tmp_path)


@pytest.mark.parametrize(
    ("file_name", "text", "message"),
    [
        ("s.csv", "id,title,artist\n1,A,B\n", r"s\.csv, line 1, field 'lyrics': missing column 'lyrics'"),
        (
            "s.csv",
            'id,title,lyrics\n1,A,"two\nlines"\n2,B,  \n',
            r"s\.csv, line 4, field 'lyrics': empty lyrics for song '2'",
        ),
        ("s.csv", "id,title,lyrics,year\n1,A,la,199x\n", r"line 2, field 'year': year '199x' is not a whole number"),
        (
            "s.jsonl",
            '{"id": "1", "title": "A", "lyrics": "la"}\n{"id": "1", "title": "B", "lyrics": "la"}\n',
            r"s\.jsonl, line 2, field 'id': duplicate id '1'",
        ),
        ("s.jsonl", '{"id": "1", "lyrics": "la"}\n', r"s\.jsonl, line 1, field 'title': missing field 'title'"),
        ("s.jsonl", '{"id": "1", "title": "A", "lyrics": "la"}\n{oops\n', r"s\.jsonl, line 2: invalid JSON"),
    ],
    ids=["missing column", "empty text", "bad year", "duplicate id", "missing field", "bad json"],
)
def test_catalog_bad_input(tmp_path, file_name, text, message):
    path = _write(tmp_path / file_name, text)
    with pytest.raises(LyricMoodError, match=message):
        load_builder_dataset("lyrics_catalog", data_files=path)


def test_catalog_duplicate_id_across_files(tmp_path):
    _write(tmp_path / "a.csv", "id,title,lyrics\nrain,Rain,la la\n")
    _write(tmp_path / "rain.txt", "drip drop\n")
    with pytest.raises(
        LyricMoodError, match=r"rain\.txt, field 'id': duplicate id 'rain' \(first seen in a\.csv line 2\)"
    ):
        load_builder_dataset("lyrics_catalog", data_dir=tmp_path)


def test_unknown_names_and_options():
    with pytest.raises(LyricMoodError, match="unknown dataset 'imdb'"):
        load_builder_dataset("imdb")
    with pytest.raises(LyricMoodError, match="unknown config 'fr' for goemotions"):
        load_builder_dataset("goemotions", "fr", data_dir=AIHUB)
    with pytest.raises(
        LyricMoodError, match="unknown option 'colour'.*takes the options level, utterances, file_format"
    ):
        load_builder_dataset("aihub_emotion", "fine", data_dir=AIHUB / "json", colour="red")
    with pytest.raises(LyricMoodError, match="unknown utterances 'some'"):
        load_builder_dataset("aihub_emotion", "fine", data_dir=AIHUB / "json", utterances="some")


# -- builders as classes, cards, doctests -------------------------------------------------------


def test_builder_class_api_and_cards(tmp_path):
    assert set(BUILDERS) == {"goemotions", "kote", "aihub_emotion", "lyrics_catalog"}
    builder = BUILDERS["aihub_emotion"](
        config_name="major", data_dir=str(AIHUB / "json"), cache_dir=str(tmp_path / "cache")
    )
    builder.download_and_prepare()
    ds = builder.as_dataset()
    assert ds["validation"].features["label"].names == ["분노", "슬픔", "불안", "상처", "당황", "기쁨"]
    assert (tmp_path / "cache").is_dir()
    assert isinstance(GoEmotions.builder_configs["en+ko-ekman"], goemotions.GoEmotionsConfig)
    package = Path(aihub_emotion.__file__).parent
    for name, cls in BUILDERS.items():
        module = __import__(cls.__module__, fromlist=["_"])
        assert module._DESCRIPTION and module._LICENSE and hasattr(module, "_CITATION")
        card = (package / f"{name}.md").read_text(encoding="utf-8")
        assert card.startswith("---\nlicense: ")
        for config in cls.builder_configs:
            assert f"config_name: {config}\n" in card


@pytest.mark.parametrize("module", [goemotions, aihub_emotion, lyrics_catalog])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# -- lyricmood data export ----------------------------------------------------------------------


def test_cli_export_writes_parquet_and_card(tmp_path, capsys):
    out = tmp_path / "hub"
    argv = ["data", "export", "aihub_emotion", "--config", "fine", "--config", "major"]
    argv += ["--data-dir", str(AIHUB / "json"), "--out", str(out), "--option", "utterances=first"]
    assert cli_main(argv) == 0
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        ".lyricmood", "README.md",
        "fine/train-00000-of-00001.parquet", "fine/validation-00000-of-00001.parquet",
        "major/train-00000-of-00001.parquet", "major/validation-00000-of-00001.parquet",
    ]  # fmt: skip
    reloaded = datasets.load_dataset("parquet", data_files={"train": str(out / "major" / "train-*.parquet")})
    assert reloaded["train"].num_rows == 8
    assert reloaded["train"].features["label"].names[0] == "분노"
    assert reloaded["train"]["code"] == [d[0] for d in AIHUB_TABLE.DIALOGUES if d[4] == "train"]
    # the card's YAML makes the folder loadable per config, as on the Hub
    via_card = datasets.load_dataset(str(out), "fine")
    assert via_card["validation"].num_rows == 4
    assert via_card["validation"].features["label"].num_classes == 60

    before = (out / "README.md").stat().st_mtime_ns
    assert cli_main(argv) == 1
    assert "not empty" in capsys.readouterr().err
    assert (out / "README.md").stat().st_mtime_ns == before
    assert cli_main(argv[:-2] + ["--overwrite"]) == 0  # utterances=all now
    assert datasets.load_dataset("parquet", data_files=str(out / "fine" / "train-*.parquet"))["train"].num_rows == 23
    # --overwrite replaces an earlier export, never a folder lyricmood did not write
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep")
    assert cli_main(argv[:-4] + ["--out", str(mine), "--overwrite"]) == 1
    assert "not created by lyricmood" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]


def test_cli_export_kote_counts(tmp_path, shared_data):
    out = tmp_path / "kote"
    assert cli_main(["data", "export", "kote", "--data-dir", str(shared_data / "kote"), "--out", str(out)]) == 0
    reloaded = datasets.load_dataset(
        "parquet", data_files={"validation": str(out / "default" / "validation-*.parquet")}
    )
    assert reloaded["validation"].num_rows == 5000
    assert (out / "LICENSE-MIT.txt").is_file()
    assert "path: default/validation-*.parquet" in (out / "README.md").read_text(encoding="utf-8")


def test_cli_export_bad_input_leaves_nothing(tmp_path, capsys):
    _write(tmp_path / "in" / "s.csv", "id,title\n1,A\n")
    out = tmp_path / "out"
    assert (
        cli_main(
            ["data", "export", "lyrics_catalog", "--data-files", str(tmp_path / "in" / "s.csv"), "--out", str(out)]
        )
        == 1
    )
    assert "missing column 'lyrics'" in capsys.readouterr().err
    assert not out.exists()


def test_error_raised_while_generating_is_not_wrapped(tmp_path):
    """datasets wraps errors from _generate_examples in DatasetGenerationError; ours come through."""
    from lyricmood.datasets_scripts.kote import Kote

    class LateFailingKote(Kote):
        def _generate_examples(self, examples):
            yield 0, examples[0]
            raise LyricMoodError("bad row", file="late.tsv", line=2)

    _write(tmp_path / "val.tsv", "1\t좋아요\t1\n2\t싫어요\t0\n")
    builder = LateFailingKote(data_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(LyricMoodError, match=r"late\.tsv, line 2: bad row"):
        builder.download_and_prepare()
