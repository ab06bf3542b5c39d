"""Hub readiness: model and dataset cards the Hub reads, no machine path in anything shipped or uploaded,
Auto classes known after `import lyricmood.modeling` (`import lyricmood` stays free of torch), and the README install that CI runs."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import datasets
import pytest
from huggingface_hub import DatasetCard, ModelCard

from lyricmood.backbones import HUB_ID as E5_HUB_ID
from lyricmood.cli import main as cli_main
from lyricmood.default_model import shipped_dir
from lyricmood.model_card import backbone_hub_id, model_card, public_model_name, published_run_info
from lyricmood.modeling import LyricMoodConfig
from lyricmood.demo import demo_index_path
from lyricmood.testing import make_tiny_backbone, tiny_backbone_config

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
FAKE_BACKBONE_ID = "lyricmood-tests/tiny-bert"  # what a local backbone folder may record about itself
pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ------------------------------------------------------------------------------ fixtures
def _write_goemotions(root: Path, rows_per_split: int = 24) -> Path:
    """A small GoEmotions-format folder (en/ and ko/, line-aligned), labels following cue words."""
    cues = {"happy": 17, "sad": 25, "angry": 2, "love": 18}
    rng = random.Random(0)
    for lang in ("en", "ko"):
        (root / lang).mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        en, ko = [], []
        for i in range(rows_per_split):
            cue = rng.choice(sorted(cues) + ["the"])
            label = str(cues.get(cue, 27))
            en.append(f"{cue} night rain {i}\t{label}\t{split}{i}")
            ko.append(f"{cue} 밤 비 {i}\t{label}")
        (root / "en" / f"{split}.tsv").write_text("\n".join(en) + "\n", encoding="utf-8")
        (root / "ko" / f"{split}.tsv").write_text("\n".join(ko) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def goemotions_dir(tmp_path_factory) -> Path:
    return _write_goemotions(tmp_path_factory.mktemp("goemotions"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, goemotions_dir) -> Path:
    """A freshly trained tiny model folder (2 steps) on a backbone whose config records a Hub id."""
    from lyricmood.training import parse_args, train

    backbone = make_tiny_backbone(tmp_path_factory.mktemp("backbone"))
    config = json.loads((backbone / "config.json").read_text())
    (backbone / "config.json").write_text(json.dumps({**config, "_name_or_path": FAKE_BACKBONE_ID}))
    out = tmp_path_factory.mktemp("run")
    argv = [
        "--backbone", str(backbone), "--dataset", "goemotions", "--dataset_config", "en+ko",
        "--data_dir", str(goemotions_dir), "--output_dir", str(out / "my-run"), "--use_cpu", "true",
        "--max_steps", "2", "--per_device_train_batch_size", "8", "--save_strategy", "no", "--eval_strategy", "no",
        "--load_best_model_at_end", "false", "--report_to", "none",
    ]  # fmt: skip
    return Path(train(*parse_args(argv))["output_dir"])


# ------------------------------------------------------------------------------ model cards
def test_trained_model_card_is_read_by_the_hub(trained):
    card = ModelCard.load(trained / "README.md")
    results = json.loads((trained / "eval_results.json").read_text())
    assert card.data.base_model == FAKE_BACKBONE_ID
    assert card.data.datasets == ["google-research-datasets/go_emotions"]
    assert card.data.language == ["en", "ko"]
    assert card.data.metrics == ["f1"]
    # A backbone of unknown license: the card does not claim one.
    assert card.data.license == "other" and card.data.license_name == "base-model-license"
    found = {(r.dataset_split, r.metric_name): r.metric_value for r in card.data.eval_results}
    assert set(results) == {"validation", "test"}
    for split, metrics in results.items():
        assert found[(split, "macro-F1")] == pytest.approx(metrics["macro_f1"], abs=5e-5)
        assert found[(split, "micro-F1")] == pytest.approx(metrics["micro_f1"], abs=5e-5)
        assert found[(split, "similarity-weighted F1")] == pytest.approx(metrics["similarity_weighted_f1"], abs=5e-5)
    config = json.loads((trained / "config.json").read_text())
    assert config["backbone_config"]["_name_or_path"] == FAKE_BACKBONE_ID


@pytest.mark.slow
def test_card_usage_snippet_runs_without_prompts(trained, tmp_path):
    """The card's code, as a user pastes it, in a fresh interpreter without lyricmood and without a terminal."""
    text = (trained / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    assert 'model_id = "."' in snippet
    snippet = snippet.replace('model_id = "."', f"model_id = {str(trained)!r}")
    script = "import sys\nsys.modules['lyricmood'] = None\n" + snippet
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    labels = set(json.loads((trained / "config.json").read_text())["id2label"].values())
    printed = [eval(line) for line in done.stdout.strip().splitlines()]
    assert len(printed) == 2 and all(set(row) <= labels for row in printed), done.stdout


def _card(dataset: str, dataset_config: str, backbone: str, backbone_id: str | None = None):
    backbone_config = tiny_backbone_config()
    # As training records it: the Hub id of the backbone argument, "" for a local folder that names none.
    backbone_config._name_or_path = backbone_hub_id(backbone) if backbone_id is None else backbone_id
    config = LyricMoodConfig(backbone_config=backbone_config, id2label={0: "joy", 1: "sadness"})
    results = {"test": {"macro_f1": 0.5, "micro_f1": 0.6, "similarity_weighted_f1": 0.7, "num_examples": 10}}
    run_info = {"model_args": {"backbone": backbone},
                "data_args": {"dataset": dataset, "dataset_config": dataset_config, "data_dir": "/home/me/data/x"},
                "training_args": {"output_dir": "/home/me/runs/x"}}  # fmt: skip
    return model_card(config, results, run_info)


def test_card_license_and_metadata_follow_backbone_and_data():
    card = _card("goemotions", "en+ko", "multilingual-e5-small")
    assert card.data.base_model == E5_HUB_ID
    assert card.data.license == "apache-2.0"  # MIT backbone + Apache-2.0 data
    assert card.data.language == ["en", "ko"]
    card = _card("goemotions", "ko-ekman", "klue/bert-base")
    assert (card.data.base_model, card.data.license, card.data.language) == ("klue/bert-base", "cc-by-sa-4.0", ["ko"])

    card = _card("aihub_emotion", "major", "multilingual-e5-small")
    assert card.data.license == "other" and card.data.license_name == "aihub-terms-of-use"
    assert card.data.license_link.startswith("https://aihub.or.kr")
    assert card.data.datasets is None and card.data.language == ["ko"]
    assert "may not be redistributed" in card.text
    card = _card("kote", "default", "multilingual-e5-small")
    assert (card.data.datasets, card.data.license) == (["searle-j/kote"], "apache-2.0")
    assert "/home/me" not in str(card)
    card = _card("goemotions", "en", "my-backbone", backbone_id="")  # a local folder that records no Hub id
    assert card.data.base_model is None and card.data.license == "other"


def test_default_model_card_is_generated_from_its_results():
    shipped = shipped_dir()
    card = ModelCard.load(shipped / "README.md")
    results = json.loads((shipped / "eval_results.json").read_text())
    assert card.data.base_model == E5_HUB_ID
    test_macro = [r.metric_value for r in card.data.eval_results
                  if (r.dataset_config, r.dataset_split, r.metric_name) == ("en+ko", "test", "macro-F1")]
    assert test_macro == [pytest.approx(results["test"]["macro_f1"], abs=5e-5)]
    # The shipped card is exactly what `python -m lyricmood.model_card` writes from the shipped files.
    info = json.loads((shipped / "training_info.json").read_text())
    rebuilt = model_card(LyricMoodConfig.from_pretrained(shipped), results, info)
    assert str(rebuilt) == (shipped / "README.md").read_text(encoding="utf-8")


def test_card_rebuild_cleans_an_old_folder(tmp_path):
    """`python -m lyricmood.model_card FOLDER` on a folder written before: paths go, the card is rebuilt."""
    from lyricmood.model_card import write_card_files

    shipped = shipped_dir()
    config = json.loads((shipped / "config.json").read_text())
    config["backbone_config"]["_name_or_path"] = "/root/.cache/huggingface/lyricmood/backbones/e5"
    info = json.loads((shipped / "training_info.json").read_text())
    info["data_args"]["data_dir"] = "/home/me/data/goemotions"
    info["training_args"]["output_dir"] = "/home/me/runs/default-e5-arch2"
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "training_info.json").write_text(json.dumps(info))
    (tmp_path / "eval_results.json").write_bytes((shipped / "eval_results.json").read_bytes())
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\nhand-written\n")

    write_card_files(tmp_path)
    for name in ("config.json", "training_info.json", "README.md"):
        assert "/root" not in (tmp_path / name).read_text() and "/home" not in (tmp_path / name).read_text(), name
    # The backbone had no Hub id to record (its folder is gone): the card claims no base model.
    assert json.loads((tmp_path / "config.json").read_text())["backbone_config"]["_name_or_path"] == ""
    assert json.loads((tmp_path / "training_info.json").read_text())["data_args"]["data_dir"] == "goemotions"
    assert ModelCard.load(tmp_path / "README.md").data.eval_results


