"""Text decoding shared by the line-based readers: encoding detection and physical lines.

Files are decoded incrementally (``codecs.getincrementaldecoder``) so memory stays bounded. Bytes
that do not decode are not replaced silently: a private error handler turns each bad byte into a
lone surrogate marker (U+DC00 + byte). Strict decoders never produce lone surrogates, so a marker
in a decoded line means "this line had undecodable bytes", and its position gives the exact byte
offset for the message. Markers are then replaced by U+FFFD before the text is used.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from adtrace.ingest.records import InputError

logger = logging.getLogger(__name__)

SAMPLE_BYTES = 1 << 20
"""Bytes read to detect the encoding and the delimiter (the first 1 MiB)."""

READ_BYTES = 1 << 20
"""Bytes read and decoded at a time."""

MAX_LINE_CHARS = 64 * 1024 * 1024
"""A "line" longer than this is cut, so a file without line breaks cannot exhaust memory."""

_MARK_ERRORS = "adtrace.mark-undecodable"
_MARK_BASE = 0xDC00
_MARK_RE = re.compile("[\udc00-\udcff]")
_UNIVERSAL_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINE_FEED = re.compile(r"\n")
# Characters str.splitlines() also breaks on, which are not line breaks in CSV or JSON Lines.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_COMPATIBLE = frozenset({"utf-8", "cp1252", "iso8859-1", "ascii"})

_Chunk = tuple[str, int]  # decoded text, file offset of its first byte

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that never occur in real text files (tab, CR, LF, FF and ESC excluded).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_MAX_CONTROL_SHARE = 0.08

# Letters and punctuation of French, English and Spanish text in Windows-1252. Canada first: this is
# by far the commonest legacy encoding of our inputs, and short samples fool statistical detectors
# (a few accented words come out as Big5 or cp1250).
_CP1252_PLAUSIBLE = frozenset(
    "àâäáçéèêëíîïñóôöúùûüÿœæÀÂÄÁÇÉÈÊËÍÎÏÑÓÔÖÚÙÛÜŸŒÆ’‘“”«»–—…€°•·©®™\u00a0"
)
_MIN_CP1252_SHARE = 0.9
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _mark_undecodable(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: one lone-surrogate marker per undecodable byte."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(_MARK_BASE + byte) for byte in bad), exc.end


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """How to decode a file.

    Attributes:
        codec: Python codec name used for decoding, e.g. ``utf-8``, ``cp1252``, ``utf-16-le``.
        bom_length: bytes of byte-order mark to skip at the start of the file.
        declared: True when the user gave the encoding, False when it was detected.
    """

    codec: str
    bom_length: int = 0
    declared: bool = False


TextLine = tuple[str, int | None]
"""One physical line: its text with the terminator (undecodable bytes shown as U+FFFD), and the
0-based file offset of its first undecodable byte, or None. A plain tuple: one is made per line."""


def read_sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    """Return the first ``size`` bytes of a file."""
    with path.open("rb") as handle:
        return handle.read(size)


def canonical_codec(name: str) -> str:
    """Return Python's canonical name for a text encoding (``UTF8`` -> ``utf-8``).

    Raises:
        LookupError: the encoding is unknown, or not a text encoding (``hex``, ``zlib``...).
    """
    codec = codecs.lookup(name).name
    # Bytes-to-bytes codecs raise LookupError on decode (not for b""); a text codec that merely
    # dislikes this byte raises a ValueError and is still a text codec.
    with contextlib.suppress(ValueError):
        b"\n".decode(codec, "ignore")
    return codec


def bom_encoding(sample: bytes) -> TextEncoding | None:
    """Return the encoding announced by a byte-order mark at the start of ``sample``, if any."""
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return TextEncoding(codec, bom_length=len(bom))
    return None


def declared_encoding(sample: bytes, declared: str, source: str) -> TextEncoding:
    """Resolve a user-declared encoding, still honouring a matching byte-order mark.

    Raises:
        InputError: the encoding name is unknown.
    """
    try:
        codec = canonical_codec(declared)
    except LookupError:
        raise InputError(source, f"unknown encoding {declared!r}") from None
    bom = bom_encoding(sample)
    if bom is not None and _unicode_family(bom.codec) == _unicode_family(codec):
        return TextEncoding(bom.codec, bom.bom_length, declared=True)
    return TextEncoding(codec, declared=True)


def _unicode_family(codec: str) -> str | None:
    """``utf-16-le`` -> ``utf-16``; None for a non-Unicode codec."""
    parts = codec.split("-")
    return "-".join(parts[:2]) if parts[0] == "utf" else None


def looks_binary(sample: bytes) -> bool:
    """True when the sample has too many control bytes to be a text file without a BOM."""
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > _MAX_CONTROL_SHARE


def is_utf8(sample: bytes) -> bool:
    """True when the sample is valid UTF-8 (a character cut at the end of the sample is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def cp1252_plausible(sample: bytes) -> bool:
    """True when the sample decodes in Windows-1252 into ordinary French/English/Spanish text."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    special = _NON_ASCII.findall(text)
    if not special:
        return True
    plausible = sum(char in _CP1252_PLAUSIBLE for char in special)
    return plausible / len(special) >= _MIN_CP1252_SHARE


def detect_encoding(sample: bytes, source: str, declared: str | None = None) -> TextEncoding:
    """Choose how to decode a text file from its first bytes.

    Order: the declared encoding; a byte-order mark; valid UTF-8; Windows-1252 when it reads as
    ordinary Western text; charset-normalizer's best guess (Windows-1252 preferred when it decodes
    the sample the same way).

    Raises:
        InputError: the encoding is unknown, or the content is binary.
    """
    settled = _declared_or_marked(sample, source, declared)
    if settled is not None:
        return settled
    if is_utf8(sample):
        return TextEncoding("utf-8")
    if cp1252_plausible(sample):
        return TextEncoding("cp1252")
    return TextEncoding(_normalizer_guess(sample, source))


def detect_json_encoding(sample: bytes, source: str, declared: str | None = None) -> TextEncoding:
    """Choose how to decode a JSON file: declared, else BOM (UTF-8/16/32), else UTF-8 (RFC 8259).

    Raises:
        InputError: the encoding is unknown, or the content is binary.
    """
    return _declared_or_marked(sample, source, declared) or TextEncoding("utf-8")


def _declared_or_marked(sample: bytes, source: str, declared: str | None) -> TextEncoding | None:
    """The declared encoding, else the byte-order mark's; None when neither settles it.

    Raises:
        InputError: the declared encoding is unknown, or the content is binary.
    """
    if declared:
        return declared_encoding(sample, declared, source)
    bom = bom_encoding(sample)
    if bom is not None:
        return bom
    if looks_binary(sample):
        raise InputError(source, "not a text file (binary content)")
    return None


def _normalizer_guess(sample: bytes, source: str) -> str:
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        raise InputError(source, "not a text file (binary content)")
    for match in matches:
        if match.chaos <= best.chaos + 0.1 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    codec = canonical_codec(best.encoding)
    logger.debug("%s: encoding detected as %s", source, codec)
    return codec


def decode_sample(sample: bytes, encoding: TextEncoding) -> str:
    """Decode a file's first bytes for sniffing (bad bytes replaced, a cut character dropped)."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="replace")
    return decoder.decode(sample[encoding.bom_length :], final=False)


