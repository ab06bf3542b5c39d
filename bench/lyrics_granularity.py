"""How should a song be read, and how much should mood weigh against meaning? Chunk granularity × fusion weight.

    python bench/lyrics_granularity.py --data ../shared/data/lyrics_mood [--model PATH | --tiny] [--weights 0.3 0.5]

For each way of cutting a song into model inputs (every token of the song counts in each, except ``first-512``,
the truncated baseline), both models read the same chunks: the emotion model (its pooled emotion feature, its
probabilities and its encoder's mean) and base e5 (the semantic embedding: masked mean, "query: " prefix). Song
vectors are token-weighted means over chunks. Then, per set and split, precision@10 (leave-one-out within the split)
of each part alone and of the fusion ``w · cos(mood) + (1 − w) · cos(meaning)`` (each part centred on the split and
unit-normalised: :mod:`lyricmood.fusion`) for a handful of weights ``w``.

Granularities: ``lines`` (today's chunks: lines grouped to ≥ 8 tokens within a section), ``sections`` (a section
whole, cut into windows only past the model limit), ``windows-128`` and ``windows-512`` (the song's lines packed
into windows of up to that many tokens, across sections, no overlap), ``first-512`` (the first 512 tokens only).

Sets: every ``<name>/songs.jsonl`` under ``--data`` (NJU-MusicMood: its own ``split`` field gives train/test), and
the demo catalog's songs (written for lyricmood, so Korean material we have), labelled by the Russell quadrant of
the writer's intended mood (:data:`QUADRANT`), Korean and English apart. Chunk outputs are cached in
``bench/results/cache/`` per model, granularity and data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import markdown_table, print_machine, semantic_embeddings, write_json  # noqa: E402
from lyrics_quality import (  # noqa: E402
    DEFAULT_DATA,
    backbone_id,
    bootstrap_ci,
    cached,
    centred,
    data_hash,
    load_models,
    lyric_lines,
    model_chunk_outputs,
    per_song_precision,
    read_sets,
    song_mean,
    unit,
)

GRANULARITIES = ("lines", "sections", "windows-128", "windows-512", "first-512")
#: the demo catalog's intended moods → Russell quadrants (the NJU labels' scheme), for a coarse Korean check
QUADRANT = {
    **dict.fromkeys(["anger", "annoyance", "fear", "nervousness", "embarrassment"], "angry"),
    **dict.fromkeys(["joy", "amusement", "pride", "excitement", "surprise", "curiosity", "admiration", "optimism",
                     "hope"], "happy"),
    **dict.fromkeys(["love", "caring", "gratitude", "relief", "nostalgia"], "relaxed"),
    **dict.fromkeys(["grief", "longing", "loneliness", "remorse", "sadness", "disappointment"], "sad"),
}


def demo_rows() -> list[dict]:
    from lyricmood.catalog import demo_catalog_path

    rows = []
    for line in demo_catalog_path().read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        first = re.split(r"\s*(?:→|/|,|\+| and )\s*", row["intended_mood"])[0].strip()
        rows.append({"id": row["id"], "lyrics": row["lyrics"], "label": QUADRANT[first], "lang": row["lang"],
                     "split": row["lang"]})
    return rows


def chunks_of(tokenizer, max_length: int, lyrics: list[str], granularity: str):
    """Chunk texts, the song each belongs to and its token weight, for one granularity."""
    from lyricmood.lyrics import Section, content_tokens, iter_chunks, split_lyrics

    limit = content_tokens(tokenizer, max_length)
    texts, song, weight = [], [], []
    for i, text in enumerate(lyrics):
        sections = split_lyrics(text)
        if granularity == "first-512":
            pieces = [(lyric_lines(text), 1)]
        else:
            if granularity == "lines":
                chunks = iter_chunks(sections, tokenizer, limit)
            elif granularity == "sections":
                chunks = iter_chunks(sections, tokenizer, limit, min_tokens=limit)
            else:
                size = min(limit, int(granularity.split("-")[1]) - 2)
                whole = [Section("song", [line for s in sections for line in s.lines])]
                chunks = iter_chunks(whole, tokenizer, size, min_tokens=size)
            pieces = [(c.text, c.weight) for c in chunks]
        for chunk_text, w in pieces:
            texts.append(chunk_text)
            song.append(i)
            weight.append(w)
    return texts, np.array(song), np.array(weight, dtype=np.float64)


def song_vectors(name, rows, model, tokenizer, max_length, fingerprint, backbone, backbone_tokenizer, granularities):
    """{granularity: {part: (N, D) song vectors}} for parts feature, probs, hidden (emotion model) and e5; the
    emotion model does not read ``first-512`` (it would drop the rest of the song)."""
    from lyricmood.inference import probabilities

    lyrics = [row["lyrics"] for row in rows]
    key = f"{name}-{data_hash(rows)}"
    multi_label = model.config.problem_type == "multi_label_classification"
    out = {}
    for g in granularities:
        texts, song, weight = chunks_of(tokenizer, max_length, lyrics, g)
        print(f"  {name} {g}: {len(texts)} chunks", flush=True)
        n = len(rows)
        mean = lambda X: song_mean(X.astype(np.float64), song, weight, n)  # noqa: E731
        e5 = cached(f"{key}-gran-{g}-e5-{backbone_id(backbone)}",
                    lambda: {"e5": semantic_embeddings(backbone, backbone_tokenizer, texts, max_length)})
        out[g] = {"e5": mean(e5["e5"])}
        if g != "first-512":
            model_out = cached(f"{key}-gran-{g}-model-{fingerprint[:16]}",
                               lambda: model_chunk_outputs(model, tokenizer, max_length, texts))
            out[g].update(feature=mean(model_out["feature"]), hidden=mean(model_out["hidden"]),
                          probs=mean(probabilities(model_out["logits"], multi_label)))
    return out


def fused(mood: np.ndarray, meaning: np.ndarray, w: float) -> np.ndarray:
    return np.hstack([np.sqrt(w) * unit(centred(mood)), np.sqrt(1 - w) * unit(centred(meaning))])


def evaluate(vectors: dict, y: np.ndarray, subsets: dict[str, np.ndarray], weights: list[float], rng) -> list[dict]:
    """precision@10 per candidate and subset (leave-one-out within the subset)."""
    candidates = {}
    for g, parts in vectors.items():
        for part, V in parts.items():
            candidates[(f"{part} @ {g}", "", g, g)] = V
    mood_grans = [g for g in vectors if "feature" in vectors[g]]
    meaning_grans = list(vectors)
    for gm in mood_grans:
        for gs in meaning_grans:
            for w in weights:
                candidates[(f"fusion feature@{gm} ⊕ e5@{gs}", w, gm, gs)] = (gm, gs, w, "e5")
        for w in weights:  # one pass: the emotion model's own encoder mean as the meaning part
            candidates[(f"fusion feature@{gm} ⊕ hidden@{gm} (one model)", w, gm, gm)] = (gm, gm, w, "hidden")
    rows = []
    baseline = {}
    for (label, w, gm, gs), V in candidates.items():
        row = {"representation": label, "w": w}
        for subset, mask in subsets.items():
            if isinstance(V, tuple):
                g1, g2, weight, part = V
                X = fused(vectors[g1]["feature"][mask], vectors[g2][part][mask], weight)
            else:
                X = centred(V[mask])
            p = per_song_precision(X, y[mask])
            row[subset] = float(p.mean())
            if label == "e5 @ first-512":
                baseline[subset] = p
            row[f"_{subset}"] = p
        rows.append(row)
    for row in rows:  # paired CI against e5 over the first 512 tokens (the best baseline)
        for subset in subsets:
            diff = row.pop(f"_{subset}") - baseline[subset]
            low, high = bootstrap_ci(diff, rng)
            row[f"Δ {subset} (95% CI)"] = f"{diff.mean():+.3f} ({low:+.3f}, {high:+.3f})"
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", metavar="PATH")
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--weights", type=float, nargs="*", default=[0.35, 0.5, 0.65, 0.8])
    parser.add_argument("--no-demo", action="store_true", help="leave out the demo catalog")
    parser.add_argument("--granularities", nargs="*", default=list(GRANULARITIES), choices=GRANULARITIES,
                        help="the ways of reading a song to measure (first-512 is always the baseline)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    info = print_machine()
    models = load_models(args)
    if models is None:
        return 0
    model_path, predictor, backbone, backbone_tokenizer = models
    sets = read_sets(args.data) if args.data.is_dir() else {}
    if not args.no_demo:
        sets["demo"] = demo_rows()
    rng = np.random.default_rng(args.seed)
    results = {}
    for name, rows in sets.items():
        y = np.array([row["label"] for row in rows])
        granularities = list(dict.fromkeys([*args.granularities, "first-512"]))
        vectors = song_vectors(name, rows, predictor.model, predictor.tokenizer, predictor.max_length,
                               predictor.fingerprint, backbone, backbone_tokenizer, granularities)
        splits = np.array([row.get("split", "all") for row in rows])
        subsets = {s: splits == s for s in sorted(set(splits))}
        subsets["all"] = np.ones(len(rows), dtype=bool)
        table = evaluate(vectors, y, subsets, args.weights, rng)
        print(f"\n## {name}: {len(rows)} songs\n")
        print(markdown_table(table))
        results[name] = table
    write_json("lyrics_granularity.json", {"machine": info, "model": model_path.name, "sets": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