def test_public_names_are_never_paths(tmp_path, e5_backbone_dir):
    assert backbone_hub_id(str(e5_backbone_dir)) == E5_HUB_ID  # the converted folder records the original
    assert backbone_hub_id("multilingual-e5-small") == E5_HUB_ID
    assert public_model_name("klue/bert-base") == "klue/bert-base"
    folder = tmp_path / "my-model"
    folder.mkdir()
    assert public_model_name(str(folder)) == "my-model"
    (folder / "lyricmood_default_model.json").write_text("{}")
    assert public_model_name(str(folder)) == "default"
    info = published_run_info({"data_args": {"data_dir": "C:\\Users\\me\\goemotions"},
                               "training_args": {"output_dir": "/home/me/runs/x/", "seed": 1}})  # fmt: skip
    assert info == {"data_args": {"data_dir": "goemotions"}, "training_args": {"output_dir": "x", "seed": 1}}


# ------------------------------------------------------------------------------ no machine paths
def _absolute_paths(text: str, extra: list[str]) -> list[str]:
    """Absolute paths of this machine (or any Windows drive path) found in `text`."""
    found = [s for s in extra if s and s in text]
    found += re.findall(r"[A-Za-z]:\\\\?[\w .-]+", text)
    for match in re.findall(r"(?<![\w.:/~-])/[\w.-]+(?:/[\w.-]*)*", text):
        top = match.split("/")[1]
        if top and Path("/" + top).exists() or match.startswith(("/tmp", "/root", "/home")):
            found.append(match)
    return found


