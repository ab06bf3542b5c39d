"""Real lyrics: do song vectors find songs of the same mood better than semantic search does?

    python bench/lyrics_quality.py --data ../shared/data/lyrics_mood [--model PATH | --tiny] [--sets NAME ...]

Input: any folder of ``<name>/songs.jsonl`` (one JSON object a line with ``id``, ``lyrics``, ``label`` and
optionally ``lang``), e.g. a user's own labelled catalog. For each set and each representation of a song:

- **precision@10**: leave-one-out, exact search; the share of a song's 10 nearest songs that carry its label,
  with a 95 % bootstrap CI over songs;
- **Δ vs best baseline**: the paired bootstrap 95 % CI of (representation − the best baseline) per song;
- **per-label precision@10**, and **5-fold linear-probe accuracy** (logistic regression on the vectors).

Every representation of the emotion model sees the **same chunks** (:func:`lyricmood.lyrics.split_lyrics` +
``iter_chunks``) and is aggregated the same way (token-weighted mean over chunks); "centred" subtracts the set's
mean vector before the cosine. **The default ranking** is the library's: mood and meaning
(:mod:`lyricmood.fusion`): the pooled emotion feature of the song read by section (each section whole, as
``EmotionPredictor(chunks="sections")`` reads it) and the meaning vector (:class:`lyricmood.meaning.MeaningEncoder`:
base e5 over windows of up to 512 tokens, token-weighted mean), each centred and unit-normalised, mixed with the
default mood weight. Baselines, run in the same process: e5 semantic embeddings of the same chunks (the backbone's
masked mean, "query: " prefix), centred and raw; e5 over 512-token windows covering the whole song (the meaning
part alone); e5 over the first 512 tokens of the song; TF-IDF on character 2–4-grams; random (the exact expectation). Chunk outputs are cached per model fingerprint and data hash in
``bench/results/cache/`` (never committed: bench/results is ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (  # noqa: E402
    RESULTS,
    encode_batched,
    markdown_table,
    model_from_args,
    print_machine,
    semantic_embeddings,
    write_json,
)

K = 10
BOOTSTRAP = 2000
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lyrics_mood"
CACHE = RESULTS / "cache"
CHUNK_BATCH = 64
#: the library's ranking representation (lyricmood.index.MOOD_AND_MEANING_REPRESENTATION), measured against the
#: baselines
DEFAULT = "ours: mood and meaning (the default ranking)"
FEATURE = "pooled emotion feature (the ranking before)"
TARGET_SEMANTIC, TARGET_TFIDF = 1.10, 1.3


# ---------------------------------------------------------------------------- data
def read_sets(data: Path, names: list[str] | None = None) -> dict[str, list[dict]]:
    """``<name>/songs.jsonl`` under ``data`` → rows with id, lyrics, label (and lang, if given)."""
    from lyricmood.errors import LyricMoodError

    sets = {}
    for path in sorted(data.glob("*/songs.jsonl")):
        name = path.parent.name
        if names and name not in names:
            continue
        rows = []
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise LyricMoodError(f"not JSON ({err.msg})", file=path, line=line_no) from err
            for field in ("id", "lyrics", "label"):
                if not isinstance(row.get(field), str) or not row[field].strip():
                    raise LyricMoodError(f"missing or empty {field!r}", file=path, line=line_no, field=field,
                                         hint="each line needs id, lyrics and label as non-empty strings")
            rows.append(row)
        sets[name] = rows
    return sets


def data_hash(rows: list[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row["id"], row["lyrics"]], ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------- chunk outputs
def lyric_lines(text: str) -> str:
    """The song's lyric lines as one text (section tags and blank lines dropped): what "the first 512 tokens" reads."""
    from lyricmood.lyrics import split_lyrics

    return "\n".join(line for section in split_lyrics(text) for line in section.lines)


