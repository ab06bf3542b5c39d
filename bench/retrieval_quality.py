"""Measured retrieval quality: do emotion vectors find texts with the same emotions?

    python bench/retrieval_quality.py [--model PATH | --tiny] [--backbone PATH] [--queries N] [--small]

GoEmotions **test** (../shared/data/goemotions/{en,ko}/test.tsv, 28 labels, multi-label, rows aligned
between en and ko) stands in for a catalog whose emotions are known. For each query row, its 10 nearest
neighbours in the catalog (itself excluded) are found and scored by **label-overlap precision@10**: the
share of neighbours that share at least one gold label with the query.

Queries are rows that carry at least one emotion: rows whose only label is ``neutral`` are not queries
(the task is "find songs that feel like this one"; a neutral-only query asks for nothing, and neutral is
the most frequent label, so it would inflate every method, random included). Neutral rows stay in the
catalog, where they are distractors. ``--neutral-queries`` keeps them as queries too.

Methods:
  (a) ours: mood and meaning (the default ranking, :mod:`lyricmood.fusion`): w · centred cosine of the pooled emotion
      feature + (1 − w) · centred cosine of the semantic embedding (b), w the default mood weight; the pooled
      emotion feature alone (the ranking before; ``EmotionPredictor.encode``), centred cosine (centre = the
      catalog's mean); and the emotion probabilities under centred cosine, raw cosine and Jensen–Shannon, the
      recommender's other similarities;
  (b) semantic: the backbone's attention-masked mean-pooled last hidden state, L2-normalised, "query: "
      prefix on both sides (e5's convention for symmetric tasks), centred and raw cosine;
  (c) TF-IDF over char 2–4-grams (works for Korean too), cosine;
  (d) random neighbours (seed 0), with the exact expectation alongside.
Cross-lingual: Korean queries (ko rows) against the English catalog (en rows), the query's aligned
English row excluded. Demo catalog: spread (max − min) of each song's top-10 neighbour scores, averaged,
under cosine, centred cosine and Jensen–Shannon. Native Korean (``--kote``, KOTE's val.tsv; skipped if absent
or with ``--tiny``): mean Jaccard@10 of the label sets of 1,000 held-out rows and their nearest rows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (  # noqa: E402
    GOEMOTIONS_LABELS,
    markdown_table,
    model_from_args,
    print_machine,
    semantic_embeddings,
    timed,
    write_json,
)

K = 10
NEUTRAL = GOEMOTIONS_LABELS.index("neutral")  # 27
TARGET_SEMANTIC = 1.3  # ours ≥ 1.3 × semantic (monolingual precision@10)
TARGET_CROSS = 0.9  # cross-lingual ≥ 0.9 × monolingual
TARGET_SPREAD = 10.0  # centred-cosine spread ≥ 10 × raw-cosine spread
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "goemotions"


# ---------------------------------------------------------------------------- data
def read_goemotions_tsv(path: Path) -> tuple[list[str], list[set[int]]]:
    """``text<TAB>label_ids[<TAB>id]`` rows → texts and label-id sets."""
    from lyricmood.errors import LyricMoodError

    texts, labels = [], []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) not in (2, 3):
            raise LyricMoodError(f"expected 2 or 3 tab-separated fields, got {len(parts)}", file=path, line=line_no,
                                 hint="format: text<TAB>label_ids[<TAB>id]")
        try:
            ids = {int(x) for x in parts[1].split(",")}
        except ValueError as err:
            raise LyricMoodError(f"bad label ids {parts[1]!r}", file=path, line=line_no, field="label_ids",
                                 hint="comma-separated integers 0–27") from err
        texts.append(parts[0])
        labels.append(ids)
    return texts, labels


def label_matrix(labels: list[set[int]]) -> np.ndarray:
    from lyricmood.evaluation import multi_hot

    return multi_hot(labels, len(GOEMOTIONS_LABELS), dtype=bool)


# ---------------------------------------------------------------------------- vectors
def _texts_key(texts: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]


def model_vectors(predictor, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text: the emotion probabilities and the pooled emotion feature, one pass (cached per model and texts in
    ``bench/results/cache``)."""
    from lyricmood.inference import probabilities
    from lyrics_quality import cached

    def encode():
        logits, features = predictor.encode(texts)
        return {"logits": logits, "features": features}

    out = cached(f"retrieval-{_texts_key(texts)}-model-{predictor.fingerprint[:16]}", encode)
    return probabilities(out["logits"], predictor.multi_label).astype(np.float64), out["features"].astype(np.float64)