def test_nothing_shipped_or_written_names_a_machine_path(trained, tmp_path, goemotions_dir):
    from lyricmood.indexing import index_catalog
    from lyricmood.inference import EmotionPredictor

    index_dir = tmp_path / "index"
    catalog = [{"id": "s1", "title": "Rain", "lyrics": "sad rain at night\n\nlove and tears"},
               {"id": "s2", "title": "Sun", "lyrics": "happy morning light"}]  # fmt: skip
    index_catalog(catalog, EmotionPredictor(trained), index_dir, progress=False)
    assert json.loads((index_dir / "index.json").read_text())["model"] == "final"
    export_dir = tmp_path / "export"
    argv = ["data", "export", "goemotions", "--config", "en+ko", "--data-dir", str(goemotions_dir), "--out", str(export_dir)]
    assert cli_main(argv) == 0

    folders = [shipped_dir(), demo_index_path(), trained, index_dir, export_dir]
    forbidden = [str(REPO_ROOT), os.environ["HF_HOME"], str(tmp_path), str(goemotions_dir), str(Path.home())]
    checked = 0
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix in (".safetensors", ".png"):
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert not _absolute_paths(text, forbidden), (path, _absolute_paths(text, forbidden)[:3])
            checked += 1
    assert checked >= 15
    assert _absolute_paths('{"x": "/tmp/abc"}', []) and _absolute_paths("C:\\Users\\me", [])  # the scan can fail


# ------------------------------------------------------------------------------ dataset export cards
def _export(tmp_path: Path, *argv: str) -> DatasetCard:
    out = tmp_path / "out"
    assert cli_main(["data", "export", *argv, "--out", str(out)]) == 0
    return DatasetCard.load(out / "README.md")


@pytest.mark.parametrize(
    ("configs", "languages"), [(["ko"], ["ko"]), (["en-ekman"], ["en"]), (["en+ko", "ko-sentiment"], ["en", "ko"])]
)
def test_export_card_describes_what_was_exported(tmp_path, goemotions_dir, configs, languages):
    flags = [flag for config in configs for flag in ("--config", config)]
    card = _export(tmp_path, "goemotions", *flags, "--data-dir", str(goemotions_dir))
    assert card.data.language == languages
    assert card.data.license == "apache-2.0"
    assert [c["config_name"] for c in card.data.configs] == configs
    infos = card.data.dataset_info if isinstance(card.data.dataset_info, list) else [card.data.dataset_info]
    assert [info["config_name"] for info in infos] == configs
    for info in infos:
        loaded = datasets.load_dataset(str(tmp_path / "out"), info["config_name"])
        assert {s["name"]: s["num_examples"] for s in info["splits"]} == {k: v.num_rows for k, v in loaded.items()}
        assert datasets.Features._from_yaml_list(info["features"]) == loaded["train"].features
        parquet = sum(p.stat().st_size for p in (tmp_path / "out" / info["config_name"]).glob("*.parquet"))
        assert info["download_size"] == parquet and info["dataset_size"] > 0
    assert card.data.size_categories == ["n<1K"]


