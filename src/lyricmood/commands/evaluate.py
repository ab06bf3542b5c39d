"""Evaluate a LyricMood model with its own decision thresholds (tuned on validation when it was trained): macro and
micro F1, the similarity-weighted F1 and a per-label table. The label similarity comes from the model's classifier
weights unless --label-similarity says otherwise."""

from __future__ import annotations

import argparse

from . import positive_int


def register(subparsers) -> None:
    help_text = "score a model on a dataset split (macro/micro F1, similarity-weighted F1, per-label table)"
    parser = subparsers.add_parser("evaluate", help=help_text, description=__doc__)  # --help shows the module docstring
    parser.add_argument("model", help="model folder or Hub id; 'default' for the embedded default model")
    parser.add_argument("--dataset", default="goemotions", help="builder name (goemotions, kote, aihub_emotion)")
    parser.add_argument("--config", dest="dataset_config", default=None, help="builder config, e.g. en, ko, en+ko")
    parser.add_argument("--data-dir", default=None, help="folder with the dataset's files")
    parser.add_argument("--split", default="test", help="the split to score: test (default), validation or train")
    parser.add_argument("--batch-size", type=positive_int, default=128,
                        help="texts per forward pass (default 128; lower it if memory runs short)")
    parser.add_argument("--label-similarity", default="classifier", choices=["classifier", "cooccurrence"],
                        help="S for the similarity-weighted F1: the model's classifier rows (default) or label "
                        "co-occurrence in the train split (model-independent, to compare models)")
    parser.add_argument("--out", default=None, help="folder for results.json and the error heatmap PNG")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate_model, format_per_label

    result = evaluate_model(
        args.model,
        dataset=args.dataset,
        dataset_config=args.dataset_config,
        data_dir=args.data_dir,
        split=args.split,
        batch_size=args.batch_size,
        out_dir=args.out,
        label_similarity=args.label_similarity,
    )
    print(format_per_label(result["per_label"]))
    print(
        f"\n{args.dataset}/{args.dataset_config or 'default'} {args.split} ({result['num_examples']} examples): "
        f"macro-F1 {result['macro_f1']:.4f}  micro-F1 {result['micro_f1']:.4f}  "
        f"similarity-weighted F1 {result['similarity_weighted_f1']:.4f} (S: {args.label_similarity})"
    )
    if args.out:
        print(f"wrote {args.out}/results.json")
    return 0
