"""What a reader yields: one raw record per row of an input file, before mapping and validation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One row of an input file, its values verbatim.

    Attributes:
        source: the input file's path as the user gave it (for messages and rejects).
        line: 1-based line where the record starts (CSV, JSON Lines, JSON arrays); 1 for an
            HTML page.
        fields: column name -> raw string value (None for JSON null or a missing cell). JSON objects
            and arrays nested in a value are kept as their JSON text.
        error: why the row could not be read (broken JSON line, unterminated quote, ...), or None.
        error_field: the column the error is about, when one is known.
        raw: the row's verbatim text when it could not be parsed, so a reject keeps it.
    """

    source: str
    line: int
    fields: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None
    raw: str | None = None


class Reader(Protocol):
    """An opened input file: its column names and its records, streamed in bounded memory."""

    @property
    def columns(self) -> list[str]:
        """Column names in file order (for JSON: the keys seen in the first records)."""
        ...

    def __iter__(self) -> Iterator[RawRecord]: ...


class InputError(Exception):
    """A whole input cannot be used: one clear sentence naming file, line and field where known."""

    def __init__(
        self, source: str, message: str, *, line: int | None = None, field_name: str | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.field_name = field_name
        self.message = message
        super().__init__(self.sentence())

    def sentence(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.field_name is not None:
            where += f", field {self.field_name!r}"
        return f"{where}: {self.message}"
