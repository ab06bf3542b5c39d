"""Training pipeline: a few steps on a tiny random backbone for each fine-tuning mode and problem type."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score
from transformers import AutoModelForSequenceClassification

from lyricmood.evaluation import error_matrix, evaluate_model, tune_thresholds
from lyricmood.inference import EmotionPredictor
from lyricmood.testing import make_tiny_backbone
from lyricmood.training import build_model, init_bias_from_priors, parse_args, train

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.usefixtures("one_torch_thread")
# Words that decide the synthetic labels (GoEmotions ids: 17 joy, 25 sadness, 2 anger, 18 love, 27 neutral).
CUES = {"happy": 17, "joy": 17, "sad": 25, "tears": 25, "angry": 2, "love": 18, "heart": 18}
FILLER = "the a night light rain home morning we you i".split()


@pytest.fixture(scope="module")
def backbone(tmp_path_factory) -> Path:
    return make_tiny_backbone(tmp_path_factory.mktemp("backbone"), "bert")


@pytest.fixture(scope="module")
def goemotions_like(tmp_path_factory) -> Path:
    """A small GoEmotions-format folder whose labels follow cue words, so a model can learn them."""
    root = tmp_path_factory.mktemp("goemotions") / "en"
    root.mkdir()
    rng = random.Random(0)
    for split, n in [("train", 128), ("dev", 40), ("test", 40)]:
        rows = []
        for i in range(n):
            cues = rng.sample(sorted(CUES), k=rng.choice([0, 1, 2]))
            words = cues + rng.sample(FILLER, k=3)
            rng.shuffle(words)
            labels = sorted({CUES[c] for c in cues}) or [27]
            rows.append(f"{' '.join(words)}\t{','.join(map(str, labels))}\t{split}{i}")
        (root / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root.parent


def prior_loss(tsv: Path, num_labels: int = 28) -> float:
    """Mean binary cross-entropy of predicting every row's labels by their training frequencies."""
    rows = [line.split("\t")[1] for line in tsv.read_text().splitlines()]
    gold = np.zeros((len(rows), num_labels))
    for i, ids in enumerate(rows):
        gold[i, [int(x) for x in ids.split(",")]] = 1
    p = np.clip(gold.mean(0), 1e-4, 1 - 1e-4)
    return float(np.mean(-(gold * np.log(p) + (1 - gold) * np.log(1 - p))))


def run_training(tmp_path, backbone, *flags: str):
    argv = [
        "--backbone", str(backbone), "--output_dir", str(tmp_path / "run"), "--use_cpu", "true",
        "--num_train_epochs", "5", "--learning_rate", "3e-3", "--per_device_train_batch_size", "16",
        "--logging_steps", "1", "--save_strategy", "no", "--eval_strategy", "no", "--load_best_model_at_end", "false",
        "--warmup_steps", "0", "--seed", "0", *flags,
    ]
    # The new head (and adapters) start from the global RNG: seed it, so that a run does not depend on the tests
    # before it (Trainer seeds only later, from --seed).
    torch.manual_seed(0)
    result = train(*parse_args(argv))
    return result, Path(result["output_dir"])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["full", "lora", "qlora"])
