"""Texts → per-label emotion probabilities, with any saved LyricMood model."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from transformers import AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from .emotions import SongEmotion
from .errors import LyricMoodError, LyricMoodTypeError, require_whole

if TYPE_CHECKING:
    from .lyrics import Section
    from .meaning import MeaningEncoder


#: how :class:`EmotionPredictor` may cut a song into model inputs (see :attr:`EmotionPredictor.chunks`)
CHUNKINGS = ("lines", "sections")


def probabilities(logits: np.ndarray | torch.Tensor, multi_label: bool) -> np.ndarray:
    """Logits → probabilities as float32 numpy: sigmoid per label (multi-label) or softmax (single-label)."""
    logits = torch.as_tensor(logits).float()
    return (torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=-1)).cpu().numpy()


def decide(probs: np.ndarray, problem_type: str, thresholds: Sequence[float] | None = None) -> np.ndarray:
    """Predictions: 0/1 rows by per-label thresholds (multi-label) or class ids by argmax (single-label)."""
    probs = np.asarray(probs)
    if problem_type == "single_label_classification":
        return probs.argmax(axis=-1)
    thresholds = np.full(probs.shape[1], 0.5) if thresholds is None else np.asarray(thresholds)
    return (probs >= thresholds).astype(np.int64)


def load_model(path: str | Path, device: str | torch.device | None = None) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a saved LyricMood classifier and its tokenizer (local folder or Hub id), in eval mode."""
    from .modeling import LyricMoodForSequenceClassification

    path = str(path)
    try:
        model = LyricMoodForSequenceClassification.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as err:
        raise LyricMoodError(
            f"cannot load a LyricMood model from {path!r} ({err.__class__.__name__}: {str(err)[:300]})",
            hint="give a folder written by `lyricmood train` (config.json, model.safetensors, tokenizer files)",
        ) from err
    return model.to(device or "cpu").eval(), tokenizer


