"""The Hub model code: shapes, padding invariance, losses, gradients, save/reload with trust_remote_code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from lyricmood.modeling import LyricMoodConfig, LyricMoodModel
from lyricmood.testing import make_tiny_backbone, make_tiny_classifier, tiny_backbone_config

MODELING_DIR = Path(__file__).resolve().parents[1] / "modeling"
LABELS = ["joy", "sadness", "anger", "love", "fear"]
TEXTS = ["the sad rain night", "i love you", "happy dance joy morning light", "눈물 그대 밤"]
ARCHS = ["arch1", "arch2"]
STYLES = ["bert", "roberta"]


@pytest.fixture(scope="module")
def backbone_dirs(tmp_path_factory) -> dict[str, Path]:
    return {style: make_tiny_backbone(tmp_path_factory.mktemp(style), style) for style in STYLES}


def build(backbone_dir: Path, architecture: str, problem_type: str = "multi_label_classification", seed: int = 0):
    return make_tiny_classifier(
        backbone_dir, LABELS, seed=seed, spread=False, architecture=architecture, problem_type=problem_type
    )


def batch(backbone_dir: Path, texts=TEXTS, **kwargs):
    tokenizer = AutoTokenizer.from_pretrained(backbone_dir)
    return tokenizer(texts, padding=True, return_tensors="pt", **kwargs)


@pytest.mark.parametrize("architecture", ARCHS)
@pytest.mark.parametrize("style", STYLES)
def test_output_shapes(backbone_dirs, style, architecture):
    model = build(backbone_dirs[style], architecture)
    inputs = batch(backbone_dirs[style])
    out = model(**inputs, output_hidden_states=True)
    assert out.logits.shape == (len(TEXTS), len(LABELS))
    assert len(out.hidden_states) == model.config.backbone_config.num_hidden_layers + 1
    pooled = model.lyricmood(**inputs).pooler_output
    expected_width = 64 if architecture == "arch1" else model.config.hidden_size
    assert pooled.shape == (len(TEXTS), expected_width)


@pytest.mark.parametrize("architecture", ARCHS)
@pytest.mark.parametrize("style", STYLES)
def test_extra_padding_changes_nothing(backbone_dirs, style, architecture):
    model = build(backbone_dirs[style], architecture)
    tight = batch(backbone_dirs[style])
    padded = AutoTokenizer.from_pretrained(backbone_dirs[style])(
        TEXTS, padding="max_length", max_length=tight["input_ids"].shape[1] + 17, return_tensors="pt"
    )
    with torch.no_grad():
        torch.testing.assert_close(model(**tight).logits, model(**padded).logits, atol=1e-5, rtol=1e-5)


def test_arch2_matches_a_plain_transformers_forward_pass(backbone_dirs):
    """Arch2's feature, recomputed by hand from the backbone as plain transformers loads it."""
    path = backbone_dirs["bert"]
    model = build(path, "arch2")
    tokenizer = AutoTokenizer.from_pretrained(path)
    inputs = batch(path)
    plain = AutoModel.from_pretrained(path).eval()
    with torch.no_grad():
        hidden = plain(**inputs, output_hidden_states=True).hidden_states
        expected = []
        for row in range(len(TEXTS)):
            ids = inputs["input_ids"][row].tolist()
            real = [i for i, t in enumerate(ids) if inputs["attention_mask"][row, i] and t not in tokenizer.all_special_ids]
            mean = hidden[-1][row, real].mean(dim=0)
            channels = torch.stack([hidden[-1][row, 0], hidden[-4][row, 0], mean])  # (3, H)
            conv = model.lyricmood.pooler.conv
            expected.append(torch.relu(conv.weight[0, :, 0] @ channels + conv.bias[0]))
        got = model.lyricmood(**inputs).pooler_output
    torch.testing.assert_close(got, torch.stack(expected), atol=1e-5, rtol=1e-5)


