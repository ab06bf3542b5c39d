"""Building a :class:`~lyricmood.index.SongIndex` from a catalog: stream, checkpoint, shard, update.

Building streams the catalog and scores songs in batches, checkpoints progress so that an interrupted
build resumes, reuses the unchanged songs of an existing index (``--update``), and splits the songs
over processes under ``accelerate launch``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, catalog_songs
from .emotions import SongEmotion
from .errors import LyricMoodError, require_whole
from .index import METADATA_FIELDS, SongIndex
from .index_files import INFO_FILE, is_unmarked_index
from .io import cache_dir, check_ours, claim_folder, claimed_folder, no_links, remove_ours

if TYPE_CHECKING:  # building needs torch (lyricmood.inference); loading an index does not
    from .inference import EmotionPredictor
    from .lyrics import Section

logger = logging.getLogger(__name__)

_CHECKPOINT_ENTRY = re.compile(r"(shard|result)-\d+-of-\d+|part-\d{6}")


def _is_unmarked_checkpoint(folder: Path) -> bool:
    """A build checkpoint written before lyricmood marked its folders: only shard, result and part folders."""
    return all(entry.is_dir() and _CHECKPOINT_ENTRY.fullmatch(entry.name) for entry in folder.iterdir())


def lyrics_sha1(lyrics: str) -> str:
    """What an index keeps of a song's lyrics: enough to tell, on update, whether they changed."""
    return hashlib.sha1(lyrics.encode("utf-8")).hexdigest()


def load_catalog(catalog: str | Path) -> Catalog:
    """The songs of ``"demo"``, a CSV / JSONL / .txt / .lrc file, or a folder of them, read and checked once: a
    :class:`~lyricmood.catalog.Catalog` over the ``datasets.Dataset`` the ``lyrics_catalog`` builder makes."""
    from .datasets_scripts import load_builder_dataset

    if str(catalog) == "demo":
        return Catalog(load_builder_dataset("lyrics_catalog", "demo")["train"])
    path = Path(catalog).expanduser()
    if not path.exists():
        raise LyricMoodError(
            "catalog not found", file=path, hint="give a CSV / JSONL file, a folder of .txt/.lrc, or 'demo'"
        )
    if path.is_dir():
        return Catalog(load_builder_dataset("lyrics_catalog", data_dir=path)["train"])
    return Catalog(load_builder_dataset("lyrics_catalog", data_files=str(path))["train"])


def open_catalog(catalog: str | Path | Any) -> Any:
    """:func:`load_catalog` for a path (under ``accelerate launch``, the main process first: it builds the
    datasets cache, the others reuse it); a :class:`~lyricmood.catalog.Catalog`, rows or a dataset are returned
    as they are."""
    if not isinstance(catalog, (str, Path, os.PathLike)):
        return catalog
    _, _, state = _distributed(None, None)
    if state is None:
        return load_catalog(catalog)
    with state.main_process_first():
        return load_catalog(catalog)


def _rows(catalog: Any) -> Any:
    if hasattr(catalog, "keys") and "train" in catalog and type(catalog) is not dict:
        return catalog["train"]  # a DatasetDict
    return catalog


def _song_meta(lyrics: str, row: dict) -> dict:
    """What the index keeps of a catalog row besides its vectors (the title falls back to the id)."""
    meta = {key: row.get(key) for key in METADATA_FIELDS}
    if meta["title"] is None:
        meta["title"] = str(row["id"])
    meta["lyrics_sha1"] = lyrics_sha1(lyrics)
    return meta


