"""HTML pages: the Jinja2 environment (autoescape always on) and the one function that renders.

A page is a template applied to a context object (a pydantic model); the page's JSON twin under
/api/ returns the same object, so what the analyst reads and what a script reads never diverge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from adtrace import __version__
from adtrace.web import i18n
from adtrace.web.auth import User

PER_PAGE: Final = 20


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


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _with_page(params: dict[str, Any], page: int, key: str = "page") -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return urlencode({**kept, key: page})


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("adtrace.web", "templates"),
        autoescape=True,  # every template, whatever its extension: ad text is hostile
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["locale"] = i18n.active_locale
    env.filters["when"] = _when
    env.globals["with_page"] = _with_page
    env.globals["version"] = __version__
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    template: str,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render `template` with `context`, the user and their CSRF token."""
    i18n.activate(i18n.DEFAULT_LOCALE)
    csrf = user.csrf_token if user is not None else context.pop("csrf", "")
    return templates.TemplateResponse(
        request,
        template,
        {"user": user, "csrf": csrf, "params": dict(request.query_params), **context},
        status_code=status_code,
    )