def test_export_card_license_per_source(tmp_path):
    kote = tmp_path / "kote"
    kote.mkdir()
    (kote / "val.tsv").write_text("1\t좋아요\t1\n2\t싫어요\t0\n", encoding="utf-8")
    card = _export(tmp_path / "a", "kote", "--data-dir", str(kote))
    assert (card.data.license, card.data.language) == ("mit", ["ko"])

    card = _export(tmp_path / "b", "aihub_emotion", "--config", "major", "--data-dir", str(FIXTURES / "aihub" / "json"))
    assert (card.data.license, card.data.license_name) == ("other", "aihub-terms-of-use")

    card = _export(tmp_path / "c", "lyrics_catalog", "--config", "demo")
    assert card.data.license == "apache-2.0" and card.data.get("license_name") is None  # lyrics written for lyricmood
    songs = tmp_path / "songs.csv"
    songs.write_text("id,title,lyrics\n1,A,비가 오면 네 생각이 나\n", encoding="utf-8")
    card = _export(tmp_path / "d", "lyrics_catalog", "--data-files", str(songs))
    assert (card.data.license, card.data.license_name, card.data.language) == ("other", "lyrics-rights-holders", ["ko"])


# ------------------------------------------------------------------------------ Auto classes
AUTO_SCRIPT = textwrap.dedent("""
    import sys
    import lyricmood
    assert not {"torch", "transformers"} & set(sys.modules), "import lyricmood is not light"
    import lyricmood.modeling  # what the README says to import
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, BertConfig
    backbone = BertConfig(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=37)
    config = AutoConfig.for_model("lyricmood", backbone_config=backbone.to_dict(), id2label={0: "joy", 1: "sad"})
    model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(sys.argv[1])
    reloaded = AutoModelForSequenceClassification.from_pretrained(sys.argv[1])  # no trust_remote_code
    print(type(config).__name__, type(AutoModel.from_config(config)).__name__, type(model).__name__,
          type(reloaded).__module__)
""")


@pytest.mark.slow
def test_import_lyricmood_modeling_registers_the_auto_classes(tmp_path):
    done = subprocess.run([sys.executable, "-c", AUTO_SCRIPT, str(tmp_path / "m")], capture_output=True, text=True,
                          cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [
        "LyricMoodConfig", "LyricMoodModel", "LyricMoodForSequenceClassification", "lyricmood.modeling.modeling_lyricmood",
    ]  # fmt: skip


# ------------------------------------------------------------------------------ README install = CI
def test_ci_runs_exactly_the_readme_quick_start():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = re.search(r"## Quick start\n\n```bash\n(.*?)```", readme, re.DOTALL).group(1)
    commands = [line.split("  #")[0].strip() for line in quick_start.strip().splitlines()]
    assert len(commands) == 2, commands  # install and run; test
    install, test = commands
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in install and "lyricmood recommend" in install
    ci_lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert install in ci_lines and test in ci_lines


def test_card_of_a_folder_without_training_record(tmp_path):
    """A folder saved by from_backbone has no training_info.json nor eval_results.json: the card is still written;
    a folder that is no model at all is one clear error (issue 23: a traceback)."""
    import subprocess
    import sys

    from lyricmood.modeling import LyricMoodForSequenceClassification
    from lyricmood.testing import make_tiny_backbone

    backbone = make_tiny_backbone(tmp_path / "backbone")
    LyricMoodForSequenceClassification.from_backbone(str(backbone), id2label=["joy", "sadness"]).save_pretrained(
        tmp_path / "model")
    done = subprocess.run([sys.executable, "-m", "lyricmood.model_card", str(tmp_path / "model")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    card = ModelCard.load(tmp_path / "model" / "README.md")
    assert "joy, sadness" in card.text and not card.data.eval_results
    done = subprocess.run([sys.executable, "-m", "lyricmood.model_card", str(tmp_path / "backbone" / "nothing")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "not a model folder" in done.stderr


def test_per_language_results_name_configs_that_exist(tmp_path):
    from lyricmood.model_card import split_and_config

    shipped = shipped_dir()
    results = json.loads((shipped / "eval_results.json").read_text())
    card = ModelCard.load(shipped / "README.md")
    rows = {(r.dataset_type, r.dataset_config, r.dataset_split, r.metric_name): r.metric_value
            for r in card.data.eval_results}
    assert split_and_config("test/en", "en+ko") == ("test", "en") and split_and_config("test", "en+ko") == ("test", "en+ko")
    # English: the Hub's GoEmotions "simplified" config (same rows); Korean: lyricmood's builder config
    assert rows[("google-research-datasets/go_emotions", "simplified", "test", "macro-F1")] == pytest.approx(
        results["test/en"]["macro_f1"], abs=5e-5)
    assert rows[("goemotions", "ko", "test", "macro-F1")] == pytest.approx(results["test/ko"]["macro_f1"], abs=5e-5)
    assert "| en | test |" in card.text and "| ko | test |" in card.text
