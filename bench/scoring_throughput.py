"""Songs/s scoring the demo catalog: lyricmood's EmotionPredictor vs a plain transformers pipeline.

    python bench/scoring_throughput.py [--model PATH | --tiny] [--small]

Both score the same chunks (lyricmood.lyrics) and average them the same way (token-weighted mean);
the pipeline runs with default batching, in input order. Variants (thread counts, bf16 autocast,
dynamic int8 quantisation) are kept in the table only if faster than ours and within tolerance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, markdown_table, model_from_args, print_machine, timed, write_json  # noqa: E402

TOLERANCE = 1e-4
# Reduced-precision variants are kept only within this max |Δp| of the pipeline (and when faster).
APPROX_TOLERANCE = 5e-3


def song_chunks(predictor, lyrics: list[str]) -> list[list[tuple[str, int]]]:
    from lyricmood.lyrics import chunk_lyrics, content_tokens, split_lyrics

    max_tokens = content_tokens(predictor.tokenizer, predictor.max_length)
    return [[(c.text, c.weight) for c in chunk_lyrics(split_lyrics(t), predictor.tokenizer, max_tokens)] for t in lyrics]


def pipeline_vectors(pipe, labels: list[str], chunks: list[list[tuple[str, int]]]) -> np.ndarray:
    """What a user would write: the pipeline over every chunk, then the token-weighted mean per song."""
    texts = [text for song in chunks for text, _ in song]
    outputs = pipe(texts)
    position = {label: i for i, label in enumerate(labels)}
    probs = np.zeros((len(texts), len(labels)))
    for row, scores in zip(probs, outputs):
        for item in scores:
            row[position[item["label"]]] = item["score"]
    vectors, start = [], 0
    for song in chunks:
        weights = np.array([w for _, w in song], dtype=np.float64)
        vectors.append((weights[:, None] * probs[start : start + len(song)]).sum(0) / weights.sum())
        start += len(song)
    return np.stack(vectors)


def ours(predictor, lyrics: list[str]) -> np.ndarray:
    return np.stack([predictor.score_song(t).vector for t in lyrics]).astype(np.float64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--repeat", type=int, default=2, help="runs per method (best time kept)")
    args = parser.parse_args(argv)
    info = print_machine()
    model_path = model_from_args(args)
    if model_path is None:
        return 0

    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from lyricmood.indexing import load_catalog
    from lyricmood.inference import EmotionPredictor

    lyrics = [song["lyrics"] for song in load_catalog("demo")]
    if args.small:  # about a minute on a busy 2-core machine
        lyrics, args.repeat = lyrics[:6], 1
    predictor = EmotionPredictor(model_path)
    chunks = song_chunks(predictor, lyrics)
    n_chunks = sum(map(len, chunks))
    print(f"model: {model_path}\nsongs: {len(lyrics)}, chunks: {n_chunks}\n")

    def run(fn):
        return timed(fn, repeat=args.repeat)

    base_model = AutoModelForSequenceClassification.from_pretrained(model_path).eval()
    pipe = pipeline(
        "text-classification",
        model=base_model,
        tokenizer=AutoTokenizer.from_pretrained(model_path),
        top_k=None,
        function_to_apply="sigmoid",
        device="cpu",
    )
    pipeline_vectors(pipe, predictor.labels, chunks[:2]), ours(predictor, lyrics[:2])  # warm-up
    base_time, base_vectors = run(lambda: pipeline_vectors(pipe, predictor.labels, chunks))
    our_time, our_vectors = run(lambda: ours(predictor, lyrics))
    diff = float(np.abs(our_vectors - base_vectors).max())

    def row(name, seconds, vectors, note=""):
        return {
            "method": name,
            "seconds": seconds,
            "songs/s": len(lyrics) / seconds,
            "speed vs pipeline": base_time / seconds,
            "max |Δp| vs pipeline": float(np.abs(vectors - base_vectors).max()),
            "top-1 agreement": float((vectors.argmax(1) == base_vectors.argmax(1)).mean()),
            "note": note,
        }

    rows = [
        row("transformers pipeline (baseline)", base_time, base_vectors),
        row("EmotionPredictor.score_song", our_time, our_vectors, "ok" if diff <= TOLERANCE else "MISMATCH"),
    ]
    tried = []

    def variant(name, fn, tolerance=TOLERANCE):
        seconds, vectors = run(fn)
        r = row(name, seconds, vectors)
        ok = r["max |Δp| vs pipeline"] <= tolerance and seconds < our_time
        r["note"] = "kept" if ok else ("slower" if seconds >= our_time else "outside tolerance")
        tried.append(r)
        if ok:
            rows.append(r)

    threads = torch.get_num_threads()
    for n in sorted({1, max(1, threads // 2), threads * 2} - {threads}):
        torch.set_num_threads(n)
        variant(f"ours, torch.set_num_threads({n})", lambda: ours(predictor, lyrics))
    torch.set_num_threads(threads)

    bf16 = EmotionPredictor(predictor.model, predictor.tokenizer, batch_size=predictor.batch_size, bf16=True)
    variant("ours, bf16 autocast (bf16=True)", lambda: ours(bf16, lyrics), tolerance=APPROX_TOLERANCE)
    int8_model = torch.ao.quantization.quantize_dynamic(predictor.model, {torch.nn.Linear}, dtype=torch.qint8)
    int8 = EmotionPredictor(int8_model, predictor.tokenizer, batch_size=predictor.batch_size)
    variant("ours, dynamic int8 (Linear)", lambda: ours(int8, lyrics), tolerance=APPROX_TOLERANCE)

    columns = ["method", "seconds", "songs/s", "speed vs pipeline", "max |Δp| vs pipeline", "top-1 agreement", "note"]
    print(markdown_table(rows, columns))
    print("\nall variants tried (kept only if faster than ours and within tolerance: 1e-4, bf16/int8 5e-3):\n")
    print(markdown_table(tried, columns))
    print(f"\nours/pipeline speed ratio: {base_time / our_time:.2f}×; max |Δp| = {diff:.2e} (tolerance {TOLERANCE})")
    write_json(
        "scoring_throughput.json",
        {"machine": info, "model": str(model_path), "songs": len(lyrics), "chunks": n_chunks, "rows": rows, "tried": tried},
    )
    return 0 if diff <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
