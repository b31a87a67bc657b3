"""Redaction of a dossier: phone numbers, e-mails, handles and persona names become tags such as
``[phone 1]``, ``[e-mail 2]``, ``[name 3]``, ``[handle 4]``, the same value always the same tag
within one export, so a reader still sees that two ads share a phone without seeing it.

Handles are hidden too, although the issue names only phones, e-mails and names: a handle
reaches the person as directly as an e-mail, and persona names are often written inside them
(``queensofia41``).

Two passes, pure functions only:

1. **Spans.** The extractor's stored spans (every confidence) are replaced in the title and text
   they were found in: this hides obfuscated writings a pattern could never find
   (``eight one nine…``, ``4I6``).
2. **Values, as a safety net**, on every free text of the dossier (title, text, URL, template,
   link evidence, score reasons and profile, notes, case title and summary): every value and
   every written form the spans showed, as whole words, case-insensitive, any run of spaces
   matching any other; and any 10-digit North American number, with or without ``+1`` and with
   up to 3 separator characters between digits, whose digits are one of the dossier's phones
   (the extractor stores E.164, ads write ``(819) 938-0694``). Notes, case titles and
   summaries are also read by the extractor, so a phone or e-mail an analyst typed is hidden
   even when no ad gives it.

Cost: a name that is also a common word (an extractor false positive such as ``Pour``) is hidden
everywhere it occurs as a word; a redacted export hides too much rather than too little.
Cities, sites, dates, ad ids, URLs' hosts and usernames of analysts are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from adtrace.export.dossier import (
    PERSONAL_KINDS,
    AdEntry,
    CaseworkEntry,
    Dossier,
    LinkEntry,
    NoteEntry,
    ScoreEntry,
    SelectorHit,
    Subject,
    TemplateEntry,
    build_templates,
)
from adtrace.extract import extract_all

TAG_WORDS: Final = {
    "en": {"phone": "phone", "email": "e-mail", "handle": "handle", "name": "name"},
    "fr": {"phone": "téléphone", "email": "courriel", "handle": "pseudo", "name": "nom"},
}
"""The word of each kind in the tags, by language (JSON and CSV use English)."""
MIN_LITERAL: Final = 2
"""Shorter values are hidden by their spans only (a one-letter word would hide too much)."""

_SEPARATORS: Final = r"[^0-9A-Za-z\n]{0,3}"
_NANP_RUN: Final = re.compile(
    rf"(?<![0-9])(?=((?:\+?1{_SEPARATORS})?\(?[0-9](?:{_SEPARATORS}[0-9]){{9}})(?![0-9]))"
)
_TAG: Final = re.compile(r"\[[^\[\]\n]{1,20} [0-9]+\]")
_TOKEN: Final = re.compile(r"zzredacted[a-z]+zz")


@dataclass(frozen=True, slots=True)
class Redactor:
    """Tags of one export and the safety-net patterns.

    Attributes:
        tags: (kind, value) → tag.
        literals: lower-cased value or written form → tag.
        phones: the 10 national digits of each North American phone → tag.
        pattern: one regular expression of every literal (None when there are none).
    """

    tags: dict[tuple[str, str], str]
    literals: dict[str, str]
    phones: dict[str, str]
    pattern: re.Pattern[str] | None

    def value(self, kind: str, value: str) -> str:
        """The tag of a selector value (its text redacted when it is not a known value)."""
        return self.tags.get((kind, value)) or self.text(value)

    def text(self, value: str) -> str:
        """Free text with every known value and written form replaced by its tag."""
        if not value:
            return value
        if self.pattern is not None:
            value = self.pattern.sub(self._literal, value)
        return _replace_phones(value, self.phones) if self.phones else value

    def _literal(self, match: re.Match[str]) -> str:
        return self.literals.get(_key(match.group(0)), "[…]")


def redact(dossier: Dossier, lang: str = "en") -> Dossier:
    """The dossier with personal values replaced by tags (see the module docstring); `lang`
    chooses the tags' words (``en`` or ``fr``)."""
    redactor = build_redactor(dossier, lang)
    ads = tuple(_redact_ad(ad, redactor) for ad in dossier.ads)
    return replace(
        dossier,
        subject=_redact_subject(dossier.subject, redactor),
        ads=ads,
        links=tuple(_redact_link(link, redactor) for link in dossier.links),
        templates=tuple(_redact_template(t, redactor) for t in _tagged_templates(ads, redactor)),
        scores=tuple(_redact_score(s, redactor) for s in dossier.scores),
        casework=_redact_casework(dossier.casework, redactor),
        redacted=True,
    )


