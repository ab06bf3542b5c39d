"""Lyrics → sections → chunks a model can read whole.

A song is far longer than the texts emotion models are trained on (≈500 vs ≈12 words), and
truncating it to the model limit would drop most of it. So a song is split into sections (blank
lines and tag lines such as ``[Chorus]`` / ``[후렴]``), each section into lines, short lines are
grouped, and a line longer than the model limit is cut into windows. Every token of the lyrics
lands in exactly one chunk; a chunk's weight is its token count.

Example:
    >>> sections = split_lyrics("[Verse 1]\\nrain on the window\\nI miss you\\n\\n[Chorus]\\nstay")
    >>> [(s.name, s.lines) for s in sections]
    [('Verse 1', ['rain on the window', 'I miss you']), ('Chorus', ['stay'])]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from transformers import PreTrainedTokenizerBase

from .errors import LyricMoodError, require_lyrics

# A line that is only a bracketed tag: [Verse 1], [Chorus], [후렴], [Bridge x2], (Chorus) …
_TAG = re.compile(r"^\s*[\[(]\s*([^\[\]()]{1,40}?)\s*[\])]\s*:?\s*$")

#: lines with fewer tokens than this are grouped with the next lines of their section
MIN_CHUNK_TOKENS = 8
#: how many lines are tokenized at once (bounds memory on huge inputs)
_TOKENIZE_BLOCK = 256
#: a longer line is cut (at a space where there is one) into pieces of at most this many characters before
#: it is tokenized, so that memory stays bounded however long a line is (2 MB of lyrics on one line)
MAX_PIECE_CHARS = 4096


@dataclass
class Section:
    """One section of a song: its name (the tag, or ``"section N"``) and its lyric lines."""

    name: str
    lines: list[str]


@dataclass
class Chunk:
    """A piece of lyrics scored as one model input; ``weight`` = its number of (non-special) tokens."""

    section_index: int
    text: str
    weight: int


def read_lyrics_file(path: str | Path) -> str:
    """The lyrics of a UTF-8 text or ``.lrc`` file (LRC timestamps and tags dropped)."""
    from .catalog import parse_lrc, read_text

    if Path(path).is_dir():
        raise LyricMoodError("is a folder, not a lyrics file", file=path, hint="give one UTF-8 text or .lrc file")
    return parse_lrc(read_text(Path(path), what="lyrics file"))[1]


def split_lyrics(text: str) -> list[Section]:
    """Split lyrics into sections: a blank line or a tag line (``[Chorus]``) starts a new one.

    Tag lines name the section and are not lyrics. Raises :class:`LyricMoodError` for empty
    text, invalid Unicode (see :func:`lyricmood.errors.require_lyrics`), or text without a single letter
    (numbers and punctuation only).
    """
    require_lyrics(text)
    sections: list[Section] = []
    name: str | None = None
    lines: list[str] = []

    def close() -> None:
        nonlocal name, lines
        if lines:
            sections.append(Section(name or f"section {len(sections) + 1}", lines))
        name, lines = None, []

    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        tag = _TAG.match(line)
        if tag and not _has_timestamp(line):
            close()
            name = tag.group(1)
            continue
        lines.append(line)
    close()
    if not any(ch.isalpha() for section in sections for line in section.lines for ch in line):
        raise LyricMoodError(
            "the lyrics contain no letters (only tags, numbers or punctuation)",
            field="lyrics",
            hint="give the song's words",
        )
    return sections


def _has_timestamp(line: str) -> bool:
    return bool(re.match(r"^\s*\[\d{1,3}:\d{1,2}", line))


def content_tokens(tokenizer: PreTrainedTokenizerBase, max_length: int) -> int:
    """How many lyric tokens fit in one model input of ``max_length`` (special tokens excluded)."""
    return max(1, max_length - tokenizer.num_special_tokens_to_add(pair=False))


def iter_chunks(
    sections: Sequence[Section], tokenizer: PreTrainedTokenizerBase, max_tokens: int, min_tokens: int = MIN_CHUNK_TOKENS
) -> Iterator[Chunk]:
    """Yield the chunks of ``sections`` lazily (see :func:`chunk_lyrics`); tokenizes a block of lines at a time.

    ``min_tokens``: lines are grouped until a group reaches it (``max_tokens`` reads each section in windows as
    long as the model takes, whole lines each)."""
    # Lines are tokenized here only to be counted: silence the "longer than the maximum" warning.
    warnings_seen = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warnings_seen, dict):
        warnings_seen["sequence-length-is-longer-than-the-specified-maximum"] = True
    for index, section in enumerate(sections):
        group: list[str] = []
        group_tokens = 0
        for block in _blocks(section.lines):
            encoded = tokenizer(block, add_special_tokens=False)
            for position, line in enumerate(block):
                count = len(encoded["input_ids"][position])
                if count == 0:
                    continue
                if count > max_tokens:
                    if group:
                        yield Chunk(index, "\n".join(group), group_tokens)
                        group, group_tokens = [], 0
                    yield from _windows(index, line, tokenizer, max_tokens)
                    continue
                if group and group_tokens + count > max_tokens:
                    yield Chunk(index, "\n".join(group), group_tokens)
                    group, group_tokens = [], 0
                group.append(line)
                group_tokens += count
                if group_tokens >= min_tokens:
                    yield Chunk(index, "\n".join(group), group_tokens)
                    group, group_tokens = [], 0
        if group:
            yield Chunk(index, "\n".join(group), group_tokens)


def _pieces(line: str) -> Iterator[str]:
    """``line`` in pieces of at most :data:`MAX_PIECE_CHARS` characters, cut after a space where possible."""
    while len(line) > MAX_PIECE_CHARS:
        cut = line.rfind(" ", MAX_PIECE_CHARS // 2, MAX_PIECE_CHARS)
        cut = MAX_PIECE_CHARS if cut < 0 else cut + 1
        yield line[:cut]
        line = line[cut:]
    yield line


def _blocks(lines: Sequence[str]) -> Iterator[list[str]]:
    """Lines (over-long ones in pieces) in blocks tokenized together: at most ``_TOKENIZE_BLOCK`` lines and
    about 16 pieces' worth of characters."""
    block: list[str] = []
    size = 0
    for line in lines:
        for piece in _pieces(line):
            block.append(piece)
            size += len(piece)
            if len(block) == _TOKENIZE_BLOCK or size >= 16 * MAX_PIECE_CHARS:
                yield block
                block, size = [], 0
    if block:
        yield block


