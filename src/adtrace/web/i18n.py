"""The interface language: English and French (Canada) on an equal footing.

Every string the interface shows goes through `gettext` (`_` in templates, with Jinja's i18n
extension in new style, so `_("%(n)s ads", n=3)` formats and escapes). The language of a request
is chosen by `choose_locale` (the user's setting, else the `adtrace_lang` cookie, else the
browser's Accept-Language, else English) and activated by `adtrace.web.pages.render` before the
template runs.

English is the source language: msgids are the English texts. The French catalogue is every
`*.po` file of `locales/fr/LC_MESSAGES/` (one per area of the app), read with Babel and merged
in memory; no compiled `.mo` file is kept. A file that cannot be read, or a translation whose
`%(name)s` placeholders differ from its msgid's, raises `CatalogueError` naming the file and line
when the app starts. A msgid translated in two files keeps messages.po's (else the first file's
by name) translation; a test fails on such conflicts.

Messages raised in Python (HTTP error details, search problems) are `Message` objects: a `str`
holding the English text (so the JSON API stays in English) that pages translate when they show
it.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import re
from collections.abc import Iterable
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from babel import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

LOCALES: Final = ("en", "fr")
DEFAULT_LOCALE: Final = "en"
COOKIE: Final = "adtrace_lang"
NAMES: Final = {"en": "English", "fr": "Français"}
"""Each language in its own words (as the language switch shows them)."""

_NULL: Final = gettext_module.NullTranslations()
_active: ContextVar[gettext_module.NullTranslations] = ContextVar(
    "adtrace_translations", default=_NULL
)
_locale: ContextVar[str] = ContextVar("adtrace_locale", default=DEFAULT_LOCALE)
_PLACEHOLDER: Final = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifr]")
_PO_LINE: Final = re.compile(
    r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$'
)
_LANGUAGE_RANGE: Final = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")


class CatalogueError(ValueError):
    """A translation file the app cannot use; the message names the file and the line."""


class Message(str):
    """A message for the user: the English text (what `str` and the JSON API give) that pages
    show translated with `translated()`.

    `Message("there is no ad %(ad_id)s", ad_id=3)` is the string "there is no ad 3"; the msgid
    and the values are kept for translation (the extraction test finds `Message(...)` calls).
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        made = super().__new__(cls, msgid % params if params else msgid)
        made.msgid = msgid
        made.params = params
        return made

    def translated(self) -> str:
        """The message in the active language."""
        text = gettext(self.msgid)
        return text % self.params if self.params else text


def noop(message: str) -> str:
    """Mark `message` for translation where it is defined (a label table); translate it where it
    is shown with `gettext`."""
    return message


def catalogue_folder(locale: str) -> Path:
    """The folder of `locale`'s `.po` files inside the package."""
    return Path(str(resources.files("adtrace.web") / "locales" / locale / "LC_MESSAGES"))


def placeholders(text: str) -> set[str]:
    """The names of the `%(name)s` placeholders in `text`."""
    return set(_PLACEHOLDER.findall(text))


def read_catalogue(path: Path, locale: str) -> Catalog:
    """One `.po` file; CatalogueError names the file and line of any problem."""
    try:
        text = path.read_text(encoding="utf-8")
        _check_lines(path, text)
        catalogue = read_po(io.StringIO(text), locale=locale, abort_invalid=True)
    except CatalogueError:
        raise
    except PoFileError as err:
        raise CatalogueError(f"{path}, line {err.lineno + 1}: {err}") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise CatalogueError(f"{path}: cannot be read as a UTF-8 PO file ({err})") from None
    for message in catalogue:
        _check_placeholders(path, message)
    return catalogue


def _check_lines(path: Path, text: str) -> None:
    """Every line a comment, a keyword with one quoted string, or a quoted string: Babel's
    reader accepts an unclosed quote silently and garbles the entry."""
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#") and not _PO_LINE.match(line):
            raise CatalogueError(
                f"{path}, line {number}: expected a keyword (msgid, msgstr...) and one quoted "
                f"string, or a quoted string, not {line[:60]!r}"
            )


