"""E-mail addresses, plain or spelled out: ``name AT gmail DOT com``, ``nom arobase site point ca``.

Three forms, from most to least certain:

* ``local@domain.tld``, spaces allowed around ``@`` and dots (confidence 0.99);
* a bracketed or spelled ``at`` (``(at)``, ``[at]``, ``{at}``, `` AT ``, ``arobase``) with a
  bracketed or spelled dot (``(dot)``, ``[point]``, `` dot ``, `` point ``) or a plain one (0.9);
* a spelled ``at`` followed by a well-known provider with no domain ending (``name at gmail``),
  completed to ``gmail.com`` (0.75).

A bare `` at `` followed by ``word.tld`` (``meet at hotel.com``) is not an address unless the
domain is a known provider: the trade-off keeps ordinary sentences out at the cost of missing
``name at mysite.ca``.
"""

from __future__ import annotations

import re
from typing import Final

from adtrace.extract.spans import EMAIL, Span

_TLDS: Final = r"com|ca|net|org|fr|info|biz|me|io|co|us|uk|be|ch|live|xyz"
_PROVIDERS: Final = {
    "gmail": "gmail.com",
    "hotmail": "hotmail.com",
    "yahoo": "yahoo.com",
    "outlook": "outlook.com",
    "icloud": "icloud.com",
    "protonmail": "protonmail.com",
    "proton": "proton.me",
    "videotron": "videotron.ca",
}
_LOCAL: Final = r"(?P<local>[a-z0-9](?:[a-z0-9._%+\-]{0,62}[a-z0-9_])?)"
_LABEL: Final = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_OPEN: Final = r"\s?[\(\[\{<]\s*"
_CLOSE: Final = r"\s*[\)\]\}>]\s?"
_AT_WORD: Final = rf"(?:{_OPEN}(?:at|arobase|@){_CLOSE}|\s+(?:at|arobase)\s+)"
_DOT_WORD: Final = rf"(?:{_OPEN}(?:dot|point|\.){_CLOSE}|\s+(?:dot|point)\s+)"
_DOT_ANY: Final = rf"(?:{_DOT_WORD}|\s?\.\s?)"

_PLAIN_RE: Final = re.compile(
    rf"(?i)(?<![\w.%+\-]){_LOCAL}\s?@\s?(?P<domain>(?:{_LABEL}\s?\.\s?)+(?:{_TLDS}))\b"
)
_SPELLED_RE: Final = re.compile(
    rf"(?i)(?<![\w.%+\-]){_LOCAL}(?P<at>{_AT_WORD})"
    rf"(?P<domain>(?:{_LABEL}{_DOT_ANY})+(?:{_TLDS}))\b"
)
_PROVIDER_RE: Final = re.compile(
    rf"(?i)(?<![\w.%+\-]){_LOCAL}(?:{_AT_WORD}|\s?@\s?)(?P<provider>{'|'.join(_PROVIDERS)})\b"
    rf"(?!{_DOT_ANY}{_LABEL})"
)
_DOT_WORD_RE: Final = re.compile(rf"(?i){_DOT_WORD}")
_DOT_SPELLED_RE: Final = re.compile(rf"(?i){_DOT_WORD}|\s?\.\s?")
_BARE_AT_RE: Final = re.compile(r"(?i)^\s+at\s+$")
_QUICK_RE: Final = re.compile(r"(?i)@|\bat\b|arobase")


def extract_emails(text: str, *, region: str = "CA") -> list[Span]:
    """Find e-mail addresses in ``text``, including spelled-out ones.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans whose value is the lower-case address.
    """
    if not _QUICK_RE.search(text):
        return []
    spans = [_plain(m) for m in _PLAIN_RE.finditer(text)]
    spans += [s for m in _SPELLED_RE.finditer(text) if (s := _spelled(m)) is not None]
    spans += [_provider(m) for m in _PROVIDER_RE.finditer(text)]
    return _without_overlaps(spans)


def _domain(raw: str) -> str:
    return ".".join(part for part in _DOT_SPELLED_RE.split(raw.lower()) if part)


def _plain(m: re.Match[str]) -> Span:
    value = f"{m['local'].lower()}@{_domain(m['domain'])}"
    return Span(EMAIL, value, m.start(), m.end(), 0.99)


def _spelled(m: re.Match[str]) -> Span | None:
    domain = _domain(m["domain"])
    spelled_dot = _DOT_WORD_RE.search(m["domain"]) is not None
    if _BARE_AT_RE.match(m["at"]) and not spelled_dot and domain.split(".")[0] not in _PROVIDERS:
        return None
    return Span(EMAIL, f"{m['local'].lower()}@{domain}", m.start(), m.end(), 0.9)


def _provider(m: re.Match[str]) -> Span:
    value = f"{m['local'].lower()}@{_PROVIDERS[m['provider'].lower()]}"
    return Span(EMAIL, value, m.start(), m.end(), 0.75)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the most confident span where several forms matched the same characters."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.confidence, s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