class _Checkpoint:
    """Songs scored so far by one process, saved as small index parts under ``folder``."""

    def __init__(self, folder: Path | None, predictor: EmotionPredictor, reuse: SongIndex | None = None):
        self.folder = folder
        self.predictor = predictor
        fingerprint, labels = predictor.fingerprint, list(predictor.labels)
        self.done: dict[str, tuple[str, SongEmotion]] = {}
        self.parts = 0
        self.representation = empty_index(predictor).representation  # what this predictor's songs are ranked by
        if reuse is not None and reuse.representation != self.representation:
            logger.warning("the index to update ranks songs by %s, this model by %s: every song is scored again",
                           reuse.representation, self.representation)
        elif reuse is not None:
            reuse.check_compatible(fingerprint, labels, what="the songs of the index to update",
                                   meaning_fingerprint=predictor.meaning_fingerprint)
            for song_id, meta in zip(reuse.ids, reuse.metadata):
                if meta.get("lyrics_sha1"):
                    self.done[song_id] = (meta["lyrics_sha1"], reuse.song_emotion(song_id))
        if folder is None:
            return
        claim_folder(folder, "checkpoint", legacy=_is_unmarked_checkpoint)
        # A part without index.json was being written when the build was killed: it is redone (and overwritten).
        parts = sorted(part for part in folder.glob("part-*") if (no_links(folder, part.name) / INFO_FILE).is_file())
        found: dict[str, tuple[str, SongEmotion]] = {}
        try:
            for part in parts:
                index = SongIndex.load(part)
                index.check_compatible(fingerprint, labels, what="the checkpointed songs",
                                       meaning_fingerprint=predictor.meaning_fingerprint)
                if index.representation != self.representation:
                    raise LyricMoodError(f"the checkpointed songs are ranked by {index.representation}")
                for song_id, meta in zip(index.ids, index.metadata):
                    found[song_id] = (meta.get("lyrics_sha1", ""), index.song_emotion(song_id))
        except LyricMoodError as err:
            logger.warning("discarding the checkpoint in %s (%s)", folder, err)
            remove_ours(folder)
            claim_folder(folder, "checkpoint")
            return
        self.done.update(found)
        self.parts = len(parts)
        if self.done:
            logger.info("resuming: %d songs already scored in %s", len(self.done), folder)

    def reuse(self, song_id: str, sha1: str) -> SongEmotion | None:
        hit = self.done.get(song_id)
        return hit[1] if hit is not None and hit[0] == sha1 else None

    def write(self, songs: list[tuple[str, dict, SongEmotion]]) -> None:
        if self.folder is None or not songs:
            return
        part = empty_index(self.predictor)
        part.add_many([s[0] for s in songs], [s[2] for s in songs], [s[1] for s in songs])
        part.save(self.folder / f"part-{self.parts:06d}")
        self.parts += 1


def _distributed(process_index: int | None, num_processes: int | None) -> tuple[int, int, Any]:
    if num_processes is not None:
        return int(process_index or 0), int(num_processes), None
    try:
        from accelerate import PartialState
    except ImportError:  # accelerate is a dependency, but a plain single process needs none of it
        return 0, 1, None
    import torch

    # PartialState goes multi-process on CPU (gloo) only when told to use the CPU.
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    cpu = os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes") or (
        world > 1 and not torch.cuda.is_available()
    )
    state = PartialState(cpu=cpu)
    return state.process_index, state.num_processes, state


def build_index(
    catalog: Catalog | Iterable[dict] | Any,
    predictor: EmotionPredictor,
    *,
    progress: bool = True,
    progress_label: str = "indexing songs",
    checkpoint_dir: str | Path | None = None,
    checkpoint_every: int = 64,
    reuse: SongIndex | None = None,
    process_index: int | None = None,
    num_processes: int | None = None,
    mood_weight: float | None = None,
) -> SongIndex | None:
    """Score every song of ``catalog`` into a :class:`SongIndex`.

    ``catalog``: a :class:`~lyricmood.catalog.Catalog` read from files (:func:`load_catalog`), taken as it is; or
    rows given in memory (dicts with id, title, lyrics, artist, year, lang …, or a ``datasets.Dataset``),
    checked as they are read (:func:`lyricmood.catalog.catalog_songs`): a mapping, an id, lyrics, unique ids.

    ``progress``: show a progress bar (tqdm) labelled ``progress_label``.

    The catalog is streamed: songs are scored in batches as they come. With ``checkpoint_dir``, every
    ``checkpoint_every`` scored songs are saved there, and a rerun skips the songs already scored
    (same id and same lyrics): an interrupted build resumes. Delete the folder once the index is saved.
    ``reuse``: an index made by the same model whose songs with unchanged lyrics are taken as they are
    (an update scores only new and edited songs).

    ``mood_weight``: where ``predictor`` reads meaning (:attr:`EmotionPredictor.meaning`), songs are ranked by mood
    and meaning, the mood part weighing this much (default :data:`lyricmood.fusion.DEFAULT_MOOD_WEIGHT`; a query
    may move it).

    Under ``accelerate launch`` (or with ``process_index`` / ``num_processes``), process ``r`` of ``w``
    scores ``songs[r::w]``; all wait, then process 0 merges the shards in catalog order and returns the
    index, the others return ``None``. The shards meet in ``checkpoint_dir`` (default: a folder in the
    cache), which must be shared by all processes.
    """
    require_whole(getattr(predictor, "batch_size", 1), "batch size", "--batch-size")
    require_whole(checkpoint_every, "checkpoint_every", "--checkpoint-every")
    if isinstance(catalog, (str, bytes, os.PathLike)) or type(catalog) is dict or not hasattr(catalog, "__iter__"):
        raise LyricMoodError(
            f"the catalog must be rows (dicts with id, title, lyrics …), got {type(catalog).__name__}",
            hint="pass a list of dicts, a datasets.Dataset, or use load_catalog(path) for a file",
        )
    if mood_weight is not None:
        from .fusion import checked_mood_weight

        mood_weight = checked_mood_weight(mood_weight)
    rank, world, state = _distributed(process_index, num_processes)
    fingerprint = predictor.fingerprint
    own_folder = checkpoint_dir is None and world > 1
    if own_folder:
        checkpoint_dir = cache_dir() / "index-builds" / fingerprint[:16]
    root = None
    with contextlib.ExitStack() as held:  # the checkpoint folder stays in use (not removable) until the shard is saved
        if checkpoint_dir is not None:
            root = held.enter_context(claimed_folder(checkpoint_dir, "checkpoint", legacy=_is_unmarked_checkpoint))
        results = _score_shard(
            _rows(catalog), predictor, rank, world, root, reuse, progress, progress_label, checkpoint_every
        )
        if world == 1:
            return _assemble(results, predictor, mood_weight)
        shard = _assemble(results, predictor, mood_weight, keep_positions=True)
        shard.save(root / f"result-{rank}-of-{world}")
    if state is not None:
        state.wait_for_everyone()
    if rank != 0:
        return None
    merged: list[tuple[int, str, dict, SongEmotion]] = []
    for r in range(world):
        part = SongIndex.load(root / f"result-{r}-of-{world}")
        for song_id, meta in zip(part.ids, part.metadata):
            meta = dict(meta)
            merged.append((meta.pop("_position"), song_id, meta, part.song_emotion(song_id)))
    index = _assemble(merged, predictor, mood_weight)
    if own_folder:
        remove_ours(root)
    return index


