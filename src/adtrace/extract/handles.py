"""Social and messaging handles by platform: Snapchat, Instagram, Telegram, WhatsApp, Kik,
OnlyFans, X/Twitter.

Three forms:

* profile links (``t.me/name``, ``instagram.com/name``, ``onlyfans.com/name``, ``x.com/name``,
  ``twitter.com/name``, ``snapchat.com/add/name``, ``kik.me/name``, ``wa.me/15145550123``);
* a platform word or abbreviation followed by the name (``snap: name``, ``SC: name``,
  ``ig: @name``, ``insta @name``, ``tg: @name``, ``kik me @name``, ``OF: name``), or the ghost
  emoji (``👻 name``) for Snapchat;
* ``WhatsApp`` (or ``watsapp``...) followed within 30 characters by a phone number: the handle
  value is the number in E.164, and the phone extractor reports the same number as a phone.

A platform word followed by a plain word (``my insta is private``) is not a handle: the name must
come after a ``:``/``=``/``-``/arrow/emoji or carry an ``@``. That misses ``kik candy`` but keeps
prose out. Values are lower case without ``@`` (the platforms treat names case-insensitively).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from adtrace.extract.normalise import lower_same_length
from adtrace.extract.phone import extract_phones, to_e164
from adtrace.extract.spans import HANDLE, Span

_KEYWORDS: Final = {
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "telegram": "telegram",
    "tg": "telegram",
    "kik": "kik",
    "onlyfans": "onlyfans",
    "twitter": "twitter",
}
_HOSTS: Final = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "instagram.com": "instagram",
    "onlyfans.com": "onlyfans",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "snapchat.com/add": "snapchat",
    "kik.me": "kik",
    "wa.me": "whatsapp",
}
_USER: Final = r"(?P<user>[a-z0-9_][a-z0-9_.\-]{1,29})(?![\w.\-]*/)"
_SEP_CHARS: Final = r"\s:=\-–—>→👉➡👻\ufe0f"
_SEP: Final = rf"(?P<sep>[{_SEP_CHARS}]*(?:(?:me|moi|is|est|on|sur|at)\b[{_SEP_CHARS}]*)?)"
_KEYWORD_RE: Final = re.compile(
    rf"(?<![\w.@/])(?=[sitko])(?P<kw>{'|'.join(_KEYWORDS)})(?!\w){_SEP}(?P<at>@?){_USER}"
)
_OF_RE: Final = re.compile(
    rf"(?<![\w.@/])(?:OF|Of)(?P<sep>\s*[:=\-]\s*|\s+(?=@))(?P<at>@?)(?i:{_USER})"
)
_GHOST_RE: Final = re.compile(rf"👻\ufe0f?(?P<sep>[\s:=\-]*)(?P<at>@?){_USER}")
_HOST_ALT: Final = "|".join(re.escape(h) for h in sorted(_HOSTS, key=len, reverse=True))
_LINK_RE: Final = re.compile(
    rf"(?<![\w.@])(?=[hwtiosxk])(?:https?://)?(?:www\.)?(?P<host>{_HOST_ALT})/"
    r"(?P<user>[a-z0-9_.\-]+)"
)
_WHATSAPP_RE: Final = re.compile(r"\b(?:whats\s?app|whatsap|watsapp|watsap|wsp)\b")
_SEP_MARKS: Final = frozenset(":=-–—>→👉➡👻")
_KEYWORD_FIRST: Final = frozenset(word[0] for word in _KEYWORDS)
_NOT_NAME_WORDS: Final = (
    "me my only for and or the add follow private pics pic photos account here link below above dm "
    "message msg is on at to a an in available now please pls verified same name username user "
    "handle id page info more us you u ask text call contact moi mon ma est sur et ou le la les un "
    "une pour aussi seulement dispo disponible demande com"
)
_NOT_NAMES: Final = frozenset(_NOT_NAME_WORDS.split())
_WHATSAPP_WINDOW: Final = 30
# Any platform keyword, link host or ghost, not glued after a word, "." or "@". The pattern
# starts with a character class (then the engine skips to candidates in C), checks what stands
# before it with a two-character look-behind, and reads the rest of the keyword after it.
_QUICK_RE: Final = re.compile(
    r"[sitkowx👻](?<![\w.@].)(?:(?<=s)(?:napchat|nap|c)(?!\w)|(?<=i)(?:nstagram|nsta|g)(?!\w)"
    r"|(?<=t)(?:(?:g|elegram|witter)(?!\w)|\.me)|(?<=k)ik(?!\w)|(?<=o)nlyfans(?!\w)"
    r"|(?<=x)\.com|(?<=w)(?:a\.me|hats|ats|sp)|(?<=👻))"
)


def extract_handles(text: str, *, region: str = "CA") -> list[Span]:
    """Find platform handles in ``text``.

    Args:
        text: one field of an ad.
        region: default region for WhatsApp numbers written without ``+``.

    Returns:
        Spans with ``platform`` set; WhatsApp values are E.164 numbers.
    """
    low = lower_same_length(text)
    has_of = "OF" in text or "Of" in text
    quick = [m.start() for m in _QUICK_RE.finditer(low)]
    # A profile link ("www.instagram.com/name") has its host after a "." the quick pattern skips.
    has_link = "/" in low and any(h in low for h in _HOSTS)
    if not has_of and not quick and not has_link:
        return []
    spans = _links(low, region) if has_link else []
    # Every keyword match starts where the quick pattern found a keyword.
    keywords = [pos for pos in quick if low[pos] in _KEYWORD_FIRST]
    spans += _named(low, _matches_at(_KEYWORD_RE, low, keywords), None, 0.9)
    if has_of:
        ofs = sorted(_occurrences(text, "OF") + _occurrences(text, "Of"))
        # The pattern demands ":" or "@".
        spans += _named(text, _matches_at(_OF_RE, text, ofs), "onlyfans", 0.85)
    if "👻" in text:
        spans += _named(low, _GHOST_RE.finditer(low), "snapchat", 0.85)  # the ghost is the mark
    if "wsp" in low or "whats" in low or "watsap" in low:
        spans += _whatsapp(text, low, region)
    return _deduplicated(spans)


def _occurrences(text: str, word: str) -> list[int]:
    found = []
    pos = text.find(word)
    while pos >= 0:
        found.append(pos)
        pos = text.find(word, pos + 1)
    return found


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """What ``pattern.finditer(text)`` gives when every match must start at one of ``starts``
    (sorted): trying only there is much cheaper than trying every position."""
    matches: list[re.Match[str]] = []
    covered = 0
    for pos in starts:
        if pos >= covered and (m := pattern.match(text, pos)) is not None:
            matches.append(m)
            covered = m.end()
    return matches


def _clean(user: str) -> str:
    return user.lower().lstrip("@").rstrip(".-")


def _links(text: str, region: str) -> list[Span]:
    spans: list[Span] = []
    for m in _LINK_RE.finditer(text):
        platform = _HOSTS[m["host"].lower()]
        user = _clean(m["user"])
        value = user if platform != "whatsapp" else _whatsapp_number(user, region)
        if value:
            end = m.start("user") + len(m["user"].rstrip(".-"))
            spans.append(Span(HANDLE, value, m.start(), end, 0.95, platform=platform))
    return spans


def _whatsapp_number(user: str, region: str) -> str | None:
    return to_e164("+" + user, region) if user.isdigit() else None


def _named(
    text: str, matches: Iterable[re.Match[str]], platform: str | None, conf: float
) -> list[Span]:
    spans: list[Span] = []
    for m in matches:
        user = _clean(m["user"])
        marked = platform is not None or m["at"] == "@" or any(c in _SEP_MARKS for c in m["sep"])
        if not marked or user in _NOT_NAMES or user.replace(".", "").isdigit():
            continue
        name = platform or _KEYWORDS[m["kw"].lower()]
        end = m.start("user") + len(m["user"].rstrip(".-"))
        spans.append(Span(HANDLE, user, m.start(), end, conf, platform=name))
    return spans


def _whatsapp(text: str, low: str, region: str) -> list[Span]:
    keywords = list(_WHATSAPP_RE.finditer(low))
    if not keywords:
        return []
    phones = [p for p in extract_phones(text, region=region) if p.confidence >= 0.5]
    spans: list[Span] = []
    for kw in keywords:
        near = [p for p in phones if 0 <= p.start - kw.end() <= _WHATSAPP_WINDOW]
        if near:
            phone = near[0]
            spans.append(Span(HANDLE, phone.value, kw.start(), phone.end, 0.9, platform="whatsapp"))
    return spans


def _deduplicated(spans: list[Span]) -> list[Span]:
    """Drop a span when an overlapping one already gives the same platform and value."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.confidence)):
        same = [k for k in kept if (k.platform, k.value) == (span.platform, span.value)]
        if not any(span.start < k.end and k.start < span.end for k in same):
            kept.append(span)
    return kept
