"""HTML pages: the Jinja2 environment (autoescape always on) and the one function that renders.

A page is a template applied to a context object (a pydantic model); the page's JSON twin under
/api/ returns the same object, so what the analyst reads and what a script reads never diverge.
Pages are in the request's language (`request_locale`); the JSON twins keep ids and English.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, Final
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel
from sqlalchemy import select

from adtrace import __version__
from adtrace.store.schema import users
from adtrace.web import i18n
from adtrace.web.auth import User
from adtrace.web.deps import optional_user, store
from adtrace.web.security import LOGIN_CSRF_COOKIE, new_token
from adtrace.web.views import Highlight, Reason

PER_PAGE: Final = 20
BABEL_LOCALES: Final = {"en": "en_CA", "fr": "fr_CA"}
"""Babel's locale for each interface language (numbers and dates as written in Canada)."""

N_ = i18n.noop
LABELS: Final = {
    # selector kinds (adtrace.extract.KINDS) and link evidence kinds
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "handle": N_("handle"),
    "url": N_("address"),
    "name": N_("name"),
    "age": N_("age"),
    "price": N_("price"),
    "place": N_("place"),
    "text": N_("text"),
    "title": N_("title"),
    "template": N_("template"),
    # indicator tier (the letters V, S, O, H, X stay as they are)
    "escalate": N_("escalate"),
    # similarity measures
    "jaccard": N_("Jaccard"),
    "containment": N_("containment"),
    "raw_jaccard": N_("raw Jaccard"),
    # search sorts
    "newest": N_("newest"),
    "oldest": N_("oldest"),
    "score": N_("score"),
    "site": N_("site"),
    # dashboard counts
    "ads": N_("ads"),
    "versions": N_("versions"),
    "sightings": N_("sightings"),
    "selectors": N_("selectors"),
    "imports": N_("imports"),
    "clusters": N_("clusters"),
    "links": N_("links"),
    # roles and import statuses
    "admin": N_("admin"),
    "analyst": N_("analyst"),
    "viewer": N_("viewer"),
    "complete": N_("complete"),
    "running": N_("running"),
    "failed": N_("failed"),
    "undone": N_("undone"),
}
"""Display names of the ids pages show (kinds, sorts, counts, roles); an unknown id shows as is."""