def mean_pooled(backbone: str | Path, texts: list[str], max_length: int = 512) -> np.ndarray:
    """The semantic baseline (:func:`bench_common.semantic_embeddings`) of ``texts``, L2-normalised (cached)."""
    import torch
    from lyrics_quality import backbone_id, cached
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(backbone))
    model = AutoModel.from_pretrained(str(backbone)).eval()
    max_length = min(max_length, getattr(model.config, "max_position_embeddings", max_length),
                     tokenizer.model_max_length)
    out = cached(f"retrieval-{_texts_key(texts)}-e5-{backbone_id(model)}",
                 lambda: {"e5": semantic_embeddings(model, tokenizer, texts, max_length)})
    return torch.nn.functional.normalize(torch.from_numpy(out["e5"]), dim=-1).numpy().astype(np.float64)


def tfidf_vectors(catalog_texts: list[str], query_texts: list[str]):
    """TF-IDF fitted on the catalog (char 2–4-grams within word boundaries), L2-normalised rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    C = vectorizer.fit_transform(catalog_texts)
    return vectorizer.transform(query_texts), C


# ---------------------------------------------------------------------------- retrieval
def neighbours(scores: np.ndarray, exclude: np.ndarray, k: int = K) -> np.ndarray:
    """Top-``k`` catalog rows per query row of ``scores`` (Q, N), each query's ``exclude`` column removed."""
    from lyricmood.recommender import top_k

    scores = np.array(scores, dtype=np.float64)  # a copy: we write -inf into it
    scores[np.arange(len(scores)), exclude] = -np.inf
    return np.stack([top_k(row, k) for row in scores])


def precision_at_k(Y_query: np.ndarray, Y_catalog: np.ndarray, found: np.ndarray) -> float:
    """Share of neighbours sharing ≥ 1 gold label with their query (mean over queries)."""
    shared = (Y_catalog[found] & Y_query[:, None, :]).any(-1)  # (Q, k)
    return float(shared.mean())


def random_neighbours(n_catalog: int, exclude: np.ndarray, rng: np.random.Generator, k: int = K) -> np.ndarray:
    rows = []
    for e in exclude:
        pick = rng.choice(n_catalog - 1, size=k, replace=False)
        rows.append(pick + (pick >= e))  # skip the excluded row
    return np.stack(rows)


def random_expectation(Y_query: np.ndarray, Y_catalog: np.ndarray, exclude: np.ndarray) -> float:
    """Exact expected precision@k of uniform random neighbours (any k)."""
    overlap = (Y_query.astype(np.int64) @ Y_catalog.T.astype(np.int64)) > 0  # (Q, N)
    hits = overlap.sum(1) - overlap[np.arange(len(exclude)), exclude]
    return float((hits / (Y_catalog.shape[0] - 1)).mean())


def cosine_scores(Q, C) -> np.ndarray:
    from lyricmood.similarity import pairwise_similarity

    if hasattr(Q, "tocsr"):  # sparse TF-IDF rows are already L2-normalised
        return np.asarray((Q @ C.T).todense())
    return pairwise_similarity(Q, C, "cosine")


def similarity_scores(Q: np.ndarray, C: np.ndarray, similarity: str) -> np.ndarray:
    """Query × catalog scores under one of the recommender's similarities (centred on the catalog's mean)."""
    from lyricmood.similarity import pairwise_similarity

    return pairwise_similarity(Q, C, similarity, center=C.mean(0) if similarity == "centered-cosine" else None)


def fused_scores(FQ: np.ndarray, FC: np.ndarray, EQ: np.ndarray, EC: np.ndarray) -> np.ndarray:
    """The default ranking's scores (:mod:`lyricmood.fusion`): w · centred cosine of the features + (1 − w) ·
    centred cosine of the semantic embeddings, w the default mood weight."""
    from lyricmood.fusion import DEFAULT_MOOD_WEIGHT as w

    return w * similarity_scores(FQ, FC, "centered-cosine") + (1 - w) * similarity_scores(EQ, EC, "centered-cosine")


# ---------------------------------------------------------------------------- demo catalog spread
def demo_spread(predictor, small: bool) -> tuple[list[dict], dict]:
    from lyricmood.indexing import load_catalog

    lyrics = [song["lyrics"] for song in load_catalog("demo")]
    if small:
        lyrics = lyrics[:30]
    V = np.stack([song.feature for song in predictor.score_songs(lyrics)]).astype(np.float64)  # the ranking vectors
    k = min(K, len(V) - 1)
    spreads = {}
    for similarity in ("cosine", "centered-cosine", "jensen-shannon"):
        S = similarity_scores(V, V, similarity)
        found = neighbours(S, np.arange(len(V)), k)
        top = np.take_along_axis(S, found, 1)
        spreads[similarity] = float((top.max(1) - top.min(1)).mean())
    rows = [{"similarity": s, f"mean top-{k} spread": v, "vs cosine": v / spreads["cosine"] if spreads["cosine"] else None}
            for s, v in spreads.items()]
    return rows, {"songs": len(V), "k": k, "spreads": spreads}