def undecodable_message(codec: str, offset: int) -> str:
    """The message for a record holding bytes that do not decode, with a hint for the fix."""
    hint = "cp1252" if codec.startswith("utf-8") else "utf-8"
    return f"not valid {codec} at byte {offset}; try --encoding {hint}"


def iter_lines(
    path: Path, encoding: TextEncoding, *, universal: bool, chunk_bytes: int = READ_BYTES
) -> Iterator[TextLine]:
    """Stream the physical lines of a text file.

    Args:
        path: the file.
        encoding: how to decode it.
        universal: split on ``\\r\\n``, ``\\r`` and ``\\n`` (CSV); otherwise on ``\\n`` only (JSON
            Lines, where a stray carriage return is JSON whitespace, not a line break).
        chunk_bytes: bytes read and decoded at a time.

    Yields:
        (text, bad_byte) per line; see ``TextLine``.
    """
    with path.open("rb") as handle:
        handle.seek(encoding.bom_length)
        chunks = _located_chunks(lambda: handle.read(chunk_bytes), encoding)
        yield from split_lines(chunks, universal=universal, codec=_size_codec(encoding.codec))


def _located_chunks(read: Callable[[], bytes], encoding: TextEncoding) -> Iterator[_Chunk]:
    """Decoded chunks, each with the file offset of its first byte."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors=_MARK_ERRORS)
    offset = encoding.bom_length
    while True:
        data = read()
        # Bytes the decoder still holds (a character cut by the previous read) start this chunk.
        start = offset - len(decoder.getstate()[0])
        text = decoder.decode(data, final=not data)
        offset += len(data)
        if text:
            yield text, start
        if not data:
            return


def split_lines(chunks: Iterable[_Chunk], *, universal: bool, codec: str) -> Iterator[TextLine]:
    """Re-cut decoded chunks into lines (terminators kept), bounded by ``MAX_LINE_CHARS``.

    Only chunks that contain undecodable-byte markers pay for per-line offset bookkeeping.

    Args:
        chunks: (text, file offset of its first byte), cut anywhere.
        universal: line breaks are ``\\r\\n``, ``\\r`` and ``\\n``; otherwise ``\\n`` only.
        codec: the codec that gives each character's size in bytes.
    """
    parts: list[str] = []
    size = 0
    parts_bad: int | None = None
    for chunk, chunk_start in chunks:
        if universal and parts and parts[-1].endswith("\r") and not chunk.startswith("\n"):
            yield _line("".join(parts), parts_bad)  # a lone CR held back at the last chunk's end
            parts, size, parts_bad = [], 0, None
        pieces = _pieces(chunk, universal)
        bads = _bad_offsets(pieces, chunk_start, codec) if _MARK_RE.search(chunk) else None
        # The last piece continues in the next chunk unless it ends with LF; a final CR is held
        # back too, as it may be the first half of a CRLF cut between chunks.
        whole = len(pieces) if pieces[-1].endswith("\n") else len(pieces) - 1
        for index in range(whole):
            bad = None if bads is None else bads[index]
            if not parts:
                yield _line(pieces[index], bad)
                continue
            parts.append(pieces[index])
            yield _line("".join(parts), bad if parts_bad is None else parts_bad)
            parts, size, parts_bad = [], 0, None
        if whole < len(pieces):
            parts.append(pieces[-1])
            size += len(pieces[-1])
            if parts_bad is None and bads is not None:
                parts_bad = bads[-1]
            if size > MAX_LINE_CHARS:
                yield _line("".join(parts), parts_bad)
                parts, size, parts_bad = [], 0, None
    if parts:
        yield _line("".join(parts), parts_bad)


def _line(text: str, bad: int | None) -> TextLine:
    return (text, None) if bad is None else (_MARK_RE.sub("\ufffd", text), bad)


def _bad_offsets(pieces: list[str], start: int, codec: str) -> list[int | None]:
    """File offset of the first undecodable byte of each piece (None when it has none)."""
    offsets: list[int | None] = []
    position = start
    for piece in pieces:
        marker = _MARK_RE.search(piece)
        if marker is None:
            offsets.append(None)
            position += _encoded_size(piece, codec)
            continue
        offsets.append(position + _encoded_size(piece[: marker.start()], codec))
        markers = len(_MARK_RE.findall(piece))  # one marker per undecodable byte
        position += _encoded_size(_MARK_RE.sub("", piece), codec) + markers
    return offsets


def _encoded_size(text: str, codec: str) -> int:
    # isascii() is O(1) on str: plain ASCII text skips the encode.
    if text.isascii() and codec in _ASCII_COMPATIBLE:
        return len(text)
    return len(text.encode(codec))


def _size_codec(codec: str) -> str:
    # Codecs that write a BOM on every encode() call would overcount each line by the BOM.
    return {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}.get(codec, codec)


def _pieces(chunk: str, universal: bool) -> list[str]:
    """Cut a chunk after each line break; every piece but the last ends with one."""
    if _OTHER_BREAKS.search(chunk) is None and (universal or "\r" not in chunk):
        return chunk.splitlines(keepends=True)  # fast, and exact once other breaks are ruled out
    newline = _UNIVERSAL_NEWLINE if universal else _LINE_FEED
    pieces: list[str] = []
    start = 0
    for match in newline.finditer(chunk):
        pieces.append(chunk[start : match.end()])
        start = match.end()
    if start < len(chunk):
        pieces.append(chunk[start:])
    return pieces
