"""Text normalisation that keeps every script and accent, and masks selectors out of the text.

Folding is Unicode NFKC, then case folding, then NFKC again: mathematical and fullwidth letters
(𝔸𝕧𝕒𝕚𝕝, ＡＶＡＩＬ) become plain letters, ligatures split, but "é" stays "é" and French stays
French. Nothing is transliterated or stripped to ASCII. Default-ignorable format characters
(zero-width joiners, soft hyphens, variation selectors) are removed where the tokeniser sees
them, so they cannot split or hide a word.

Masking replaces a selector (phone, e-mail, handle, URL) with one private-use placeholder
character followed by spaces, keeping the text's length: character offsets still point into
the original, and two ads that share only a phone do not look alike as text (the shared phone
is evidence of its own kind).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

MASK_CHARS: Final[dict[str, str]] = {
    "phone": "\ue001",
    "email": "\ue002",
    "handle": "\ue003",
    "url": "\ue004",
}
"""Placeholder per selector kind (private-use characters; any other kind uses ``\\ue000``)."""
_OTHER_MASK: Final = "\ue000"
_PUA_LO, _PUA_HI = 0xE000, 0xE0FF
_STRIP_PUA: Final = {cp: " " for cp in range(_PUA_LO, _PUA_HI + 1)}
_PUA_RE: Final = re.compile("[\ue000-\ue0ff]")
_IGNORABLE: Final = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        *range(0x2061, 0x2065),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
_SPACES: Final = re.compile(r"\s+")


class SelectorSpan(Protocol):
    """What masking needs from an extracted selector (``adtrace.extract`` spans fit)."""

    @property
    def kind(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def fold(text: str) -> str:
    """NFKC, case fold, NFKC: the per-character folding the tokeniser works on.

    Lengths may change ("ß" → "ss", "ﬁ" → "fi"); use `fold_with_offsets` to map back.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def normalise_text(text: str) -> str:
    """Fold (NFKC + case fold), drop ignorable format characters, collapse white space.

    Idempotent: ``normalise_text(normalise_text(t)) == normalise_text(t)`` for any string.
    Accents and scripts are kept; emoji are kept.
    """
    current = _SPACES.sub(" ", fold(text).translate(_IGNORABLE)).strip()
    for _ in range(4):  # folding can expose new foldable sequences; stop at the fixed point
        following = _SPACES.sub(" ", fold(current).translate(_IGNORABLE)).strip()
        if following == current:
            return current
        current = following
    return current


def fold_with_offsets(text: str) -> tuple[str, IntArray]:
    """Fold `text` piece by piece and keep, for every folded character, where it came from.

    A piece is a base character with the combining marks after it, so accents still compose.

    Returns:
        The folded text and an array of ``len(folded) + 1`` offsets into `text`: folded
        character ``i`` comes from original characters ``offsets[i]`` onwards; the last entry
        is ``len(text)``.
    """
    pieces: list[str] = []
    origin: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and unicodedata.category(text[i]).startswith("M"):
            continue
        piece = fold(text[start:i])
        pieces.append(piece)
        origin.extend([start] * len(piece))
        start = i
    origin.append(len(text))
    return "".join(pieces), np.asarray(origin, dtype=np.int64)


def strip_placeholders(text: str) -> str:
    """Replace private-use characters U+E000..U+E0FF (our placeholders) with spaces.

    Input text could otherwise forge a masked selector. Length is kept.
    """
    return text.translate(_STRIP_PUA) if _PUA_RE.search(text) else text


def mask_spans(text: str, spans: Iterable[SelectorSpan]) -> str:
    """Replace each span with its kind's placeholder padded with spaces (length kept).

    Overlapping spans are fine; spans outside the text are clipped.
    """
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(0, span.start), min(len(text), span.end)
        if end <= start:
            continue
        mark = MASK_CHARS.get(span.kind, _OTHER_MASK)
        text = text[:start] + mark + " " * (end - start - 1) + text[end:]
    return text


def mask_values(text: str, values: Sequence[tuple[str, str]]) -> str:
    """Mask literal, case-insensitive occurrences of selector values (length kept).

    Args:
        text: the text to mask.
        values: (kind, value) pairs, e.g. ``("email", "anna@example.org")``. Values of fewer
            than 4 characters are ignored: they would mask ordinary words.
    """
    if not values:
        return text
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        return text
    chars: list[str] | None = None
    for kind, value in values:
        needle = value.lower()
        if len(needle) < 4:
            continue
        at = lowered.find(needle)
        while at >= 0:
            if chars is None:
                chars = list(text)
            end = at + len(needle)
            chars[at:end] = [MASK_CHARS.get(kind, _OTHER_MASK)] + [" "] * (len(needle) - 1)
            at = lowered.find(needle, end)
    return text if chars is None else "".join(chars)


def prepare_text(
    text: str,
    spans: Iterable[SelectorSpan] = (),
    values: Sequence[tuple[str, str]] = (),
) -> str:
    """Strip forged placeholders, then mask selector spans and values (length kept)."""
    masked = mask_spans(strip_placeholders(text), spans)
    return mask_values(masked, values)
