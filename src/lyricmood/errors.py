"""The one error type users see: what was wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class LyricMoodError(ValueError):
    """A problem with the user's input or set-up, worded for the user.

    Example:
        >>> err = LyricMoodError("missing column 'lyrics'", file="songs.csv", line=1,
        ...                      field="lyrics", hint="add a 'lyrics' column")
        >>> print(err)
        songs.csv, line 1, field 'lyrics': missing column 'lyrics'. Fix: add a 'lyrics' column
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f". Fix: {self.hint}"
        return text


class LyricMoodTypeError(LyricMoodError, TypeError):
    """A value of the wrong type given to the Python API (bytes or a dict where lyrics text is expected …).

    Both a :class:`LyricMoodError` (the CLI and the Space report it as any input error) and a ``TypeError``.
    """


def require_text(value: object, what: str = "the lyrics") -> str:
    """``value`` if it is a ``str``; else :class:`LyricMoodTypeError` saying what was given instead.

    >>> require_text(b"la la")
    Traceback (most recent call last):
    ...
    lyricmood.errors.LyricMoodTypeError: field 'lyrics': the lyrics must be text (str), got bytes. Fix: decode bytes first, e.g. data.decode("utf-8")
    """
    if isinstance(value, str):
        return value
    hint = 'decode bytes first, e.g. data.decode("utf-8")' if isinstance(value, (bytes, bytearray)) else "pass a str"
    raise LyricMoodTypeError(f"{what} must be text (str), got {type(value).__name__}", field="lyrics", hint=hint)
