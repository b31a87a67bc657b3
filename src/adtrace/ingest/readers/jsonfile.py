"""JSON Lines (streamed line by line) and JSON arrays of objects (loaded whole as text)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from adtrace.ingest.readers.text import (
    TextEncoding,
    decode_sample,
    detect_json_encoding,
    iter_lines,
    read_sample,
    undecodable_message,
)
from adtrace.ingest.readers.values import value_text
from adtrace.ingest.records import InputError, RawRecord

COLUMN_SCAN_RECORDS = 1000
"""JSON has no header: the columns are the keys of this many first records, in first-seen order."""

_NOT_OBJECT = "not a JSON object"
_TOO_DEEP = "JSON nested too deeply"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


def object_fields(value: dict[str, Any]) -> dict[str, str | None]:
    """Raw text of each value of a JSON object (see ``value_text``)."""
    return {key: value_text(item) for key, item in value.items()}


def parse_object(text: str) -> tuple[dict[str, str | None], str | None]:
    """Parse one JSON object; return (fields, None) or ({}, error message)."""
    try:
        value = json.loads(text)
        if not isinstance(value, dict):
            return {}, _NOT_OBJECT
        return object_fields(value), None
    except json.JSONDecodeError as exc:
        return {}, f"invalid JSON: {exc.msg} (column {exc.colno})"
    except RecursionError:
        return {}, _TOO_DEEP
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        return {}, f"invalid JSON: {exc}"


def scan_columns(records: Iterator[RawRecord]) -> list[str]:
    """Union of the field names of the first records, in first-seen order."""
    seen: dict[str, None] = {}
    for record in islice(records, COLUMN_SCAN_RECORDS):
        seen.update(dict.fromkeys(record.fields))
    return list(seen)


class JsonLinesReader:
    """One JSON object per line; blank lines skipped; a bad line becomes an error record."""

    def __init__(self, path: Path, *, display: str, encoding: str | None = None) -> None:
        self._path = path
        self._source = display
        self.encoding: TextEncoding = detect_json_encoding(read_sample(path), display, encoding)
        self._columns = scan_columns(iter(self))
        if not self._columns and next(iter(self), None) is None:
            raise InputError(display, "empty file: no records")

    @property
    def columns(self) -> list[str]:
        """Keys of the first records, in first-seen order."""
        return list(self._columns)

    def __iter__(self) -> Iterator[RawRecord]:
        lines = iter_lines(self._path, self.encoding, universal=False)
        for number, (line, bad_byte) in enumerate(lines, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            fields, error = parse_object(text)
            if bad_byte is not None:
                error = undecodable_message(self.encoding.codec, bad_byte)
            if error is None:
                yield RawRecord(self._source, number, fields)
            else:
                yield RawRecord(self._source, number, fields, error=error, raw=text)


@dataclass(frozen=True, slots=True)
class _Element:
    """One element of a JSON array, where it starts, and its verbatim text."""

    line: int
    value: object
    text: str


class JsonArrayReader:
    """A JSON array of objects.

    The standard library cannot stream a JSON array, so the file is loaded whole as text (use JSON
    Lines for very large exports). Elements are then decoded one at a time with
    ``JSONDecoder.raw_decode`` so each record knows its line. The whole array is checked when the
    reader is built: broken JSON raises InputError naming the line, before any record is yielded,
    because there is no way to resynchronise inside an array.
    """

    def __init__(self, path: Path, *, display: str, encoding: str | None = None) -> None:
        self._path = path
        self._source = display
        self.encoding: TextEncoding = detect_json_encoding(read_sample(path), display, encoding)
        seen: dict[str, None] = {}
        for count, element in enumerate(self._elements()):  # a full pass validates the array
            if count < COLUMN_SCAN_RECORDS and isinstance(element.value, dict):
                seen.update(dict.fromkeys(element.value))
        self._columns = list(seen)

    @property
    def columns(self) -> list[str]:
        """Keys of the first objects, in first-seen order."""
        return list(self._columns)

    def __iter__(self) -> Iterator[RawRecord]:
        for element in self._elements():
            if isinstance(element.value, dict):
                yield RawRecord(self._source, element.line, object_fields(element.value))
            else:
                yield RawRecord(self._source, element.line, error=_NOT_OBJECT, raw=element.text)

    def _elements(self) -> Iterator[_Element]:
        text = load_text(self._path, self.encoding, self._source)
        pos = _skip_space(text, 0)
        if text[pos : pos + 1] != "[":
            raise InputError(self._source, "top-level JSON value is not an array of objects")
        line, counted = 1, 0
        pos = _skip_space(text, pos + 1)
        if text[pos : pos + 1] == "]":
            self._check_end(text, pos + 1)
            return
        while True:
            line, counted = line + text.count("\n", counted, pos), pos
            value, end = self._decode_at(text, pos, line)
            yield _Element(line, value, text[pos:end])
            pos = _skip_space(text, end)
            if text[pos : pos + 1] == "]":
                self._check_end(text, pos + 1)
                return
            if text[pos : pos + 1] != ",":
                raise self._syntax_error(text, pos, "expected ',' or ']' after an array element")
            pos = _skip_space(text, pos + 1)

    def _decode_at(self, text: str, pos: int, line: int) -> tuple[object, int]:
        try:
            value, end = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise self._syntax_error(text, exc.pos, f"invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(self._source, _TOO_DEEP, line=line) from None
        except ValueError as exc:
            raise InputError(self._source, f"invalid JSON: {exc}", line=line) from None
        return value, end

    def _check_end(self, text: str, pos: int) -> None:
        pos = _skip_space(text, pos)
        if pos < len(text):
            raise self._syntax_error(text, pos, "extra data after the JSON array")

    def _syntax_error(self, text: str, pos: int, message: str) -> InputError:
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return InputError(self._source, f"{message} (column {column})", line=line)


def load_text(path: Path, encoding: TextEncoding, source: str) -> str:
    """Decode a whole file strictly.

    Raises:
        InputError: bytes that do not decode, with their offset.
    """
    data = path.read_bytes()[encoding.bom_length :]
    try:
        return data.decode(encoding.codec)
    except UnicodeDecodeError as exc:
        offset = encoding.bom_length + exc.start
        raise InputError(source, undecodable_message(encoding.codec, offset)) from None


def first_line_is_object(path: Path, encoding: TextEncoding) -> bool:
    """True when the first non-blank line of a file is a whole JSON object (JSON Lines)."""
    for line, _ in iter_lines(path, encoding, universal=False):
        if line.strip():
            _, error = parse_object(line)
            return error is None
    return False


def first_char(sample: bytes, encoding: TextEncoding) -> str:
    """The first non-whitespace character of a file's first bytes ('' when there is none)."""
    return decode_sample(sample, encoding).lstrip(" \t\r\n")[:1]


def _skip_space(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos
