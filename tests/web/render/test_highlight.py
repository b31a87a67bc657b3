from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from adtrace.extract.spans import Span
from adtrace.link.evidence import pair_passages
from adtrace.text.align import Passage
from adtrace.web.render.highlight import BIDI_CONTROLS, KINDS, Mark, highlight, side_by_side

from .checks import PAYLOADS, parse_fragment

TAG = re.compile(r"<[^>]*>")
ALLOWED = {"mark", "br", "span"}
# Characters XML 1.0 forbids are dropped by the renderer (see labels.clean_text); any other
# character must come back verbatim.
XML_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(map(chr, [*range(9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])),
    ),
    max_size=60,
)


def plain(markup: str) -> str:
    """The text a reader sees: tags removed, entities decoded."""
    return html.unescape(TAG.sub("", markup))


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag != "br":
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def assert_well_nested(markup: str) -> None:
    parser = _Nesting()
    parser.feed(markup)
    parser.close()
    assert not parser.stack
    assert parser.tags <= ALLOWED


@st.composite
def texts_and_marks(draw: st.DrawFn) -> tuple[str, list[Mark]]:
    text = draw(XML_TEXT)
    n = len(text)
    bound = st.integers(-3, n + 3)
    marks = draw(
        st.lists(
            st.builds(
                Mark,
                bound,
                bound,
                st.sampled_from([*sorted(KINDS), "weird kind", "<b>"]),
                XML_TEXT,
                st.none() | st.integers(0, 5),
            ),
            max_size=8,
        )
    )
    return text, marks


@given(texts_and_marks())
def test_highlighting_never_changes_the_text(case: tuple[str, list[Mark]]) -> None:
    text, marks = case
    out = highlight(text, marks)
    assert plain(out) == text
    assert_well_nested(out)


@given(texts_and_marks())
def test_mark_order_does_not_matter(case: tuple[str, list[Mark]]) -> None:
    text, marks = case
    assert highlight(text, marks) == highlight(text, list(reversed(marks)))


def test_nested_marks_stay_nested() -> None:
    text = "call 416 555 0123 now"
    out = highlight(text, [Mark(0, 21, "passage", "shared", 1), Mark(5, 17, "phone", "phone")])
    assert out.count("<mark") == 2
    assert out.index('class="hl hl-passage"') < out.index('class="hl hl-phone"')
    assert "<mark" not in out.split("416")[1].split("</mark>")[0]


def test_crossing_marks_are_split_not_misnested() -> None:
    text = "abcdefghij"
    out = highlight(text, [Mark(0, 6, "name"), Mark(3, 9, "indicator", "A06 trust")])
    assert_well_nested(out)
    assert out.count('class="hl hl-indicator"') == 2  # reopened inside and after the name
    assert out.count('class="hl hl-name"') == 1
    assert plain(out) == text


def test_out_of_range_and_empty_marks_are_ignored() -> None:
    text = "hello"
    out = highlight(text, [Mark(-5, 2, "age"), Mark(3, 99, "price"), Mark(4, 4, "name")])
    assert out == (
        '<mark class="hl hl-age" data-reason="">he</mark>l'
        '<mark class="hl hl-price" data-reason="">lo</mark>'
    )
    assert highlight("", [Mark(0, 3, "phone")]) == ""


def test_newlines_become_line_breaks() -> None:
    out = highlight("a\nb", [Mark(0, 3, "passage")])
    assert out == '<mark class="hl hl-passage" data-reason="">a<br>\nb</mark>'


def test_reasons_and_pairs_are_attributes() -> None:
    out = highlight("xy", [Mark(0, 2, "passage", 'shared "passage" <1>', 3)])
    assert 'data-reason="shared &#34;passage&#34; &lt;1&gt;"' in out
    assert 'title="shared &#34;passage&#34; &lt;1&gt;"' in out
    assert 'data-pair="p3"' in out


def test_unknown_kinds_get_a_neutral_class() -> None:
    out = highlight("xy", [Mark(0, 2, '" onclick="alert(1)')])
    assert 'class="hl hl-other"' in out and "onclick" not in out


