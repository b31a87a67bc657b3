"""Fictional but valid Canadian phone numbers, written the many ways ads write them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

WORDS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
)
SEPARATOR_EMOJI = ("💋", "🔥", "💕", "❤️", "✨", "🌹", "😘", "⭐", "🍒", "💎")

_DIGITS = "0123456789"
_KEYCAP = str.maketrans({d: d + "\ufe0f\u20e3" for d in _DIGITS})
_FULLWIDTH = str.maketrans({d: chr(0xFF10 + i) for i, d in enumerate(_DIGITS)})
# Bold, double-struck, sans-serif, sans-serif bold and monospace digits.
_MATH = tuple(
    str.maketrans({d: chr(base + i) for i, d in enumerate(_DIGITS)})
    for base in (0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6)
)
_LETTERS = (str.maketrans({"0": "O", "1": "I"}), str.maketrans({"0": "O", "1": "l"}))
_PLAIN_SEPS = ("-", ".", " ", "")

Writer = Callable[[str, int, int], str]


def _groups(d: str) -> tuple[str, str, str]:
    return d[:3], d[3:6], d[6:]


def _paren(d: str, bits: int, lang: int) -> str:
    a, b, c = _groups(d)
    return f"({a}) {b}-{c}" if bits & 1 else f"({a}){b}-{c}"


def _sep(sep: str) -> Writer:
    def write(d: str, bits: int, lang: int) -> str:
        return sep.join(_groups(d))

    return write


def _intl(d: str, bits: int, lang: int) -> str:
    a, b, c = _groups(d)
    return (f"+1 {a} {b} {c}", f"+1-{a}-{b}-{c}", f"1-{a}-{b}-{c}", f"+1{d}")[bits % 4]


def _stars(d: str, bits: int, lang: int) -> str:
    return ("*", "**", " * ", "***")[bits % 4].join(_groups(d))


def _underscores(d: str, bits: int, lang: int) -> str:
    return ("_", "__", " _ ")[bits % 3].join(_groups(d))


def _emoji(d: str, bits: int, lang: int) -> str:
    mark = SEPARATOR_EMOJI[bits % len(SEPARATOR_EMOJI)]
    return (mark if bits & 16 else f" {mark} ").join(_groups(d))


def _letters(d: str, bits: int, lang: int) -> str:
    return _PLAIN_SEPS[bits % 4].join(_groups(d.translate(_LETTERS[(bits >> 2) & 1])))


def _words(d: str, bits: int, lang: int) -> str:
    names = WORDS[lang]
    groups = (" ".join(names[int(x)] for x in g) for g in _groups(d))
    return (", ", " - ", " ", " . ")[bits % 4].join(groups)


def _mixed(d: str, bits: int, lang: int) -> str:
    names = WORDS[lang]
    out = [names[int(x)] if (bits >> i) & 1 else x for i, x in enumerate(d)]
    return (
        "-".join(("".join(out[:3]), "".join(out[3:6]), "".join(out[6:])))
        if bits & 1024
        else " ".join(out)
    )


def _keycap(d: str, bits: int, lang: int) -> str:
    return ("", " ", "-")[bits % 3].join(_groups(d.translate(_KEYCAP)))


def _fullwidth(d: str, bits: int, lang: int) -> str:
    return ("", " ", "－", "-")[bits % 4].join(_groups(d.translate(_FULLWIDTH)))


def _math(d: str, bits: int, lang: int) -> str:
    table = _MATH[bits % len(_MATH)]
    return _PLAIN_SEPS[(bits >> 3) % 4].join(_groups(d.translate(table)))


def _spaced(d: str, bits: int, lang: int) -> str:
    return (" ", ".", " . ")[bits % 3].join(d)


# (name, writer, weight for independents, obfuscated?). Operators weight obfuscated styles 2x
# (the obfuscated phone is a validated indicator, A07).
STYLES: tuple[tuple[str, Writer, float, bool], ...] = (
    ("paren", _paren, 10.0, False),
    ("dash", _sep("-"), 12.0, False),
    ("dot", _sep("."), 6.0, False),
    ("space", _sep(" "), 8.0, False),
    ("digits", _sep(""), 5.0, False),
    ("intl", _intl, 4.0, False),
    ("stars", _stars, 3.0, True),
    ("underscores", _underscores, 2.0, True),
    ("emoji", _emoji, 3.0, True),
    ("letters", _letters, 4.0, True),
    ("words", _words, 2.0, True),
    ("mixed", _mixed, 3.0, True),
    ("keycap", _keycap, 2.0, True),
    ("fullwidth", _fullwidth, 2.0, True),
    ("math", _math, 2.0, True),
    ("spaced", _spaced, 2.0, True),
)
_WRITERS: tuple[Writer, ...] = tuple(style[1] for style in STYLES)


def style_weights(operator: bool) -> npt.NDArray[np.float64]:
    """Probabilities of each style in `STYLES` for operators or independents."""
    weights = np.asarray([w * (2.0 if operator and obf else 1.0) for _, _, w, obf in STYLES])
    normalised: npt.NDArray[np.float64] = weights / weights.sum()
    return normalised


def write_phone(national: str, style: int, bits: int, lang: int) -> str:
    """The phone as an ad writes it.

    Args:
        national: the 10-digit national number.
        style: index into `STYLES`.
        bits: random bits choosing the variant (separator, emoji, digit family, ...).
        lang: 0 English, 1 French (for digits spelled as words).
    """
    return _WRITERS[style](national, bits, lang)


# How sites show their phone field.
FIELD_FORMATS = ("dash", "paren", "e164", "digits", "dot")


def field_phone(national: str, field_format: int) -> str:
    """The phone as a site's phone field shows it (plain)."""
    a, b, c = _groups(national)
    if field_format == 0:
        return f"{a}-{b}-{c}"
    if field_format == 1:
        return f"({a}) {b}-{c}"
    if field_format == 2:
        return f"+1{national}"
    if field_format == 3:
        return national
    return f"{a}.{b}.{c}"


def draw_numbers(
    area_codes: npt.NDArray[np.int64], rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """One distinct national number per owner, in the owner's area code.

    Exchanges avoid 555, N11 service codes and 958/959/976, so every number is valid for
    Canada under libphonenumber yet random. Distinct numbers keep the ground truth clean: two
    advertisers never share a phone by accident.
    """
    numbers = _draw(area_codes, rng)
    while True:
        order = np.argsort(numbers, kind="stable")
        repeated = np.zeros(len(numbers), dtype=bool)
        repeated[order[1:]] = numbers[order[1:]] == numbers[order[:-1]]
        if not repeated.any():
            return numbers
        numbers[repeated] = _draw(area_codes[repeated], rng)


def _draw(area_codes: npt.NDArray[np.int64], rng: np.random.Generator) -> npt.NDArray[np.int64]:
    n = len(area_codes)
    line = rng.integers(0, 10_000, size=n, dtype=np.int64)
    return area_codes * 10_000_000 + _draw_exchanges(n, rng) * 10_000 + line


def _draw_exchanges(n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    allowed = np.asarray(
        [x for x in range(200, 1000) if x % 100 != 11 and x not in (555, 958, 959, 976)],
        dtype=np.int64,
    )
    return allowed[rng.integers(0, len(allowed), size=n)]
