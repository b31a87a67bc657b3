"""Persona names introduced by the ad: ``I'm Hazel``, ``my name is``, ``call me``, ``je m'appelle``,
``moi c'est``, ``ici Sofia``, ``Sarah here``.

A name counts only after a trigger phrase; a first-name gazetteer shipped in the package
(``data/first_names.txt``, English and French) raises confidence. Triggers are strong (``my name
is``, ``je m'appelle``, ``call me``, ``ask for``, ``moi c'est``) or weak (``I'm``, ``je suis``,
``ici``, ``it's``, ``c'est``, ``NAME here``). Confidence, by evidence:

=========================  ============  =====================  ==============
trigger                    in gazetteer  capitalised, unknown   otherwise
=========================  ============  =====================  ==============
strong                     0.95          0.7                    0.3
weak                       0.85          0.35                   0.35
=========================  ============  =====================  ==============

Gazetteer names that are also common words (``Amber``, ``Rose``, ``Destiny``) need a capital
letter, else they score 0.3-0.4. With the usual 0.5 cut-off, ``I'm Zephyra`` is missed while
``my name is Zephyra`` is kept, and ``call me anytime`` / ``I'm new`` never become names: the
trade-off favours precision, since a wrong persona name links unrelated ads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from adtrace.extract.normalise import fold, lower_same_length
from adtrace.extract.spans import NAME, Span

_NAME: Final = r"(?P<name>[^\W\d_]{2,}(?:-[^\W\d_]{2,})?)"
_STRONG: Final = (
    r"my\s+name\s+is|my\s+name['’]?s|name\s*[:\-]|call\s+me|ask\s+for|je\s+m['’]appelle"
    r"|mon\s+nom\s+(?:est|c['’]est)|moi\s*,?\s*c['’]est|appel(?:le|ez)[\s-]moi|demande[sz]?"
)
_WEAK: Final = r"i['’]?m|i\s+am|it['’]?s|this\s+is|here\s+is|je\s+suis|ici|c['’]est"
# Matched on the lower-cased text (same offsets); the first-letter test, then the look-behind,
# let the engine reject most positions at once (in this order, a quarter faster).
_TRIGGER_RE: Final = re.compile(
    rf"(?=[mncajdith])(?<![\w'’])(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK}))[\s,:]+{_NAME}"
    r"(?![\w'’])"
)
_HERE_RE: Final = re.compile(
    rf"(?:^|[.!?;\n]\s*|\b(?:hi|hello|hey|bonjour|salut|allo)[,!]?\s+){_NAME}\s+here\b"
)
_STOP_WORDS: Final = (
    "new here back available now today tonight anytime any and or the so very not just your only "
    "in at on to for from with ready looking real sweet sexy hot young petite curvy busty open fun "
    "you babe baby daddy over all also free waiting visiting out always still currently located "
    "offering happy good naughty sure sorry up down me him her them this that what discreet "
    "independent clean safe gorgeous beautiful pretty nice hi hello hey bonjour salut nouvelle "
    "disponible dispo vite la le les une un tres douce belle coquine jeune en de du ta ton votre "
    "pas toujours enfin seule prete ici moi toi tout vraiment"
)
_STOP: Final = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True, slots=True)
class _Entry:
    common_word: bool


@cache
def _gazetteer() -> dict[str, _Entry]:
    path = resources.files("adtrace.extract").joinpath("data/first_names.txt")
    entries: dict[str, _Entry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries[fold(line.rstrip("*"))] = _Entry(line.endswith("*"))
    return entries


def extract_names(text: str, *, region: str = "CA") -> list[Span]:
    """Find persona names introduced by a trigger phrase in ``text``.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans covering trigger and name; value is the name with initial capitals.
    """
    low = lower_same_length(text)
    spans = [
        _span(text, m, m.start(), strong=m["strong"] is not None) for m in _TRIGGER_RE.finditer(low)
    ]
    if " here" in low:
        spans += [_span(text, m, m.start("name"), strong=False) for m in _HERE_RE.finditer(low)]
    return spans


def _span(text: str, m: re.Match[str], start: int, *, strong: bool) -> Span:
    name = text[m.start("name") : m.end("name")]
    return Span(NAME, _capitalised(name), start, m.end(), _confidence(name, strong=strong))


def _confidence(name: str, *, strong: bool) -> float:
    folded = fold(name)
    entry = _gazetteer().get(folded)
    capital = name[0].isupper()
    if entry is not None:
        if entry.common_word and not capital:
            return 0.4 if strong else 0.3
        return 0.95 if strong else 0.85
    if strong and capital and folded not in _STOP:
        return 0.7
    return 0.3 if strong else 0.35


def _capitalised(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))
