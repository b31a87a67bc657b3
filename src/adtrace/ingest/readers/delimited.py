"""CSV and other delimited text: streamed, encoding and delimiter detected, bad rows kept."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from adtrace.ingest.readers.text import (
    TextEncoding,
    TextLine,
    decode_sample,
    detect_encoding,
    iter_lines,
    read_sample,
    undecodable_message,
)
from adtrace.ingest.records import InputError, RawRecord

logger = logging.getLogger(__name__)

MAX_FIELD_CHARS = 64 * 1024 * 1024
"""csv's field size limit is raised to this: 20 MB fields are read (the pipeline rejects them),
while an unclosed quote cannot swallow an unbounded part of the file."""

EXTRA_CELLS_FIELD = "_extra_cells"
"""Field holding the cells beyond the header's width, as a JSON list."""

DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024
_UNTERMINATED = "unterminated quoted field (file truncated?)"
_NUL_IN_ROW = "NUL byte in the row"
_NUL_SHOWN_AS = "\u2400"


@dataclass(slots=True)
class _Row:
    """Cells of one CSV record with the physical lines it spans."""

    line: int
    cells: list[str]
    lines: list[TextLine]
    unterminated: bool = False
    failure: str | None = None

    @property
    def blank(self) -> bool:
        """An empty line, or cells that are all blank (spreadsheets export trailing ",,,," rows)."""
        has_data = any(cell and not cell.isspace() for cell in self.cells)
        return not has_data and self.failure is None and not self.unterminated

    def raw(self) -> str:
        return "".join(text for text, _ in self.lines).replace("\x00", _NUL_SHOWN_AS)


class CsvReader:
    """A delimited text file whose first row is the header.

    Encoding, delimiter and header are read when the reader is built, so whole-file problems raise
    InputError at once; each iteration then streams the file again from the start.

    Quoting is RFC 4180 (double quotes, doubled to escape). csv.Sniffer's quote guess is not used:
    apostrophes in French text ("l'amour") fool it into taking ``'`` as the quote character.
    """

    def __init__(
        self,
        path: Path,
        *,
        display: str,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self._path = path
        self._source = display
        sample = read_sample(path)
        self.encoding: TextEncoding = detect_encoding(sample, display, encoding)
        self.delimiter: str = delimiter or sniff_delimiter(decode_sample(sample, self.encoding))
        if csv.field_size_limit() < MAX_FIELD_CHARS:
            csv.field_size_limit(MAX_FIELD_CHARS)
        self._columns = unique_names(self._header_cells())
        logger.debug(
            "%s: %s, delimiter %r, %d columns",
            display,
            self.encoding.codec,
            self.delimiter,
            len(self._columns),
        )

    @property
    def columns(self) -> list[str]:
        """Header names, made unique and non-empty."""
        return list(self._columns)

    def __iter__(self) -> Iterator[RawRecord]:
        rows = (row for row in self._rows() if not row.blank)
        next(rows, None)  # the header
        for row in rows:
            yield self._record(row)

    def _header_cells(self) -> list[str]:
        for row in self._rows():
            if row.blank:
                continue
            if row.unterminated or row.failure is not None:
                problem = _UNTERMINATED if row.unterminated else row.failure
                raise InputError(self._source, f"header row unreadable: {problem}", line=row.line)
            return row.cells
        raise InputError(self._source, "empty file: no header row")

    def _rows(self) -> Iterator[_Row]:
        """Parse the file into rows, keeping the physical lines behind each one."""
        consumed: list[TextLine] = []
        eof_inside_row = False

        def feed() -> Iterator[str]:
            nonlocal eof_inside_row
            for line in iter_lines(self._path, self.encoding, universal=True):
                consumed.append(line)
                yield line[0]
            # csv asks for more input after the last line only while a quoted field is open.
            eof_inside_row = bool(consumed)

        reader = csv.reader(feed(), delimiter=self.delimiter, quotechar='"', strict=False)
        line = 1
        while True:
            try:
                row = _Row(line, next(reader), [])
            except StopIteration:
                return
            except csv.Error as exc:
                row = _Row(line, [], [], failure=f"malformed row: {exc}")
            row.lines, consumed = consumed, []  # feed() sees the new list: closures share the name
            row.unterminated, eof_inside_row = eof_inside_row, False
            line += len(row.lines)
            yield row

    def _record(self, row: _Row) -> RawRecord:
        error = self._row_error(row)
        fields = cells_to_fields(self._columns, row.cells)
        if error is None:
            return RawRecord(self._source, row.line, fields)
        for name, value in fields.items():
            if value is not None and "\x00" in value:
                fields[name] = value.replace("\x00", _NUL_SHOWN_AS)
        return RawRecord(self._source, row.line, fields, error=error, raw=row.raw())

    def _row_error(self, row: _Row) -> str | None:
        has_nul = False
        for text, bad_byte in row.lines:
            if bad_byte is not None:
                return undecodable_message(self.encoding.codec, bad_byte)
            has_nul = has_nul or "\x00" in text
        if row.failure is not None:
            return row.failure
        if row.unterminated:
            return _UNTERMINATED
        return _NUL_IN_ROW if has_nul else None


def cells_to_fields(columns: Sequence[str], cells: Sequence[str]) -> dict[str, str | None]:
    """Pair cells with column names: missing cells are None, extra ones go in ``_extra_cells``."""
    fields: dict[str, str | None] = dict(zip(columns, cells, strict=False))
    if len(cells) == len(columns):
        return fields
    for name in columns[len(cells) :]:
        fields[name] = None
    if len(cells) > len(columns):
        fields[EXTRA_CELLS_FIELD] = json.dumps(list(cells[len(columns) :]), ensure_ascii=False)
    return fields


def unique_names(names: Sequence[str]) -> list[str]:
    """Strip header names, name empty ones ``column_N`` (1-based) and suffix duplicates ``_2``..."""
    wanted = [name.strip().lstrip("\ufeff") or f"column_{i}" for i, name in enumerate(names, 1)]
    taken: set[str] = set()
    unique: list[str] = []
    for name in wanted:
        candidate, suffix = name, 2
        while candidate in taken:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        taken.add(candidate)
        unique.append(candidate)
    return unique


def sniff_delimiter(sample: str) -> str:
    """Guess the delimiter among ``, ; tab |``.

    csv.Sniffer runs on the first 64 KiB of whole lines; its answer is kept only when the header
    line contains it. Otherwise the candidate most frequent in the header line wins; a header with
    none of them is a single column, read with a comma.
    """
    header = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    sniffed = _sniff(sample)
    if sniffed is not None and counts.get(sniffed, 0) > 0:
        return sniffed
    best = max(DELIMITERS, key=lambda candidate: counts[candidate])
    return best if counts[best] > 0 else ","


def _sniff(sample: str) -> str | None:
    head = sample[:_SNIFF_CHARS]
    if len(sample) > _SNIFF_CHARS and "\n" in head:
        head = head[: head.rindex("\n") + 1]  # whole lines only
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return None
