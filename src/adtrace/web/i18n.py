"""The interface language: English and French (Canada) on an equal footing.

Every string the interface shows goes through `gettext` (`_` in templates, with Jinja's i18n
extension in new style, so `_("%(n)s ads", n=3)` formats and escapes). The language of a request
is activated by `adtrace.web.pages.render` before the template runs.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from typing import Final

LOCALES: Final = ("en", "fr")
DEFAULT_LOCALE: Final = "en"

_NULL: Final = gettext_module.NullTranslations()
_active: ContextVar[gettext_module.NullTranslations] = ContextVar(
    "adtrace_translations", default=_NULL
)
_locale: ContextVar[str] = ContextVar("adtrace_locale", default=DEFAULT_LOCALE)


def translations(locale: str) -> gettext_module.NullTranslations:
    """The catalogue of `locale` (English is the source language: no catalogue)."""
    return _NULL


def activate(locale: str) -> None:
    """Make `locale` the language of what renders next in this context."""
    chosen = locale if locale in LOCALES else DEFAULT_LOCALE
    _locale.set(chosen)
    _active.set(translations(chosen))


def active_locale() -> str:
    """The language active in this context."""
    return _locale.get()


def gettext(message: str) -> str:
    """`message` in the active language."""
    return _active.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the active language."""
    return _active.get().ngettext(singular, plural, n)
