"""De-obfuscate digits in ad text while keeping a map back to the original characters.

Ads hide phone numbers from scrapers and moderators: ``"4I6 five five five"``, ``"quatre un six"``,
keycap emoji (``6️⃣`` is ``6`` U+FE0F U+20E3), fullwidth or mathematical digits (``６``, ``𝟞``),
circled digits, ``"six0four-555-01six8"``. :func:`normalise_digits` rewrites every such token to
ASCII digits and leaves everything else untouched, so a plain phone pattern can run on the result;
:class:`NormalisedText` maps any span of the result back to the exact span of the original text.

Which tokens are rewritten:

* runs of Unicode decimal digits and circled digits, anywhere (glued to words too); keycap marks
  after a digit are dropped;
* whole words (not glued to other letters) made only of number words (EN ``zero``/``oh``/``one``..
  ``nine``, FR ``zéro``/``un``/``une``/``deux``..``neuf``), digits and look-alike letters
  (``O``/``o`` → 0, ``I``/``l`` → 1, ``|`` → 1 between digits when it is the token's only pipe,
  ``S`` → 5 and ``B`` → 8 only between two digit-like characters);
* tokens made only of look-alike letters (``"OlO"``, ``"I"``) only when they follow, through
  separators (see :data:`GAP`), a token with a real digit or a number word. The trade-off:
  ``"I"`` after a number becomes ``1`` (harmless for phones, which need ten digits and a valid
  number) in exchange for catching ``"416 555 OlOO"``.

Only number words that could be part of a phone number are rewritten: a number word whose word
run lies more than ``_NEAR`` (8) characters from any other digit-like token (``un`` in
``un appel``, ``one`` in ``one hour``) is left as written. A larger ``_NEAR`` would also catch
numbers spelled with long filler between the digits, at the cost of scanning every article of
French prose; a smaller one would miss ``six four seven dash five``. Scanning only the word runs
around digits and such words keeps the cost proportional to the digits of an ad.

The rewrite is idempotent: normalising a normalised text changes nothing.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

WORD_DIGITS: Final[dict[str, str]] = {
    "zero": "0",
    "zéro": "0",
    "oh": "0",
    "one": "1",
    "un": "1",
    "une": "1",
    "two": "2",
    "deux": "2",
    "three": "3",
    "trois": "3",
    "four": "4",
    "quatre": "4",
    "five": "5",
    "cinq": "5",
    "six": "6",
    "seven": "7",
    "sept": "7",
    "eight": "8",
    "huit": "8",
    "nine": "9",
    "neuf": "9",
}
_LOOKALIKES: Final = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"}
_CIRCLED: Final = "\u2460-\u2468\u24ea\u2776-\u277e\u2780-\u2788\u278a-\u2792"
_MARKS: Final = "\ufe0f\u20e3"

SEPARATOR_CHARS: Final = (
    r"\s.\-_*/\\()\[\]{}<>:~=,;|@^%&+"
    "\u00b7\u2010-\u206f\u2190-\u21ff\u2212\u2500-\u25ff\u30fb"
    "\uff0a\uff0b\uff0d\uff0e\uff0f\uff1a\uff3f\uff5e"
)
EMOJI_CHARS: Final = (
    "\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3"
)
FILLER_WORDS: Final = ("dot", "dash", "point", "tiret", "space", "espace", "and", "et", "then")
GAP_ITEMS: Final = 6
GAP: Final = (
    rf"(?:[{SEPARATOR_CHARS}]|[{EMOJI_CHARS}]|\b(?i:{'|'.join(FILLER_WORDS)})\b){{1,{GAP_ITEMS}}}"
)
"""What may stand between two digit groups of one phone number: at most six separator
characters, emoji or filler words. Longer or wordier gaps end the number (price lists, stats)."""

# The number words as a trie: the regex engine then tests one first letter, not 21 words.
_WORD_TRIE: Final = (
    r"z[eé]ro|o(?:ne|h)|t(?:hree|rois|wo)|f(?:our|ive)|s(?:even|ept|ix)|eight|n(?:ine|euf)"
    r"|une?|deux|quatre|cinq|huit"
)
_FIRST: Final = rf"[zZoOtTfFsSeEnNuUdDqQcChHIl\d{_CIRCLED}]"
_PIECE = (
    rf"(?i:{_WORD_TRIE})[{_MARKS}]*"
    rf"|[\d{_CIRCLED}][{_MARKS}]*"
    rf"|[OoIl][{_MARKS}]*"
    rf"|(?<=[\dOoIl{_CIRCLED}{_MARKS}])\|(?=[\dOoIl{_CIRCLED}])"
    rf"|(?<=[\dOoIl{_CIRCLED}{_MARKS}])[SB][{_MARKS}]*(?=[\dOoIl{_CIRCLED}])"
)
_PIECE_RE: Final = re.compile(_PIECE)
# The look-ahead on the first character lets most positions fail on one character-class test.
_TOKEN_RE: Final = re.compile(
    rf"(?={_FIRST})(?:(?P<obf>(?<![^\W_])(?:{_PIECE})+(?![^\W_]))"
    rf"|(?P<num>[\d{_CIRCLED}][\d{_CIRCLED}{_MARKS}]*))"
)
_GAP_RE: Final = re.compile(GAP)
_DIGIT_RE: Final = re.compile(rf"[\d{_CIRCLED}][\d{_CIRCLED}{_MARKS}]*")
# A number word and the number words or digits glued after it ("fouronesix", "deux5zéro").
# No leading \b: a pattern that starts with literals lets the engine skip ahead to a possible
# first letter; the word-start test is done in Python (see _number_words), several times faster.
_NUMBER_WORD_RE: Final = re.compile(rf"(?:{_WORD_TRIE})(?:{_WORD_TRIE}|\d)*")
_LOOKS_TOKEN_RE: Final = re.compile(rf"(?<![^\W_])[OoIl|][OoIl|{_MARKS}]*(?![^\W_])")
_RUN_RE: Final = re.compile(rf"[\w|{_MARKS}]*")
_LOOKS_START: Final = frozenset("OoIl")
_LOOKALIKE_CHAR_RE: Final = re.compile(r"[OoIl|SB]")
_WORD_PIECE_RE: Final = re.compile(_WORD_TRIE)  # also inside words: "5cinqcinq"
_RUN_CHARS: Final = frozenset("_|" + _MARKS)
_NEAR: Final = 8

_PLAIN, _DIGITS, _WORDS, _LOOKS = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A text with obfuscated digits rewritten, and the map back to the original.

    Attributes:
        text: the rewritten text.
        original: the text it was made from.
        positions: sorted positions in ``text`` of characters that replaced something.
        sources: for each of ``positions``, the ``(start, end)`` it replaced in ``original``.
    """

    text: str
    original: str
    positions: tuple[int, ...] = ()
    sources: tuple[tuple[int, int], ...] = ()

    def source_of(self, pos: int) -> tuple[int, int]:
        """Return the original ``[start, end)`` that produced character ``pos`` of ``text``."""
        k = bisect.bisect_right(self.positions, pos) - 1
        if k < 0:
            return pos, pos + 1
        if self.positions[k] == pos:
            return self.sources[k]
        orig = self.sources[k][1] + (pos - self.positions[k] - 1)
        return orig, orig + 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty span ``[start, end)`` of ``text`` to the span of ``original``."""
        return self.source_of(start)[0], self.source_of(end - 1)[1]

    def is_rewritten(self, start: int, end: int) -> bool:
        """True when any character of ``text[start:end]`` replaced an obfuscated character."""
        k = bisect.bisect_left(self.positions, start)
        return k < len(self.positions) and self.positions[k] < end


class _Token(NamedTuple):
    start: int
    end: int
    kind: int


def normalise_digits(text: str) -> NormalisedText:
    """Rewrite obfuscated digits of ``text`` as ASCII digits, keeping an index map.

    Args:
        text: any text.

    Returns:
        The rewritten text with its map; ``text`` itself when nothing needed rewriting.
    """
    return _normalise(text, prefilter=True)


def _normalise(text: str, *, prefilter: bool) -> NormalisedText:
    """``prefilter=False`` sends every region through the token scan: the reference the tests
    compare the pre-filtered path with."""
    tokens = _tokens(text, prefilter=prefilter)
    keep = _decide(text, tokens)
    if not keep:
        return NormalisedText(text, text)
    return _rewrite(text, keep)


def needs_token_scan(text: str) -> bool:
    """Does any region of ``text`` take the slow, de-obfuscating token scan?

    The pre-filter sends a region there when it holds non-ASCII characters, look-alike letters
    (``O o I l | S B``) or a number word; every other region holds plain digits only. Used to
    report the share of ads that take the slow path.
    """
    return any(not _plain_region(text, start, end) for start, end in _regions(text))


def _anchors(text: str) -> list[tuple[int, int]]:
    """Digit runs, and number words that could belong to a phone number, in text order.

    A lone number word (``un`` in ``un appel``, ``one`` in ``one hour``) cannot be part of a
    phone number, so its run is not scanned: a word counts only when the word run holding
    another digit-like token (digits, number word, look-alike letters) lies within ``_NEAR``
    characters of its own. Rewriting never changes the gaps between word runs, so the rewrite
    stays idempotent.
    """
    digits = list(digit_runs(text))
    words = _number_words(lower_same_length(text))
    if not words:
        return digits
    rev = text[::-1]
    others = sorted(digits + words)
    kept = [w for w in words if _is_near(text, rev, others, w)]
    return sorted(digits + kept)


def _number_words(low: str) -> list[tuple[int, int]]:
    """Spans of number words that start a word (what ``\\b`` before the pattern would give).

    A match inside a word stays inside it (the pattern only takes word characters), so it never
    hides a match that starts the next word.
    """
    spans = []
    for m in _NUMBER_WORD_RE.finditer(low):
        start = m.start()
        if not start or not (low[start - 1].isalnum() or low[start - 1] == "_"):
            spans.append(m.span())
    return spans


def _is_near(text: str, rev: str, others: list[tuple[int, int]], word: tuple[int, int]) -> bool:
    """Is another digit-like token's word run within ``_NEAR`` characters of ``word``'s run?"""
    run = (_run_start(text, rev, word[0]), _run_end(text, word[1]))
    i = bisect.bisect_left(others, word)
    for j in (i - 1, i + 1):
        if 0 <= j < len(others):
            other = (_run_start(text, rev, others[j][0]), _run_end(text, others[j][1]))
            if _close(run, other):
                return True
    # Look-alike letters nearby count too: the rewrite may turn them into digits.
    lo = _run_start(text, rev, max(0, run[0] - _NEAR))
    hi = _run_end(text, min(len(text), run[1] + _NEAR + 1))
    return any(_close(run, m.span()) for m in _LOOKS_TOKEN_RE.finditer(text, lo, hi))


def _close(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Are the two disjoint spans at most ``_NEAR`` characters apart?"""
    return 0 <= a[0] - b[1] <= _NEAR or 0 <= b[0] - a[1] <= _NEAR