def _score_shard(
    rows: Any, predictor: EmotionPredictor, rank: int, world: int, root: Path | None, reuse: SongIndex | None,
    progress: bool, progress_label: str, checkpoint_every: int,
) -> list[tuple[int, str, dict, SongEmotion]]:
    """Score songs ``rows[rank::world]`` (catalog position, id, metadata, emotion), checkpointing under ``root``."""
    from .lyrics import split_lyrics

    checkpoint = _Checkpoint(root / f"shard-{rank}-of-{world}" if root else None, predictor, reuse)
    total = math.ceil(max(0, len(rows) - rank) / world) if hasattr(rows, "__len__") else None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=progress_label, unit="song", disable=not progress or rank != 0)
    results: list[tuple[int, str, dict, SongEmotion]] = []
    queue: deque[tuple[int, str, dict]] = deque()
    in_catalog = 0

    def to_score() -> Iterator[list[Section]]:
        nonlocal in_catalog
        for position, song_id, lyrics, row in catalog_songs(rows):
            in_catalog += 1
            if position % world != rank:
                continue
            meta = _song_meta(lyrics, row)
            reused = checkpoint.reuse(song_id, meta["lyrics_sha1"])
            if reused is not None:
                results.append((position, song_id, meta, reused))
                bar.update(1)
                continue
            try:  # split here, where the song is known, to name it in the error; scored from these sections
                sections = split_lyrics(lyrics)
            except LyricMoodError as err:
                raise LyricMoodError(f"song {song_id!r}: {err.message}", field="lyrics", hint=err.hint) from None
            queue.append((position, song_id, meta))
            yield sections

    fresh: list[tuple[str, dict, SongEmotion]] = []
    try:
        for emotion in predictor.score_songs(to_score()):
            position, song_id, meta = queue.popleft()
            results.append((position, song_id, meta, emotion))
            fresh.append((song_id, meta, emotion))
            bar.update(1)
            if len(fresh) >= checkpoint_every:
                checkpoint.write(fresh)
                fresh = []
    finally:
        bar.close()
    checkpoint.write(fresh)
    if not in_catalog:
        raise LyricMoodError("the catalog has no songs", hint="give at least one song (id, title, lyrics)")
    return results


