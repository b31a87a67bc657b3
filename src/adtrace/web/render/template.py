"""A cluster's template as HTML: the fixed wording, and each slot with the fillers seen in it.

The template text (:class:`adtrace.text.template.Template`) writes slot n as ``{n}`` and slots
are numbered in reading order, so the slots are found by looking for ``{1}``, then ``{2}`` after
it, and so on; a literal ``{7}`` written in an ad's fixed wording is shown as text (it can only be
confused with a slot when it comes before that slot's real place and has the slot's number).
"""

from __future__ import annotations

from typing import Final

from markupsafe import Markup, escape

from adtrace.text.template import Slot, Template
from adtrace.web.render.labels import Lang, assemble, check_lang, clean_text, colon, plural

_WORDS: Final = {
    "en": {
        "summary": "Template built from {texts}; fixed wording kept by {support} of them "
        "on average.",
        "text": "text",
        "texts": "texts",
        "slot": "Slot",
        "fillers": "Seen in this slot",
        "variant": "distinct filler",
        "variants": "distinct fillers",
        "empty": "No template: too few texts.",
        "none": "no filler read",
    },
    "fr": {
        "summary": "Modèle tiré de {texts} ; texte fixe repris en moyenne par {support} "
        "d'entre eux.",
        "text": "texte",
        "texts": "textes",
        "slot": "Emplacement",
        "fillers": "Vu dans cet emplacement",
        "variant": "valeur distincte",
        "variants": "valeurs distinctes",
        "empty": "Pas de modèle : trop peu de textes.",
        "none": "aucune valeur lue",
    },
}


def _text(value: str) -> str:
    return str(escape(clean_text(value))).replace("\n", "<br>\n")


def template_parts(template: Template) -> list[str | Slot]:
    """The template text cut into fixed strings and slots, in reading order."""
    parts: list[str | Slot] = []
    pos = 0
    for slot in template.slots:
        marker = f"{{{slot.index}}}"
        at = template.text.find(marker, pos)
        if at < 0:
            continue  # a slot the text does not show (should not happen): listed below only
        parts += [template.text[pos:at], slot]
        pos = at + len(marker)
    parts.append(template.text[pos:])
    return [p for p in parts if p != ""]


def _fillers(slot: Slot, lang: Lang) -> str:
    words = _WORDS[lang]
    if not slot.values:
        return f'<span class="tpl-filler tpl-none">{escape(words["none"])}</span>'
    return '<span class="tpl-sep"> | </span>'.join(
        f'<span class="tpl-filler">{_text(v)}</span>' for v in slot.values
    )


def _inline_slot(slot: Slot, lang: Lang) -> str:
    words = _WORDS[lang]
    tip = escape(clean_text(" | ".join(slot.values) or words["none"]))
    return (
        f'<span class="tpl-slot" data-slot="{slot.index}" title="{tip}">'
        f'<span class="tpl-bracket">[</span><span class="tpl-slot-index">{{{slot.index}}}</span>'
        f'<span class="tpl-bracket">{colon(lang)} </span>'
        f'<span class="tpl-fillers">{_fillers(slot, lang)}</span>'
        f'<span class="tpl-bracket">]</span></span>'
    )


def _slot_item(slot: Slot, lang: Lang) -> str:
    words = _WORDS[lang]
    distinct = plural(slot.distinct, words["variant"], words["variants"], lang)
    return (
        f'<li class="tpl-slot-item" data-slot="{slot.index}">'
        f'<span class="tpl-slot-index">{{{slot.index}}}</span> '
        f'<span class="tpl-distinct">({escape(distinct)})</span>{colon(lang)} '
        f"{_fillers(slot, lang)}</li>"
    )


def template_html(template: Template, *, lang: str = "en") -> Markup:
    """A template as an HTML fragment.

    The fixed wording is in ``<span class="tpl-fixed">`` elements; each slot is a
    ``<span class="tpl-slot" data-slot="n">`` showing ``[{n}: filler | filler]`` (its most
    frequent fillers; readable without a stylesheet, e.g. in a PDF),
    and an ordered list after the text repeats every slot with its number of distinct fillers.
    All text is escaped.

    Args:
        template: from :func:`adtrace.text.template.extract_template`.
        lang: "en" or "fr".
    """
    lang_ = check_lang(lang)
    words = _WORDS[lang_]
    if not template.text:
        return assemble(['<div class="template template-empty">', escape(words["empty"]), "</div>"])
    texts = plural(template.n_texts, words["text"], words["texts"], lang_)
    space = "\u00a0" if lang_ == "fr" else ""  # French puts a (non-breaking) space before %
    percent = f"{round(template.support * 100)}{space}%"
    summary = words["summary"].format(texts=texts, support=percent)
    body = "".join(
        _inline_slot(p, lang_)
        if isinstance(p, Slot)
        else f'<span class="tpl-fixed">{_text(p)}</span>'
        for p in template_parts(template)
    )
    items = "".join(_slot_item(s, lang_) for s in template.slots)
    slots = f'<ol class="tpl-slots">{items}</ol>' if items else ""
    return assemble(
        [
            f'<div class="template"><p class="tpl-summary">{escape(summary)}</p>',
            f'<p class="tpl-text">{body}</p>{slots}</div>',
        ]
    )
