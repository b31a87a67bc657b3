"""A vectorised tokeniser: folded texts in, one stable 64-bit hash per token out.

A token is a run of letters, combining marks and digits (any script), or a single symbol
character (emoji, ★, and the selector placeholders). Punctuation and white space separate
tokens; format characters (zero-width joiner, soft hyphen, variation selectors) are ignored
without splitting a word. Every digit run folds to "0", so prices, ages and phone digits
become one shape ("$150/hr" and "$200/hr" tokenise alike).

The whole batch is joined into one UTF-8 buffer and classified byte by byte with numpy; the
only per-text Python work is Unicode folding. Token hashes are a polynomial over the token's
bytes finished with splitmix64: fixed constants, no seed, so a token hashes the same in every
run, process and version of Python (the boilerplate model stores shingle hashes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.text.normalise import fold

U8Array = npt.NDArray[np.uint8]
U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SEP, WORD, DIGIT, SYMBOL, IGNORE = 0, 1, 2, 3, 4
_TABLE_SIZE: Final = 0x30000
_CHUNK_BYTES: Final = 8_000_000
HASH_VERSION: Final = 1
"""Bumped whenever token or shingle hashes change (stored with every model)."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens of a batch of texts, in text order.

    Attributes:
        doc: index of the text each token comes from (ascending).
        hash: the token's 64-bit hash.
        start: first character of the token in the folded text (only with spans).
        end: one past the token's last character in the folded text (only with spans).
    """

    doc: IntArray
    hash: U64Array
    start: IntArray | None = None
    end: IntArray | None = None


@cache
def _class_table() -> U8Array:
    """Token class of every code point below U+30000 (built once, about 50 ms)."""
    table = np.zeros(_TABLE_SIZE, dtype=np.uint8)
    for cp in range(_TABLE_SIZE):
        table[cp] = _class_of(cp)
    return table


def _class_of(cp: int) -> int:
    if 0xE000 <= cp <= 0xE0FF:
        return SYMBOL  # selector placeholders
    if 0xFE00 <= cp <= 0xFE0F:
        return IGNORE  # variation selectors (Mn, but never part of a word)
    category = unicodedata.category(chr(cp))
    if category[0] in "LM":
        return WORD
    if category[0] == "N":
        return DIGIT
    if category == "So":
        return SYMBOL
    if category == "Cf":
        return IGNORE
    return SEP


def splitmix64(x: U64Array) -> U64Array:
    """The splitmix64 finaliser, vectorised (a bijection on 64-bit words)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


@cache
def _byte_table() -> U8Array:
    """Class of each byte value: ASCII from the code point table, other bytes SEP for now."""
    table = np.full(256, SEP, dtype=np.uint8)
    table[:0x80] = _class_table()[:0x80]
    return table


def _utf8_classes(b: U8Array) -> U8Array:
    """Token class of every byte (continuation bytes take their lead byte's class)."""
    cls = _byte_table()[b]
    lead = np.flatnonzero(b >= 0xC0)
    if lead.size == 0:
        return cls
    b0 = b[lead].astype(np.int64)
    width = np.where(b0 >= 0xF0, 4, np.where(b0 >= 0xE0, 3, 2))
    cp = np.where(width == 2, b0 & 0x1F, np.where(width == 3, b0 & 0x0F, b0 & 0x07))
    padded = np.concatenate([b, np.zeros(3, dtype=np.uint8)])
    for k in (1, 2, 3):
        cp = np.where(width > k, (cp << 6) | (padded[lead + k] & 0x3F), cp)
    table = _class_table()
    lead_cls = np.where(cp < _TABLE_SIZE, table[np.minimum(cp, _TABLE_SIZE - 1)], SEP)
    cls[lead] = lead_cls
    for k in (1, 2, 3):
        more = width > k
        cls[lead[more] + k] = lead_cls[more]
    return cls


def _shift(a: BoolArray, by: int) -> BoolArray:
    """`a` moved right (by > 0) or left (by < 0) by one, filled with False."""
    out = np.zeros_like(a)
    if by > 0:
        out[1:] = a[:-1]
    else:
        out[:-1] = a[1:]
    return out


def _token_bounds(b: U8Array, cls: U8Array) -> tuple[IntArray, IntArray]:
    """First byte and one-past-last byte of every token."""
    wordish = (cls == WORD) | (cls == DIGIT)
    symbol = cls == SYMBOL
    is_lead = (b & 0xC0) != 0x80
    next_lead = np.ones_like(is_lead)
    next_lead[:-1] = is_lead[1:]
    starts = (wordish & ~_shift(wordish, 1)) | (symbol & is_lead)
    ends = (wordish & ~_shift(wordish, -1)) | (symbol & next_lead)
    return np.flatnonzero(starts), np.flatnonzero(ends) + 1