def test_extractor_spans_are_accepted_and_filtered_by_field() -> None:
    text = "Amy 416-555-0123"
    spans = [
        Span("phone", "+14165550123", 4, 16, 0.9),
        Span("name", "Amy", 0, 3, 0.9, field="title"),
    ]
    out = highlight(text, spans)
    assert 'class="hl hl-phone" data-reason="phone: +14165550123"' in out
    assert "hl-name" not in out


def test_hostile_text_and_reasons_are_escaped() -> None:
    for payload in PAYLOADS:
        text = f"before {payload} after"
        out = highlight(text, [Mark(0, len(text), "indicator", payload), Mark(7, 12, "name")])
        root = parse_fragment(out, ALLOWED)
        assert root.text_content() == text
        assert all(m.get("data-reason") in ("", payload) for m in root.iter("mark"))


def test_characters_xml_forbids_are_dropped() -> None:
    assert plain(highlight("a\x00b\x0bc", [Mark(0, 5, "name")])) == "abc"


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def test_side_by_side_pairs_passages_in_both_texts() -> None:
    a = "Sweet Amy new in town, call 416 555 0123 for fun and more"
    b = "Hello! sweet Zoe new in town, text 514 555 0199 for fun and more"
    passages = [
        Passage(*_at(a, "new in town"), *_at(b, "new in town"), 3),
        Passage(*_at(a, "for fun and more"), *_at(b, "for fun and more"), 4),
    ]
    spans_a = [Span("phone", "+14165550123", *_at(a, "416 555 0123"), 0.9)]
    spans_b = [Span("phone", "+15145550199", *_at(b, "514 555 0199"), 0.9)]
    left, right = side_by_side(a, spans_a, b, spans_b, passages)
    assert plain(left) == a and plain(right) == b
    for side in (left, right):
        root = parse_fragment(side, ALLOWED)
        marks = list(root.iter("mark"))
        pairs = {m.get("data-pair"): m.text_content() for m in marks if m.get("data-pair")}
        assert pairs == {"p1": "new in town", "p2": "for fun and more"}
        assert [m.get("class") for m in marks].count("hl hl-phone") == 1


def test_side_by_side_takes_pair_passages_output() -> None:
    a = {"text": "Discreet upscale companion available downtown tonight only call now"}
    b = {"text": "New pics! discreet upscale companion available downtown tonight, text me"}
    fields = pair_passages(a, b)
    text_field = next(f for f in fields if f.field == "text")
    assert text_field.passages, "the synthetic pair must share a passage"
    left, right = side_by_side(a["text"], [], b["text"], [], text_field.passages)
    assert plain(left) == a["text"] and plain(right) == b["text"]
    ids_left = re.findall(r'data-pair="(p\d+)"', left)
    ids_right = re.findall(r'data-pair="(p\d+)"', right)
    assert ids_left == ids_right and ids_left
    first = parse_fragment(left, ALLOWED).find(".//mark").text_content()
    assert first.casefold() in b["text"].casefold()


def test_bidi_controls_are_isolated_and_shown_but_kept_verbatim() -> None:
    text = "invoice \u202etxt.exe and \u2066x\u2069"
    markup = str(highlight(text, [Mark(0, 7, "name", "name: invoice")]))
    assert markup.count('<span class="ctl"') == 3
    assert '<span class="ctl" data-cp="U+202E">\u202e</span>' in markup
    assert '<span class="ctl" data-cp="U+2066">\u2066</span>' in markup
    assert plain(markup) == text
    assert_well_nested(markup)


@given(st.one_of(XML_TEXT, st.text(st.sampled_from("ab <&\n\u202a\u202e\u2066\u2069\u200f"))))
def test_every_bidi_control_is_wrapped(text: str) -> None:
    markup = str(highlight(text, []))
    outside = re.sub(r'<span class="ctl" data-cp="U\+[0-9A-F]{4}">.</span>', "", markup)
    assert not BIDI_CONTROLS.search(outside)
    assert plain(markup) == text
