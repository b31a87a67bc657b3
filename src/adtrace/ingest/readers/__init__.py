"""File readers: open an input (CSV, JSON Lines, JSON array, Parquet, folder of HTML pages).

Every reader streams its records in bounded memory (JSON arrays excepted: they are loaded whole as
text) and can be iterated more than once (each iteration reads the file again), so the pipeline can
make a cheap first pass (e.g. to vote on the date order) before the real one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from adtrace.ingest.readers.delimited import CsvReader
from adtrace.ingest.readers.htmlpages import HtmlFolderReader, html_pages
from adtrace.ingest.readers.jsonfile import (
    JsonArrayReader,
    JsonLinesReader,
    first_char,
    first_line_is_object,
)
from adtrace.ingest.readers.parquet import ParquetReader
from adtrace.ingest.readers.text import detect_json_encoding, read_sample
from adtrace.ingest.records import InputError, Reader

__all__ = [
    "CsvReader",
    "HtmlFolderReader",
    "JsonArrayReader",
    "JsonLinesReader",
    "ParquetReader",
    "file_sha256",
    "open_reader",
]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_HASH_CHUNK = 1 << 20
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def open_reader(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    display: str | None = None,
) -> Reader:
    """Open an input by its extension, or as a folder of saved HTML pages.

    Args:
        path: ``.csv``/``.tsv``/``.txt``, ``.jsonl``/``.ndjson``, ``.json`` (an array of objects, or
            JSON Lines when the content is not an array), ``.parquet``, or a folder of HTML pages.
        encoding: the text encoding, instead of detecting it (CSV and JSON).
        delimiter: the CSV delimiter (one character, or ``tab``), instead of detecting it.
        display: the name used in messages and records (default ``str(path)``).

    Raises:
        InputError: missing input, unknown extension, or a whole-file problem (empty, binary...).
    """
    source = display if display is not None else str(path)
    if path.is_dir():
        return HtmlFolderReader(path, display=source)
    if not path.is_file():
        raise InputError(source, "no such file or folder")
    suffix = path.suffix.lower()
    try:
        return _open_file(path, suffix, source, encoding, delimiter)
    except OSError as exc:
        raise InputError(source, f"cannot read the file ({exc.strerror or exc})") from None


def _open_file(
    path: Path, suffix: str, source: str, encoding: str | None, delimiter: str | None
) -> Reader:
    if suffix in CSV_SUFFIXES:
        chosen = _delimiter_option(delimiter, source) or ("\t" if suffix == ".tsv" else None)
        return CsvReader(path, display=source, encoding=encoding, delimiter=chosen)
    if suffix in JSON_LINES_SUFFIXES:
        return JsonLinesReader(path, display=source, encoding=encoding)
    if suffix == ".json":
        return _open_json(path, source, encoding)
    if suffix == ".parquet":
        return ParquetReader(path, display=source)
    raise InputError(
        source,
        f"unsupported file type {suffix or '(no extension)'!r}; expected .csv, .tsv, .txt, "
        ".jsonl, .ndjson, .json, .parquet or a folder of .html pages",
    )


def _delimiter_option(delimiter: str | None, source: str) -> str | None:
    if delimiter is None:
        return None
    chosen = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
    if len(chosen) != 1 or chosen in '"\r\n':
        raise InputError(source, f"--delimiter must be one character, not {delimiter!r}")
    return chosen


def _open_json(path: Path, source: str, encoding: str | None) -> Reader:
    """A ``.json`` file: an array of objects, or JSON Lines when the content is not an array."""
    sample = read_sample(path)
    detected = detect_json_encoding(sample, source, encoding)
    start = first_char(sample, detected)
    if start == "[":
        return JsonArrayReader(path, display=source, encoding=encoding)
    if not start:
        raise InputError(source, "empty file: no records")
    if start == "{" and first_line_is_object(path, detected):
        return JsonLinesReader(path, display=source, encoding=encoding)
    raise InputError(source, "not an array of JSON objects, nor JSON Lines (one object per line)")


def file_sha256(path: Path) -> str:
    """SHA-256 of an input, streamed.

    For a folder, the hash covers the pages the HTML reader reads: each one's relative path (sorted)
    and its bytes, so renaming, adding or changing a page changes the hash.
    """
    digest = hashlib.sha256()
    if not path.is_dir():
        _hash_file(path, digest.update)
        return digest.hexdigest()
    for page in html_pages(path):
        name = page.relative_to(path).as_posix().encode("utf-8", errors="surrogateescape")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(page.stat().st_size.to_bytes(8, "big"))
        _hash_file(page, digest.update)
    return digest.hexdigest()


def _hash_file(path: Path, update: Callable[[bytes], None]) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            update(chunk)
