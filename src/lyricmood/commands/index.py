"""``lyricmood index``: score a lyrics catalog into an index (resumable, data-parallel under ``accelerate launch``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lyricmood.commands import positive_int


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "index",
        help="score a lyrics catalog into an emotion index (resumable; `accelerate launch -m lyricmood.cli index …` for many GPUs)",
    )
    parser.add_argument("catalog", metavar="CATALOG", help="CSV / JSONL file, folder of .txt/.lrc files, or 'demo'")
    parser.add_argument("--out", required=True, metavar="INDEX", help="index folder to write")
    parser.add_argument("--model", metavar="PATH", help="model folder or Hub id (default: the embedded default model)")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="chunks per forward pass (default 64)")
    parser.add_argument(
        "--bf16", action="store_true",
        help="bfloat16 autocast: faster on CPUs with AVX-512 BF16 and on GPUs; probabilities within ~2e-3 of float32",
    )
    parser.add_argument(
        "--checkpoint-every", type=positive_int, default=64, metavar="N", help="save progress every N songs (default 64)"
    )
    parser.add_argument(
        "--mood-weight", type=float, metavar="W",
        help="rank songs by W × mood + (1 − W) × meaning (0..1; default 0.5); queries may move it",
    )
    meaning = parser.add_mutually_exclusive_group()
    meaning.add_argument(
        "--meaning-model", metavar="NAME|PATH",
        help="the encoder that reads each song's meaning (default: multilingual-e5-small, offline)",
    )
    meaning.add_argument(
        "--emotion-only", action="store_true",
        help="rank by the emotion feature alone: no meaning vectors (one model pass, about twice as fast to build)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--update", action="store_true", help="keep unchanged songs of an existing index, score new/edited ones"
    )
    mode.add_argument("--overwrite", action="store_true", help="rebuild an existing index from scratch")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def _up_to_date(out: Path, catalog: Any, model: str | None, meaning_model: str | None) -> bool:
    """True when ``--update`` has nothing to do, known without the model: the index holds exactly the catalog's
    songs with their lyrics and metadata, and was made by the default model as it is cached, reading meaning with
    the encoder ``meaning_model`` names (or none, as asked)."""
    from lyricmood.catalog import catalog_songs
    from lyricmood.default_model import known_fingerprint
    from lyricmood.index import SongIndex, read_index_info
    from lyricmood.index_files import INFO_FILE
    from lyricmood.indexing import _rows, _song_meta, partial_path

    if model not in (None, "default") or not (out / INFO_FILE).is_file() or partial_path(out).exists():
        return False
    fingerprint = known_fingerprint()
    info = read_index_info(out)
    if fingerprint is None or info.get("fingerprint") != fingerprint or info.get("meaning_model") != meaning_model:
        return False
    index = SongIndex.load(out)
    songs = [(song_id, _song_meta(lyrics, row)) for _, song_id, lyrics, row in catalog_songs(_rows(catalog))]
    kept = [(song_id, {key: meta.get(key) for key in fields}) for (song_id, meta), (_, fields) in zip(
        zip(index.ids, index.metadata), songs)]  # the index also keeps what scoring found (sections …)
    return len(songs) == len(index) and songs == kept


def cpu_has_native_bf16() -> bool:
    """True if torch runs AVX-512 kernels on a CPU whose flags include AVX-512 BF16 or AMX BF16 (Linux)."""
    import torch

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return True  # unknown: no warning
    return torch.backends.cpu.get_cpu_capability() == "AVX512" and bool({"avx512_bf16", "amx_bf16"} & set(flags))


def run(args: argparse.Namespace) -> int:
    from lyricmood.default_model import load_predictor
    from lyricmood.fusion import checked_mood_weight
    from lyricmood.indexing import _distributed, check_index_out, index_catalog, open_catalog
    from lyricmood.meaning import DEFAULT_MEANING_MODEL

    check_index_out(args.out, overwrite=args.overwrite, update=args.update)  # before the model is loaded
    if args.mood_weight is not None:
        checked_mood_weight(args.mood_weight, field="--mood-weight")
    catalog = open_catalog(args.catalog)  # a bad catalog is reported before the model is loaded, too
    meaning_model = None if args.emotion_only else args.meaning_model or DEFAULT_MEANING_MODEL
    if args.update and _up_to_date(Path(args.out), catalog, args.model, meaning_model):
        print(f"{args.out} is up to date: no song is new, edited or gone (the model was not loaded)")
        return 0
    _, _, state = _distributed(None, None)
    predictor = load_predictor(
        args.model, meaning_model=meaning_model, batch_size=args.batch_size,
        device=None if state is None else state.device, bf16=args.bf16,
    )
    if args.bf16 and predictor.device.type == "cpu" and not cpu_has_native_bf16():
        print("lyricmood index: warning: this CPU has no native bfloat16 (no AVX-512 BF16 or AMX kernels in torch), "
              "so --bf16 is emulated and slower than float32 (1.9× slower on torch's AVX2 kernels, 2.5× on an AVX2 "
              "CPU); drop --bf16 here", file=sys.stderr)
    index = index_catalog(
        catalog,
        predictor,
        args.out,
        progress=not args.no_progress,
        checkpoint_every=args.checkpoint_every,
        overwrite=args.overwrite,
        update=args.update,
        mood_weight=args.mood_weight,
    )
    if index is not None:
        print(f"indexed {len(index)} songs over {len(index.labels)} emotions into {args.out}")
    return 0