def test_arch1_matches_a_hand_computation(backbone_dirs):
    path = backbone_dirs["roberta"]
    model = build(path, "arch1")
    tokenizer = AutoTokenizer.from_pretrained(path)
    inputs = batch(path)
    plain = AutoModel.from_pretrained(path).eval()
    conv = model.lyricmood.pooler.conv
    with torch.no_grad():
        last = plain(**inputs).last_hidden_state
        expected = []
        for row in range(len(TEXTS)):
            ids = inputs["input_ids"][row].tolist()
            real = [i for i, t in enumerate(ids) if inputs["attention_mask"][row, i] and t not in tokenizer.all_special_ids]
            per_token = last[row, real] @ conv.weight[:, :, 0].T + conv.bias  # (n_real, 64)
            expected.append(per_token.mean(dim=0))
        got = model.lyricmood(**inputs).pooler_output
    torch.testing.assert_close(got, torch.stack(expected), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("architecture", ARCHS)
def test_single_label_loss_is_cross_entropy(backbone_dirs, architecture):
    model = build(backbone_dirs["bert"], architecture, "single_label_classification")
    labels = torch.tensor([0, 3, 1, 4])
    out = model(**batch(backbone_dirs["bert"]), labels=labels)
    log_probs = out.logits.log_softmax(dim=-1)
    by_hand = -log_probs[torch.arange(len(labels)), labels].mean()
    torch.testing.assert_close(out.loss, by_hand)


@pytest.mark.parametrize("architecture", ARCHS)
def test_multi_label_loss_is_binary_cross_entropy(backbone_dirs, architecture):
    model = build(backbone_dirs["bert"], architecture, "multi_label_classification")
    labels = torch.tensor([[1, 0, 0, 1, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 0, 1]]).float()
    out = model(**batch(backbone_dirs["bert"]), labels=labels)
    p = torch.sigmoid(out.logits)
    by_hand = -(labels * p.log() + (1 - labels) * (1 - p).log()).mean()
    torch.testing.assert_close(out.loss, by_hand, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("architecture", ARCHS)
def test_gradients_reach_backbone_and_head(backbone_dirs, architecture):
    model = build(backbone_dirs["bert"], architecture).train()
    labels = torch.randint(0, 2, (len(TEXTS), len(LABELS))).float()
    model(**batch(backbone_dirs["bert"]), labels=labels).loss.backward()
    named = dict(model.named_parameters())
    for name in ["classifier.weight", "lyricmood.pooler.conv.weight",
                 "lyricmood.backbone.encoder.layer.0.attention.self.query.weight",
                 "lyricmood.backbone.embeddings.word_embeddings.weight"]:
        assert named[name].grad is not None and named[name].grad.abs().sum() > 0, name
    no_grad = [n for n, p in model.named_parameters() if p.grad is None]
    assert no_grad == [], f"parameters without gradient (distributed training would fail): {no_grad}"


@pytest.mark.parametrize("style", STYLES)
def test_from_backbone_keeps_the_pretrained_weights(backbone_dirs, style):
    model = build(backbone_dirs[style], "arch2")
    plain = AutoModel.from_pretrained(backbone_dirs[style])
    ours = model.lyricmood.backbone.state_dict()
    for name, tensor in plain.state_dict().items():
        if not name.startswith("pooler."):
            torch.testing.assert_close(ours[name], tensor, msg=name)
    tokenizer = AutoTokenizer.from_pretrained(backbone_dirs[style])
    assert model.config.special_token_ids == sorted(set(tokenizer.all_special_ids))
    assert model.config.label2id == {name: i for i, name in enumerate(LABELS)}


def test_config_round_trip_and_validation(tmp_path):
    config = LyricMoodConfig(
        backbone_config=tiny_backbone_config("roberta"),
        architecture="arch1",
        arch1_channels=16,
        id2label=dict(enumerate(LABELS)),
        decision_thresholds=[0.3, 0.4, 0.5, 0.2, 0.1],
    )
    config.save_pretrained(tmp_path)
    again = LyricMoodConfig.from_pretrained(tmp_path)
    assert again.backbone_config.model_type == "roberta"
    assert again.backbone_config.hidden_size == 32
    assert (again.architecture, again.arch1_channels) == ("arch1", 16)
    assert again.decision_thresholds == [0.3, 0.4, 0.5, 0.2, 0.1]
    assert again.id2label == dict(enumerate(LABELS))
    assert set(json.loads((tmp_path / "config.json").read_text())["auto_map"]) == {
        "AutoConfig", "AutoModel", "AutoModelForSequenceClassification"}
    with pytest.raises(ValueError, match="architecture"):
        LyricMoodConfig(architecture="arch3")
    with pytest.raises(ValueError, match="problem_type"):
        LyricMoodConfig(problem_type="regression")
    with pytest.raises(ValueError, match="decision_thresholds"):
        LyricMoodConfig(id2label={0: "a", 1: "b"}, decision_thresholds=[0.5])


@pytest.mark.slow
@pytest.mark.parametrize("architecture", ARCHS)
def test_saved_folder_loads_without_lyricmood(backbone_dirs, tmp_path, architecture):
    """A fresh interpreter where `lyricmood` cannot be imported loads the folder via each Auto class."""
    model = build(backbone_dirs["bert"], architecture)
    out_dir = tmp_path / "saved"
    model.save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(backbone_dirs["bert"]).save_pretrained(out_dir)
    assert {"model.safetensors", "config.json", "modeling_lyricmood.py", "configuration_lyricmood.py"} <= {
        p.name for p in out_dir.iterdir()}
    assert not list(out_dir.glob("*.bin")) and not list(out_dir.glob("*.pt"))
    inputs = batch(backbone_dirs["bert"])
    with torch.no_grad():
        expected_logits = model(**inputs).logits
        expected_pooled = model.lyricmood(**inputs).pooler_output
    torch.save({"inputs": dict(inputs), "logits": expected_logits, "pooled": expected_pooled}, tmp_path / "ref.pt")

    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["lyricmood"] = None  # make the package unimportable
        try:
            import lyricmood
        except ImportError:
            pass
        else:
            raise SystemExit("lyricmood is importable")
        import torch
        from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification
        ref = torch.load({str(tmp_path / "ref.pt")!r})
        path = {str(out_dir)!r}
        config = AutoConfig.from_pretrained(path, trust_remote_code=True)
        assert type(config).__name__ == "LyricMoodConfig", type(config)
        clf = AutoModelForSequenceClassification.from_pretrained(path, trust_remote_code=True).eval()
        base = AutoModel.from_pretrained(path, trust_remote_code=True).eval()
        assert type(clf).__name__ == "LyricMoodForSequenceClassification", type(clf)
        assert type(base).__name__ == "LyricMoodModel", type(base)
        assert "lyricmood" not in sys.modules or sys.modules["lyricmood"] is None
        with torch.no_grad():
            torch.testing.assert_close(clf(**ref["inputs"]).logits, ref["logits"], atol=1e-6, rtol=1e-6)
            torch.testing.assert_close(base(**ref["inputs"]).pooler_output, ref["pooled"], atol=1e-6, rtol=1e-6)
        print("ok")
        """
    )
    env = {k: v for k, v in __import__("os").environ.items()}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf_home"))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_auto_classes_know_lyricmood_in_process(backbone_dirs, tmp_path):
    from transformers import AutoConfig, AutoModelForSequenceClassification

    model = build(backbone_dirs["roberta"], "arch2")
    model.save_pretrained(tmp_path)
    # By name: a remote-code load earlier in the same process may have registered its own copies of the classes.
    assert type(AutoConfig.from_pretrained(tmp_path)).__name__ == LyricMoodConfig.__name__
    assert type(AutoModelForSequenceClassification.from_pretrained(tmp_path)).__name__ == "LyricMoodForSequenceClassification"
    assert type(AutoModel.from_pretrained(tmp_path)).__name__ == LyricMoodModel.__name__


def _imported_roots(path: Path) -> list[tuple[str, int]]:
    roots = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots += [(alias.name.split(".")[0], node.level if hasattr(node, "level") else 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            roots.append(((node.module or "").split(".")[0], node.level))
    return roots


def test_modeling_imports_only_torch_transformers_stdlib_and_siblings():
    siblings = {p.stem for p in MODELING_DIR.glob("*.py")}
    allowed = {"torch", "transformers", "__future__"} | set(sys.stdlib_module_names)
    offenders = []
    for path in sorted(MODELING_DIR.glob("*.py")):
        for root, level in _imported_roots(path):
            if level == 1 and (root in siblings or root == ""):
                continue
            if level == 0 and root in allowed:
                continue
            offenders.append(f"{path.name}: {'.' * level}{root}")
    assert offenders == [], f"modeling/ may import only torch, transformers, the stdlib and siblings: {offenders}"