def _unaligned_words(b: U8Array) -> U64Array:
    """View where element i is the little-endian 64-bit word at byte i of `b` (zero-padded)."""
    padded = np.zeros((len(b) // 8 + 3) * 8, dtype=np.uint8)
    padded[: len(b)] = b
    words = np.frombuffer(padded.tobytes(), dtype="<u8")
    return np.lib.stride_tricks.as_strided(words, shape=(len(b),), strides=(1,))


def _hash_tokens(b: U8Array, first: IntArray, stop: IntArray) -> U64Array:
    """Hash of each token's bytes, eight bytes at a time."""
    words = _unaligned_words(b)
    length = stop - first
    hashes = np.zeros(len(first), dtype=np.uint64)
    active = np.arange(len(first))
    offset = 0
    while active.size:
        left = length[active] - offset
        word = words[first[active] + offset]
        bits = (np.minimum(left, 8) * 8).astype(np.uint64)
        mask = np.where(
            left >= 8, np.uint64(2**64 - 1), (np.uint64(1) << (bits & np.uint64(63))) - np.uint64(1)
        )
        hashes[active] = splitmix64(hashes[active] ^ (word & mask) ^ (bits << np.uint64(56)))
        offset += 8
        active = active[length[active] > offset]
    return hashes


def _tokenise_chunk(texts: Sequence[str], spans: bool) -> Tokens:
    joined = "\x00".join(t.replace("\x00", " ") if "\x00" in t else t for t in texts)
    raw = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if raw.size == 0:
        return _empty_tokens(spans)
    raw_cls = _utf8_classes(raw)
    digit = raw_cls == DIGIT
    keep = (raw_cls != IGNORE) & ~(digit & _shift(digit, 1))  # a digit run folds to "0"
    b, cls = raw[keep], raw_cls[keep]
    b[cls == DIGIT] = 48
    first, stop = _token_bounds(b, cls)
    if first.size == 0:
        return _empty_tokens(spans)
    nul = np.flatnonzero(b == 0)
    doc = np.searchsorted(nul, first).astype(np.int64)
    hashes = _hash_tokens(b, first, stop)
    if not spans:
        return Tokens(doc, hashes)
    kept_at = np.flatnonzero(keep)
    char_index = np.cumsum((raw & 0xC0) != 0x80) - 1
    doc_base = np.concatenate([[0], char_index[np.flatnonzero(raw == 0)] + 1])
    last_raw = _run_end(raw_cls, kept_at[stop - 1])
    start = char_index[kept_at[first]] - doc_base[doc]
    end = char_index[last_raw] + 1 - doc_base[doc]
    return Tokens(doc, hashes, start.astype(np.int64), end.astype(np.int64))


def _run_end(raw_cls: U8Array, last: IntArray) -> IntArray:
    """Extend a token's last byte over the rest of its digit run (folded away) in the raw text."""
    digit = raw_cls == DIGIT
    if not digit.any():
        return last
    # index of the last byte of the digit run each byte belongs to
    run_stop = np.flatnonzero(digit & ~_shift(digit, -1))
    at = np.searchsorted(run_stop, last)
    inside = (at < run_stop.size) & digit[last]
    return np.where(inside, run_stop[np.minimum(at, run_stop.size - 1)], last)


def _empty_tokens(spans: bool) -> Tokens:
    empty = np.zeros(0, dtype=np.int64)
    return Tokens(
        empty, np.zeros(0, dtype=np.uint64), empty if spans else None, empty if spans else None
    )


def _chunks(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Ranges of texts holding about `_CHUNK_BYTES` characters each."""
    bounds: list[tuple[int, int]] = []
    lo, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text) + 1
        if size >= _CHUNK_BYTES:
            bounds.append((lo, i + 1))
            lo, size = i + 1, 0
    if lo < len(texts) or not bounds:
        bounds.append((lo, len(texts)))
    return bounds


def tokenise_folded(texts: Sequence[str], *, spans: bool = False) -> Tokens:
    """Tokenise texts that are already folded (see `adtrace.text.normalise.fold`).

    Args:
        texts: folded texts.
        spans: also return each token's character span in its folded text (slower).
    """
    parts: list[Tokens] = []
    for lo, hi in _chunks(texts):
        part = _tokenise_chunk(texts[lo:hi], spans)
        parts.append(Tokens(part.doc + lo, part.hash, part.start, part.end))
    return Tokens(
        np.concatenate([p.doc for p in parts]),
        np.concatenate([p.hash for p in parts]),
        np.concatenate([p.start for p in parts if p.start is not None]) if spans else None,
        np.concatenate([p.end for p in parts if p.end is not None]) if spans else None,
    )


def tokenise(texts: Sequence[str], *, spans: bool = False) -> Tokens:
    """Fold then tokenise texts (the batch path; see the module docstring).

    Args:
        texts: raw (masked) texts.
        spans: also return character spans, in the FOLDED texts.
    """
    return tokenise_folded([fold(t) for t in texts], spans=spans)


def token_hash(token: str) -> int:
    """The hash `tokenise` gives a single folded token (for tests and look-ups)."""
    tokens = tokenise_folded([token])
    if tokens.hash.size != 1:
        raise ValueError("not exactly one token")
    return int(tokens.hash[0])