def build_redactor(dossier: Dossier, lang: str = "en") -> Redactor:
    """The tags of a dossier's values, numbered per kind in order of first appearance (ads by
    id, then values found by the extractor in notes, case title and summary)."""
    words = TAG_WORDS.get(lang, TAG_WORDS["en"])
    tags: dict[tuple[str, str], str] = {}
    numbers: dict[str, int] = {}
    forms: list[tuple[str, str]] = []  # (written form or value, tag)

    def tag_of(kind: str, value: str) -> str:
        if (kind, value) not in tags:
            numbers[kind] = numbers.get(kind, 0) + 1
            tags[(kind, value)] = f"[{words[kind]} {numbers[kind]}]"
            forms.append((value, tags[(kind, value)]))
        return tags[(kind, value)]

    for ad in dossier.ads:
        for hit in ad.selectors:
            tag = tag_of(hit.kind, hit.value)
            if hit.span is not None:
                forms.append((_written(ad, hit.span), tag))
    for kind, value in _free_text_values(_free_texts(dossier)):
        tag_of(kind, value)
    return _redactor(tags, forms)


def redact_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, tag) span replaced by its tag; overlapping spans are merged
    and take the tag of the longest."""
    merged: list[tuple[int, int, str, int]] = []
    for start, end, tag in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            s0, e0, t0, n0 = merged[-1]
            best = (tag, end - start) if end - start > n0 else (t0, n0)
            merged[-1] = (s0, max(e0, end), best[0], best[1])
        else:
            merged.append((start, end, tag, end - start))
    out, pos = [], 0
    for start, end, tag, _ in merged:
        out += [text[pos:start], tag]
        pos = end
    return "".join([*out, text[pos:]])


def _redactor(tags: dict[tuple[str, str], str], forms: list[tuple[str, str]]) -> Redactor:
    literals: dict[str, str] = {}
    phones: dict[str, str] = {}
    for form, tag in forms:
        if len(form.strip()) >= MIN_LITERAL:
            literals.setdefault(_key(form), tag)
    for (kind, value), tag in tags.items():
        if kind == "phone" and (digits := _national(value)) is not None:
            phones.setdefault(digits, tag)
    ordered = sorted(literals, key=len, reverse=True)
    body = "|".join(_loose(form) for form in ordered)
    pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE) if ordered else None
    return Redactor(tags, literals, phones, pattern)


def _key(value: str) -> str:
    return " ".join(value.lower().split())


def _loose(form: str) -> str:
    """A literal as a pattern in which any run of spaces matches any other."""
    return r"\s+".join(re.escape(part) for part in form.split())


def _national(e164: str) -> str | None:
    digits = re.sub(r"\D", "", e164)
    if e164.startswith("+1") and len(digits) == 11:
        return digits[1:]
    return None


def _replace_phones(text: str, phones: dict[str, str]) -> str:
    """Replace every written North American number whose digits are a known phone."""
    out, pos = [], 0
    for match in _NANP_RUN.finditer(text):
        start, written = match.start(), match.group(1)
        if start < pos:
            continue
        digits = re.sub(r"\D", "", written)[-10:]
        if digits in phones:
            out += [text[pos:start], phones[digits]]
            pos = start + len(written)
    return "".join([*out, text[pos:]])


def _written(ad: AdEntry, span: tuple[str, int, int]) -> str:
    field, start, end = span
    source = ad.title if field == "title" else ad.text
    return source[start:end]


def _free_texts(dossier: Dossier) -> list[str]:
    work = dossier.casework
    notes = [n.value for n in work.notes]
    titles = [title for _, title in work.cases]
    return [dossier.subject.title, dossier.subject.summary, *notes, *titles]


def _free_text_values(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Personal values the extractor reads in analysts' free text."""
    found: list[tuple[str, str]] = []
    for text in texts:
        if text:
            found += [
                (s.kind, str(s.value))
                for s in extract_all(text).spans()
                if s.kind in PERSONAL_KINDS
            ]
    return found