class EmotionPredictor:
    """Per-label probabilities for texts: sigmoid (multi-label) or softmax (single-label).

    Inputs are sorted by length and batched (little padding), then restored to input order,
    in the spirit of sentence-transformers' ``encode``.

    Example:
        >>> import tempfile
        >>> from lyricmood.modeling import LyricMoodForSequenceClassification
        >>> from lyricmood.testing import make_tiny_backbone
        >>> folder = make_tiny_backbone(tempfile.mkdtemp())
        >>> model = LyricMoodForSequenceClassification.from_backbone(str(folder), id2label=["joy", "sadness"])
        >>> predictor = EmotionPredictor(model, tokenizer=folder)
        >>> predictor.predict(["the sad rain", "happy dance"]).shape
        (2, 2)
    """

    def __init__(
        self,
        model: PreTrainedModel | str | Path,
        tokenizer: PreTrainedTokenizerBase | str | Path | None = None,
        *,
        batch_size: int = 64,
        max_length: int | None = None,
        device: str | torch.device | None = None,
        bf16: bool = False,
        meaning: MeaningEncoder | None = None,
        chunks: str = "lines",
    ):
        if isinstance(model, (str, Path)):
            model, loaded_tokenizer = load_model(model, device)
            tokenizer = tokenizer or loaded_tokenizer
        if tokenizer is None:
            raise ValueError("give the tokenizer (or a model path, whose tokenizer is loaded with it)")
        if isinstance(tokenizer, (str, Path)):
            tokenizer = AutoTokenizer.from_pretrained(str(tokenizer))
        self.model = model.eval()
        if device is not None:
            self.model.to(device)
        self.tokenizer = tokenizer
        self.batch_size = require_whole(batch_size, "batch size", "batch_size")
        limit = getattr(model.config.backbone_config, "max_position_embeddings", 512)
        tokenizer_limit = tokenizer.model_max_length if tokenizer.model_max_length < 100_000 else limit
        longest = min(limit, tokenizer_limit)
        # A chunk needs the special tokens and at least one token of lyrics; beyond the position embeddings the
        # model cannot read.
        shortest = tokenizer.num_special_tokens_to_add() + 1
        self.max_length = longest if max_length is None else require_whole(
            max_length, "max_length (tokens per chunk)", "max_length", low=shortest, high=longest
        )
        self.config = model.config
        self.labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.multi_label = model.config.problem_type == "multi_label_classification"
        # bfloat16 autocast: 1.4–1.6× the songs/s of float32 on a CPU with AVX-512 BF16, probabilities within 2e-3 of
        # float32 and the same top emotion (bench/scoring_throughput.py); off by default so vectors stay exact.
        self.bf16 = bf16
        #: reads each song's meaning too (SongEmotion.meaning), for indexes ranked by mood and meaning
        self.meaning = meaning
        if chunks not in CHUNKINGS:
            raise LyricMoodError(f"chunks must be one of {', '.join(CHUNKINGS)}, got {chunks!r}", field="chunks")
        #: how a song is cut for the emotion model: "lines" (short lines grouped to ≥ 8 tokens) or "sections" (each
        #: section whole, cut only past the model limit). Mood-and-meaning indexes read sections: on real lyrics the
        #: song's feature ranks better read in context (README, "Real lyrics"), and every section keeps its vector.
        self.chunks = chunks

    @property
    def meaning_fingerprint(self) -> str | None:
        """The fingerprint of the :attr:`meaning` encoder, or None when the predictor reads no meaning."""
        return None if self.meaning is None else self.meaning.fingerprint

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def feature_size(self) -> int:
        """Size of the pooled emotion feature (what the classifier reads): H for Arch2, 64 for Arch1."""
        return self.model.classifier.in_features

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Logits ``(len(texts), num_labels)`` and pooled emotion features ``(len(texts), feature_size)``, float32,
        in input order, from one forward pass each."""
        texts = list(texts)
        logits = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        features = np.zeros((len(texts), self.feature_size), dtype=np.float32)
        if not texts:
            return logits, features
        # Sort by a cheap length proxy; tokenising everything up front would cost memory for big inputs.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            for start in range(0, len(texts), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                # The classification head is dropout (identity in eval mode) and one linear layer on the pooled
                # feature: calling the two parts gives the feature without a second forward pass.
                pooled = self.model.lyricmood(**batch, return_dict=True).pooler_output
                logits[index] = self.model.classifier(pooled).float().cpu().numpy()
                features[index] = pooled.float().cpu().numpy()
        return logits, features

    def predict_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Logits, shape (len(texts), num_labels), float32, in input order."""
        return self.encode(texts)[0]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), num_labels), in input order."""
        return probabilities(self.predict_logits(texts), self.multi_label)

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """0/1 decisions (multi-label: per-label thresholds from the config, else 0.5) or argmax ids."""
        problem_type = "multi_label_classification" if self.multi_label else "single_label_classification"
        return decide(probs, problem_type, self.config.decision_thresholds)

    # -- whole songs (see lyricmood.lyrics) ------------------------------------------------
    def score_song(self, lyrics: str) -> SongEmotion:
        """Score a whole song, never truncated: chunks (see :mod:`lyricmood.lyrics`) → per-chunk probabilities →
        token-weighted mean. Raises :class:`LyricMoodError` for empty lyrics or lyrics without letters."""
        return next(iter(self.score_songs([lyrics])))

    def score_songs(
        self, lyrics: Iterable[str | list[Section]], *, chunks_per_call: int | None = None
    ) -> Iterator[SongEmotion]:
        """Score many songs lazily, in input order, with bounded memory.

        Each song is its lyrics, or its sections as :func:`~lyricmood.lyrics.split_lyrics` returns them
        (a caller that split them already, to check them, does not pay for a second split).

        A song's vector is the mean of its chunks' distributions weighted by their token counts: a long
        line carries more words, hence more evidence, than a one-word hook, and every line counts (none
        is dropped, as truncation to the model limit would). Repeated choruses count each time they are
        sung, as a listener hears them. ``section_vectors`` apply the same mean within each section.

        Chunks of consecutive songs share batches; at most ``chunks_per_call`` (default 8 × batch size) chunk
        texts are held at once, and each song keeps only running sums, so a 1 MB lyrics file streams through.
        With a :attr:`meaning` encoder, each song's meaning is read too, a few songs at a time.
        """
        if isinstance(lyrics, (str, bytes)):  # iterating it would score each character as a song
            raise LyricMoodTypeError(
                "score_songs takes several songs (a list of texts)", field="lyrics", hint="for one song use score_song"
            )
        if self.meaning is None:
            yield from self._score_emotions(lyrics, chunks_per_call)
            return
        from itertools import islice

        songs = (_sections(text) for text in lyrics)
        while group := list(islice(songs, _MEANING_GROUP)):
            meanings = self.meaning.embed(group)
            for song, meaning in zip(self._score_emotions(group, chunks_per_call), meanings):
                song.meaning = meaning
                yield song

    def _score_emotions(
        self, lyrics: Iterable[str | list[Section]], chunks_per_call: int | None
    ) -> Iterator[SongEmotion]:
        from .lyrics import MIN_CHUNK_TOKENS, content_tokens, iter_chunks

        limit = chunks_per_call or 8 * self.batch_size
        max_tokens = content_tokens(self.tokenizer, self.max_length)
        min_tokens = max_tokens if self.chunks == "sections" else MIN_CHUNK_TOKENS
        songs: deque[_SongSums] = deque()
        buffer: list[tuple[_SongSums, int, str, int]] = []

        def flush() -> None:
            if not buffer:
                return
            logits, features = self.encode([text for _, _, text, _ in buffer])
            probs = probabilities(logits, self.multi_label).astype(np.float64)
            for (song, section, _, weight), p, f in zip(buffer, probs, features.astype(np.float64)):
                song.sums[section] += weight * p
                song.feature_sum += weight * f
                song.weights[section] += weight
                song.pending -= 1
            buffer.clear()

        def finished() -> Iterator[SongEmotion]:
            while songs and songs[0].closed and songs[0].pending == 0:
                yield songs.popleft().result(self.labels)

        for text in lyrics:
            sections = _sections(text)
            song = _SongSums([s.name for s in sections], len(self.labels), self.feature_size)
            songs.append(song)
            for chunk in iter_chunks(sections, self.tokenizer, max_tokens, min_tokens):
                buffer.append((song, chunk.section_index, chunk.text, chunk.weight))
                song.pending += 1
                song.num_chunks += 1
                if len(buffer) >= limit:
                    flush()
                    yield from finished()
            song.closed = True
            yield from finished()
        flush()
        yield from finished()

    @property
    def fingerprint(self) -> str:
        """sha256 over the model's config, its weights and its tokenizer's size: equal fingerprints ⇒ equal vectors."""
        cached = self.__dict__.get("_fingerprint_cache")
        if cached is None:
            cached = self.__dict__["_fingerprint_cache"] = model_fingerprint(self.model, self.tokenizer)
        return cached


#: songs whose meaning is read together (their windows share batches; the emotion chunks of a group too)
_MEANING_GROUP = 16


def _sections(song: str | list[Section]) -> list[Section]:
    """A song given as lyrics or as its sections (split already), as sections."""
    from .lyrics import Section, split_lyrics

    if isinstance(song, (list, tuple)) and song and all(isinstance(s, Section) for s in song):
        return list(song)
    return split_lyrics(song)


# --------------------------------------------------------------------------------------------
# Whole songs: the running sums behind EmotionPredictor.score_songs (the result type, SongEmotion, is torch-free
# and lives in lyricmood.emotions).


class _SongSums:
    """Running weighted sums of one song's chunk distributions (so a huge song never holds all of them)."""

    def __init__(self, sections: list[str], num_labels: int, feature_size: int):
        self.sections = sections
        self.sums = np.zeros((len(sections), num_labels), dtype=np.float64)
        self.feature_sum = np.zeros(feature_size, dtype=np.float64)
        self.weights = np.zeros(len(sections), dtype=np.float64)
        self.num_chunks = 0
        self.pending = 0
        self.closed = False

    def result(self, labels: list[str]) -> SongEmotion:
        keep = self.weights > 0
        section_vectors = self.sums[keep] / self.weights[keep, None]
        vector = self.sums.sum(axis=0) / self.weights.sum()
        return SongEmotion(
            vector=vector.astype(np.float32),
            labels=list(labels),
            sections=[name for name, kept in zip(self.sections, keep) if kept],
            section_vectors=section_vectors.astype(np.float32),
            num_chunks=self.num_chunks,
            num_tokens=int(self.weights.sum()),
            feature=(self.feature_sum / self.weights.sum()).astype(np.float32),
        )


def model_fingerprint(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> str:
    """sha256 over a model's config (less what changes with the environment), its weights and its tokenizer's size."""
    # Keys that change with the loading/saving environment (paths, versions, attention kernel, dtype on
    # load), not with what the weights compute, are left out, at every level of the config.
    volatile = {"transformers_version", "torch_dtype", "dtype", "architectures", "auto_map", "attn_implementation"}

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in volatile and not str(k).startswith("_")}
        return value

    config = clean(model.config.to_dict())
    digest = hashlib.sha256()
    digest.update(json.dumps(config, sort_keys=True, default=str).encode("utf-8"))
    digest.update(f"|tokenizer:{type(tokenizer).__name__}:{len(tokenizer)}|".encode())
    for name, tensor in sorted(model.state_dict().items()):
        tensor = tensor.detach().to("cpu").contiguous().reshape(-1)
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()