def _tokens(text: str, *, prefilter: bool = True) -> list[_Token]:
    """Digit-like tokens around the anchors, and the look-alike tokens chained after them.

    Anchors closer than ``_NEAR`` share one region, scanned with one regex pass; scanning only
    those regions keeps the cost proportional to the digits of an ad rather than to its length.
    """
    tokens: list[_Token] = []
    regions = _regions(text)
    limits = [start for start, _ in regions[1:]] + [len(text)] if regions else []
    for (start, end), limit in zip(regions, limits, strict=True):
        _scan(text, start, end, tokens, prefilter=prefilter)
        _follow_chain(text, end, limit, tokens)
    return tokens


def _regions(text: str) -> list[tuple[int, int]]:
    """Merge the word runs holding anchors into regions of nearby runs."""
    regions: list[tuple[int, int]] = []
    rev = ""
    size = len(text)
    for start, end in _anchors(text):
        if regions and start < regions[-1][1]:
            continue
        # _in_run and _run_end inlined: this loop runs for every digit run of every ad.
        if start and (text[start - 1].isalnum() or text[start - 1] in _RUN_CHARS):
            rev = rev or text[::-1]
            start = _run_start(text, rev, start)
        if end < size and (text[end].isalnum() or text[end] in _RUN_CHARS):
            end = _RUN_RE.match(text, end).end()  # type: ignore[union-attr]  # always matches
        if regions and start - regions[-1][1] <= _NEAR:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return regions