def chunk_lyrics(sections: Sequence[Section], tokenizer: PreTrainedTokenizerBase, max_tokens: int) -> list[Chunk]:
    """Lines (short ones grouped until they reach :data:`MIN_CHUNK_TOKENS` tokens, within a section) become
    chunks of at most ``max_tokens`` tokens; a longer line is cut into windows at word boundaries.

    ``max_tokens`` counts lyric tokens only: use :func:`content_tokens` to get it from a model limit.
    Weights are token counts of the text as tokenized in its line, so they add up to the song's tokens.
    """
    return list(iter_chunks(sections, tokenizer, max_tokens))


def _windows(index: int, line: str, tokenizer: PreTrainedTokenizerBase, max_tokens: int) -> Iterator[Chunk]:
    """Cut one over-long line into consecutive windows of at most ``max_tokens`` tokens, without overlap.

    Windows end on word boundaries where possible, so that each window re-tokenizes as it did in the line.
    """
    if not getattr(tokenizer, "is_fast", False):
        yield from _word_windows(index, line, tokenizer, max_tokens)
        return
    encoding = tokenizer(line, add_special_tokens=False, return_offsets_mapping=True)
    offsets = encoding["offset_mapping"]
    words = encoding.word_ids()
    n = len(offsets)
    start = 0
    while start < n:
        end = min(start + max_tokens, n)
        if end < n:
            # back off to the start of a word, unless the window would then be empty (one giant word)
            cut = end
            while cut > start and words[cut] is not None and words[cut] == words[cut - 1]:
                cut -= 1
            end = cut if cut > start else end
        text = line[offsets[start][0] : offsets[end - 1][1]].strip()
        if text:
            yield Chunk(index, text, end - start)
        start = end


def _word_windows(index: int, line: str, tokenizer: PreTrainedTokenizerBase, max_tokens: int) -> Iterator[Chunk]:
    # Slow tokenizers have no offsets: cut on whitespace, counting each word's tokens.
    words = line.split()
    counts = [len(ids) for ids in tokenizer(words, add_special_tokens=False)["input_ids"]]
    window: list[str] = []
    tokens = 0
    for word, count in zip(words, counts):
        if window and tokens + count > max_tokens:
            yield Chunk(index, " ".join(window), tokens)
            window, tokens = [], 0
        window.append(word)
        tokens += count
    if window:
        yield Chunk(index, " ".join(window), tokens)
