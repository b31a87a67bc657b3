"""Helpers for the ingest tests: every input is synthetic and written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adtrace.ingest.readers import open_reader
from adtrace.ingest.records import RawRecord

WriteFile = Callable[[str, bytes | str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text (UTF-8, newlines untouched) or bytes to ``tmp_path/name``; return the path."""

    def write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


def read_all(path: Path, **options: str) -> list[RawRecord]:
    """All records of a file, through open_reader."""
    return list(open_reader(path, **options))
