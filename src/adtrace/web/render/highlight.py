"""Ad text with its evidence highlighted: selectors, indicator matches and shared passages.

The text is escaped piece by piece; highlights become ``<mark>`` elements that may overlap
(a phone inside a shared passage, an indicator phrase across a name). Overlaps are rendered
with the fewest splits: at every boundary the open marks that must end are closed and reopened
inside the new ones, so the result is always well nested. Marks with offsets outside the text
are clipped to it, empty ones are ignored, and their order does not matter. Newlines become
``<br>`` followed by the newline, so the text read back from the markup is the ad verbatim.

Bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) can make an ad read
differently from what it says ("txt.exe" shown reversed). Each one is kept verbatim but wrapped in
``<span class="ctl" data-cp="U+202E">``: the stylesheet isolates the span (so the control only
governs itself) and shows its code point, so the analyst sees the trick instead of falling for it.

Each mark carries ``class="hl hl-<kind>"`` (``hl-other`` for an unknown kind), ``data-reason``
and ``title`` (the reason, escaped) and, for shared passages, ``data-pair`` (the same id in both
ads of a comparison, so a page can light both halves of a pair together).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from adtrace.extract.spans import Span
from adtrace.text.align import Passage
from adtrace.web.render.labels import assemble, clean_text

KINDS: Final = frozenset(
    ("phone", "email", "handle", "url", "name", "age", "price", "place", "indicator", "passage")
)
"""Kinds with a class of their own; any other kind is drawn as ``hl-other``."""

BIDI_CONTROLS: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that change the direction of the text around them (Unicode Bidi_Control)."""


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlight: characters ``text[start:end]``.

    Attributes:
        start: first character.
        end: one past the last character.
        kind: phone, email, handle, url, name, age, price, place, indicator or passage.
        reason: why it is highlighted, shown as a tooltip ("phone +14165550123",
            "A06 trust assurance").
        pair: for shared passages: the number shared by the passage and its partner in the
            other ad.
    """

    start: int
    end: int
    kind: str
    reason: str = ""
    pair: int | None = None


def marks_from_spans(spans: Iterable[Span | Mark], *, field: str = "text") -> list[Mark]:
    """Marks for extractor spans of one field (spans of other fields are left out); marks
    given as such are passed through."""
    out = []
    for span in spans:
        if isinstance(span, Mark):
            out.append(span)
        elif span.field == field:
            out.append(Mark(span.start, span.end, span.kind, f"{span.kind}: {span.value}"))
    return out


def _attributes(mark: Mark) -> str:
    kind = mark.kind if mark.kind in KINDS else "other"
    reason = escape(clean_text(mark.reason))
    attrs = f'class="hl hl-{kind}" data-reason="{reason}"'
    if reason:
        attrs += f' title="{reason}"'
    if mark.pair is not None:
        attrs += f' data-pair="p{int(mark.pair)}"'
    return attrs


def _shown_control(found: re.Match[str]) -> str:
    return f'<span class="ctl" data-cp="U+{ord(found.group()):04X}">{found.group()}</span>'


def _piece(text: str) -> str:
    escaped = str(escape(clean_text(text))).replace("\n", "<br>\n")
    return BIDI_CONTROLS.sub(_shown_control, escaped)


def _usable(marks: Sequence[Mark], length: int) -> list[Mark]:
    """Marks clipped to the text, empty ones dropped, outermost first (start, then longest)."""
    clipped = []
    for mark in marks:
        start, end = max(0, int(mark.start)), min(length, int(mark.end))
        if start < end:
            clipped.append(Mark(start, end, mark.kind, mark.reason, mark.pair))
    return sorted(clipped, key=lambda m: (m.start, -m.end, m.kind, m.reason, m.pair or 0))


def highlight(text: str, marks: Sequence[Mark | Span]) -> Markup:
    """`text` escaped, with `marks` (or extractor spans of the "text" field) as ``<mark>``s.

    Args:
        text: the text as posted (hostile: it is escaped; characters XML forbids are dropped).
        marks: highlights in any order; they may overlap or nest, and may fall outside the text.

    Returns:
        HTML markup: escaped text, ``<mark>`` elements, ``<br>`` line breaks and
        ``<span class="ctl">`` around bidirectional controls only.
    """
    usable = _usable(marks_from_spans(marks), len(text))
    bounds = sorted({0, len(text), *(m.start for m in usable), *(m.end for m in usable)})
    out: list[str] = []
    stack: list[int] = []  # indexes into `usable` of the open marks, outermost first
    for lo, hi in itertools.pairwise(bounds):
        active = [i for i, m in enumerate(usable) if m.start <= lo and m.end >= hi]
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] == active[keep]:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        out += [f"<mark {_attributes(usable[i])}>" for i in active[keep:]]
        stack = active
        out.append(_piece(text[lo:hi]))
    out.append("</mark>" * len(stack))
    return assemble(out)


def _passage_marks(passages: Sequence[Passage], side: str) -> list[Mark]:
    out = []
    for pair, p in enumerate(passages, start=1):
        start, end = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
        reason = f"shared passage {pair} ({p.tokens} words)"
        out.append(Mark(start, end, "passage", reason, pair))
    return out


def side_by_side(
    text_a: str,
    spans_a: Sequence[Mark | Span],
    text_b: str,
    spans_b: Sequence[Mark | Span],
    passages: Sequence[Passage] = (),
    *,
    field: str = "text",
) -> tuple[Markup, Markup]:
    """Two ads' texts highlighted for comparison.

    Args:
        text_a: the first ad's field text.
        spans_a: its selector spans or marks (spans of another field than `field` are ignored).
        text_b: the second ad's field text.
        spans_b: its selector spans or marks.
        passages: shared passages of that field (``PairEvidence.passages[k].passages`` or
            ``pair_passages(...)``); passage i is marked in both texts with ``data-pair="p<i>"``
            (numbered from 1).
        field: the field both texts come from ("text" or "title").

    Returns:
        (markup of A, markup of B).
    """
    marks_a = marks_from_spans(spans_a, field=field) + _passage_marks(passages, "a")
    marks_b = marks_from_spans(spans_b, field=field) + _passage_marks(passages, "b")
    return highlight(text_a, marks_a), highlight(text_b, marks_b)