def song_chunks(tokenizer, max_length: int, lyrics: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All songs' chunks: texts, the song each belongs to, and its token-count weight."""
    from lyricmood.lyrics import content_tokens, iter_chunks, split_lyrics

    max_tokens = content_tokens(tokenizer, max_length)
    texts, song, weight = [], [], []
    for i, text in enumerate(lyrics):
        for chunk in iter_chunks(split_lyrics(text), tokenizer, max_tokens):
            texts.append(chunk.text)
            song.append(i)
            weight.append(chunk.weight)
    return texts, np.array(song), np.array(weight, dtype=np.float64)


def model_chunk_outputs(model, tokenizer, max_length: int, texts: list[str]) -> dict[str, np.ndarray]:
    """The fine-tuned model's per-chunk logits, pooled emotion feature and last-layer masked mean."""
    from lyricmood.modeling.modeling_lyricmood import masked_mean

    def fn(batch):
        out = model.lyricmood(**batch, return_dict=True)
        mask = model.lyricmood.token_mask(batch["input_ids"], batch["attention_mask"])
        return model.classifier(out.pooler_output), out.pooler_output, masked_mean(out.last_hidden_state, mask)

    logits, feature, hidden = encode_batched(texts, tokenizer, max_length, fn, batch_size=CHUNK_BATCH)
    return {"logits": logits, "feature": feature, "hidden": hidden}


def backbone_id(backbone) -> str:
    """A short id of the semantic backbone's weights (part of the cache key)."""
    digest = hashlib.sha256(json.dumps(backbone.config.to_dict(), sort_keys=True, default=str).encode())
    for name, tensor in sorted(backbone.state_dict().items())[:4]:
        digest.update(name.encode() + tensor.float().numpy().tobytes()[:4096])
    return digest.hexdigest()[:16]


def cached(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    path = CACHE / f"{key}.npz"
    if path.is_file():
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    out = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    tmp.replace(path)
    return out


# ---------------------------------------------------------------------------- song vectors
def song_mean(X: np.ndarray, song: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    """Weighted mean of chunk rows per song."""
    sums = np.zeros((n, X.shape[1]))
    np.add.at(sums, song, X * weight[:, None])
    totals = np.bincount(song, weights=weight, minlength=n)
    return sums / np.maximum(totals, 1e-12)[:, None]


def centred(V: np.ndarray) -> np.ndarray:
    return V - V.mean(0)


def unit(V: np.ndarray) -> np.ndarray:
    return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)


# ---------------------------------------------------------------------------- measures
def neighbours(V: np.ndarray, k: int = K) -> np.ndarray:
    """Leave-one-out top-k by cosine (rows are L2-normalised here); ties broken by row order."""
    U = unit(V)
    S = U @ U.T
    np.fill_diagonal(S, -np.inf)
    order = np.argsort(-S, axis=1, kind="stable")
    return order[:, :k]


def per_song_precision(V: np.ndarray, y: np.ndarray, k: int = K) -> np.ndarray:
    return (y[neighbours(V, k)] == y[:, None]).mean(1)


def random_expectation(y: np.ndarray) -> np.ndarray:
    """Exact expected precision@k per song of uniform random neighbours: (same-label songs − 1) / (n − 1)."""
    counts = {label: (y == label).sum() for label in np.unique(y)}
    return np.array([(counts[label] - 1) / (len(y) - 1) for label in y])


def bootstrap_ci(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    idx = rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))
    means = values[idx].mean(1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def probe_accuracy(V: np.ndarray, y: np.ndarray) -> float:
    """5-fold stratified logistic regression accuracy on standardised vectors (seed 0)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    probe = make_pipeline(StandardScaler(with_mean=not hasattr(V, "tocsr")), LogisticRegression(max_iter=2000, C=0.1))
    return float(cross_val_score(probe, V, y, cv=folds).mean())


# ---------------------------------------------------------------------------- representations
def representations(chunks: dict[str, np.ndarray], song: np.ndarray, weight: np.ndarray, n: int,
                    labels: list[str], multi_label: bool) -> dict[str, np.ndarray]:
    """Candidate song vectors built from the model's chunk outputs (the library's default is among them)."""
    from lyricmood.inference import probabilities

    logits = chunks["logits"].astype(np.float64)
    probs = probabilities(logits, multi_label).astype(np.float64)
    mean = lambda X, w=weight: song_mean(X, song, w, n)  # noqa: E731
    reps = {
        FEATURE: mean(chunks["feature"]),  # what SongEmotion.feature holds (tests/test_index.py checks the equality)
        "emotion probabilities": mean(probs),
        "emotion logits": mean(logits),
        "fine-tuned encoder mean": mean(chunks["hidden"]),
    }
    P = reps["emotion probabilities"]
    reps["probabilities, standardised per label"] = P / np.maximum(P.std(0), 1e-12)
    if "neutral" in labels:
        keep = [i for i, label in enumerate(labels) if label != "neutral"]
        salience = 1.0 - probs[:, labels.index("neutral")]
        reps["probabilities without neutral"] = P[:, keep]
        reps["probabilities without neutral, salience-weighted"] = mean(probs[:, keep], weight * salience)
        reps["pooled feature, salience-weighted"] = mean(chunks["feature"], weight * salience)
    F = reps[FEATURE]
    for alpha in (0.5, 1.0):
        reps[f"feature ⊕ standardised probabilities (α={alpha:g})"] = np.hstack(
            [unit(centred(F)), alpha * unit(centred(P / np.maximum(P.std(0), 1e-12)))])
    return reps


# ---------------------------------------------------------------------------- main
def evaluate_set(name: str, rows: list[dict], model, tokenizer, max_length: int, fingerprint: str,
                 backbone, backbone_tokenizer, rng: np.random.Generator) -> dict:
    n = len(rows)
    y = np.array([row["label"] for row in rows])
    lyrics = [row["lyrics"] for row in rows]
    key = f"{name}-{data_hash(rows)}"
    timings = {}
    start = time.perf_counter()
    texts, song, weight = song_chunks(tokenizer, max_length, lyrics)
    # Cache keys shared with bench/lyrics_granularity.py (the same chunks, the same outputs).
    chunks = cached(f"{key}-gran-lines-model-{fingerprint[:16]}",
                    lambda: model_chunk_outputs(model, tokenizer, max_length, texts))
    timings["model chunks"] = time.perf_counter() - start
    start = time.perf_counter()
    semantic = {
        "chunks": cached(f"{key}-gran-lines-e5-{backbone_id(backbone)}", lambda: {
            "e5": semantic_embeddings(backbone, backbone_tokenizer, texts, max_length)})["e5"],
        "first512": cached(f"{key}-gran-first-512-e5-{backbone_id(backbone)}", lambda: {
            "e5": semantic_embeddings(backbone, backbone_tokenizer, [lyric_lines(t) for t in lyrics], max_length)})["e5"],
    }
    timings["semantic"] = time.perf_counter() - start
    start = time.perf_counter()
    from lyricmood.lyrics import split_lyrics
    from lyricmood.meaning import MeaningEncoder

    encoder = MeaningEncoder(backbone, backbone_tokenizer)
    from lyricmood.lyrics import content_tokens, iter_chunks

    limit = content_tokens(tokenizer, max_length)
    by_section = [(i, c.text, c.weight) for i, text in enumerate(lyrics)
                  for c in iter_chunks(split_lyrics(text), tokenizer, limit, min_tokens=limit)]
    section_texts = [t for _, t, _ in by_section]
    section_chunks = cached(f"{key}-gran-sections-model-{fingerprint[:16]}",
                            lambda: model_chunk_outputs(model, tokenizer, max_length, section_texts))
    mood = song_mean(section_chunks["feature"].astype(np.float64), np.array([i for i, _, _ in by_section]),
                     np.array([w for _, _, w in by_section], dtype=np.float64), n)
    meaning = cached(f"{key}-meaning-{encoder.fingerprint[:16]}",
                     lambda: {"meaning": encoder.embed([split_lyrics(text) for text in lyrics])})["meaning"]
    timings["meaning"] = time.perf_counter() - start
    multi_label = model.config.problem_type == "multi_label_classification"
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    reps = representations(chunks, song, weight, n, labels, multi_label)

    S_chunks = song_mean(semantic["chunks"].astype(np.float64), song, weight, n)
    baselines = {
        "baseline: e5 semantic, 512-token windows over the whole song, centred": centred(meaning.astype(np.float64)),
        "baseline: e5 semantic, same chunks, centred": centred(S_chunks),
        "baseline: e5 semantic, same chunks, raw": S_chunks,
        "baseline: e5 semantic, first 512 tokens, raw": semantic["first512"].astype(np.float64),
        "baseline: e5 semantic, first 512 tokens, centred": centred(semantic["first512"].astype(np.float64)),
    }
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(lyrics)
    tfidf_precision = (y[_sparse_neighbours(tfidf)] == y[:, None]).mean(1)

    per_song = {b: per_song_precision(V, y) for b, V in baselines.items()}
    best_baseline = max(per_song, key=lambda b: per_song[b].mean())
    per_song["baseline: TF-IDF char 2–4-grams"] = tfidf_precision
    for r, V in reps.items():
        per_song[f"{r}, centred"] = per_song_precision(centred(V), y)
    per_song["random (exact expectation)"] = random_expectation(y)
    from lyricmood.fusion import DEFAULT_MOOD_WEIGHT

    # As lyricmood.fusion ranks: each part centred and unit-normalised, concatenated with √w and √(1 − w).
    w = DEFAULT_MOOD_WEIGHT
    fused = np.hstack([np.sqrt(w) * unit(centred(mood)), np.sqrt(1 - w) * unit(centred(meaning))])
    per_song[DEFAULT] = per_song_precision(fused, y)
    per_song = {DEFAULT: per_song.pop(DEFAULT), **per_song}

    vectors = {**baselines, DEFAULT: fused, **{f"{r}, centred": centred(V) for r, V in reps.items()}}
    table, results = [], {}
    for method, values in per_song.items():
        low, high = bootstrap_ci(values, rng)
        diff = values - per_song[best_baseline]
        d_low, d_high = bootstrap_ci(diff, rng)
        result = {
            "precision@10": float(values.mean()), "ci95": [low, high],
            "diff_vs_best_baseline": float(diff.mean()), "diff_ci95": [d_low, d_high],
            "vs_best_baseline": float(values.mean() / per_song[best_baseline].mean()),
            "per_label": {label: float(values[y == label].mean()) for label in np.unique(y)},
        }
        if method in vectors:
            result["probe_accuracy"] = probe_accuracy(vectors[method], y)
        elif method.startswith("baseline: TF-IDF"):
            result["probe_accuracy"] = probe_accuracy(tfidf, y)
        results[method] = result
        table.append({
            "representation": method, "p@10": result["precision@10"], "95% CI": f"{low:.3f}–{high:.3f}",
            "÷ best baseline": result["vs_best_baseline"],
            "Δ (95% CI)": f"{diff.mean():+.3f} ({d_low:+.3f}, {d_high:+.3f})",
            **{label: v for label, v in result["per_label"].items()},
            "probe acc.": result.get("probe_accuracy"),
        })
    print(f"\n## {name}: {n} songs, {len(texts)} chunks, labels "
          + ", ".join(f"{label} {int((y == label).sum())}" for label in np.unique(y))
          + f"\nbest baseline: {best_baseline}\n")
    print(markdown_table(table))
    ours, tfidf_name = results[DEFAULT], "baseline: TF-IDF char 2–4-grams"
    checks = [
        {"figure": f"default ÷ best semantic baseline ({best_baseline[10:]})", "value": ours["vs_best_baseline"],
         "target": f"≥ {TARGET_SEMANTIC}", "met": ours["vs_best_baseline"] >= TARGET_SEMANTIC},
        {"figure": "default ÷ TF-IDF", "value": ours["precision@10"] / results[tfidf_name]["precision@10"],
         "target": f"≥ {TARGET_TFIDF}",
         "met": ours["precision@10"] / results[tfidf_name]["precision@10"] >= TARGET_TFIDF},
        {"figure": "paired 95% CI of (default − best semantic), low end", "value": ours["diff_ci95"][0],
         "target": "> 0", "met": ours["diff_ci95"][0] > 0},
    ]
    print()
    print(markdown_table([{**c, "met": "yes" if c["met"] else "no"} for c in checks]))
    print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    return {"songs": n, "chunks": len(texts), "best_baseline": best_baseline, "results": results,
            "checks": checks, "timings_s": timings}


def _sparse_neighbours(X, k: int = K) -> np.ndarray:
    S = np.asarray((X @ X.T).todense())
    np.fill_diagonal(S, -np.inf)
    return np.argsort(-S, axis=1, kind="stable")[:, :k]


def load_models(args: argparse.Namespace):
    """(model path, its EmotionPredictor, the semantic backbone, its tokenizer) for ``--model`` / ``--tiny`` /
    ``--backbone`` (default: the default model and base e5); None when the default model is missing."""
    import transformers
    from transformers import AutoModel, AutoTokenizer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    from lyricmood.inference import EmotionPredictor

    model_path = model_from_args(args)
    if model_path is None:
        return None
    if getattr(args, "backbone", None) or args.tiny:
        backbone_path = getattr(args, "backbone", None) or model_path.parent / "backbone"
    else:
        from lyricmood.backbones import prepare_e5

        backbone_path = prepare_e5()
    backbone = AutoModel.from_pretrained(str(backbone_path)).eval()
    return model_path, EmotionPredictor(model_path), backbone, AutoTokenizer.from_pretrained(str(backbone_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a folder of <name>/songs.jsonl")
    parser.add_argument("--sets", nargs="*", help="only these set names")
    parser.add_argument("--model", metavar="PATH", help="a saved LyricMood model (default: the embedded default)")
    parser.add_argument("--tiny", action="store_true", help="a random tiny model (smoke run only)")
    parser.add_argument("--backbone", metavar="PATH", help="semantic baseline backbone (default: prepare_e5())")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    info = print_machine()
    sets = read_sets(args.data, args.sets) if args.data.is_dir() else {}
    if not sets:
        print(f"skipped: no <name>/songs.jsonl under {args.data} (pass --data DIR)")
        return 0
    models = load_models(args)
    if models is None:
        return 0
    model_path, predictor, backbone, backbone_tokenizer = models
    rng = np.random.default_rng(args.seed)
    out = {}
    for name, rows in sets.items():
        out[name] = evaluate_set(name, rows, predictor.model, predictor.tokenizer, predictor.max_length,
                                 predictor.fingerprint, backbone, backbone_tokenizer, rng)
    write_json("lyrics_quality.json", {"machine": info, "model": model_path.name, "k": K, "bootstrap": BOOTSTRAP,
                                       "seed": args.seed, "sets": out})
    return 0


if __name__ == "__main__":
    sys.exit(main())
