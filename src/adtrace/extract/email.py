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

from adtrace.extract.normalise import lower_same_length
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
_LOCAL_REVERSED_RE: Final = re.compile(r"[a-z0-9._%+\-]{1,64}")
_LABEL: Final = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_OPEN: Final = r"\s?[\(\[\{<]\s*"
_CLOSE: Final = r"\s*[\)\]\}>]\s?"
_DOT_WORD: Final = rf"(?:{_OPEN}(?:dot|point|\.){_CLOSE}|\s+(?:dot|point)\s+)"
_DOT_ANY: Final = rf"(?:{_DOT_WORD}|\s?\.\s?)"
# The at-sign in all its spellings; extraction starts from each one found.
_MARKER_RE: Final = re.compile(
    rf"(?=[\s@(\[{{<])(?:(?P<plain>\s?@\s?)|(?P<spelled>{_OPEN}(?:at|arobase|@){_CLOSE}|\s+(?:at|arobase)\s+))"
)
# Every marker holds "@", "arobase" or an "at" right after a space or an opening bracket. Most
# ads hold none, and these literal searches cost a fraction of a pass of the marker pattern.
_AT_WORD_RE: Final = re.compile(r"at(?<=[\s(\[{<]at)")
_BRACKETS: Final = frozenset("([{<")
_PLAIN_DOMAIN_RE: Final = re.compile(rf"(?:{_LABEL}\s?\.\s?)+(?:{_TLDS})\b")
_SPELLED_DOMAIN_RE: Final = re.compile(rf"(?:{_LABEL}{_DOT_ANY})+(?:{_TLDS})\b")
_PROVIDER_RE: Final = re.compile(rf"({'|'.join(_PROVIDERS)})\b(?!{_DOT_ANY}{_LABEL})")
_DOT_WORD_RE: Final = re.compile(_DOT_WORD)
_DOT_SPLIT_RE: Final = re.compile(rf"{_DOT_WORD}|\s?\.\s?")


def extract_emails(text: str, *, region: str = "CA") -> list[Span]:
    """Find e-mail addresses in ``text``, including spelled-out ones.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans whose value is the lower-case address.
    """
    low = lower_same_length(text)
    rev = ""
    spans: list[Span] = []
    for marker in _markers(low):
        rev = rev or low[::-1]
        local = _local_before(low, rev, marker.start())
        span = _address(low, local, marker) if local is not None else None
        spans += [span] if span is not None else []
    return _without_overlaps(spans)


def _markers(low: str) -> list[re.Match[str]]:
    """The matches ``_MARKER_RE.finditer(low)`` gives, found from the at-signs alone.

    Every marker holds an ``@``, ``arobase`` or an ``at`` after a space or an opening bracket,
    and starts in the run of spaces and brackets just before it. Trying the marker only at those
    few positions, leftmost first, gives the same matches as a scan of the whole text, which
    would try the pattern at every space.
    """
    markers: list[re.Match[str]] = []
    covered = 0
    for hit in _hits(low):
        if hit < covered:
            continue
        start = hit
        while start > covered and (low[start - 1].isspace() or low[start - 1] in _BRACKETS):
            start -= 1
        for pos in range(start, hit + 1):
            marker = _MARKER_RE.match(low, pos)
            if marker is not None:
                markers.append(marker)
                covered = marker.end()
                break
    return markers


def _hits(low: str) -> list[int]:
    """Sorted offsets of every ``@``, ``arobase`` and ``at`` after a space or opening bracket."""
    hits = [m.start() for m in _AT_WORD_RE.finditer(low)]
    for sign in ("@", "arobase"):
        pos = low.find(sign)
        while pos >= 0:
            hits.append(pos)
            pos = low.find(sign, pos + 1)
    return sorted(hits)


def _local_before(low: str, rev: str, pos: int) -> tuple[int, str] | None:
    """The local part ending at ``pos``, read backwards (start offset, text), or None."""
    m = _LOCAL_REVERSED_RE.match(rev, len(low) - pos)
    if m is None:
        return None
    local = m.group()[::-1].lstrip("._%+-")
    if not local or not (local[-1].isalnum() or local[-1] == "_"):
        return None
    return pos - len(local), local


def _address(low: str, local: tuple[int, str], marker: re.Match[str]) -> Span | None:
    spelled = marker["spelled"] is not None
    domain = (_SPELLED_DOMAIN_RE if spelled else _PLAIN_DOMAIN_RE).match(low, marker.end())
    if domain is not None:
        name = _domain(domain.group())
        if spelled and not _plausible_spelled(marker.group(), domain.group(), name):
            return None
        confidence = 0.9 if spelled else 0.99
        return Span(EMAIL, f"{local[1]}@{name}", local[0], domain.end(), confidence)
    provider = _PROVIDER_RE.match(low, marker.end())
    if provider is None:
        return None
    value = f"{local[1]}@{_PROVIDERS[provider.group(1)]}"
    return Span(EMAIL, value, local[0], provider.end(), 0.75)


def _plausible_spelled(at: str, raw_domain: str, domain: str) -> bool:
    """A bare `` at `` needs a spelled dot or a known provider (not ``meet at hotel.com``)."""
    if at.strip() != "at":
        return True
    return _DOT_WORD_RE.search(raw_domain) is not None or domain.split(".")[0] in _PROVIDERS


def _domain(raw: str) -> str:
    return ".".join(part for part in _DOT_SPLIT_RE.split(raw) if part)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the most confident span where several forms matched the same characters."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.confidence, s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
