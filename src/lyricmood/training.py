"""Fine-tune LyricMood emotion classifiers with `transformers.Trainer` (CPU, one GPU, or `accelerate launch`).

Configuration is three dataclasses parsed by `HfArgumentParser` — command-line flags or a JSON file
(`configs/*.json`), one source of truth: `ModelArguments`, `DataArguments` and `LyricMoodTrainingArguments`
(transformers' `TrainingArguments` with lyricmood's defaults and three additions).
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from transformers import (
    AutoTokenizer,
    DataCollatorWithPadding,
    EarlyStoppingCallback,
    HfArgumentParser,
    Trainer,
    TrainingArguments,
)

from .backbones import resolve_backbone
from .errors import LyricMoodError
from .evaluation import (
    classification_metrics, format_per_label, load_labelled_dataset, multi_hot, references_from_labels, tune_thresholds,
)
from .inference import EmotionPredictor, probabilities
from .io import write_text_atomic
from .label_similarity import from_classifier_weights
from .model_card import backbone_hub_id, model_card, published_run_info
from .modeling import LyricMoodForSequenceClassification

FINETUNING_MODES = ("full", "lora", "qlora")
# Every encoder we support (BERT, RoBERTa, XLM-R, ELECTRA, e5) names its linear layers like this.
DEFAULT_LORA_TARGETS = ["query", "key", "value", "dense"]
# The head: trained and saved in full under LoRA/QLoRA, never quantised.
HEAD_MODULES = ["classifier", "pooler"]


@dataclass
class ModelArguments:
    backbone: str = field(
        default="multilingual-e5-small",
        metadata={"help": "Hub id or local folder of the encoder; 'multilingual-e5-small' works offline."},
    )
    architecture: str = field(default="arch2", metadata={"help": "arch1 or arch2 (see README)."})
    finetuning: str = field(default="full", metadata={"help": "full, lora or qlora (4-bit nf4 + LoRA)."})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator."})
    lora_dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA path."})
    lora_target_modules: list[str] = field(
        default_factory=lambda: list(DEFAULT_LORA_TARGETS), metadata={"help": "Module names LoRA adapts."}
    )
    freeze_embeddings: bool = field(
        default=True, metadata={"help": "Keep the token embeddings fixed (full fine-tuning; saves time and memory)."}
    )
    freeze_layers: int = field(default=0, metadata={"help": "Keep this many lowest encoder layers fixed."})
    classifier_dropout: float = field(default=0.1, metadata={"help": "Dropout before the linear head."})
    head_bias_from_priors: bool = field(
        default=True, metadata={"help": "Start the classifier's bias at the training labels' log-odds (see README)."}
    )


@dataclass
class DataArguments:
    dataset: str = field(default="goemotions", metadata={"help": "goemotions, kote or aihub_emotion."})
    dataset_config: str | None = field(default="en+ko", metadata={"help": "The builder config, e.g. en, ko, en+ko."})
    data_dir: str | None = field(default=None, metadata={"help": "Folder with the source files."})
    max_seq_length: int = field(default=64, metadata={"help": "Longer training texts are truncated."})
    max_train_samples: int | None = field(
        default=None, metadata={"help": "Use only the first N training rows (as run_glue does; en+ko lists English first)."}
    )
    max_eval_samples: int | None = field(default=None, metadata={"help": "Use only this many rows per eval split."})
    report_splits: list[str] = field(
        default_factory=lambda: ["validation", "test"], metadata={"help": "Splits reported in the model card."}
    )


@dataclass
class LyricMoodTrainingArguments(TrainingArguments):
    output_dir: str = field(default="runs/lyricmood", metadata={"help": "Checkpoints and the final model."})
    eval_strategy: str = field(default="epoch", metadata={"help": "When to evaluate: no, steps or epoch."})
    save_strategy: str = field(default="epoch", metadata={"help": "When to checkpoint: no, steps, epoch or best."})
    load_best_model_at_end: bool = field(default=True, metadata={"help": "Keep the best checkpoint by the metric."})
    metric_for_best_model: str = field(default="macro_f1", metadata={"help": "Validation metric for model selection."})
    save_total_limit: int | None = field(default=2, metadata={"help": "Checkpoints kept."})
    train_sampling_strategy: str = field(
        default="group_by_length", metadata={"help": "group_by_length: batches of similar length, little padding."}
    )
    learning_rate: float = field(default=5e-5, metadata={"help": "Peak learning rate."})
    # transformers 5 takes the warm-up as warmup_steps: a count, or a share of all steps when < 1.
    warmup_steps: float = field(default=0.06, metadata={"help": "Warm-up steps (≥ 1) or share of all steps (< 1)."})
    per_device_train_batch_size: int = field(default=32, metadata={"help": "Batch size per device (training)."})
    per_device_eval_batch_size: int = field(default=128, metadata={"help": "Batch size per device (evaluation)."})
    logging_steps: float = field(default=50, metadata={"help": "Log every N steps."})
    early_stopping_patience: int | None = field(
        default=2, metadata={"help": "Stop after this many evaluations without improvement (None: never)."}
    )
    head_learning_rate: float | None = field(
        default=None,
        metadata={"help": "Learning rate of the new head (pooler + classifier); None: the same as learning_rate."},
    )
    tune_thresholds: bool = field(
        default=True, metadata={"help": "Multi-label: tune per-label thresholds on the validation split."}
    )
    hub_repo: str | None = field(
        default=None, metadata={"help": "Push the final model folder to this Hub repo (needs network and a token)."}
    )


def parse_args(argv: list[str] | None = None, config_file: str | None = None):
    """(ModelArguments, DataArguments, LyricMoodTrainingArguments) from a JSON file and/or flags.

    Flags override the file's values.
    """
    parser = HfArgumentParser((ModelArguments, DataArguments, LyricMoodTrainingArguments))
    if config_file:
        try:
            values = json.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise LyricMoodError(f"cannot read the training config: {err}", file=config_file,
                                 hint="give a JSON object of argument names and values") from err
        known = {a.dest for a in parser._actions}
        unknown = sorted(set(values) - known)
        if unknown:
            raise LyricMoodError(f"unknown arguments {unknown}", file=config_file,
                                 hint="run `lyricmood train --help` for the valid names")
        parser.set_defaults(**values)
    model_args, data_args, training_args = parser.parse_args_into_dataclasses(args=argv or [])
    if model_args.finetuning not in FINETUNING_MODES:
        raise LyricMoodError(f"unknown finetuning mode {model_args.finetuning!r}", field="finetuning",
                             hint=f"use one of {', '.join(FINETUNING_MODES)}")
    return model_args, data_args, training_args


def tokenize_dataset(dataset, tokenizer, data_args: DataArguments, label_names: list[str], problem_type: str):
    """input_ids / attention_mask / labels (class id, or a 0/1 float row for multi-label); nothing else."""
    n = len(label_names)

    def encode(batch):
        encoded = tokenizer(batch["text"], truncation=True, max_length=data_args.max_seq_length)
        if problem_type == "multi_label_classification":
            encoded["labels"] = multi_hot(batch["labels"], n, dtype=np.float32).tolist()
        else:
            encoded["labels"] = batch["labels"]
        return encoded

    out = {}
    for split, part in dataset.items():
        part = first_rows(part, data_args.max_train_samples if split == "train" else data_args.max_eval_samples)
        out[split] = part.map(encode, batched=True, remove_columns=part.column_names, desc=f"tokenize {split}")
    return out


def first_rows(split, limit: int | None):
    """The first ``limit`` rows of a dataset split (all of them when ``limit`` is None)."""
    return split if limit is None else split.select(range(min(limit, len(split))))


def build_model(model_args: ModelArguments, label_names: list[str], problem_type: str):
    """The classifier on the resolved backbone, prepared for the fine-tuning mode; and the tokenizer."""
    backbone = resolve_backbone(model_args.backbone)
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    model = LyricMoodForSequenceClassification.from_backbone(
        backbone,
        architecture=model_args.architecture,
        id2label=label_names,
        problem_type=problem_type,
        tokenizer=tokenizer,
        classifier_dropout=model_args.classifier_dropout,
    )
    # from_pretrained records where the backbone was loaded from (a cache path for the offline e5): the saved
    # config names it by its Hub id instead (the card's base_model), or by nothing.
    model.config.backbone_config._name_or_path = backbone_hub_id(model_args.backbone) or ""
    if model_args.finetuning == "full":
        backbone_module = model.lyricmood.backbone
        if model_args.freeze_embeddings:
            backbone_module.get_input_embeddings().requires_grad_(False)
        for layer in backbone_module.encoder.layer[: model_args.freeze_layers]:
            layer.requires_grad_(False)
        return model, tokenizer

    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if model_args.finetuning == "qlora":
        from transformers import BitsAndBytesConfig

        quantization = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            # float32 compute is what works on CPU; GPUs could use bf16 but float32 is always correct.
            bnb_4bit_compute_dtype=torch.float32,
            llm_int8_skip_modules=HEAD_MODULES,
        )
        with tempfile.TemporaryDirectory() as tmp:
            model.save_pretrained(tmp)
            model = LyricMoodForSequenceClassification.from_pretrained(tmp, quantization_config=quantization)
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    lora = LoraConfig(
        r=model_args.lora_r,
        lora_alpha=model_args.lora_alpha,
        lora_dropout=model_args.lora_dropout,
        target_modules=model_args.lora_target_modules,
        modules_to_save=HEAD_MODULES,
    )
    return get_peft_model(model, lora), tokenizer


def merged_model(model, model_args: ModelArguments, label_names: list[str], problem_type: str):
    """A plain float32 LyricMood model: LoRA/QLoRA adapters merged into an unquantised copy of the base."""
    from peft import PeftModel, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict

    if not isinstance(model, PeftModel):
        return model
    base, _ = build_model(replace(model_args, finetuning="full"), label_names, problem_type)
    fresh = get_peft_model(base, model.peft_config["default"])
    set_peft_model_state_dict(fresh, get_peft_model_state_dict(model))
    return fresh.merge_and_unload()


def train(model_args: ModelArguments, data_args: DataArguments, training_args: LyricMoodTrainingArguments) -> dict:
    """Fine-tune, tune thresholds on validation, evaluate, and write a Hub-ready folder to `output_dir/final`."""
    started = time.time()
    dataset, label_names, problem_type = load_labelled_dataset(data_args.dataset, data_args.dataset_config, data_args.data_dir)
    model, tokenizer = build_model(model_args, label_names, problem_type)
    tokenized = tokenize_dataset(dataset, tokenizer, data_args, label_names, problem_type)
    if "validation" not in tokenized:
        raise LyricMoodError(f"dataset {data_args.dataset}/{data_args.dataset_config} has no validation split",
                             hint="training needs one for model selection and thresholds")
    collator = DataCollatorWithPadding(tokenizer)
    if model_args.head_bias_from_priors and not training_args.resume_from_checkpoint:
        init_bias_from_priors(model, tokenized["train"]["labels"], problem_type)

    def compute_metrics(eval_pred) -> dict:
        labels = eval_pred.label_ids
        probs = probabilities(eval_pred.predictions, problem_type == "multi_label_classification")
        similarity = from_classifier_weights(_classifier(trainer.model).weight)
        result = classification_metrics(probs, labels.astype(np.int64), problem_type=problem_type,
                                        label_names=label_names, label_similarity=similarity)
        result.pop("per_label")
        result.pop("num_examples")
        return result

    callbacks = []
    if training_args.early_stopping_patience and training_args.load_best_model_at_end:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=training_args.early_stopping_patience))
    trainer = Trainer(
        model=model,
        optimizers=(head_aware_optimizer(model, training_args), None),
        args=training_args,
        train_dataset=tokenized["train"],
        eval_dataset=tokenized["validation"],
        processing_class=tokenizer,
        data_collator=collator,
        compute_metrics=compute_metrics,
        callbacks=callbacks,
    )
    train_output = trainer.train(resume_from_checkpoint=training_args.resume_from_checkpoint)
    train_seconds = time.time() - started

    final = merged_model(trainer.model, model_args, label_names, problem_type)
    if trainer.is_world_process_zero():
        # The model scores the report splits as it will in use, with the training's truncation length.
        predictor = EmotionPredictor(final.to(training_args.device), tokenizer, max_length=data_args.max_seq_length,
                                     batch_size=training_args.per_device_eval_batch_size)
        probs_by_split = {}
        for split in dict.fromkeys([*data_args.report_splits, "validation"]):  # validation once, for the thresholds
            if split in dataset:
                part = first_rows(dataset[split], data_args.max_eval_samples)
                probs_by_split[split] = (predictor.predict(part["text"]),
                                         references_from_labels(part["labels"], problem_type, len(label_names)))
        if problem_type == "multi_label_classification" and training_args.tune_thresholds:
            val_probs, val_labels = probs_by_split["validation"]
            final.config.decision_thresholds = tune_thresholds(val_probs, val_labels).tolist()
        similarity = from_classifier_weights(final.classifier.weight)
        results = {}
        out_dir = Path(training_args.output_dir) / "final"
        out_dir.mkdir(parents=True, exist_ok=True)
        for split in data_args.report_splits:
            if split not in probs_by_split:
                continue
            probs, references = probs_by_split[split]
            results[split] = classification_metrics(
                probs, references, problem_type=problem_type, label_names=label_names,
                thresholds=final.config.decision_thresholds, label_similarity=similarity,
                errors_path=out_dir / f"errors_{split}.png",
            )
        run_info = {
            "train_seconds": round(train_seconds, 1),
            "train_loss": float(train_output.training_loss),
            "global_step": int(train_output.global_step),
            "loss_history": [h["loss"] for h in trainer.state.log_history if "loss" in h],
            "machine": machine_description(),
            "model_args": asdict(model_args),
            "data_args": asdict(data_args),
            "training_args": {k: v for k, v in training_args.to_dict().items() if not k.startswith("_")},
        }
        save_model_folder(final, tokenizer, out_dir, results, run_info)
        if training_args.hub_repo:
            push_folder(out_dir, training_args.hub_repo)
        for split, metrics in results.items():
            print(f"\n[{split}] macro-F1 {metrics['macro_f1']:.4f}  micro-F1 {metrics['micro_f1']:.4f}  "
                  f"similarity-weighted F1 {metrics['similarity_weighted_f1']:.4f}")
            print(format_per_label(metrics["per_label"]))
        print(f"\nsaved to {out_dir}")
        return {"output_dir": str(out_dir), "results": results, **run_info}
    return {}


def head_aware_optimizer(model, args: LyricMoodTrainingArguments) -> torch.optim.Optimizer | None:
    """AdamW with the randomly initialised head on its own (higher) learning rate; None: Trainer's default."""
    if not args.head_learning_rate:
        return None
    head, body = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (head if any(f"{m}." in name for m in HEAD_MODULES) else body).append(param)
    groups = [{"params": body, "lr": args.learning_rate}, {"params": head, "lr": args.head_learning_rate}]
    return torch.optim.AdamW(groups, lr=args.learning_rate, weight_decay=args.weight_decay,
                             betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon)