def empty_index(predictor: EmotionPredictor, mood_weight: float | None = None, model: str | None = None) -> SongIndex:
    """An index without songs for what ``predictor`` makes: pooled emotion features, and meaning vectors ranked
    with them (``mood_weight``) where the predictor reads meaning."""
    meaning = predictor.meaning
    if meaning is not None and predictor.chunks != "sections":
        raise LyricMoodError("a predictor that reads meaning must read emotions by section (chunks='sections'), as "
                             "mood-and-meaning indexes are built", hint="load it with default_model.load_predictor")
    return SongIndex.empty(
        list(predictor.labels), predictor.fingerprint, model=model, feature_size=predictor.feature_size,
        meaning_size=None if meaning is None else meaning.size, mood_weight=mood_weight,
        meaning_fingerprint=predictor.meaning_fingerprint, meaning_model=None if meaning is None else meaning.name,
    )


def _assemble(
    results: list[tuple[int, str, dict, SongEmotion]],
    predictor: EmotionPredictor,
    mood_weight: float | None,
    keep_positions: bool = False,
) -> SongIndex:
    results = sorted(results, key=lambda r: r[0])
    index = empty_index(predictor, mood_weight, model=_model_name(predictor))
    index.add_many(
        [r[1] for r in results],
        [r[3] for r in results],
        [{**r[2], "_position": r[0]} if keep_positions else r[2] for r in results],
    )
    return index


def _model_name(predictor: EmotionPredictor) -> str | None:
    """The model as index.json records it: a Hub id or a plain name ("default"), never a local path."""
    from .model_card import public_model_name

    name = getattr(predictor.model.config, "_name_or_path", None) or getattr(predictor.model, "name_or_path", None)
    return public_model_name(str(name)) if name else None


def partial_path(out: str | Path) -> Path:
    """Where the build of the index ``out`` checkpoints: the sibling folder ``<out>.partial``."""
    out = Path(out).absolute()
    return out.with_name(out.name + ".partial")


def check_index_out(out: str | Path, *, overwrite: bool = False, update: bool = False) -> None:
    """Before any scoring, refuse an ``out`` the build could not write or must not touch.

    An existing index is replaced only when asked (``overwrite`` or ``update``), and only if it is
    lyricmood's (marker, or an index written before markers); any other existing file or folder is
    refused, as is a ``<out>.partial`` folder lyricmood did not create, or a path under a file.
    """
    out = Path(out)
    if out.exists() and not (overwrite or update):
        if not out.is_dir() or any(out.iterdir()):
            raise LyricMoodError(
                "already exists", file=out,
                hint="pass --update to add/refresh songs of an index, --overwrite to rebuild it, or choose a new --out",
            )
    check_ours(out, "index", legacy=is_unmarked_index)
    if update and out.exists() and not (out / INFO_FILE).is_file():
        raise LyricMoodError(f"--update needs an existing index, and {out} has none", file=out,
                             hint="drop --update to build a new index")
    check_ours(partial_path(out), "checkpoint", legacy=_is_unmarked_checkpoint)


def index_catalog(
    catalog: str | Path | Iterable[dict] | Any,
    predictor: EmotionPredictor,
    out: str | Path,
    *,
    progress: bool = True,
    checkpoint_every: int = 64,
    overwrite: bool = False,
    update: bool = False,
    mood_weight: float | None = None,
) -> SongIndex | None:
    """Build the index of ``catalog`` and save it to ``out``, checkpointing into ``<out>.partial/``.

    An interrupted run resumes from the checkpoint when rerun; the checkpoint is removed once the
    index is saved. An existing ``out`` is refused unless ``overwrite`` (rebuild) or ``update``: then
    the songs whose lyrics did not change are kept, new and edited songs are scored, songs no longer
    in the catalog are dropped; the existing index must come from the same model. ``mood_weight``: see
    :func:`build_index` (an update keeps the index's weight unless given). Returns the index on the main process
    (``None`` on the others under ``accelerate launch``).
    """
    out = Path(out)
    check_index_out(out, overwrite=overwrite, update=update)
    reuse = None
    if update and out.exists():
        reuse = SongIndex.load(out)
        reuse.check_compatible(predictor.fingerprint, predictor.labels, what="the model's vectors")
        mood_weight = reuse.mood_weight if mood_weight is None else mood_weight
    _, world, state = _distributed(None, None)
    catalog = open_catalog(catalog)
    partial = partial_path(out)
    index = build_index(
        catalog, predictor, progress=progress, checkpoint_dir=partial, checkpoint_every=checkpoint_every, reuse=reuse,
        mood_weight=mood_weight,
    )
    if index is not None:
        index.save(out)
        remove_ours(partial)
    if state is not None and world > 1:
        state.wait_for_everyone()
    return index