# ---------------------------------------------------------------------------- native Korean (KOTE)
KOTE_NONE = 24  # "없음" (no emotion): ignored in the label sets
KOTE_HELD_OUT = 1000


def kote_jaccard(predictor, backbone, path: Path, seed: int) -> list[dict]:
    """Mean Jaccard@10 of KOTE label sets (없음 ignored) between each held-out row and its 10 nearest rows.

    The held-out part is 1,000 rows drawn with ``seed`` (kept out of any training on KOTE); queries are the
    rows with at least one emotion; neighbours are searched among the 1,000 (leave-one-out).
    """
    texts, labels = [], []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        texts.append(parts[1])
        labels.append({int(x) for x in parts[2].split(",") if x.strip()} - {KOTE_NONE})
    held = np.sort(np.random.default_rng(seed).choice(len(texts), size=min(KOTE_HELD_OUT, len(texts)), replace=False))
    texts = [texts[i] for i in held]
    Y = np.zeros((len(held), 44), dtype=bool)
    for row, i in enumerate(held):
        Y[row, list(labels[i])] = True
    queries = np.flatnonzero(Y.any(1))
    probs, features = model_vectors(predictor, texts)
    semantic = mean_pooled(backbone, texts)

    def jaccard(V: np.ndarray, similarity: str) -> float:
        found = neighbours(similarity_scores(V[queries], V, similarity), queries)  # (Q, 10)
        inter = (Y[found] & Y[queries, None, :]).sum(-1)
        union = (Y[found] | Y[queries, None, :]).sum(-1)
        return float((inter / np.maximum(union, 1)).mean())

    fused = fused_scores(features[queries], features, semantic[queries], semantic)
    found = neighbours(fused, queries)
    fused_jaccard = float(((Y[found] & Y[queries, None, :]).sum(-1)
                           / np.maximum((Y[found] | Y[queries, None, :]).sum(-1), 1)).mean())
    return [
        {"method": "(a) ours: mood and meaning (the default ranking)", "Jaccard@10": fused_jaccard},
        {"method": "(a) pooled emotion feature, centred cosine (the ranking before)",
         "Jaccard@10": jaccard(features, "centered-cosine")},
        {"method": "(a) emotion probabilities, centred cosine", "Jaccard@10": jaccard(probs, "centered-cosine")},
        {"method": "(b) semantic, centred cosine", "Jaccard@10": jaccard(semantic, "centered-cosine")},
        {"method": "(b) semantic, raw cosine", "Jaccard@10": jaccard(semantic, "cosine")},
    ]


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", metavar="PATH", help="a saved LyricMood model (default: the embedded default model)")
    parser.add_argument("--tiny", action="store_true", help="a random tiny model, built offline (smoke run only)")
    parser.add_argument("--small", action="store_true", help="200 queries over a 1000-row catalog subset")
    parser.add_argument("--backbone", metavar="PATH",
                        help="backbone folder for method (b) (default: prepare_e5(); with --tiny: the tiny backbone)")
    parser.add_argument("--queries", type=int, default=1000, help="queries sampled (seed 0; default 1000)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="GoEmotions folder with en/ and ko/ test.tsv")
    parser.add_argument("--neutral-queries", action="store_true", help="also use neutral-only rows as queries")
    parser.add_argument("--kote", type=Path, default=DEFAULT_DATA.parent / "kote" / "val.tsv",
                        help="KOTE val.tsv for the native-Korean check (skipped if absent)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    info = print_machine()
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    en_path, ko_path = args.data / "en" / "test.tsv", args.data / "ko" / "test.tsv"
    if not (en_path.is_file() and ko_path.is_file()):
        print(f"skipped: GoEmotions test files not found under {args.data} (pass --data DIR)")
        return 0

    from lyricmood.inference import EmotionPredictor

    model_path = model_from_args(args)
    if model_path is None:
        return 0
    if args.backbone or args.tiny:
        backbone = args.backbone or model_path.parent / "backbone"
    else:
        from lyricmood.backbones import prepare_e5

        backbone = prepare_e5()

    en_texts, en_labels = read_goemotions_tsv(en_path)
    ko_texts, ko_labels = read_goemotions_tsv(ko_path)
    if len(en_texts) != len(ko_texts) or any(a != b for a, b in zip(en_labels, ko_labels)):
        print("error: en/test.tsv and ko/test.tsv are not aligned (row counts or labels differ)")
        return 1

    rng = np.random.default_rng(args.seed)
    n_queries = 200 if args.small else args.queries
    catalog = np.arange(len(en_texts))
    if args.small:
        catalog = np.sort(rng.choice(len(en_texts), size=min(1000, len(en_texts)), replace=False))
    en_cat = [en_texts[i] for i in catalog]
    ko_cat = [ko_texts[i] for i in catalog]
    Y = label_matrix([en_labels[i] for i in catalog])
    eligible = np.arange(len(catalog)) if args.neutral_queries else np.flatnonzero(Y[:, :NEUTRAL].any(1))
    queries = np.sort(rng.choice(eligible, size=min(n_queries, len(eligible)), replace=False))  # catalog positions
    Yq = Y[queries]
    print(f"model: {model_path}\nbackbone (b): {backbone}\ncatalog: {len(catalog)} GoEmotions test rows; "
          f"queries: {len(queries)} (of {len(eligible)} eligible, "
          f"{'neutral-only rows included' if args.neutral_queries else 'neutral-only rows excluded'})\n")

    timings = {}

    def timed_as(name, fn):
        timings[name], out = timed(fn)
        return out

    predictor = EmotionPredictor(model_path, batch_size=128)
    P_en, F_en = timed_as("ours: encode en", lambda: model_vectors(predictor, en_cat))
    P_ko, F_ko = timed_as("ours: encode ko", lambda: model_vectors(predictor, ko_cat))
    E_en = timed_as("semantic: encode en", lambda: mean_pooled(backbone, en_cat))
    E_ko = timed_as("semantic: encode ko", lambda: mean_pooled(backbone, ko_cat))
    T_en_q, T_en = tfidf_vectors(en_cat, [en_cat[i] for i in queries])
    T_ko_q, T_ko = tfidf_vectors(ko_cat, [ko_cat[i] for i in queries])
    T_koen_q = tfidf_vectors(en_cat, [ko_cat[i] for i in queries])[0]  # Korean queries, English vocabulary

    def p10(scores) -> float:
        return precision_at_k(Yq, Y, neighbours(scores, queries))

    def directions_p10(en: np.ndarray, ko: np.ndarray, similarity: str) -> dict[str, float]:
        return {direction: p10(similarity_scores(Q[queries], C, similarity))
                for direction, Q, C in (("en→en", en, en), ("ko→ko", ko, ko), ("ko→en", ko, en))}

    results = {
        "ours": {direction: p10(fused_scores(FQ[queries], FC, EQ[queries], EC)) for direction, FQ, FC, EQ, EC in (
            ("en→en", F_en, F_en, E_en, E_en), ("ko→ko", F_ko, F_ko, E_ko, E_ko), ("ko→en", F_ko, F_en, E_ko, E_en))},
        "feature": directions_p10(F_en, F_ko, "centered-cosine"),
        "probabilities": directions_p10(P_en, P_ko, "centered-cosine"),
        "probabilities, cosine": directions_p10(P_en, P_ko, "cosine"),
        "probabilities, jensen-shannon": directions_p10(P_en, P_ko, "jensen-shannon"),
        "semantic": directions_p10(E_en, E_ko, "centered-cosine"),
        "semantic, raw": directions_p10(E_en, E_ko, "cosine"),
        "tfidf": {"en→en": p10(cosine_scores(T_en_q, T_en)),
                  "ko→ko": p10(cosine_scores(T_ko_q, T_ko)),
                  "ko→en": p10(cosine_scores(T_koen_q, T_en))},
    }
    random_p = precision_at_k(Yq, Y, random_neighbours(len(catalog), queries, rng))
    random_e = random_expectation(Yq, Y, queries)
    results["random"] = {d: random_p for d in ("en→en", "ko→ko", "ko→en")}

    names = {
        "ours": "(a) ours: mood and meaning (the default ranking)",
        "feature": "(a) pooled emotion feature, centred cosine (the ranking before)",
        "probabilities": "(a) emotion probabilities, centred cosine",
        "probabilities, cosine": "(a) emotion probabilities, raw cosine (the study's similarity)",
        "probabilities, jensen-shannon": "(a) emotion probabilities, Jensen–Shannon",
        "semantic": "(b) semantic: backbone mean-pooled, centred cosine",
        "semantic, raw": "(b) semantic: backbone mean-pooled, raw cosine",
        "tfidf": "(c) TF-IDF char 2–4-grams, cosine",
        "random": f"(d) random (expected {random_e:.4f})",
    }
    rows = []
    for key, name in names.items():
        r = results[key]
        rows.append({"method": name, "en→en": r["en→en"], "ko→ko": r["ko→ko"], "ko→en (cross-lingual)": r["ko→en"],
                     "cross/mono (ko→en ÷ en→en)": r["ko→en"] / r["en→en"] if r["en→en"] else None})
    print(f"label-overlap precision@{K} (share of the {K} nearest catalog rows sharing ≥ 1 gold label with the query)\n")
    print(markdown_table(rows))

    ours = results["ours"]
    sem = {d: max(results["semantic"][d], results["semantic, raw"][d]) for d in results["ours"]}  # the better one

    def ratio(a, b):
        return a / b if b else float("nan")

    checks = [
        {"figure": "ours / semantic, en→en", "value": ratio(ours["en→en"], sem["en→en"]), "target": f"≥ {TARGET_SEMANTIC}"},
        {"figure": "ours / semantic, ko→ko", "value": ratio(ours["ko→ko"], sem["ko→ko"]), "target": f"≥ {TARGET_SEMANTIC}"},
        {"figure": "ours / semantic, ko→en", "value": ratio(ours["ko→en"], sem["ko→en"]), "target": f"≥ {TARGET_SEMANTIC}"},
        {"figure": "ours cross-lingual / monolingual (ko→en ÷ en→en)", "value": ratio(ours["ko→en"], ours["en→en"]),
         "target": f"≥ {TARGET_CROSS}"},
        {"figure": "ours cross-lingual / monolingual (ko→en ÷ ko→ko)", "value": ratio(ours["ko→en"], ours["ko→ko"]),
         "target": f"≥ {TARGET_CROSS}"},
        {"figure": "ours / random, en→en", "value": ratio(ours["en→en"], random_e), "target": "> 1"},
        *[{"figure": f"ours − pooled emotion feature (the ranking before), {d}",
           "value": ours[d] - results["feature"][d], "target": "≥ -0.01"} for d in ("en→en", "ko→ko", "ko→en")],
    ]
    for c in checks:
        op, threshold = c["target"].split()
        ok = c["value"] > float(threshold) if op == ">" else c["value"] >= float(threshold)
        c["met"] = "yes" if ok else "no"
    print()
    print(markdown_table(checks, ["figure", "value", "target", "met"]))

    spread_rows, spread = demo_spread(predictor, args.small)
    spread_ratio = ratio(spread["spreads"]["centered-cosine"], spread["spreads"]["cosine"])
    print(f"\ndemo catalog ({spread['songs']} songs, score_song vectors): spread = max − min of each song's "
          f"top-{spread['k']} neighbour scores, mean over songs\n")
    print(markdown_table(spread_rows))
    print(f"\ncentred / raw cosine spread: {spread_ratio:.3g}× (target ≥ {TARGET_SPREAD:g}×: "
          f"{'met' if spread_ratio >= TARGET_SPREAD else 'not met'})")
    kote_rows = []
    if args.kote.is_file() and not args.tiny:
        kote_rows = timed_as("KOTE", lambda: kote_jaccard(predictor, backbone, args.kote, args.seed))
        best_semantic = max(r["Jaccard@10"] for r in kote_rows if r["method"].startswith("(b)"))
        for r in kote_rows:
            r["÷ best semantic"] = r["Jaccard@10"] / best_semantic
        print(f"\nnative Korean: KOTE, {KOTE_HELD_OUT} held-out rows (seed {args.seed}), mean Jaccard@{K} of the label "
              f"sets (없음 ignored) between a row and its {K} nearest rows (target: ours ≥ 1.05 × semantic)\n")
        print(markdown_table(kote_rows))
    print("\ntimings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    if args.tiny:
        print("\n(--tiny: a random model and backbone; these figures only show that the script runs)")

    write_json("retrieval_quality.json", {
        "machine": info, "model": str(model_path), "backbone": str(backbone), "tiny": args.tiny,
        "catalog_rows": len(catalog), "queries": len(queries), "eligible_queries": len(eligible),
        "neutral_queries": args.neutral_queries, "seed": args.seed, "k": K,
        "precision_at_10": results, "random_expected": random_e, "checks": checks,
        "demo_spread": spread, "demo_spread_ratio_centred_over_raw": spread_ratio, "kote": kote_rows,
        "timings_s": timings,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
