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