def _classifier(model) -> torch.nn.Linear:
    """The linear head, also inside a PEFT wrapper (where the trained copy is `modules_to_save.default`)."""
    for name, module in model.named_modules():
        if name.endswith(("classifier.modules_to_save.default", "classifier")) and isinstance(module, torch.nn.Linear):
            return module
    raise LyricMoodError("the model has no linear 'classifier' head")


def init_bias_from_priors(model, labels, problem_type: str, eps: float = 1e-4) -> torch.Tensor:
    """Set the head's bias so that a model that ignores its input predicts the training labels' frequencies.

    A zero bias starts every label at p = 0.5 (multi-label) or uniform: the first, large gradients then
    only teach the label priors, and, falling on the whole backbone at once, they can wreck its features
    (we saw training sit at the prior-level loss for hundreds of steps). Starting at the priors leaves
    only the input-dependent part to learn (the prior initialisation of the focal-loss paper).
    """
    labels = np.asarray(labels)
    head = _classifier(model)
    if problem_type == "multi_label_classification":
        p = np.clip(labels.mean(axis=0), eps, 1 - eps)
        bias = np.log(p / (1 - p))
    else:
        counts = np.bincount(labels.astype(np.int64).reshape(-1), minlength=head.out_features)
        bias = np.log(np.clip(counts / counts.sum(), eps, 1.0))
    with torch.no_grad():
        head.bias.copy_(torch.as_tensor(bias, dtype=head.bias.dtype))
    return head.bias


def machine_description() -> str:
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} threads"
    return f"{device}; {platform.processor() or platform.machine()}; torch {torch.__version__}"


def save_model_folder(model, tokenizer, out_dir: Path, results: dict, run_info: dict) -> Path:
    """Write a Hub-ready folder: safetensors, model code + auto_map, tokenizer, results and a model card.

    Nothing in it names a path of this machine (`training_info.json` keeps the last part of each path).
    """
    run_info = published_run_info(run_info)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    write_text_atomic(out_dir / "eval_results.json", json.dumps(results, indent=2, ensure_ascii=False))
    write_text_atomic(out_dir / "training_info.json", json.dumps(run_info, indent=2, ensure_ascii=False, default=str))
    write_text_atomic(out_dir / "README.md", str(model_card(model.config, results, run_info)))
    return out_dir


def push_folder(folder: str | Path, repo_id: str, private: bool = False) -> str:
    """Create `repo_id` on the Hub (if needed) and upload `folder`; returns the commit URL."""
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo(repo_id, exist_ok=True, private=private)
    commit = api.upload_folder(folder_path=str(folder), repo_id=repo_id, commit_message="Upload LyricMood model")
    return str(getattr(commit, "commit_url", commit))
