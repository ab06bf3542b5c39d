"""What a model folder says about itself on the Hub: its model card and machine-path-free metadata.

The card is a `huggingface_hub.ModelCard` whose metadata the Hub reads: `base_model` (the backbone's Hub
id: the model tree), `datasets`, `language`, `metrics`, a license derived from the backbone and the data,
and a `model-index` with the measured results. Nothing written here names a path of the machine the
model was built on: `public_model_name` and `published_run_info` reduce paths to Hub ids or plain names.

Rebuild the card of an existing folder (the shipped default model's, for instance) with
``python -m lyricmood.model_card FOLDER``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .backbones import DEFAULT_BACKBONE, HUB_ID as E5_HUB_ID
from .errors import LyricMoodError
from .io import write_text_atomic

# Licenses (Hub identifiers) of the backbones lyricmood's README and configs name; for others the card
# claims none (license: other) and leaves it to the user to state.
BACKBONE_LICENSES = {
    E5_HUB_ID: "mit",
    "klue/bert-base": "cc-by-sa-4.0",
    "FacebookAI/roberta-base": "mit",
    "roberta-base": "mit",
    "FacebookAI/xlm-roberta-base": "mit",
    "xlm-roberta-base": "mit",
}
# The Hub datasets behind lyricmood's builders. AI-Hub's corpus is not on the Hub: it may not be redistributed.
DATASET_HUB_IDS = {"goemotions": "google-research-datasets/go_emotions", "kote": "searle-j/kote"}
#: (dataset, lyricmood config) → the config of the same rows on the Hub; a config missing here (GoEmotions'
#: Korean machine translation, en+ko) is not on the Hub and is named as lyricmood names it.
HUB_CONFIGS = {("goemotions", "en"): "simplified", ("kote", "default"): None}
PERMISSIVE_LICENSES = ("mit", "apache-2.0")
# Arguments that hold local paths: only their last component is published.
PATH_ARGUMENTS = ("data_dir", "output_dir", "logging_dir", "resume_from_checkpoint", "deepspeed")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_METRICS = (("macro_f1", "f1", "macro", "macro-F1"), ("micro_f1", "f1", "micro", "micro-F1"),
            ("similarity_weighted_f1", "similarity_weighted_f1", "macro", "similarity-weighted F1"))


# ------------------------------------------------------------------------------------ names, not paths
def _is_local(name_or_path: str) -> bool:
    text = str(name_or_path)
    return bool(text) and (
        text.startswith(("/", "~", ".", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", text))
        or Path(text).expanduser().exists()
    )


def _folder_hub_id(folder: Path) -> str | None:
    """The Hub id a local model folder records about itself (`_name_or_path` in its config.json)."""
    try:
        name = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("_name_or_path")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and _HUB_ID.match(name) and not _is_local(name) else None


def backbone_hub_id(backbone: str) -> str | None:
    """The Hub id of a backbone argument, or None where there is none to name.

    The offline e5 (by name, or its converted folder, whose config records the original) is
    `intfloat/multilingual-e5-small`; a Hub id stays as it is.

    >>> backbone_hub_id("multilingual-e5-small"), backbone_hub_id("klue/bert-base"), backbone_hub_id("/x/y")
    ('intfloat/multilingual-e5-small', 'klue/bert-base', None)
    """
    if _is_local(backbone):
        return _folder_hub_id(Path(backbone).expanduser())
    if backbone == DEFAULT_BACKBONE:
        return E5_HUB_ID
    return backbone if _HUB_ID.match(backbone) else None


def public_model_name(name_or_path: str) -> str:
    """How a model or backbone is named in anything shipped or uploaded: never a path of this machine.

    A Hub id stays; lyricmood's embedded default model is "default"; another local folder is named by
    the Hub id its config records, else by its own name.

    >>> public_model_name("klue/bert-base"), public_model_name(str(Path.home() / "runs" / "my-model"))
    ('klue/bert-base', 'my-model')
    """
    if not _is_local(name_or_path):
        return str(name_or_path)
    from .default_model import STAMP_FILE

    folder = Path(name_or_path).expanduser()
    if (folder / STAMP_FILE).is_file():
        return "default"
    return _folder_hub_id(folder) or folder.name


def published_run_info(run_info: dict) -> dict:
    """`run_info` (training_info.json) with every path argument reduced to a plain name."""
    published = dict(run_info)
    for section in ("model_args", "data_args", "training_args"):
        args = dict(published.get(section) or {})
        for key in PATH_ARGUMENTS:
            if isinstance(args.get(key), str):
                args[key] = re.split(r"[\\/]", args[key].rstrip("\\/"))[-1]
        if isinstance(args.get("backbone"), str):
            args["backbone"] = public_model_name(args["backbone"])
        if section in published:
            published[section] = args
    return published


# ------------------------------------------------------------------------------------ licenses, data
def dataset_license(dataset: str) -> dict:
    """{license, license_name?, license_link?} of a lyricmood builder, from its dataset card."""
    from huggingface_hub import DatasetCard

    from .datasets_scripts import dataset_card

    data = DatasetCard(dataset_card(dataset)).data
    return {key: data.get(key) for key in ("license", "license_name", "license_link") if data.get(key)}


def model_license(backbone_license: str | None, data_license: dict) -> dict:
    """The license a fine-tuned model is released under: the most restrictive of its backbone's and its data's.

    Data under other terms (AI-Hub's) keep those terms; a share-alike or unknown backbone license wins over
    permissive data; MIT and Apache-2.0 inputs give Apache-2.0, lyricmood's own license.

    >>> model_license("mit", {"license": "apache-2.0"})
    {'license': 'apache-2.0'}
    >>> model_license("mit", {"license": "other", "license_name": "aihub-terms-of-use"})["license_name"]
    'aihub-terms-of-use'
    """
    if data_license.get("license") not in PERMISSIVE_LICENSES:
        return dict(data_license)
    if backbone_license is None:
        return {"license": "other", "license_name": "base-model-license"}
    if backbone_license not in PERMISSIVE_LICENSES:
        return {"license": backbone_license}
    return {"license": "apache-2.0"}


# ------------------------------------------------------------------------------------ the card
def split_and_config(key: str, trained_config: str | None) -> tuple[str, str | None]:
    """An ``eval_results.json`` key as (split, data config): ``"test"`` is the training config's test split,
    ``"test/en"`` the test split of config ``en`` (as ``lyricmood evaluate --config en`` measures it)."""
    split, _, config = key.partition("/")
    return split, config or trained_config


def _metrics_table(results: dict, trained_config: str | None) -> str:
    lines = ["| data | split | examples | macro-F1 | micro-F1 | similarity-weighted F1 |", "|---|---|---|---|---|---|"]
    for key, m in results.items():
        split, config = split_and_config(key, trained_config)
        lines.append(f"| {config or 'default'} | {split} | {m['num_examples']} | {m['macro_f1']:.4f} | "
                     f"{m['micro_f1']:.4f} | {m['similarity_weighted_f1']:.4f} |")
    return "\n".join(lines)


def _eval_dataset(dataset: str, config: str | None) -> dict:
    """The model-index dataset fields of ``dataset``'s ``config``: its Hub id and Hub config where the same rows
    are on the Hub, else lyricmood's names (so that no field names a config the Hub does not have)."""
    hub_id = DATASET_HUB_IDS.get(dataset)
    if hub_id is not None and (dataset, config or "default") in HUB_CONFIGS:
        return {"dataset_type": hub_id, "dataset_name": f"{dataset} ({config or 'default'})",
                "dataset_config": HUB_CONFIGS[(dataset, config or "default")]}
    return {"dataset_type": dataset, "dataset_name": f"{dataset} ({config or 'default'}, lyricmood's builder)",
            "dataset_config": config}


def _usage(config, model_id: str) -> str:
    if config.problem_type == "multi_label_classification":
        decide = (
            "    probs = torch.sigmoid(model(**inputs).logits)\n"
            "thresholds = torch.tensor(model.config.decision_thresholds or [0.5] * model.config.num_labels)\n"
            "for row in probs >= thresholds:  # per-label thresholds tuned on the validation split\n"
            "    print([model.config.id2label[i] for i in row.nonzero().flatten().tolist()])"
        )
    else:
        decide = (
            "    probs = torch.softmax(model(**inputs).logits, dim=-1)\n"
            "print([model.config.id2label[i] for i in probs.argmax(dim=-1).tolist()])"
        )
    return f"""```python
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

model_id = "{model_id}"
# trust_remote_code: the model code ships in this repository (modeling_lyricmood.py); without it the
# tokenizer too would stop and ask whether to run it.
model = AutoModelForSequenceClassification.from_pretrained(model_id, trust_remote_code=True)
tokenizer = AutoTokenizer.from_pretrained(model_id, trust_remote_code=True)
inputs = tokenizer(["눈물이 나 너를 사랑해", "I miss you so much"], padding=True, return_tensors="pt")
with torch.no_grad():
{decide}
```"""


def model_card(config, results: dict, run_info: dict, model_id: str | None = None):
    """The `huggingface_hub.ModelCard` of a trained model: Hub metadata, usage, data, results, training set-up.

    `results`: {split: metrics} as `eval_results.json` holds them; `run_info`: as `training_info.json`
    holds it; `model_id`: the Hub repo the card's usage snippet loads (default: the folder itself, ".").
    """
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    from .datasets_scripts import config_languages

    run_info = published_run_info(run_info)
    data = run_info.get("data_args", {})
    model_args = run_info.get("model_args", {})
    training = run_info.get("training_args", {})
    model_id = model_id or training.get("hub_repo") or "."
    dataset, dataset_config = data.get("dataset", "goemotions"), data.get("dataset_config")
    backbone = model_args.get("backbone") or DEFAULT_BACKBONE
    # Training records the backbone's Hub id there ("" when it has none): a bare name could be a folder's.
    base_model = backbone_hub_id(config.backbone_config.name_or_path)
    data_license = dataset_license(dataset)
    backbone_license = BACKBONE_LICENSES.get(base_model)
    license_ = model_license(backbone_license, data_license)
    dataset_id = DATASET_HUB_IDS.get(dataset)
    labels = [config.id2label[i] for i in range(config.num_labels)]
    model_name = f"lyricmood-{config.architecture}-{(base_model or backbone).split('/')[-1]}-{dataset}"
    eval_results = [
        EvalResult(
            task_type="text-classification", task_name="Emotion classification",
            **_eval_dataset(dataset, split_and_config(result_key, dataset_config)[1]),
            dataset_split=split_and_config(result_key, dataset_config)[0],
            metric_type=metric_type, metric_config=metric_config, metric_name=name,
            metric_value=round(float(metrics[key]), 4),
        )
        for result_key, metrics in results.items()
        for key, metric_type, metric_config, name in _METRICS
        if key in metrics
    ]
    card_data = ModelCardData(
        base_model=base_model,
        datasets=[dataset_id] if dataset_id else None,
        language=config_languages(dataset, dataset_config),
        library_name="transformers",
        pipeline_tag="text-classification",
        metrics=["f1"],
        model_name=model_name,
        eval_results=eval_results or None,
        tags=["lyricmood", "emotion", "lyrics", "text-classification", "custom_code"],
        **license_,
    )
    not_redistributable = license_.get("license") == "other" and license_ == data_license
    thresholds = config.decision_thresholds
    body = f"""
# LyricMood emotion classifier — {config.architecture}, {config.problem_type.replace('_', ' ')}

Reads the emotions in a line of text (lyrics, comments) as {config.num_labels} labels. Part of lyricmood, which
turns whole songs into emotion vectors and recommends songs whose lyrics feel alike.

## Use

{_usage(config, model_id)}

Multi-label models: `sigmoid(logits) >= config.decision_thresholds` (per-label thresholds tuned on the
validation split). Single-label models: `argmax`. With lyricmood installed: `lyricmood analyze`, `lyricmood recommend`.

## Model

- Base model: `{base_model or backbone}` ({config.backbone_config.model_type}, hidden size {config.hidden_size},
  {config.backbone_config.num_hidden_layers} layers)
- Head: {config.architecture} (see the lyricmood README); fine-tuning: {model_args.get('finetuning', '?')}
- Labels ({config.num_labels}): {', '.join(labels)}
- Decision thresholds: {'tuned per label on validation' if thresholds else 'argmax / 0.5'}

## Data

Trained on {dataset} ({dataset_config or 'default'}){f' ([{dataset_id}](https://huggingface.co/datasets/{dataset_id}))' if dataset_id else ''};
texts truncated to {data.get('max_seq_length', '?')} tokens.
{_license_note(license_, backbone_license, data_license, not_redistributable)}
## Results

{_metrics_table(results, dataset_config)}

Macro/micro F1 from scikit-learn; the similarity-weighted F1 (lyricmood's `evaluate` metric) credits a wrong
label by its similarity to the right one, with the label similarity taken from this model's classifier weights.
Other splits or languages: `lyricmood evaluate MODEL --dataset {dataset} --config CONFIG --split test`.

## Training

- Command: `lyricmood train` with the arguments in `training_info.json`
- Epochs: {training.get('num_train_epochs', '?')}, learning rate {training.get('learning_rate', '?')},
  batch size {training.get('per_device_train_batch_size', '?')}, seed {training.get('seed', '?')}
- Steps: {run_info.get('global_step', '?')}; time: {run_info.get('train_seconds', 0) / 60:.1f} min on {run_info.get('machine', '?')}

## Intended use and limitations

Made to compare the emotional colour of song lyrics for recommendation and exploration. It was trained on
short online comments (and their machine translation), not on lyrics: metaphor, irony and long narrative
arcs are read line by line and can be missed. Emotion labels are subjective and the training labels are
noisy; rare emotions (grief, relief, pride, nervousness) are recognised less reliably. Do not use it to
make decisions about people.
"""
    return ModelCard(f"---\n{card_data.to_yaml()}\n---\n{body}")


def _license_note(license_: dict, backbone_license: str | None, data_license: dict, not_redistributable: bool) -> str:
    if not_redistributable:
        return (
            f"\n**License: {license_.get('license_name', 'other')}** ({license_.get('license_link', '')}). The training "
            "data may not be redistributed, and this model is bound by the data's terms: keep it private unless "
            "those terms allow publishing it.\n"
        )
    if license_.get("license") == "other":
        return "\n**License:** the base model's license applies; check it before publishing this model.\n"
    return (
        f"\nLicense: {license_['license']} (base model: {backbone_license}; training data: "
        f"{data_license.get('license')}).\n"
    )


def write_card_files(folder: str | Path, model_id: str | None = None) -> Path:
    """Rewrite a model folder's card and metadata without machine paths: README.md from its config.json,
    eval_results.json and training_info.json; the paths in training_info.json reduced to names, the backbone's
    `_name_or_path` in config.json to its Hub id (or ""). The weights are not touched. Returns README.md's path.
    """
    from .modeling.configuration_lyricmood import LyricMoodConfig

    folder = Path(folder)
    config_path = folder / "config.json"
    try:
        config_dict = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise LyricMoodError(f"not a model folder ({err.__class__.__name__}: {err})", file=config_path,
                             hint="give the folder `lyricmood train` writes (its final/), or a saved LyricMood model") from err
    # A folder saved by from_backbone has no training record and no results: its card says less, it is still written.
    run_info = published_run_info(_read_json(folder / "training_info.json"))
    if (folder / "training_info.json").is_file():
        write_text_atomic(folder / "training_info.json", json.dumps(run_info, indent=2, ensure_ascii=False, default=str))
    backbone_config = config_dict.setdefault("backbone_config", {})
    backbone_config["_name_or_path"] = backbone_hub_id(backbone_config.get("_name_or_path") or "") or ""
    write_text_atomic(config_path, json.dumps(config_dict, indent=2) + "\n")  # keys stay in their order
    results = _read_json(folder / "eval_results.json")
    card = model_card(LyricMoodConfig.from_pretrained(folder), results, run_info, model_id=model_id)
    write_text_atomic(folder / "README.md", str(card))
    return folder / "README.md"


def _read_json(path: Path) -> dict:
    """The JSON object in ``path``; {} when the file is absent; a clear error when it is not a JSON object."""
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise LyricMoodError(f"cannot read it ({err})", file=path, hint="restore or delete the file") from err
    if not isinstance(value, dict):
        raise LyricMoodError("not a JSON object", file=path, hint="restore or delete the file")
    return value


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m lyricmood.model_card MODEL_FOLDER [HUB_REPO_ID]")
    try:
        print(write_card_files(*sys.argv[1:]))
    except LyricMoodError as err:
        sys.exit(f"python -m lyricmood.model_card: error: {err}")
