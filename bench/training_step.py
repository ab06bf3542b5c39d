"""Training tokens/s: length-grouped dynamic padding vs fixed padding to max length, same texts.

    python bench/training_step.py [--model PATH | --tiny] [--small] [--texts N] [--max-length 64]

The configuration is the default model's: full fine-tuning with frozen token embeddings, texts truncated
(and, for the baseline, padded) to --max-length (64, the default config's max_seq_length).

Texts: the first N GoEmotions train texts (../shared/data/goemotions/en/train.tsv) if present, else
synthetic. "tokens" counts real (non-pad) tokens, so both settings do the same useful work.
GPU peak memory of QLoRA vs LoRA vs full fine-tuning needs CUDA (skipped otherwise).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, markdown_table, model_from_args, print_machine, write_json  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "goemotions" / "en" / "train.tsv"


def load_texts(n: int) -> tuple[list[str], str]:
    if DATA.is_file():
        texts = [line.split("\t")[0] for line in DATA.read_text(encoding="utf-8").splitlines()[:n]]
        return texts, str(DATA)
    rng = np.random.default_rng(0)
    words = "the sad rain love night light alone happy joy dance fear hope home heart cry smile".split()
    return [" ".join(rng.choice(words, rng.integers(3, 40))) for _ in range(n)], "synthetic"


def steps(model, batches, lr: float = 1e-4) -> tuple[float, int]:
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    tokens = 0
    start = time.perf_counter()
    for batch in batches:
        out = model(**batch)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        tokens += int(batch["attention_mask"].sum())
    return time.perf_counter() - start, tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--texts", type=int, help="how many texts (default 512, --small 128)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=64,
                        help="truncation and fixed-padding length (default 64: the default config's max_seq_length)")
    args = parser.parse_args(argv)
    info = print_machine()
    model_path = model_from_args(args)
    if model_path is None:
        return 0
    from transformers import AutoTokenizer

    from lyricmood.modeling import LyricMoodForSequenceClassification

    texts, source = load_texts(args.texts or (128 if args.small else 512))
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    limit = min(tokenizer.model_max_length, args.max_length)
    encoded = tokenizer(texts, truncation=True, max_length=limit)["input_ids"]
    num_labels = LyricMoodForSequenceClassification.from_pretrained(model_path).config.num_labels
    rng = np.random.default_rng(0)
    labels = torch.from_numpy((rng.random((len(texts), num_labels)) < 0.1).astype(np.float32))

    def make(ids_rows, padding):
        out = []
        order = np.arange(len(ids_rows))
        if padding == "grouped":  # sort by length, batch, then shuffle the batches (as group_by_length does)
            order = np.argsort([len(r) for r in ids_rows], kind="stable")
        chunks = [order[i : i + args.batch_size] for i in range(0, len(order), args.batch_size)]
        rng.shuffle(chunks)
        for idx in chunks:
            batch = tokenizer.pad(
                {"input_ids": [ids_rows[i] for i in idx]},
                padding="longest" if padding == "grouped" else "max_length",
                max_length=None if padding == "grouped" else limit,
                return_tensors="pt",
            )
            batch["labels"] = labels[idx]
            out.append(batch)
        return out

    rows = []
    for padding in ("fixed", "grouped"):
        torch.manual_seed(0)
        model = LyricMoodForSequenceClassification.from_pretrained(model_path)
        model.config.problem_type = "multi_label_classification"
        model.get_input_embeddings().requires_grad_(False)  # as the default config (freeze_embeddings)
        batches = make(encoded, padding)
        steps(model, batches[:1])  # warm-up
        seconds, tokens = steps(model, batches)
        padded = sum(int(b["input_ids"].numel()) for b in batches)
        rows.append({"padding": f"{padding} ({'to ' + str(limit) if padding == 'fixed' else 'length-grouped, longest'})",
                     "steps": len(batches), "seconds": seconds, "real tokens/s": tokens / seconds,
                     "pad share": 1 - tokens / padded})
    for r in rows:
        r["speed vs fixed"] = r["real tokens/s"] / rows[0]["real tokens/s"]
    print(f"model: {model_path}\ntexts: {len(texts)} from {source}, batch size {args.batch_size}\n")
    print(markdown_table(rows))
    gpu = "skipped: no CUDA" if not torch.cuda.is_available() else "not measured by this script yet (run on GPU: see bench/README.md)"
    print(f"\nGPU peak memory, QLoRA vs LoRA vs full fine-tuning (roberta-base): {gpu}")
    write_json("training_step.json", {"machine": info, "model": str(model_path), "source": source, "rows": rows, "gpu_memory": gpu})
    return 0


if __name__ == "__main__":
    sys.exit(main())