def _in_run(text: str, pos: int) -> bool:
    return text[pos].isalnum() or text[pos] in _RUN_CHARS


def _run_end(text: str, pos: int) -> int:
    """End of the run of word characters, pipes and keycap marks at or after ``pos``."""
    if pos >= len(text) or not _in_run(text, pos):
        return pos
    m = _RUN_RE.match(text, pos)
    return m.end() if m else pos


def _run_start(text: str, rev: str, pos: int) -> int:
    """Start of that run, found by matching the reversed text (``rev`` is ``text[::-1]``)."""
    if pos == 0 or not _in_run(text, pos - 1):
        return pos
    back = len(text) - pos
    return pos - (_run_end(rev, back) - back)


def _scan(text: str, start: int, end: int, tokens: list[_Token], *, prefilter: bool) -> None:
    if prefilter and _plain_region(text, start, end):
        # Only ASCII digits, separators and ordinary words: nothing to rewrite. The token marks
        # where the digits end, for the look-alike chain that may follow.
        if text[end - 1].isdigit():
            tokens.append(_Token(end - 1, end, _PLAIN))
        return
    for m in _TOKEN_RE.finditer(text, start, end):
        s, e = m.span()
        if m.lastgroup == "obf" and text.count("|", s, e) > 1:
            tokens.extend(_split_pipes(text, s, e))
        else:
            tokens.append(_Token(s, e, _kind(text[s:e])))


