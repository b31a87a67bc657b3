"""A template rendered as words with slots, and the small edits each copy makes to it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from adtrace.synth.lexicon import FILLERS, MARKS, SYNONYMS
from adtrace.synth.patterns import PATTERNS, SECTIONS, SLOT_INDEX, decode_sentence

_SLOT = re.compile(r"<(\w+)>(.*)")
_STOCK_FIRST = SECTIONS["stock"][0]
_STOCK_MARKS = (".", "!", " ✅", " 💯", "", "!!", " ✔️", ".")
_PUNCT = ".,!?:;)~"
EDIT_SWAP, EDIT_DELETE, EDIT_TYPO, EDIT_MARK = range(4)


@dataclass(frozen=True, slots=True)
class Body:
    """One template in one language, ready to copy.

    Attributes:
        words: the words, slots included as "<slot>" tokens (edits skip them).
        slots: (word index, slot index in `patterns.SLOTS`, text glued after the slot value).
        bounds: word index where each sentence starts, then the word count.
    """

    words: tuple[str, ...]
    slots: tuple[tuple[int, int, str], ...]
    bounds: tuple[int, ...]


def stock_text(phrase: str, bits: int) -> str:
    """A stock phrase as a sentence: case and closing mark vary with `bits`."""
    case = bits % 8
    if case == 6:
        phrase = phrase.upper()
    elif case >= 4:
        phrase = phrase[:1].upper() + phrase[1:]
    return phrase + _STOCK_MARKS[(bits >> 3) % len(_STOCK_MARKS)]


Sentence = tuple[tuple[str, ...], tuple[tuple[int, int, str], ...]]
_SENTENCES: dict[int, Sentence] = {}
"""Tokenised sentences by code * 2 + language: templates share most of their sentences."""


def _sentence(code: int, lang: int) -> Sentence:
    """The words of an encoded sentence (see `patterns.encode_sentences`), and its slots."""
    pattern_id, other_language, picks, style = decode_sentence(code)
    text = PATTERNS[pattern_id].render(lang ^ other_language, picks)
    is_stock = pattern_id >= _STOCK_FIRST
    text = stock_text(text, style) if is_stock else text[:1].upper() + text[1:]
    words = tuple(text.split())
    slots = []
    if "<" in text:
        for i, word in enumerate(words):
            slot = _SLOT.match(word)
            if slot:
                slots.append((i, SLOT_INDEX[slot[1]], slot[2]))
    sentence = (words, tuple(slots))
    _SENTENCES[code * 2 + lang] = sentence
    return sentence


def build_body(codes: Sequence[int], lang: int) -> Body:
    """A template's encoded sentences (-1 = absent) in `lang`, with its slots indexed."""
    words: list[str] = []
    bounds: list[int] = []
    slots: list[tuple[int, int, str]] = []
    cache = _SENTENCES
    for code in codes:
        if code < 0:
            continue
        tokens, sentence_slots = cache.get(code * 2 + lang) or _sentence(code, lang)
        base = len(words)
        bounds.append(base)
        if sentence_slots:
            slots.extend((base + i, slot, tail) for i, slot, tail in sentence_slots)
        words.extend(tokens)
    bounds.append(len(words))
    return Body(tuple(words), tuple(slots), tuple(bounds))


def apply_edits(words: list[str], lang: int, edits: Sequence[tuple[int, int, int]]) -> None:
    """Change words in place, before the slots are filled (edits landing on a slot are skipped).

    Args:
        words: the template's words.
        lang: 0 English, 1 French (synonyms and fillers).
        edits: (position in 1/65536 of the words, edit type, random bits).
    """
    count = len(words)
    for pos, kind, bits in edits:
        i = (pos * count) >> 16
        word = words[i]
        if "<" in word:
            continue
        if kind == EDIT_SWAP:
            words[i] = _swap(word, bits, lang)
        elif kind == EDIT_DELETE:
            words[i] = ""
        elif kind == EDIT_TYPO:
            words[i] = typo(word, bits)
        else:
            words[i] = word + MARKS[bits % len(MARKS)]


def _swap(word: str, bits: int, lang: int) -> str:
    """A synonym or spelling variant when one is known, else a filler word put before it."""
    core = word.rstrip(_PUNCT)
    options = SYNONYMS[lang].get(core.lower())
    if options:
        return options[bits % len(options)] + word[len(core) :]
    fillers = FILLERS[lang]
    return fillers[bits % len(fillers)] + " " + word


def typo(word: str, bits: int) -> str:
    """Swap two neighbouring letters, drop one, or double one."""
    n = len(word)
    if n < 3:
        return word + word[-1:]
    j = bits % (n - 1)
    kind = (bits >> 8) % 3
    if kind == 0:
        return word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    if kind == 1:
        return word[:j] + word[j + 1 :]
    return word[:j] + word[j] + word[j:]


def move_sentence(words: list[str], bounds: tuple[int, ...], bits: int) -> list[str]:
    """The words with one sentence moved to another place (needs 3+ sentences)."""
    n = len(bounds) - 1
    if n < 3:
        return words
    src, dst = bits % n, (bits >> 8) % n
    if src == dst:
        return words
    sentences = [words[bounds[k] : bounds[k + 1]] for k in range(n)]
    sentences.insert(dst, sentences.pop(src))
    return [word for sentence in sentences for word in sentence]
