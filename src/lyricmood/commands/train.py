"""Fine-tune a LyricMood classifier. Arguments come from an optional JSON file (see configs/) and flags, which
override it. `lyricmood train --help-args` lists every flag."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    help_text = "fine-tune an emotion classifier (Trainer + accelerate; CPU, GPU or `accelerate launch`)"
    parser = subparsers.add_parser("train", help=help_text, description=__doc__)  # --help shows the module docstring
    parser.add_argument("--config", help="JSON file of arguments (e.g. configs/default-e5-arch2.json)")
    parser.add_argument("--help-args", action="store_true", help="list every training argument and exit")
    parser.set_defaults(func=run, accepts_unknown=True)


def run(args: argparse.Namespace) -> int:
    from transformers import HfArgumentParser

    from ..training import DataArguments, LyricMoodTrainingArguments, ModelArguments, parse_args, train

    if args.help_args:
        HfArgumentParser((ModelArguments, DataArguments, LyricMoodTrainingArguments), prog="lyricmood train").print_help()
        return 0
    model_args, data_args, training_args = parse_args(args.unknown, config_file=args.config)
    train(model_args, data_args, training_args)
    return 0
