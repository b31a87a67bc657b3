"""The one error an analyst's data file (lexicon, weights) can cause."""

from __future__ import annotations


class DataFileError(ValueError):
    """A bad entry in a lexicon or weights file: one sentence naming file, line and field."""

    def __init__(self, source: str, line: int | None, field: str, message: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}, field {field!r}: {message}")