def _check_placeholders(path: Path, message: Any) -> None:
    if not message.id or not message.string or message.fuzzy:
        return
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    expected = set().union(*(placeholders(i) for i in ids))
    for string in strings:
        found = placeholders(string)
        # a plural form may leave out a value ("une annonce"), never add an unknown one
        if string and (found != expected if len(ids) == 1 else not found <= expected):
            raise CatalogueError(
                f"{path}, line {message.lineno}: the translation of {ids[0]!r} has the "
                f"placeholders {sorted(found)}, not {sorted(expected)}"
            )


MAIN_CATALOGUE: Final = "messages.po"
"""The catalogue of the shared vocabulary: read first, so its translation of a msgid wins."""


def catalogue_order(paths: Iterable[Path]) -> list[Path]:
    """`paths` in merge order: messages.po first, then the others by name."""
    return sorted(paths, key=lambda p: (p.name != MAIN_CATALOGUE, p.name))


def merge_catalogues(paths: Iterable[Path], locale: str) -> Catalog:
    """Every translated, non-fuzzy message of `paths` in one catalogue. A msgid translated in
    two files keeps its first translation (see `catalogue_order`; `conflicts` lists them)."""
    merged = Catalog(locale=locale, fuzzy=False)
    for path in catalogue_order(paths):
        for message in read_catalogue(path, locale):
            if not message.id or message.fuzzy or not _translated(message.string):
                continue
            if merged.get(message.id, message.context) is None:
                merged[message.id] = message
    return merged


def conflicts(paths: Iterable[Path], locale: str) -> list[str]:
    """Each msgid that two files translate differently, as one sentence naming both places."""
    seen: dict[Any, tuple[Any, str]] = {}
    found = []
    for path in catalogue_order(paths):
        for message in read_catalogue(path, locale):
            if not message.id or message.fuzzy or not _translated(message.string):
                continue
            key = (message.id, message.context)
            here = f"{path.name}, line {message.lineno}"
            if key not in seen:
                seen[key] = (message.string, here)
            elif seen[key][0] != message.string:
                found.append(
                    f"{here}: {_first(message.id)!r} is translated differently in {seen[key][1]}"
                )
    return found


def _translated(string: Any) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def _first(msgid: Any) -> str:
    return str(msgid[0] if isinstance(msgid, tuple) else msgid)


def compile_catalogue(catalogue: Catalog) -> Translations:
    """`catalogue` as gettext translations, compiled in memory."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(fp=buffer)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The catalogue of `locale`, merged from its `.po` files and cached (English is the source
    language: no catalogue)."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return _NULL
    folder = catalogue_folder(locale)
    return compile_catalogue(merge_catalogues(folder.glob("*.po"), locale))


def load_all() -> None:
    """Read every catalogue now, so a bad `.po` file stops the app at start."""
    for locale in LOCALES:
        translations(locale)


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


def pgettext(context: str, message: str) -> str:
    """`message` in the active language, where the same English text needs another translation
    in `context` (e.g. "Search" as a page and as a button)."""
    return _active.get().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in `context`, in the active language."""
    return _active.get().npgettext(context, singular, plural, n)


def accepted_languages(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 dropped).

    `"fr-CA,fr;q=0.9,en;q=0.5"` gives `["fr-CA", "fr", "en"]`; malformed parts are ignored.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if _LANGUAGE_RANGE.match(tag.strip()) and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _q, _p, tag in sorted(ranked)]


def choose_locale(user_locale: str | None, cookie: str | None, accept_language: str) -> str:
    """The language of a request: the user's setting, else the cookie, else the browser's
    Accept-Language (fr-CA gives fr), else English."""
    for chosen in (user_locale, cookie):
        if chosen in LOCALES:
            return str(chosen)
    wanted = accepted_languages(accept_language)
    found = negotiate_locale(wanted, list(LOCALES), sep="-")
    return found if found in LOCALES else DEFAULT_LOCALE


def N_(message: str) -> str:
    """Mark `message` for translation where it is defined; it is translated where it is shown."""
    return message
