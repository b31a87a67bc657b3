from __future__ import annotations

from adtrace.text.template import Slot, Template, extract_template
from adtrace.web.render.template import template_html, template_parts

from .checks import PAYLOADS, parse_fragment

ALLOWED = {"p", "span", "ol", "li", "br"}
TEXTS = [
    "Hi gentlemen, I am Amy, new in Toronto this week. Call 416 555 0101",
    "Hi gentlemen, I am Zoe, new in Ottawa this week. Call 613 555 0102",
    "Hi gentlemen, I am Lia, new in Laval this week. Call 450 555 0103",
]


def test_fixed_text_and_slots_are_distinct_elements() -> None:
    template = extract_template(TEXTS)
    assert template.slots, "the synthetic texts must give slots"
    root = parse_fragment(template_html(template), ALLOWED)
    fixed = " ".join(s.text_content() for s in root.find_class("tpl-fixed"))
    assert "Hi gentlemen, I am" in fixed and "this week" in fixed
    inline = root.find_class("tpl-slot")
    assert [s.get("data-slot") for s in inline] == [str(s.index) for s in template.slots]
    assert inline[0].text_content() == "[{1}: Amy | Zoe | Lia]"
    fillers = {f.text_content() for f in root.find_class("tpl-filler")}
    assert {"Amy", "Zoe", "Lia"} <= fillers
    items = root.find_class("tpl-slot-item")
    assert len(items) == len(template.slots)
    assert "(3 distinct fillers)" in items[0].text_content()
    assert root.find_class("tpl-summary")[0].text_content() == (
        "Template built from 3 texts; fixed wording kept by 100% of them on average."
    )


def test_french_labels() -> None:
    root = parse_fragment(template_html(extract_template(TEXTS), lang="fr"), ALLOWED)
    summary = root.find_class("tpl-summary")[0].text_content()
    assert summary.startswith(
        "Modèle tiré de 3 textes ; texte fixe repris en moyenne par 100\u00a0%"
    )
    assert "(3 valeurs distinctes)\u00a0:" in root.find_class("tpl-slot-item")[0].text_content()


def test_hostile_template_text_and_fillers_are_escaped() -> None:
    for payload in PAYLOADS:
        template = Template(f"{payload} {{1}} and {payload}", (Slot(1, (payload, "x"), 2),), 2, 0.9)
        root = parse_fragment(template_html(template), ALLOWED)
        # A payload holding "{1}" is read as the slot's place (documented): check the text only.
        assert root.find_class("tpl-text")[0].text_content().endswith(f" and {payload}")
        assert root.find_class("tpl-filler")[0].text_content() == payload
        assert root.find_class("tpl-slot")[0].get("title") == f"{payload} | x"


def test_literal_braces_in_the_fixed_wording_stay_text() -> None:
    template = Template("price {2} {1} then {2}", (Slot(1, ("a",), 1), Slot(2, ("b",), 1)), 2, 1.0)
    parts = template_parts(template)
    assert parts == ["price {2} ", template.slots[0], " then ", template.slots[1]]


def test_newlines_and_empty_templates() -> None:
    template = Template("line one\nline two {1}", (Slot(1, (), 0),), 2, 0.8)
    out = template_html(template)
    assert "line one<br>\nline two" in out
    assert "no filler read" in out
    empty = template_html(extract_template([]), lang="fr")
    assert "Pas de modèle" in empty
