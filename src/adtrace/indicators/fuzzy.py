"""Spelling-tolerant phrase patterns: accents, case, leet digits and repeated letters, on word
boundaries, with offsets that stay valid in the original text.

Patterns run on ``fold(text)`` (lower case, Latin accents stripped, one character for one), so a
match's ``(start, end)`` is also its span in the original field.

- Every letter of a phrase matches itself or its look-alikes (``e``: ``e 3 €``; ``o``: ``o 0``...)
  repeated one or more times: ``yuuung`` and ``t33n`` match ``yung`` and ``teen``.
- In words of six letters or more a doubled letter also matches a single one (``inocent``
  matches ``innocent``); short words keep their doubles, so ``teen`` never matches ``ten``.
- Spaces and punctuation between words match up to three separators or none (``new-girl``,
  ``newgirl``, ``pas d'arnaque``, ``pas darnaque``).
- Digits match only themselves, so ``18`` never matches ``118``.
"""

from __future__ import annotations

import re
from typing import Final

from adtrace.extract.normalise import fold

LOOK_ALIKES: Final = {
    "a": "a4@",
    "b": "b8",
    "e": "e3€",
    "g": "g9",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s5$",
    "t": "t7",
    "z": "z2",
}
"""Characters a letter may be written as (leet spellings seen in ads)."""

SEPARATOR: Final = r"[\W_]{0,3}"
WORD_START: Final = r"(?<!\w)"
LONG_WORD: Final = 6
_WORD_RE: Final = re.compile(r"[^\W_]+")


def _letter(ch: str, doubled: bool) -> str:
    cls = LOOK_ALIKES.get(ch, ch)
    body = re.escape(cls) if len(cls) == 1 else "[" + re.escape(cls) + "]"
    if doubled:
        return body + "*"  # the second of a pair: optional in long words
    return body + "+"


def _word(word: str) -> str:
    if word.isdigit():
        return re.escape(word)
    long_word = sum(ch.isalpha() for ch in word) >= LONG_WORD
    parts: list[str] = []
    for i, ch in enumerate(word):
        if ch.isdigit():
            parts.append(re.escape(ch))
            continue
        doubled = long_word and i > 0 and word[i - 1] == ch
        parts.append(_letter(ch, doubled))
    return "".join(parts)


def phrase_regex(phrase: str) -> str:
    """The regular expression (on folded text) for an analyst's phrase, to be tried at a word
    start (:data:`WORD_START`); it ends on a word boundary.

    Raises:
        ValueError: the phrase has no letter or digit.
    """
    words = _WORD_RE.findall(fold(phrase))
    if not words:
        raise ValueError("the phrase has no letter or digit")
    return SEPARATOR.join(_word(w) for w in words) + r"(?!\w)"


def emoji_regex(emoji: str) -> str:
    """The regular expression for an emoji, with or without its variation selector.

    Raises:
        ValueError: the pattern contains ASCII characters (not an emoji).
    """
    glyphs = emoji.replace("\ufe0f", "").replace("\ufe0e", "").strip()
    if not glyphs or any(ch.isascii() for ch in glyphs):
        raise ValueError("an emoji pattern must be emoji characters only")
    return re.escape(glyphs) + "[\ufe0e\ufe0f]?"