def _plain_region(text: str, start: int, end: int) -> bool:
    """The pre-filter: is the region ASCII without look-alike letters or number words, so that
    it holds nothing to rewrite?"""
    run = text[start:end]
    if not run.isascii() or _LOOKALIKE_CHAR_RE.search(run):
        return False
    return _WORD_PIECE_RE.search(lower_same_length(text), start, end) is None


def _follow_chain(text: str, end: int, limit: int, tokens: list[_Token]) -> None:
    """Add the look-alike-only runs that follow ``end`` through separator gaps, before ``limit``."""
    while tokens and tokens[-1].end == end:
        gap = _GAP_RE.match(text, end)
        if gap is None or text[gap.end() : gap.end() + 1] not in _LOOKS_START:
            break
        run_start = gap.end()
        run_end = _run_end(text, run_start)
        if run_end > limit:
            break
        found = _TOKEN_RE.fullmatch(text, run_start, run_end)
        if found is None or _kind(found.group()) != _LOOKS:
            break
        tokens.append(_Token(run_start, run_end, _LOOKS))
        end = run_end


def _split_pipes(text: str, start: int, end: int) -> list[_Token]:
    """Several pipes in one token are separators (``514|555|0123``), not ones."""
    parts: list[_Token] = []
    pos = start
    for piece in text[start:end].split("|"):
        if piece:
            parts.append(_Token(pos, pos + len(piece), _kind(piece)))
        pos += len(piece) + 1
    return parts


def _kind(tok: str) -> int:
    if tok.isascii() and tok.isdigit():
        return _PLAIN
    if all(ch in _LOOKALIKES or ch in _MARKS for ch in tok):
        return _LOOKS
    if all(ch.isdigit() or ch in _MARKS or _circled(ch) is not None for ch in tok):
        return _DIGITS
    return _WORDS


def _circled(ch: str) -> str | None:
    value = unicodedata.digit(ch, None)
    return None if value is None else str(value)