def _redact_ad(ad: AdEntry, redactor: Redactor) -> AdEntry:
    def field(name: str, text: str) -> str:
        spans = [
            (h.span[1], h.span[2], redactor.tags[(h.kind, h.value)])
            for h in ad.selectors
            if h.span is not None and h.span[0] == name
        ]
        return redactor.text(redact_spans(text, spans))

    hits = dict.fromkeys(SelectorHit(h.kind, redactor.value(h.kind, h.value)) for h in ad.selectors)
    return replace(
        ad,
        url=None if ad.url is None else redactor.text(ad.url),
        title=field("title", ad.title),
        text=field("text", ad.text),
        selectors=tuple(hits),
    )


def _redact_link(link: LinkEntry, redactor: Redactor) -> LinkEntry:
    shared = {
        kind: tuple(redactor.value(kind, v) for v in values) for kind, values in link.shared.items()
    }
    return replace(link, shared=shared)


def _tagged_templates(ads: Sequence[AdEntry], redactor: Redactor) -> tuple[TemplateEntry, ...]:
    """Templates of the redacted texts, with each tag aligned as one word: tags are swapped for
    letter-only tokens while the template is built, then swapped back."""
    token = {tag: f"zzredacted{_letters(i)}zz" for i, tag in enumerate(redactor.tags.values())}
    tag_of = {v: k for k, v in token.items()}

    def masked(text: str) -> str:
        return _TAG.sub(lambda m: token.get(m.group(0), m.group(0)), text)

    def unmasked(text: str) -> str:
        return _TOKEN.sub(lambda m: tag_of.get(m.group(0), m.group(0)), text)

    found = build_templates([replace(ad, text=masked(ad.text)) for ad in ads])
    return tuple(
        replace(
            t,
            text=unmasked(t.text),
            slots=tuple(replace(s, values=tuple(unmasked(v) for v in s.values)) for s in t.slots),
        )
        for t in found
    )


def _letters(number: int) -> str:
    """0 → a, 25 → z, 26 → ba: a number in letters (digits would be tokens of their own)."""
    out = ""
    while True:
        number, rest = divmod(number, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[rest] + out
        if number == 0:
            return out


def _redact_template(template: TemplateEntry, redactor: Redactor) -> TemplateEntry:
    slots = tuple(
        replace(s, values=tuple(redactor.text(v) for v in s.values)) for s in template.slots
    )
    return replace(template, text=redactor.text(template.text), slots=slots)


def _redact_score(score: ScoreEntry, redactor: Redactor) -> ScoreEntry:
    reasons = tuple(_walk(r, redactor.text) for r in score.reasons)
    return replace(score, reasons=reasons, profile=_walk(score.profile, redactor.text))


def _walk(value: Any, text: Callable[[str], str]) -> Any:
    """Every string inside JSON-like data redacted (keys are the code's, not the data's)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {k: _walk(v, text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, text) for v in value]
    return value


def _redact_subject(subject: Subject, redactor: Redactor) -> Subject:
    if subject.kind != "case":
        return subject
    return replace(
        subject, title=redactor.text(subject.title), summary=redactor.text(subject.summary)
    )


def _redact_casework(work: CaseworkEntry, redactor: Redactor) -> CaseworkEntry:
    def note(n: NoteEntry) -> NoteEntry:
        return replace(n, value=redactor.text(n.value))

    return replace(
        work,
        notes=tuple(note(n) for n in work.notes),
        tags=tuple(redactor.text(t) for t in work.tags),
        cases=tuple((case_id, redactor.text(title)) for case_id, title in work.cases),
    )
