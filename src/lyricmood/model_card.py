"""The model card (README.md with Hub YAML) written next to every trained model."""

from __future__ import annotations


def _metrics_table(results: dict) -> str:
    lines = ["| split | examples | macro-F1 | micro-F1 | similarity-weighted F1 |", "|---|---|---|---|---|"]
    for split, m in results.items():
        lines.append(
            f"| {split} | {m['num_examples']} | {m['macro_f1']:.4f} | {m['micro_f1']:.4f} | {m['similarity_weighted_f1']:.4f} |"
        )
    return "\n".join(lines)


def model_card(config, results: dict, run_info: dict) -> str:
    """Markdown model card: data, labels, metrics on each split, training set-up, intended use, limitations."""
    data = run_info.get("data_args", {})
    model_args = run_info.get("model_args", {})
    training = run_info.get("training_args", {})
    labels = [config.id2label[i] for i in range(config.num_labels)]
    dataset = f"{data.get('dataset', '?')} ({data.get('dataset_config', '')})"
    config_name = str(data.get("dataset_config") or "")
    korean_only = {"kote": ["ko"], "aihub_emotion": ["ko"]}
    languages = korean_only.get(data.get("dataset"), [lang for lang in ("en", "ko") if lang in config_name] or ["en"])
    thresholds = config.decision_thresholds
    return f"""---
library_name: transformers
pipeline_tag: text-classification
license: apache-2.0
language: {languages}
tags:
- lyricmood
- emotion
- lyrics
- text-classification
- custom_code
---

# LyricMood emotion classifier — {config.architecture}, {config.problem_type.replace('_', ' ')}

Reads the emotions in a line of text (lyrics, comments) as {config.num_labels} labels. Part of
[lyricmood](https://github.com/lyricmood/lyricmood), which turns whole songs into emotion vectors and recommends
songs whose lyrics feel alike.

## Use

```python
from transformers import AutoModelForSequenceClassification, AutoTokenizer

model = AutoModelForSequenceClassification.from_pretrained("<this folder or repo>", trust_remote_code=True)
tokenizer = AutoTokenizer.from_pretrained("<this folder or repo>")
logits = model(**tokenizer(["눈물이 나 너를 사랑해"], return_tensors="pt")).logits
```

Multi-label models: `sigmoid(logits) >= config.decision_thresholds` (per-label thresholds tuned on the
validation split). Single-label models: `argmax`. With lyricmood installed: `lyricmood analyze`, `lyricmood recommend`.

## Model

- Backbone: `{model_args.get('backbone', '?')}` ({config.backbone_config.model_type}, hidden size {config.hidden_size},
  {config.backbone_config.num_hidden_layers} layers)
- Head: {config.architecture} (see the lyricmood README); fine-tuning: {model_args.get('finetuning', '?')}
- Labels ({config.num_labels}): {', '.join(labels)}
- Decision thresholds: {'tuned per label on validation' if thresholds else 'argmax / 0.5'}

## Data

Trained on {dataset}; texts truncated to {data.get('max_seq_length', '?')} tokens.

## Results

{_metrics_table(results)}

Macro/micro F1 from scikit-learn; the similarity-weighted F1 (lyricmood's `evaluate` metric) credits a wrong
label by its similarity to the right one, with the label similarity taken from this model's classifier weights.

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