def test_multi_label_training_learns_saves_and_reloads(tmp_path, backbone, goemotions_like, mode):
    if mode == "qlora":
        pytest.importorskip("bitsandbytes", reason="bitsandbytes is not installed")
    extra = ["--lora_r", "8", "--lora_alpha", "16"] if mode != "full" else []
    result, out_dir = run_training(
        tmp_path, backbone, "--dataset", "goemotions", "--dataset_config", "en",
        "--data_dir", str(goemotions_like), "--finetuning", mode, "--num_train_epochs", "15", *extra,
    )
    history = json.loads((out_dir / "training_info.json").read_text())["loss_history"]
    # The loss falls well below that of the best input-blind model (the label priors), where the head starts.
    assert np.mean(history[-3:]) < 0.8 * prior_loss(goemotions_like / "en" / "train.tsv"), history

    config = json.loads((out_dir / "config.json").read_text())
    thresholds = config["decision_thresholds"]
    assert len(thresholds) == 28 and all(0 < t < 1 for t in thresholds)
    assert {"model.safetensors", "modeling_lyricmood.py", "configuration_lyricmood.py", "tokenizer.json",
            "README.md", "eval_results.json"} <= {p.name for p in out_dir.iterdir()}
    assert not any(p.name.startswith("adapter_") for p in out_dir.iterdir())  # LoRA is merged into plain weights

    # The artefact reloads through the Auto class with trust_remote_code, thresholds intact; for one mode in a
    # fresh interpreter where lyricmood is not importable (the other modes write the same kind of folder).
    reloaded = AutoModelForSequenceClassification.from_pretrained(out_dir, trust_remote_code=True)
    assert reloaded.config.decision_thresholds == thresholds
    if mode == "full":
        script = textwrap.dedent(f"""
            import sys
            sys.modules["lyricmood"] = None
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained({str(out_dir)!r}, trust_remote_code=True)
            print(repr(model.config.decision_thresholds))
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert eval(done.stdout.strip().splitlines()[-1]) == thresholds

    # `evaluate` reproduces scikit-learn on the same predictions.
    scored = evaluate_model(str(out_dir), dataset="goemotions", dataset_config="en", data_dir=str(goemotions_like),
                            out_dir=tmp_path / "scores")
    assert json.loads((tmp_path / "scores" / "results.json").read_text())["macro_f1"] == scored["macro_f1"]
    assert (tmp_path / "scores" / "errors_test.png").read_bytes()[:4] == b"\x89PNG"
    assert (out_dir / "errors_test.png").read_bytes()[:4] == b"\x89PNG"  # training draws the same figure
    predictor = EmotionPredictor(out_dir)
    rows = (goemotions_like / "en" / "test.tsv").read_text().splitlines()
    texts = [r.split("\t")[0] for r in rows]
    gold = np.zeros((len(rows), 28), dtype=int)
    for i, row in enumerate(rows):
        gold[i, [int(x) for x in row.split("\t")[1].split(",")]] = 1
    predicted = (predictor.predict(texts) >= np.array(thresholds)).astype(int)
    assert scored["macro_f1"] == pytest.approx(f1_score(gold, predicted, average="macro", zero_division=0))
    assert scored["micro_f1"] == pytest.approx(f1_score(gold, predicted, average="micro", zero_division=0))
    assert scored["similarity_weighted_f1"] >= scored["macro_f1"] - 1e-9  # partial credit never lowers F1


def test_single_label_training_on_aihub_fixture(tmp_path, backbone):
    result, out_dir = run_training(
        tmp_path, backbone, "--dataset", "aihub_emotion", "--dataset_config", "major",
        "--data_dir", str(FIXTURES / "aihub" / "json"), "--num_train_epochs", "10",
    )
    history = json.loads((out_dir / "training_info.json").read_text())["loss_history"]
    assert np.mean(history[-3:]) < np.mean(history[:3]), history
    config = json.loads((out_dir / "config.json").read_text())
    assert config["problem_type"] == "single_label_classification"
    assert config["decision_thresholds"] is None
    assert len(config["id2label"]) == 6
    assert "validation" in result["results"]


def test_json_config_and_flag_override(tmp_path):
    config = tmp_path / "train.json"
    config.write_text(json.dumps({"architecture": "arch1", "learning_rate": 1e-4, "dataset_config": "ko"}))
    model_args, data_args, training_args = parse_args(["--learning_rate", "2e-4"], config_file=str(config))
    assert model_args.architecture == "arch1"
    assert data_args.dataset_config == "ko"
    assert training_args.learning_rate == 2e-4  # the flag wins over the file

    config.write_text(json.dumps({"architectur": "arch1"}))
    with pytest.raises(ValueError, match="architectur"):
        parse_args([], config_file=str(config))


def test_repository_configs_parse():
    for path in sorted((Path(__file__).parents[1] / "configs").glob("*.json")):
        model_args, data_args, _ = parse_args([], config_file=str(path))
        assert model_args.architecture in ("arch1", "arch2"), path


def test_warmup_reaches_the_scheduler():
    # transformers 5 dropped warmup_ratio; a field of that name would be parsed and silently ignored.
    _, _, training_args = parse_args([])
    assert training_args.get_warmup_steps(1000) == 60
    _, _, training_args = parse_args(["--warmup_steps", "25"])
    assert training_args.get_warmup_steps(1000) == 25


@pytest.mark.parametrize("finetuning", ["full", "lora"])
def test_head_bias_starts_at_the_label_priors(backbone, finetuning):
    import torch

    names = ["joy", "sadness", "anger", "love"]
    model_args, _, _ = parse_args(["--backbone", str(backbone), "--finetuning", finetuning])
    multi = np.array([[1, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]], dtype=np.float32)
    model, tokenizer = build_model(model_args, names, "multi_label_classification")
    init_bias_from_priors(model, multi.tolist(), "multi_label_classification")
    with torch.no_grad():
        model.eval()
        for module in model.modules():  # an input-blind head: only the bias is left
            if isinstance(module, torch.nn.Linear) and module.out_features == len(names):
                module.weight.zero_()
        probs = torch.sigmoid(model(**tokenizer(["any text"], return_tensors="pt")).logits)[0].numpy()
    np.testing.assert_allclose(probs, np.clip(multi.mean(0), 1e-4, 1 - 1e-4), rtol=1e-4)

    model, _ = build_model(model_args, names, "single_label_classification")
    bias = init_bias_from_priors(model, [0, 0, 1, 3, 3, 3], "single_label_classification")
    np.testing.assert_allclose(torch.softmax(bias.detach(), -1).numpy(), [2 / 6, 1 / 6, 1e-4 / (1 + 1e-4), 3 / 6], rtol=1e-3)


def test_tuned_thresholds_maximise_each_label_f1():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=(300, 4))
    probs = np.clip(labels * 0.3 + rng.random((300, 4)) * 0.7, 0, 1)
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    tuned = tune_thresholds(probs, labels, grid)
    for j in range(4):
        scores = [f1_score(labels[:, j], probs[:, j] >= t, zero_division=0) for t in grid]
        assert f1_score(labels[:, j], probs[:, j] >= tuned[j], zero_division=0) == pytest.approx(max(scores))


def test_error_matrices():
    single = error_matrix(np.array([0, 1, 1, 2]), np.array([0, 0, 1, 2]), "single_label_classification", 3)
    np.testing.assert_allclose(single, [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]])
    gold = np.array([[1, 0, 0], [1, 1, 0]])
    pred = np.array([[1, 0, 1], [0, 1, 1]])
    multi = error_matrix(pred, gold, "multi_label_classification", 3)
    # gold 0 occurs twice: recalled once (0.5); label 2 wrongly predicted both times (1.0)
    np.testing.assert_allclose(multi[0], [0.5, 0, 1.0])
    np.testing.assert_allclose(multi[1], [0, 1.0, 1.0])
