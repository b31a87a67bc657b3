"""The ad's language: ``"en"``, ``"fr"``, ``"mixed"`` or ``"und"`` (no evidence).

A small classifier shipped in the package, built from hand-written text only
(``data/language_samples.txt``; no real ads, nothing downloaded): stop-word lists for English and
French, and the most frequent character trigrams of each language's sample sentences, stored in
``data/language_profiles.json`` by :func:`build_profiles`.

Decision, on accent-folded words:

* with at least ``MIN_STOPWORDS`` stop-word hits, the French share of hits decides: ``"mixed"``
  when both languages have at least 3 hits and the French share lies in [0.25, 0.75] (bilingual
  Montréal ads), else the majority;
* otherwise (titles, short ads) the trigram profiles decide, each stop-word hit adding
  ``STOP_WEIGHT`` to its language's log-likelihood; ``"und"`` when the text has fewer than 5
  letter trigrams. Trigrams missing from a profile get one shared floor, so neither language
  is favoured by the size of its profile.

The mixed band is a trade-off: wider, and English ads quoting a French phrase become ``mixed``;
narrower, and bilingual ads are forced into one language.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import Final

from adtrace.extract.normalise import fold, folded_words

LANGUAGES: Final = ("en", "fr")
MIN_STOPWORDS: Final = 4
MIXED_BAND: Final = (0.25, 0.75)
STOP_WEIGHT: Final = 3.0
_MIN_SIDE: Final = 3
_TOP_TRIGRAMS: Final = 300
_MIN_TRIGRAMS: Final = 5
_MAX_CHARS: Final = 400
_WORD_RE: Final = re.compile(r"[^\W\d_]+")

Profiles = dict[str, dict[str, list[str] | dict[str, float]]]


def build_profiles(samples: str, top: int = _TOP_TRIGRAMS) -> Profiles:
    """Build stop-word sets and trigram log-frequencies from the hand-written samples file.

    Args:
        samples: text in the ``language_samples.txt`` format.
        top: trigrams kept per language; more gives finer scores for a larger data file.

    Returns:
        ``{"stopwords": {lang: [...]}, "trigrams": {lang: {trigram: log frequency}}}``.
    """
    stop: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    grams: dict[str, Counter[str]] = {lang: Counter() for lang in LANGUAGES}
    for line in samples.splitlines():
        tag, _, text = line.partition("\t")
        if tag.startswith("stop-"):
            stop[tag[5:]].update(_WORD_RE.findall(fold(text)))
        elif tag in grams:
            grams[tag].update(_trigrams(text))
    shared = stop["en"] & stop["fr"]
    return {
        "stopwords": {lang: sorted(words - shared) for lang, words in stop.items()},
        "trigrams": {lang: _log_frequencies(counts, top) for lang, counts in grams.items()},
    }


def _trigrams(text: str) -> list[str]:
    grams: list[str] = []
    for word in _WORD_RE.findall(fold(text)):
        padded = f" {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _log_frequencies(counts: Counter[str], top: int) -> dict[str, float]:
    total = sum(counts.values())
    return {gram: round(math.log(n / total), 4) for gram, n in counts.most_common(top)}


@cache
def _profiles() -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """Stop word → its language, and the trigram profiles."""
    path = resources.files("adtrace.extract").joinpath("data/language_profiles.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    stop = {word: lang for lang, words in data["stopwords"].items() for word in words}
    return stop, data["trigrams"]


def detect_language(text: str) -> str:
    """Classify ``text`` as ``"en"``, ``"fr"``, ``"mixed"`` or ``"und"``."""
    return ad_language(text)


def ad_language(text: str, title: str | None = None) -> str:
    """The language of an ad: ``detect_language(f"{title}\n{text}")``, or of ``text`` alone.

    The words of title and text are taken from each field separately (the newline between them
    is no word character, so the words are the same), which reuses the folded words the place
    extractor has just cached for each field instead of folding the joined text again.
    """
    stop, trigrams = _profiles()
    words = folded_words(title) + folded_words(text) if title else folded_words(text)
    # list.count runs in C; a Counter of every word's language costs several times more.
    hits = list(map(stop.get, words))
    en, fr = hits.count("en"), hits.count("fr")
    if en + fr >= MIN_STOPWORDS:
        return _by_stopwords(en, fr)
    joined = f"{title}\n{text}" if title else text
    return _by_trigrams(joined[:_MAX_CHARS], trigrams, {"en": en, "fr": fr})


def _by_stopwords(en: int, fr: int) -> str:
    share = fr / (en + fr)
    if min(en, fr) >= _MIN_SIDE and MIXED_BAND[0] <= share <= MIXED_BAND[1]:
        return "mixed"
    return "fr" if share > 0.5 else "en"


def _by_trigrams(text: str, trigrams: dict[str, dict[str, float]], hits: dict[str, int]) -> str:
    grams = _trigrams(text)
    if len(grams) < _MIN_TRIGRAMS:
        return "und"
    floor = min(min(profile.values()) for profile in trigrams.values()) - math.log(2)
    scores = {
        lang: sum(profile.get(g, floor) for g in grams) + STOP_WEIGHT * hits[lang]
        for lang, profile in trigrams.items()
    }
    return max(scores, key=lambda lang: scores[lang])


def _rebuild() -> None:
    """Regenerate ``data/language_profiles.json`` from ``data/language_samples.txt``."""
    data = resources.files("adtrace.extract").joinpath("data")
    profiles = build_profiles(data.joinpath("language_samples.txt").read_text(encoding="utf-8"))
    text = json.dumps(profiles, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    with resources.as_file(data.joinpath("language_profiles.json")) as path:
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    _rebuild()
