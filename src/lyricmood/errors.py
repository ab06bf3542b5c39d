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


def require_whole(
    value: object, what: str, field: str | None = None, *, low: int = 1, high: int | None = None
) -> int:
    """``value`` if it is a whole number (not a bool) in ``[low, high]``; else :class:`LyricMoodError` naming ``field``."""
    import numbers

    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low or (
        high is not None and value > high
    ):
        bound = f"≥ {low}" if high is None else f"from {low} to {high}"
        raise LyricMoodError(f"the {what} must be a whole number {bound}, got {value!r}", field=field)
    return int(value)


def require_text(
    value: object, what: str = "the lyrics", *, field: str = "lyrics", file: str | Path | None = None,
    line: int | None = None,
) -> str:
    """``value`` if it is a ``str`` of valid Unicode; else :class:`LyricMoodTypeError` saying what was given instead,
    or :class:`LyricMoodError` for a character no UTF-8 text can hold (see :func:`require_unicode`).

    >>> require_text(b"la la")
    Traceback (most recent call last):
    ...
    lyricmood.errors.LyricMoodTypeError: field 'lyrics': the lyrics must be text (str), got bytes. Fix: decode bytes first, e.g. data.decode("utf-8")
    """
    if isinstance(value, str):
        return require_unicode(value, what, field=field, file=file, line=line)
    hint = 'decode bytes first, e.g. data.decode("utf-8")' if isinstance(value, (bytes, bytearray)) else "pass a str"
    raise LyricMoodTypeError(f"{what} must be text (str), got {type(value).__name__}", field=field, hint=hint)


def require_unicode(
    text: str, what: str = "the text", *, field: str | None = None, file: str | Path | None = None,
    line: int | None = None,
) -> str:
    """``text`` if UTF-8 can hold it; a lone surrogate (``"\\udcff"``: bytes that were not UTF-8, decoded with
    ``surrogateescape`` as a command line is, or an escaped ``"\\ud800"`` in JSON) raises :class:`LyricMoodError`
    naming it, its line (``line``, else the line within a text of several) and position, before a tokenizer fails on it.

    >>> require_unicode("sad \\udcff rain", "--text")
    Traceback (most recent call last):
    ...
    lyricmood.errors.LyricMoodError: invalid character in --text: a lone surrogate (U+DCFF) at character 5. Fix: give valid UTF-8 text (the bytes may be in another encoding, e.g. re-save the file as UTF-8)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        at = err.start
        column = at
        if line is None and "\n" in text:  # where in the text, for a reader who opens it
            line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1)
        raise LyricMoodError(
            f"invalid character in {what}: a lone surrogate (U+{ord(text[at]):04X}) at character {column + 1}",
            file=file, line=line, field=field,
            hint="give valid UTF-8 text (the bytes may be in another encoding, e.g. re-save the file as UTF-8)",
        ) from None
    return text


def require_lyrics(value: object, what: str = "the lyrics", *, field: str = "lyrics") -> str:
    """``value`` if it is lyrics lyricmood can score: text (see :func:`require_text`) that is not blank."""
    if value is None or not require_text(value, what, field=field).strip():
        raise LyricMoodError(f"{what} are empty" if what == "the lyrics" else f"{what} is empty", field=field,
                             hint="give the song's lyrics as text")
    return value