def _decide(text: str, tokens: list[_Token]) -> list[_Token]:
    """Keep the tokens to rewrite: look-alike-only tokens need a digit chained before them."""
    keep: list[_Token] = []
    prev: _Token | None = None
    prev_digit = False
    for tok in tokens:
        is_digit = tok.kind != _LOOKS or (
            prev_digit
            and prev is not None
            and _GAP_RE.fullmatch(text, prev.end, tok.start) is not None
        )
        if is_digit and tok.kind != _PLAIN:
            keep.append(tok)
        prev, prev_digit = tok, is_digit
    return keep


def _rewrite(text: str, tokens: list[_Token]) -> NormalisedText:
    out: list[str] = []
    positions: list[int] = []
    sources: list[tuple[int, int]] = []
    size = 0
    last = 0
    for tok in tokens:
        out.append(text[last : tok.start])
        size += tok.start - last
        for m in _PIECE_RE.finditer(text, tok.start, tok.end):
            out.append(_digit_of(m.group()))
            positions.append(size)
            sources.append(m.span())
            size += 1
        last = tok.end
    out.append(text[last:])
    return NormalisedText("".join(out), text, tuple(positions), tuple(sources))


def _digit_of(piece: str) -> str:
    if len(piece) > 1 and piece[1] not in _MARKS:
        return WORD_DIGITS[piece.rstrip(_MARKS).lower()]
    ch = piece[0]
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    value = unicodedata.decimal(ch, None)
    if value is None:
        return _circled(ch) or "0"
    return str(value)


@lru_cache(maxsize=64)
def lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every character at its index (so spans stay valid).

    Cached because several extractors lower-case the same field in one ``extract_all`` call.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[0] for ch in text)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord("’"): "'", ord("ʼ"): "'", ord("œ"): "o", ord("æ"): "a", ord("ß"): "s"})
    return table


_FOLD: Final = _fold_table()
_WORD_RE: Final = re.compile(r"\w+")
_ASCII_BYTES: Final = bytes(range(128))
_SPACE_NON_WORD: Final = bytes(
    c if c < 128 and (chr(c).isalnum() or c == ord("_")) else ord(" ") for c in range(256)
)
_FOLDABLE_RE: Final = re.compile("[" + "".join(map(chr, sorted(_FOLD))) + "]")


@lru_cache(maxsize=64)
def digit_runs(text: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of every run of decimal (any script) or circled digits, keycap marks
    included, cached: the phone, age and price extractors all start from the digits of a field."""
    return tuple([m.span() for m in _DIGIT_RE.finditer(text)])


@lru_cache(maxsize=64)
def folded_words(text: str) -> tuple[str, ...]:
    """The words of ``fold(text)`` (runs of letters, digits and underscores), cached.

    When every word character of the folded text is ASCII (most ads), the words come from a byte
    translation and ``split``, about twice as fast as the regular expression: non-ASCII
    characters (emoji, symbols) become ``?`` and then spaces, as every other non-word character.
    """
    folded = fold(text)
    if not folded.isascii() and _WORD_RE.search(_non_ascii(folded)):
        return tuple(_WORD_RE.findall(folded))
    ascii_text = folded.encode("ascii", "replace").translate(_SPACE_NON_WORD).decode("ascii")
    return tuple(ascii_text.split())


def _non_ascii(text: str) -> str:
    """The non-ASCII characters of ``text``, in order (deleting the ASCII bytes of its UTF-8 form
    leaves whole multi-byte sequences; a regex scan for them is several times slower)."""
    raw = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    return raw.decode("utf-8", "surrogatepass")


@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """Lower-case and strip Latin accents, one character for one (``"Montréal"`` → ``"montreal"``).

    Offsets into the result are offsets into ``text``. Cached because several extractors fold the
    same field in one :func:`adtrace.extract.extract_all` call.
    """
    # Substituting only the accented characters is several times faster than str.translate,
    # which looks up every character.
    return _FOLDABLE_RE.sub(_fold_char, lower_same_length(text))


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD[ord(m.group())]
