"""Shared passages of two ads as character spans in both original texts (side-by-side view).

Both texts are folded piece by piece (keeping a map back to original offsets) and tokenised by
the same tokeniser as the batch path, so a passage shown here is made of the very tokens the
linker compared. A passage is a maximal run of at least `min_tokens` equal tokens; runs are
found greedily from the first text, longest first at each position, so moved sentences still
show as passages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.text.normalise import fold_with_offsets
from adtrace.text.tokens import tokenise_folded

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class TokenSpans:
    """Tokens of one text with their spans in the ORIGINAL text."""

    hashes: U64Array
    start: IntArray
    end: IntArray


@dataclass(frozen=True, slots=True)
class Passage:
    """Text shared by two ads: ``text_a[a_start:a_end]`` matches ``text_b[b_start:b_end]``.

    Attributes:
        a_start: first character in the first text.
        a_end: one past the last character in the first text.
        b_start: first character in the second text.
        b_end: one past the last character in the second text.
        tokens: number of tokens in the passage.
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    tokens: int


def token_spans(text: str) -> TokenSpans:
    """Tokenise `text` and map every token back to its original characters."""
    folded, origin = fold_with_offsets(text)
    tokens = tokenise_folded([folded], spans=True)
    assert tokens.start is not None and tokens.end is not None
    return TokenSpans(tokens.hash, origin[tokens.start], origin[tokens.end])


def _runs(a: list[int], b: list[int], min_tokens: int) -> list[tuple[int, int, int]]:
    """Greedy maximal common runs (i in a, j in b, length) of at least `min_tokens` tokens."""
    where: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for j in range(len(b) - min_tokens + 1):
        where[tuple(b[j : j + min_tokens])].append(j)
    runs: list[tuple[int, int, int]] = []
    i = 0
    while i <= len(a) - min_tokens:
        best_j, best_len = -1, 0
        for j in where.get(tuple(a[i : i + min_tokens]), ()):
            length = min_tokens
            while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
                length += 1
            if length > best_len:
                best_j, best_len = j, length
        if best_len:
            runs.append((i, best_j, best_len))
            i += best_len
        else:
            i += 1
    return runs


def shared_passages(text_a: str, text_b: str, *, min_tokens: int = 3) -> list[Passage]:
    """Passages two texts share, as character spans in both.

    Args:
        text_a: the first text (as shown to the analyst).
        text_b: the second text.
        min_tokens: shortest passage reported; below the shingle size a match is no evidence.

    Returns:
        Passages in the order they appear in `text_a`.
    """
    ta, tb = token_spans(text_a), token_spans(text_b)
    runs = _runs(ta.hashes.tolist(), tb.hashes.tolist(), max(1, min_tokens))
    return [
        Passage(
            int(ta.start[i]), int(ta.end[i + n - 1]), int(tb.start[j]), int(tb.end[j + n - 1]), n
        )
        for i, j, n in runs
    ]


def shared_share(text: str, passages: list[Passage], first: bool = True) -> float:
    """Share of `text`'s characters covered by the passages (first or second text's side)."""
    if not text:
        return 0.0
    covered = np.zeros(len(text), dtype=bool)
    for p in passages:
        lo, hi = (p.a_start, p.a_end) if first else (p.b_start, p.b_end)
        covered[lo:hi] = True
    return float(covered.mean())