class Paging(BaseModel):
    """Where a list page is: page number (from 1), page size, total rows."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page


def _babel_locale() -> str:
    return BABEL_LOCALES.get(i18n.active_locale(), "en_CA")


WHEN_PATTERN: Final = "yyyy-MM-dd HH:mm"
"""How pages write a moment, in both languages (Babel gives the same text in en_CA and fr_CA;
strftime writes it in 1.6 µs instead of 13 µs, which counts on a cluster page of 1,000
dates)."""


def _when(value: datetime | None) -> str:
    """A moment as 2024-03-01 12:00 (see WHEN_PATTERN)."""
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


@cache
def _number_symbols(locale: str) -> tuple[str, str]:
    """The decimal mark and the group separator of `locale` (Babel's CLDR data)."""
    parsed = Locale.parse(locale)
    symbols = parsed.number_symbols[parsed.default_numbering_system]
    return str(symbols["decimal"]), str(symbols["group"])


def _number(value: float | None, digits: int | None = None) -> str:
    """A number in the active language: 1,234.5 / 1 234,5; `digits` fixes the decimals.

    Written by Python with the locale's symbols from Babel (format_decimal takes 16 µs a call,
    this 3 µs); a test checks both agree."""
    if value is None:
        return ""
    if digits is None and not isinstance(value, int):
        return format_decimal(value, locale=_babel_locale())
    text = f"{value:,}" if digits is None else f"{value:,.{digits}f}"
    decimal, group = _number_symbols(_babel_locale())
    return text.translate({ord(","): group, ord("."): decimal})


def _label(value: str) -> str:
    """The display name of an id in the active language."""
    return i18n.gettext(LABELS[value]) if value in LABELS else value


def _translate(message: str | None) -> str:
    """A message from Python code (a `Message` or a plain msgid) in the active language."""
    if message is None:
        return ""
    if isinstance(message, i18n.Message):
        return message.translated()
    return i18n.gettext(message)


def _in_language(en: str, fr: str) -> str:
    """The French text in French when there is one, else the English text."""
    return fr if i18n.active_locale() == "fr" and fr else en


def localized_marks(
    highlights: Sequence[Highlight], reasons: Sequence[Reason], lang: str
) -> list[Highlight]:
    """`highlights` with their reasons (the tooltips of marked ad text) in `lang`: selector kinds
    translated, indicator names and evidence in French where the indicator has them."""
    if lang == i18n.DEFAULT_LOCALE:
        return list(highlights)
    catalogue = i18n.translations(lang)
    colon = "\u00a0:" if lang == "fr" else ":"
    by_span = {(r.field, tuple(r.span or ())): r for r in reasons}
    out = []
    for h in highlights:
        found = by_span.get((h.field, (h.start, h.end)))
        if h.kind == "indicator" and found is not None:
            name = found.name_fr or found.name
            evidence = found.evidence_fr or found.evidence
            reason = f"{found.indicator} {name}{colon} {evidence}"
        elif h.kind in LABELS:
            value = h.reason.partition(": ")[2]
            reason = f"{catalogue.gettext(LABELS[h.kind])}{colon} {value}"
        else:
            reason = h.reason
        out.append(h.model_copy(update={"reason": reason}))
    return out


def _colon() -> str:
    """A colon as the active language writes it (French: a non-breaking space before)."""
    return "\u00a0:" if i18n.active_locale() == "fr" else ":"


def _with_page(params: dict[str, Any], page: int, key: str = "page") -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return urlencode({**kept, key: page})


def _environment() -> Environment:
    i18n.load_all()  # a bad .po file stops the app here, naming the file and line
    env = Environment(
        loader=PackageLoader("adtrace.web", "templates"),
        autoescape=True,  # every template, whatever its extension: ad text is hostile
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    env.globals["locale"] = i18n.active_locale
    env.globals["languages"] = i18n.NAMES
    env.globals["label"] = _label
    env.globals["in_language"] = _in_language
    env.globals["colon"] = _colon
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["tr"] = _translate
    env.globals["with_page"] = _with_page
    env.globals["version"] = __version__
    return env


templates = Jinja2Templates(env=_environment())


def user_locale(request: Request, user: User) -> str | None:
    """The language `user` chose (users.locale), or None."""
    with store(request).connect() as conn:
        found = conn.execute(
            select(users.c.locale).where(users.c.user_id == user.user_id)
        ).scalar_one_or_none()
    return found if found in i18n.LOCALES else None


def request_locale(request: Request) -> str:
    """The language of this request (see `i18n.choose_locale`), looked up once per request."""
    known = getattr(request.state, "locale", None)
    if isinstance(known, str):
        return known
    user = optional_user(request)
    chosen = i18n.choose_locale(
        None if user is None else user_locale(request, user),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language", ""),
    )
    request.state.locale = chosen
    return chosen


def here(request: Request) -> str:
    """This page's path and query: where the language switch comes back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render `template` with `context`, the user and their CSRF token, in the request's
    language. A signed-out page without a token of its own gets the login form's (cookie and
    field), so its language switch can post."""
    i18n.activate(request_locale(request))
    csrf = user.csrf_token if user is not None else context.pop("csrf", "")
    login_token = ""
    if user is None and not csrf:
        csrf = login_token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf": csrf,
            "params": dict(request.query_params),
            "here": here(request),
            **context,
        },
        status_code=status_code,
    )
    if login_token and login_token != request.cookies.get(LOGIN_CSRF_COOKIE):
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            login_token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response
