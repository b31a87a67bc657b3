"""Prices with their duration and currency: ``150/hr``, ``$250 hh``, ``1h 300``, ``200 roses``,
``150$ la demi-heure``, ``qv 80, hh 120, 1hr 200``, ``Tarif : 1h 250 / 2h 450``.

One left-to-right scan of the lower-cased text yields three kinds of tokens: things to ignore
(phone-like digit runs, times and time ranges, dates, ``24/7``, measurements such as ``34C``,
``5'4``, ``120lbs``, percentages), durations (``hh``, ``half hour``, ``30 min``, ``1h``,
``2 hours``, ``demi-heure``, ``l'heure``, ``qv``, ``overnight``) and amounts (``150``,
``$250``, ``180 roses``, ``1 200 $``). Neighbouring amount/duration tokens are then paired by a
maximum matching on the sequence: first as many pairs as possible, then the strongest
connectors (``150/hh`` and ``200 $ de l'heure`` beat ``hh: 150``, which beats ``hh 120, 1hr``).
This reads both ``150/hh 250/h 400/2h`` and ``demi-heure 140 / heure 220`` the way a person
does.

An amount needs a currency or a paired duration: a bare number is never a price. ``$`` means the
region's currency (CAD for Canada). ``roses`` (ad slang for dollars) is reported as the currency
``"roses"`` so analysts can tell it apart. Durations over 12 hours are read as clock times
(``22h``), and ``overnight``/``nuit`` gives ``minutes=None``.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from adtrace.extract.normalise import digit_runs, lower_same_length
from adtrace.extract.spans import PRICE, Span

_SKIP: Final = r"""
    (?P<skip>(?<![\d.,])(?:
        (?:\+?1[\s.\-]?)?\(?\d{3}\)?[^\w$€]{0,3}\d{3}[^\w$€]{0,3}\d{4}
      | \d{6,}
      | \d{1,2}(?:[:h]\d{2})?\s?(?:am|pm|h)?\s?(?:-|–|à|a|to|till|until|jusqu['’]?à)\s?
            \d{1,2}(?:[:h]\d{2})?\s?(?:am|pm|h)\b
      | (?<![\w])(?:à|a|at|vers|dès|des|from|till|until|jusqu['’]?à)\s+\d{1,2}\s?h(?:\d{2})?\b
      | \d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)? | \d{1,2}\s?[ap]\.?m\b\.?
      | \d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4} | \d{1,2}\s?[hj]?\s?/\s?\d{1,2}\b(?!\s?h)
      | \d+(?:[.,]\d+)?\s?(?:lbs?|kg|cm|pounds?|kilos?|inch(?:es)?|ft|feet|foot|yo|y/o|ans|years?
            |yrs?|st|nd|rd|th|e|er|ère|ème|eme|%)(?!\w)
      | \d\s?['’]\s?\d{1,2}"? | \d\s?m\s?\d{2}\b | \d{2}[a-g]{1,3}\b
    ))"""
_DURATION: Final = r"""
    (?P<hm>(?<![\d.,])(?P<hm_h>\d{1,2})\s?h\s?(?P<hm_m>[0-5]\d)\b)
  | (?<![\w.,])(?P<hq>\d{1,2}(?:[.,]5)?|une?|one|an|a|half\s?an?|1/2|½|demi)[\s-]?
        (?P<hu>heures?|hours?|hrs?|h)\b
  | (?<![\w.,])(?P<mq>\d{1,3})\s?(?P<mu>minutes?|mins?|mn)\b
  | (?<![^\W\d])(?P<word>hh|hhr|half[\s-]?(?:an?\s)?(?:hour|hr|h)|half|demi[\s-]?heure|qv
        |quick\s?visit|overnight|toute\s+la\s+nuit|nuit|l['’]heure|heure|hour|hr|h)\b
"""
_AMOUNT: Final = r"""
    (?<![\d.,])(?:(?P<cur1>us\$|usd\s?\$?|ca\$|c\$|cad\s?\$?|\$|€|eur)\s?)?
    (?P<num>\d{1,3}(?:[,\s\u00a0\u202f.]\d{3})+|\d{2,5})(?:[.,]\d{2})?(?!\d)
    (?:\s?(?P<cur2>\$|€|cad\b|usd\b|euros?\b|eur\b|dollars?\b|bucks\b|roses?\b|rozes?\b|🌹
        |piasses?\b|piastres?\b))?
"""
# Every token starts with a digit, a currency sign or a word; testing that first character lets
# the engine skip most positions cheaply.
_FIRST: Final = r"(?=[\d+(½$€]|(?<![^\W\d])[àavdftujohqnlce])"
_TOKEN_RE: Final = re.compile(rf"(?x){_FIRST}(?:{_SKIP}|{_DURATION}|(?P<amount>{_AMOUNT}))")
_STRONG_RE: Final = re.compile(
    r"\s*(?:/|per|par|pour|for|a|an|the|la|le|de|each|chaque|x)?\s*/?\s*", re.IGNORECASE
)
_STRONG_AFTER_DURATION_RE: Final = re.compile(r"\s*(?:for|pour|at|à|@)\s*")
_NEUTRAL_RE: Final = re.compile(r"[\s:=\-–—@/]*")
_WEAK_RE: Final = re.compile(r"[\s,;|•/]*(?:and|et|&|or|ou)?[\s,;|•/]*")
_MAX_GAP: Final = 12
_WINDOW: Final = 24
# A window with none of these holds no price: skip it (cheaper than the full token scan).
_HINT_RE: Final = re.compile(
    r"[$€🌹]|\d\s?h|h\s?\d|/\s?h|hh|hr|hour|heure|min|mn|qv|nuit|overnight|half|demi|ros|roz"
    r"|dollar|buck|cad|usd|eur|piast|quick"
)
_WORD_MINUTES: Final = {"qv": 15, "quick visit": 15, "quickvisit": 15}
_NIGHT: Final = ("overnight", "nuit", "toute la nuit")
_REGION_CURRENCY: Final = {"CA": "CAD", "US": "USD", "FR": "EUR", "BE": "EUR", "GB": "GBP"}
_CURRENCIES: Final = {"us": "USD", "usd": "USD", "ca": "CAD", "c": "CAD", "cad": "CAD", "€": "EUR"}
_MIN_AMOUNT, _MAX_AMOUNT = 20, 20000
_MAX_HOURS, _MAX_MINUTES = 12, 240


class _Item(NamedTuple):
    start: int
    end: int
    is_amount: bool
    value: float = 0.0
    currency: str | None = None
    minutes: int | None = None


def extract_prices(text: str, *, region: str = "CA") -> list[Span]:
    """Find prices in ``text`` with their currency and duration.

    Args:
        text: one field of an ad.
        region: decides what ``$`` and unmarked amounts mean (CAD for ``"CA"``).

    Returns:
        Spans whose value is the amount (float), with ``currency`` and ``minutes`` set.
    """
    low = lower_same_length(text)
    items = [
        item
        for start, end in _windows(text, low)
        for m in _TOKEN_RE.finditer(low, start, end)
        if (item := _item(m)) is not None
    ]
    if not items:
        return []
    default = _REGION_CURRENCY.get(region, "CAD")
    pairs = _pairs(low, items)
    spans = [_price(amount, duration, default) for amount, duration in pairs]
    paired = {amount for amount, _ in pairs}
    spans += [
        _price(item, None, default)
        for item in items
        if item.is_amount and item.currency and item not in paired
    ]
    return sorted(spans, key=lambda s: s.start)


def _windows(text: str, low: str) -> list[tuple[int, int]]:
    """Stretches of text around digits, cut at spaces, that hold a currency or duration hint.

    Every price has a digit, and a duration farther than ``_MAX_GAP`` from its amount cannot
    pair, so the rest of the text need not be scanned. A window reaches from the space before
    ``_WINDOW`` characters ahead of its first digit run to the space ``_WINDOW`` characters after
    its last one; a digit run that starts within ``2 * _WINDOW`` of the previous one always
    joins its window, without searching for spaces.
    """
    windows: list[tuple[int, int]] = []
    first = last = -1  # window start, and the end of the last digit run in it
    for run_start, run_end in digit_runs(text):
        if last >= 0 and run_start - _WINDOW <= last + _WINDOW:
            last = run_end
            continue
        start = low.rfind(" ", 0, max(0, run_start - _WINDOW)) + 1
        if last >= 0:
            end = _window_end(low, last)
            if start <= end:
                last = run_end
                continue
            windows.append((first, end))
        first, last = start, run_end
    if last >= 0:
        windows.append((first, _window_end(low, last)))
    return [(start, end) for start, end in windows if _HINT_RE.search(low, start, end)]


def _window_end(low: str, run_end: int) -> int:
    end = low.find(" ", run_end + _WINDOW)
    return len(low) if end < 0 else end


def _item(m: re.Match[str]) -> _Item | None:
    if m["skip"] is not None:
        return None
    if m["amount"] is not None:
        return _amount(m)
    minutes = _minutes(m)
    if minutes == -1:
        return None
    return _Item(m.start(), m.end(), False, minutes=minutes)


def _amount(m: re.Match[str]) -> _Item | None:
    currency = _currency(m["cur1"] or m["cur2"])
    number = m["num"]
    if not number.isdigit() and currency is None:
        return None  # "150 200 250": a list, not thousands
    value = float("".join(filter(str.isdigit, number)))
    if not _MIN_AMOUNT <= value <= _MAX_AMOUNT:
        return None
    return _Item(m.start(), m.end(), True, value=value, currency=currency)


def _currency(mark: str | None) -> str | None:
    if mark is None:
        return None
    mark = mark.replace(" ", "").rstrip("$") or "$"
    if mark.startswith(("rose", "roze")) or mark == "🌹":
        return "roses"
    if mark.startswith("euro") or mark == "eur":
        return "EUR"
    return _CURRENCIES.get(mark, "$")


def _minutes(m: re.Match[str]) -> int | None:
    """Duration in minutes; None for overnight; -1 when the token is a clock time, not a span."""
    if m["hm"] is not None:
        hours = int(m["hm_h"])
        return hours * 60 + int(m["hm_m"]) if 0 < hours <= 3 else -1
    if m["hq"] is not None:
        quantity = _quantity(m["hq"])
        return int(quantity * 60) if 0 < quantity <= _MAX_HOURS else -1
    if m["mq"] is not None:
        minutes = int(m["mq"])
        return minutes if 0 < minutes <= _MAX_MINUTES else -1
    word = " ".join(m["word"].split())
    if word in _NIGHT:
        return None
    if word in _WORD_MINUTES:
        return _WORD_MINUTES[word]
    return 30 if word.startswith(("hh", "half", "demi")) else 60


def _quantity(raw: str) -> float:
    raw = raw.replace(",", ".")
    if raw[0].isdigit() and raw != "1/2":
        return float(raw)
    return 0.5 if raw.startswith(("half", "demi", "1/2", "½")) else 1.0


def _pairs(low: str, items: list[_Item]) -> list[tuple[_Item, _Item]]:
    """Maximum matching of adjacent amount/duration items: most pairs, then strongest bonds.

    Dynamic programming over the sequence; on a tie the earlier pairing wins.
    """
    score = [(0, 0)] * (len(items) + 1)
    take = [False] * (len(items) + 1)
    for i in range(2, len(items) + 1):
        score[i] = score[i - 1]
        bond = _bond(low, items[i - 2], items[i - 1])
        if bond:
            paired = (score[i - 2][0] + 1, score[i - 2][1] + bond)
            if paired > score[i]:
                score[i], take[i] = paired, True
    pairs: list[tuple[_Item, _Item]] = []
    i = len(items)
    while i >= 2:
        if take[i]:
            left, right = items[i - 2], items[i - 1]
            pairs.append((left, right) if left.is_amount else (right, left))
            i -= 2
        else:
            i -= 1
    return pairs[::-1]


def _bond(low: str, left: _Item, right: _Item) -> int:
    if left.is_amount == right.is_amount or right.start - left.end > _MAX_GAP:
        return 0
    gap = low[left.end : right.start]
    strong = _STRONG_RE if left.is_amount else _STRONG_AFTER_DURATION_RE
    if strong.fullmatch(gap) and gap.strip():
        return 3
    if _NEUTRAL_RE.fullmatch(gap):
        return 2
    return 1 if _WEAK_RE.fullmatch(gap) else 0


def _price(amount: _Item, duration: _Item | None, default: str) -> Span:
    currency = default if amount.currency in (None, "$") else amount.currency
    other = duration or amount
    start, end = min(amount.start, other.start), max(amount.end, other.end)
    minutes = duration.minutes if duration else None
    confidence = 0.9 if amount.currency else 0.8
    return Span(PRICE, amount.value, start, end, confidence, currency=currency, minutes=minutes)
