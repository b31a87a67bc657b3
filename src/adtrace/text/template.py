"""The template behind a cluster: the common skeleton of its texts, with slots where they vary.

The most central text (largest mean token-set Jaccard with the others) is the reference. Every
other text is aligned to it token by token (`difflib`'s longest-matching-blocks on token
hashes); a reference token kept by at least `min_support` of the texts is fixed wording, the
rest become slots ({1}, {2}, ...) whose fillers are read from each text between the aligned
neighbours: the persona's name, the city, the price.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adtrace.text.align import TokenSpans, token_spans

_STRIP = " \t\r\n,.;:!?-–—|/*~"
_MAX_FILLER = 80


@dataclass(frozen=True, slots=True)
class Slot:
    """A varying part of a template.

    Attributes:
        index: 1-based slot number, as written in the template text ({1}, {2}, ...).
        values: most frequent fillers, most common first.
        distinct: number of distinct fillers seen.
    """

    index: int
    values: tuple[str, ...]
    distinct: int


@dataclass(frozen=True, slots=True)
class Template:
    """A cluster's common skeleton.

    Attributes:
        text: fixed wording with ``{n}`` where slot n goes.
        slots: the slots, in order.
        n_texts: texts the template was built from.
        support: mean share of texts agreeing with each fixed token.
    """

    text: str
    slots: tuple[Slot, ...]
    n_texts: int
    support: float


def _medoid(tokens: list[TokenSpans]) -> int:
    sets = [set(t.hashes.tolist()) for t in tokens]
    best, best_score = 0, -1.0
    for i, s in enumerate(sets):
        score = sum(len(s & o) / max(1, len(s | o)) for j, o in enumerate(sets) if j != i)
        if score > best_score:
            best, best_score = i, score
    return best


def _alignment(ref: list[int], other: list[int]) -> list[int]:
    """Position in `other` aligned to each reference token (-1 where none)."""
    mapping = [-1] * len(ref)
    matcher = difflib.SequenceMatcher(None, ref, other, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def _filler(text: str, spans: TokenSpans, mapping: list[int], lo: int, hi: int) -> str | None:
    """What `text` has between the tokens aligned to reference positions lo - 1 and hi."""
    left = mapping[lo - 1] if lo > 0 else -2
    right = mapping[hi] if hi < len(mapping) else -2
    if left == -1 or right == -1:
        return None
    begin = int(spans.end[left]) if left >= 0 else 0
    finish = int(spans.start[right]) if right >= 0 else len(text)
    value = text[begin:finish].strip(_STRIP)
    return value if 0 < len(value) <= _MAX_FILLER else None


def _same_wording(
    texts: list[str], tokens: list[TokenSpans], maps: list[list[int]], min_support: float
) -> np.ndarray:
    """Per reference token: whether its aligned tokens mostly read the same (digits fold to one
    token when hashing, so "23" and "21" align; here they count as different wording)."""
    n = len(maps[0]) if maps else 0
    same = np.ones(n, dtype=bool)
    for i in range(n):
        words = Counter(
            t[int(s.start[m[i]]) : int(s.end[m[i]])].casefold()
            for t, s, m in zip(texts, tokens, maps, strict=True)
            if m[i] >= 0
        )
        if len(words) > 1:
            same[i] = words.most_common(1)[0][1] >= min_support * len(texts)
    return same


def extract_template(
    texts: Sequence[str], *, min_support: float = 0.6, max_texts: int = 50, max_values: int = 5
) -> Template:
    """The template of a group of texts.

    Args:
        texts: the texts (e.g. a cluster's ads); the first `max_texts` are used.
        min_support: share of texts that must keep a reference token for it to be fixed.
            Higher gives more slots and a template true to nearly all texts; lower keeps
            wording most texts share.
        max_texts: texts aligned at most (alignment is quadratic in text length per text).
        max_values: fillers kept per slot.
    """
    used = [t for t in texts[:max_texts] if t]
    if not used:
        return Template("", (), 0, 0.0)
    tokens = [token_spans(t) for t in used]
    ref = _medoid(tokens)
    ref_hashes = tokens[ref].hashes.tolist()
    maps = [_alignment(ref_hashes, t.hashes.tolist()) for t in tokens]
    support = (np.asarray(maps) >= 0).mean(axis=0) if ref_hashes else np.zeros(0)
    fixed = (support >= min_support) & _same_wording(used, tokens, maps, min_support)
    return _assemble(used, tokens, maps, ref, fixed, support, max_values)


def _assemble(
    texts: list[str],
    tokens: list[TokenSpans],
    maps: list[list[int]],
    ref: int,
    fixed: np.ndarray,
    support: np.ndarray,
    max_values: int,
) -> Template:
    text, spans = texts[ref], tokens[ref]
    out: list[str] = []
    slots: list[Slot] = []
    pos, i, n = 0, 0, len(fixed)
    while i < n:
        j = i
        while j < n and fixed[j] == fixed[i]:
            j += 1
        start, end = int(spans.start[i]), int(spans.end[j - 1])
        if fixed[i]:
            out.append(text[pos:end])
        else:
            out.append(text[pos:start])
            fillers = [_filler(t, s, m, i, j) for t, s, m in zip(texts, tokens, maps, strict=True)]
            counts = Counter(f for f in fillers if f)
            slots.append(
                Slot(
                    len(slots) + 1, tuple(v for v, _ in counts.most_common(max_values)), len(counts)
                )
            )
            out.append(f"{{{len(slots)}}}")
        pos = end
        i = j
    out.append(text[pos:] if n and fixed[-1] else "")
    mean = float(support[fixed].mean()) if fixed.any() else 0.0
    return Template("".join(out).strip(), tuple(slots), len(texts), mean)
