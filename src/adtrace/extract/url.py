"""Web addresses: with a scheme, with ``www.``, or bare with a common ending (``example.ca/hazel``).

Values are normalised for linking: no scheme, no ``www.``, host in lower case, path kept as written
without trailing punctuation or slash (``https://www.Example.ca/hazel/`` → ``example.ca/hazel``).

Bare addresses need a common ending (``.com``, ``.ca``, ``.net``...) or a known short host
(``t.me``, ``wa.me``, ``linktr.ee``...). Scraped ads often lose the space after a full stop
(``real.me``, ``fun.come``), so endings like ``.me`` and ``.co`` count only with a scheme, ``www.``
or a known host: the trade-off loses ``hazel.me`` but keeps sentences out. Addresses glued to the
next word (``site.comfor info``) are missed for the same reason.
"""

from __future__ import annotations

import re
from typing import Final

from adtrace.extract.normalise import lower_same_length
from adtrace.extract.spans import URL, Span

_LABEL: Final = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_BARE_TLDS: Final = r"com|ca|net|org|fr|info|biz|xxx|club|vip|site|online"
_SHORT_HOSTS: Final = r"t\.me|telegram\.me|wa\.me|kik\.me|linktr\.ee|bit\.ly|onlyfans\.com"
_URL_RE: Final = re.compile(
    rf"""(?x)(?<![\w@.\-/])
    (?:
        (?P<scheme>https?://)(?:www\.)?(?P<host1>(?:{_LABEL}\.)+[a-z]{{2,24}})
      | www\.(?P<host2>(?:{_LABEL}\.)+[a-z]{{2,24}})
      | (?P<host3>{_SHORT_HOSTS}|(?:{_LABEL}\.)+(?:{_BARE_TLDS}))
    )
    \b(?![\w.\-]*@)
    (?P<path>/[^\s<>"'\[\]{{}}|\\^`]*)?
    """
)
_TRAILING: Final = ".,;:!?)'\"/*~"
# Every address has a scheme, "www." or a known ending: find those, then read the whole address
# from the start of the token around them.
_ANCHOR_RE: Final = re.compile(rf"https?://|www\.|\.(?:{_BARE_TLDS}|me|ee|ly|[a-z]{{2,24}}(?=/))\b")
_TOKEN_START_RE: Final = re.compile(r"[\w.\-:/]*")


def extract_urls(text: str, *, region: str = "CA") -> list[Span]:
    """Find web addresses in ``text``.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans whose value is ``host/path`` (see the module docstring for the normalisation).
    """
    low = lower_same_length(text)
    rev = ""
    spans: list[Span] = []
    covered = 0
    for anchor in _ANCHOR_RE.finditer(low):
        if anchor.start() < covered:
            continue
        rev = rev or low[::-1]
        back = _TOKEN_START_RE.match(rev, len(low) - anchor.start())
        start = anchor.start() - (back.end() - back.start() if back else 0)
        m = _URL_RE.match(low, start)
        if m is not None:
            spans.append(_span(text, m))
            covered = m.end()
    return spans


def _span(text: str, m: re.Match[str]) -> Span:
    group = "host1" if m["host1"] else "host2" if m["host2"] else "host3"
    host = m[group]
    path = text[m.start("path") : m.end("path")].rstrip(_TRAILING) if m["path"] else ""
    end = m.start("path") + len(path) if path else m.end(group)
    confidence = 0.99 if m["scheme"] else 0.95 if m["host2"] else 0.85
    return Span(URL, host + path, m.start(), end, confidence)
