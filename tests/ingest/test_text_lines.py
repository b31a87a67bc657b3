"""Physical lines of decoded text: chunk boundaries, line breaks, undecodable byte offsets."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.ingest.readers.text import TextEncoding, iter_lines

_VALID = [b"a", b",", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80"]  # 1 to 4 bytes
_BREAKS = [b"\n", b"\r", b"\r\n"]
_INVALID = [b"\xe9", b"\x80", b"\xff", b"\xe2\x82"]  # cp1252 é, stray continuations, a cut char
_UTF8_PIECES = st.sampled_from([*_VALID, *_BREAKS, *_INVALID])


def _oracle(data: bytes, universal: bool) -> list[tuple[bytes, int | None]]:
    """Split the bytes into lines and decode each one strictly on its own: (line, bad offset)."""
    pattern = rb"\r\n|\r|\n" if universal else rb"\n"
    ends = [match.end() for match in re.finditer(pattern, data)]
    if data and (not ends or ends[-1] < len(data)):
        ends.append(len(data))
    lines: list[tuple[bytes, int | None]] = []
    start = 0
    for end in ends:
        try:
            data[start:end].decode("utf-8")
            lines.append((data[start:end], None))
        except UnicodeDecodeError as exc:
            lines.append((data[start:end], start + exc.start))
        start = end
    return lines


@given(
    pieces=st.lists(_UTF8_PIECES, max_size=40),
    chunk=st.integers(1, 9),
    universal=st.booleans(),
)
def test_bad_byte_offsets_survive_any_chunking(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], chunk: int, universal: bool
) -> None:
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("lines") / "data.txt"
    path.write_bytes(data)
    lines = list(iter_lines(path, TextEncoding("utf-8"), universal=universal, chunk_bytes=chunk))
    expected = _oracle(data, universal)
    assert [bad for _, bad in lines] == [bad for _, bad in expected]
    line_start = 0
    for (text, bad), (raw, _) in zip(lines, expected, strict=True):
        if bad is None:
            assert text == raw.decode("utf-8")
        else:  # the text before the first bad byte is intact, and the bad byte is shown
            assert text.startswith(raw[: bad - line_start].decode("utf-8") + "\ufffd")
        line_start += len(raw)


@given(text=st.text(alphabet="ab\r\n\x0b\x1c\u2028\x85", max_size=40), chunk=st.integers(1, 7))
def test_only_cr_and_lf_break_lines(
    tmp_path_factory: pytest.TempPathFactory, text: str, chunk: int
) -> None:
    path = tmp_path_factory.mktemp("lines") / "data.txt"
    path.write_bytes(text.encode("utf-8"))
    lines = [
        line
        for line, _ in iter_lines(path, TextEncoding("utf-8"), universal=True, chunk_bytes=chunk)
    ]
    assert "".join(lines) == text
    assert lines == re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def test_utf16_bad_bytes_located(tmp_path: Path) -> None:
    good = "id\n".encode("utf-16-le")
    data = codecs.BOM_UTF16_LE + good + b"\x00\xd8" + "x\n".encode("utf-16-le")
    path = tmp_path / "data.txt"
    path.write_bytes(data)
    encoding = TextEncoding("utf-16-le", bom_length=2)
    lines = list(iter_lines(path, encoding, universal=True, chunk_bytes=3))
    assert lines == [("id\n", None), ("\ufffd\ufffdx\n", 2 + len(good))]
