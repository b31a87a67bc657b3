"""English and French: every string translatable and translated, the language chosen per user,
cookie or browser, switched from the header (signed in and out), numbers and dates per locale."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_datetime
from babel.messages.extract import extract_from_dir
from babel.numbers import format_decimal
from fastapi.testclient import TestClient
from jinja2 import Environment
from playwright.sync_api import expect
from sqlalchemy import select

from adtrace.store.schema import users
from adtrace.web import i18n, pages
from tests.web.conftest import Watched, csrf_of, login
from tests.web.seed import Seeded

WEB = Path(i18n.__file__).parent
TEMPLATES = WEB / "templates"
FRENCH = i18n.catalogue_folder("fr")
ALLOWED = ("adtrace", "API", "JSON", "/api/", "/openapi.json", "America/Toronto")
"""Text a template may show untranslated: the product's name and technical names (an IANA
time zone as an example)."""
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "Message": None,
}
"""The calls whose first argument(s) are msgids in Python code (`Message` for user messages)."""
EXPR = "\x01"  # stands for a {{ ... }} or {% ... %} in the flattened template
LETTERS = re.compile(r"[^\W\d_]")


# --- every string translatable -------------------------------------------------------------


def flatten(source: str) -> str:
    """The template's text with every expression and tag replaced by EXPR, and the contents of
    {% trans %} blocks (translated) dropped."""
    out: list[str] = []
    in_tag = in_trans = False
    block: list[str] = []
    lexer = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    for _line, kind, value in lexer.lex(source):
        if kind in ("block_begin", "variable_begin"):
            in_tag, block = True, []
        elif kind in ("block_end", "variable_end"):
            in_tag = False
            if block[:1] == ["trans"]:
                in_trans = True
            elif block[:1] == ["endtrans"]:
                in_trans = False
            out.append(EXPR)
        elif in_tag:
            if kind != "whitespace":
                block.append(value)
        elif kind == "data" and not in_trans:
            out.append(value)
    return "".join(out)


def has_words(text: str) -> bool:
    """Whether `text` has letters once expressions and allowed names are taken out."""
    text = text.replace(EXPR, " ")
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return bool(LETTERS.search(text))


class _Untranslated(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        checked = [a for a in ATTRIBUTES if a in values]
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            checked.append("value")
        for name in checked:
            if has_words(values[name] or ""):
                self.found.append(f'line {self.getpos()[0]}: {name}="{values[name]}"')

    def handle_data(self, data: str) -> None:
        if has_words(data):
            self.found.append(f"line {self.getpos()[0]}: {data.strip()!r}")


def untranslated(source: str) -> list[str]:
    """Text and labelling attributes of a template that are shown without translation."""
    parser = _Untranslated()
    parser.feed(flatten(source))
    parser.close()
    return parser.found


def templates() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("template", templates(), ids=lambda p: p.name)
def test_every_template_string_is_translatable(template: Path) -> None:
    found = untranslated(template.read_text(encoding="utf-8"))
    assert not found, f"{template.name}: text outside _(): " + "; ".join(found)


def test_the_check_sees_untranslated_text_and_attributes() -> None:
    assert untranslated("<p>Hello {{ name }}</p>") == ["line 1: 'Hello \\x01'"]
    assert untranslated('<input placeholder="type here">')
    assert untranslated('<a title="{{ x }} more">x</a>')
    assert untranslated("<button>{% if a %}Go{% endif %}</button>")
    assert not untranslated('<p title="{{ _(\'Hi\') }}">{{ _("Hello") }} · adtrace – 3</p>')
    assert not untranslated("<p>{% trans %}Hello{% endtrans %}</p>")
    assert not untranslated('<option value="x"{% if a %} selected{% endif %}>{{ s }}</option>')


# --- every msgid translated -----------------------------------------------------------------


MsgKey = tuple[str, str | None]
"""A msgid and its context (None for most)."""


def template_msgids() -> dict[MsgKey, str]:
    """(msgid, context) → where, for every _()/gettext/ngettext/pgettext of every template."""
    found = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return _by_msgid(found, "templates")


def python_msgids() -> dict[MsgKey, str]:
    """(msgid, context) → where, for every _(), gettext(), ngettext(), N_() and Message() in the web
    package's Python code."""
    found = extract_from_dir(str(WEB), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return _by_msgid(found, "web")


def _by_msgid(found: Iterator[Any], root: str) -> dict[MsgKey, str]:
    out: dict[MsgKey, str] = {}
    for filename, lineno, message, _comments, context in found:
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                out.setdefault((msgid, context), f"{root}/{filename}:{lineno}")
    return out


def french_catalogue() -> Any:
    return i18n.merge_catalogues(FRENCH.glob("*.po"), "fr")


@pytest.mark.parametrize("source", ["templates", "python"])
def test_every_msgid_has_a_french_translation(source: str) -> None:
    msgids = template_msgids() if source == "templates" else python_msgids()
    catalogue = french_catalogue()
    translated = set()
    for message in catalogue:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            translated.add((msgid, message.context))
    missing = [f"{where}: {key!r}" for key, where in msgids.items() if key not in translated]
    assert len(msgids) > 20
    assert not missing, f"{len(missing)} msgids without French:\n" + "\n".join(sorted(missing))


def test_placeholders_match_and_no_file_contradicts_another() -> None:
    paths = list(FRENCH.glob("*.po"))
    assert any(p.name == "messages.po" for p in paths)
    for message in french_catalogue():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(i18n.placeholders(i) for i in ids))
        for string in strings:
            assert string and not message.fuzzy, message.id
            found = i18n.placeholders(string)
            assert found == expected if len(ids) == 1 else found <= expected, (ids, string)
    assert i18n.conflicts(paths, "fr") == []


def test_french_typography_in_messages_po() -> None:
    """A non-breaking space before : ; ? ! (outside markup, paths and placeholders), inside
    « », and the typographic apostrophe; "courriel", never "e-mail"."""
    for message in i18n.read_catalogue(FRENCH / "messages.po", "fr"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            text = re.sub(r"<[^>]+>|%\(\w+\)s|/\S*|--\S*", "", string)
            assert not re.search(r"(?<![\u00a0\u202f])[:;?!](?=\s|$)", text), string
            assert "'" not in text and '"' not in text and "e-mail" not in text, string
            assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", text), string


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_po_file_is_named_with_its_line(tmp_path: Path) -> None:
    good = write(tmp_path / "a.po", 'msgid "Search"\nmsgstr "Recherche"\n')
    garbage = write(tmp_path / "b.po", 'msgid "Map"\nmsgstr "Carte"\n\nnot a PO line\n')
    with pytest.raises(i18n.CatalogueError, match=r"b\.po, line 4: "):
        i18n.merge_catalogues([good, garbage], "fr")
    unclosed = write(tmp_path / "d.po", '# x\nmsgid "Map"\nmsgstr "Carte\n')
    with pytest.raises(i18n.CatalogueError, match=r"^\S+/d\.po, line 3: expected .*quoted"):
        i18n.merge_catalogues([unclosed], "fr")
    undecodable = tmp_path / "g.po"
    undecodable.write_bytes(b'msgid "Map"\nmsgstr "Carte \xff"\n')
    with pytest.raises(i18n.CatalogueError, match=r"g\.po: cannot be read as a UTF-8 PO file"):
        i18n.merge_catalogues([undecodable], "fr")
    wrong = write(tmp_path / "c.po", '\n\nmsgid "%(n)s ads"\nmsgstr "%(nombre)s annonces"\n')
    with pytest.raises(i18n.CatalogueError, match=r"c\.po, line 3: .*placeholders"):
        i18n.merge_catalogues([good, wrong], "fr")
    plural = 'msgid "one ad"\nmsgid_plural "%(num)s ads"\nmsgstr[0] "une annonce"\n'
    fine = write(tmp_path / "e.po", plural + 'msgstr[1] "%(num)s annonces"\n')
    assert (
        i18n.compile_catalogue(i18n.merge_catalogues([fine], "fr")).ngettext(
            "one ad", "%(num)s ads", 2
        )
        == "%(num)s annonces"
    )
    extra = write(tmp_path / "f.po", plural + 'msgstr[1] "%(num)s annonces %(x)s"\n')
    with pytest.raises(i18n.CatalogueError, match=r"f\.po, line 1: .*placeholders"):
        i18n.merge_catalogues([extra], "fr")


def test_merge_keeps_messages_po_first_and_reports_conflicts(tmp_path: Path) -> None:
    main = write(tmp_path / "messages.po", 'msgid "Score"\nmsgstr "Score"\n')
    other = write(
        tmp_path / "area.po",
        'msgid "Score"\nmsgstr "Pointage"\n\n#, fuzzy\nmsgid "Map"\nmsgstr "Carte"\n\n'
        'msgid "Case"\nmsgstr ""\n\nmsgid "Note"\nmsgstr "Note"\n',
    )
    compiled = i18n.compile_catalogue(i18n.merge_catalogues([other, main], "fr"))
    assert compiled.gettext("Score") == "Score"
    assert compiled.gettext("Map") == "Map"  # fuzzy: not used
    assert compiled.gettext("Case") == "Case"  # empty: English
    assert compiled.gettext("Note") == "Note"
    assert i18n.conflicts([other, main], "fr") == [
        "area.po, line 1: 'Score' is translated differently in messages.po, line 1"
    ]


def test_the_real_catalogue_translates_and_pluralises() -> None:
    french = i18n.translations("fr")
    assert french.gettext("Search") == "Recherche"
    assert french.ngettext("%(num)s ad", "%(num)s ads", 1) == "%(num)s annonce"
    assert french.ngettext("%(num)s ad", "%(num)s ads", 2) == "%(num)s annonces"
    assert i18n.translations("en").gettext("Search") == "Search"


# --- choosing the language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "cookie", "header", "expected"),
    [
        (None, None, "", "en"),
        (None, None, "fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        (None, None, "de-DE, en;q=0.5, fr;q=0.7", "fr"),
        (None, None, "fr;q=0, en", "en"),
        (None, None, "es, *;q=0.1", "en"),
        (None, None, "garbage;;q=x,, ,", "en"),
        (None, "fr", "en", "fr"),
        (None, "xx", "fr-CA", "fr"),
        ("en", "fr", "fr-CA", "en"),
        ("fr", None, "en-US", "fr"),
    ],
)
def test_choose_locale(user: str | None, cookie: str | None, header: str, expected: str) -> None:
    assert i18n.choose_locale(user, cookie, header) == expected


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_numbers_and_dates_as_babel_writes_them(lang: str) -> None:
    number, when = pages.templates.env.filters["number"], pages.templates.env.filters["when"]
    babel_locale = pages.BABEL_LOCALES[lang]
    i18n.activate(lang)
    try:
        for value, digits in [(0.7449, 3), (12345, None), (1234567.891, 2), (-3.25, 1), (0, 1)]:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            expected = format_decimal(value, format=pattern, locale=babel_locale)
            assert number(value, digits) == expected
        assert number(2.5) == format_decimal(2.5, locale=babel_locale)
        moment = datetime(2024, 3, 1, 12, 0)
        expected = format_datetime(moment, pages.WHEN_PATTERN, locale=babel_locale)
        assert when(moment) == expected == "2024-03-01 12:00"
    finally:
        i18n.activate("en")


def test_numbers_in_french_and_english() -> None:
    number = pages.templates.env.filters["number"]
    i18n.activate("fr")
    try:
        assert number(0.7449, 3) == "0,745" and number(12345) == "12\u00a0345"
    finally:
        i18n.activate("en")
    assert number(0.7449, 3) == "0.745" and number(12345) == "12,345"


def test_messages_are_english_strings_translated_when_shown() -> None:
    message = i18n.Message("there is no ad %(ad_id)s", ad_id=7)
    assert message == "there is no ad 7" and isinstance(message, str)
    i18n.activate("fr")
    try:
        assert message.translated() == "il n’y a pas d’annonce 7"
    finally:
        i18n.activate("en")


# --- over HTTP ------------------------------------------------------------------------------


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="(\w+)">', html)
    assert found
    return found.group(1)


def test_browser_language_is_used_when_nothing_was_chosen(anonymous: TestClient) -> None:
    page = anonymous.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert lang_of(page.text) == "fr"
    assert "<h1>Connexion</h1>" in page.text and "Nom d’utilisateur" in page.text
    english = anonymous.get("/login", headers={"Accept-Language": "en-CA"})
    assert lang_of(english.text) == "en" and "<h1>Sign in</h1>" in english.text


def test_signed_out_switch_sets_the_cookie_and_returns_to_a_local_page(
    anonymous: TestClient,
) -> None:
    form = anonymous.get("/login?next=/search")
    assert 'action="/login"' in form.text and 'name="lang" value="fr"' in form.text
    token = csrf_of(form.text)
    switched = anonymous.post(
        "/login",
        data={"lang": "fr", "next": "/login?next=/search", "csrf_token": token},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/login?next=/search"
    assert "adtrace_lang=fr" in switched.headers["set-cookie"]
    page = anonymous.get("/login?next=/search")
    assert lang_of(page.text) == "fr" and 'name="lang" value="en"' in page.text
    offsite = anonymous.post(
        "/login",
        data={"lang": "en", "next": "//evil.example/x", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert offsite.headers["location"] == "/"
    forged = anonymous.post("/login", data={"lang": "fr", "next": "/"}, follow_redirects=False)
    assert forged.status_code == 403


@pytest.fixture
def admin_language_reset(seeded: Seeded) -> Iterator[None]:
    """The admin's language setting is cleared after the test, whatever happened."""
    yield
    with seeded.engine.begin() as conn:
        conn.execute(users.update().where(users.c.username == seeded.admin[0]).values(locale=None))


@pytest.mark.usefixtures("admin_language_reset")
def test_signed_in_switch_is_kept_in_the_users_table(app: Any, seeded: Seeded) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, *seeded.admin)
        home = client.get("/")
        assert lang_of(home.text) == "en" and "Clusters by review priority" in home.text
        switched = client.post(
            "/language",
            data={"lang": "fr", "next": "/search?q=x", "csrf_token": csrf_of(home.text)},
            follow_redirects=False,
        )
        assert switched.status_code == 303 and switched.headers["location"] == "/search?q=x"
        with seeded.engine.connect() as conn:
            stored = conn.execute(
                select(users.c.locale).where(users.c.username == seeded.admin[0])
            ).scalar_one()
        assert stored == "fr"
        client.cookies.delete(i18n.COOKIE)  # the user's setting alone decides now
        home = client.get("/", headers={"Accept-Language": "en"})
        assert lang_of(home.text) == "fr"
        assert "Grappes par priorité d’examen" in home.text and ">Recherche</a>" in home.text
        bad = client.post("/language", data={"lang": "de", "csrf_token": csrf_of(home.text)})
        assert bad.status_code == 400 and "La langue doit être" in bad.text
        back = client.post(
            "/language", data={"lang": "en", "next": "/", "csrf_token": csrf_of(home.text)}
        )
        assert lang_of(back.text) == "en" and "Clusters by review priority" in back.text


@pytest.fixture
def french(app: Any, seeded: Seeded) -> Iterator[TestClient]:
    """A client signed in as the analyst whose browser asks for French (no cookie, no setting)."""
    headers = {"Accept-Language": "fr-CA"}
    with TestClient(app, base_url="http://127.0.0.1", headers=headers) as client:
        yield login(client, *seeded.analyst)


def test_pages_in_french_and_json_twins_unchanged(
    french: TestClient, client: TestClient, seeded: Seeded
) -> None:
    cluster = french.get(f"/clusters/{seeded.cluster_id}").text
    assert f"<h1>Grappe {seeded.cluster_id}</h1>" in cluster
    assert "Pourquoi ces annonces sont liées" in cluster and "Annonces dans le temps" in cluster
    assert re.search(r"<td>\d,\d{3}</td>", cluster)  # link scores written 0,745
    ad = french.get(f"/ads/{seeded.escalated_ad}").text
    assert f"<h1>Annonce {seeded.escalated_ad}" in ad and "Telle que publiée" in ad
    assert "A04 escalader" in ad or "A04 à escalader" in ad
    assert french.get("/api/dashboard").json() == client.get("/api/dashboard").json()
    api = french.get(f"/api/ads/{seeded.escalated_ad}").json()
    assert api == client.get(f"/api/ads/{seeded.escalated_ad}").json()
    missing = french.get("/ads/999999999")
    assert missing.status_code == 404 and "il n’y a pas d’annonce 999999999" in missing.text
    assert french.get("/api/ads/999999999").json() == {"detail": "there is no ad 999999999"}
    problem = french.get("/search", params={"from": "hier"}).text
    assert "la date de début doit s’écrire AAAA-MM-JJ" in problem
    assert client.get("/api/search", params={"from": "x"}).json()["problem"] == (
        "the from date must be written YYYY-MM-DD"
    )


def test_french_error_pages_and_escaping(french: TestClient, seeded: Seeded) -> None:
    forged = french.post("/logout", data={"csrf_token": "wrong"})
    assert forged.status_code == 403
    assert "<h1>Erreur 403</h1>" in forged.text and "jeton CSRF absent ou erroné" in forged.text
    unknown = french.get("/no-such-page")
    assert unknown.status_code == 404 and "Introuvable" in unknown.text
    hostile = french.get(f"/ads/{seeded.hostile_ad}").text
    assert "<script>alert" not in hostile and "<svg onload" not in hostile
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in hostile


def test_french_reasons_where_the_indicator_has_them(french: TestClient, seeded: Seeded) -> None:
    english = french.get(f"/api/ads/{seeded.escalated_ad}").json()["reasons"]
    with_fr = [r for r in english if r["name_fr"]]
    assert with_fr
    page = french.get(f"/ads/{seeded.escalated_ad}").text
    for reason in with_fr:
        assert reason["name_fr"].replace("'", "&#39;") in page


# --- in the browser -------------------------------------------------------------------------


@pytest.fixture
def analyst_language_reset(seeded: Seeded) -> Iterator[None]:
    """The analyst's language setting is cleared after the test, whatever happened."""
    yield
    with seeded.engine.begin() as conn:
        conn.execute(
            users.update().where(users.c.username == seeded.analyst[0]).values(locale=None)
        )


@pytest.mark.usefixtures("analyst_language_reset")
def test_switch_to_french_and_back_in_the_browser(watched: Watched, seeded: Seeded) -> None:
    page = watched.page
    header = page.locator("header.top")
    header.get_by_role("button", name="Français").click()
    page.wait_for_url(f"{watched.base}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(header.get_by_role("link", name="Recherche")).to_be_visible()
    expect(header.get_by_role("button", name="Déconnexion")).to_be_visible()

    page.goto(f"{watched.base}/search")
    expect(page.locator("h1")).to_have_text("Recherche")
    expect(page.get_by_role("button", name="Rechercher")).to_be_visible()
    page.get_by_label("Téléphone").fill("pas un numéro")
    page.get_by_label("Téléphone").press("Enter")
    expect(page.locator("#results .error")).to_contain_text("aucun numéro de téléphone")
    # the switch comes back to the search as htmx pushed it, not to the empty form
    expect(page.locator("#language-next")).to_have_value(re.compile(r"^/search\?.*phone="))

    page.goto(f"{watched.base}/clusters/{seeded.cluster_id}")
    expect(page.locator("h1")).to_have_text(f"Grappe {seeded.cluster_id}")
    expect(page.get_by_role("heading", name="Comparer deux annonces")).to_be_visible()
    expect(page.get_by_role("button", name="Comparer")).to_be_visible()
    expect(page.locator("#timeline ~ .figure svg").first).to_contain_text("Annonces dans le temps")
    page.reload()
    expect(page.locator("h1")).to_have_text(f"Grappe {seeded.cluster_id}")

    header.get_by_role("button", name="English").click()
    page.wait_for_url(f"{watched.base}/clusters/{seeded.cluster_id}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(f"Cluster {seeded.cluster_id}")
    expect(page.get_by_role("button", name="Compare", exact=True)).to_be_visible()


@pytest.mark.usefixtures("analyst_language_reset")
def test_switch_on_the_login_page_in_the_browser(watched: Watched, seeded: Seeded) -> None:
    page = watched.page
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.locator("header.top").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Connexion")
    page.get_by_label("Nom d’utilisateur").fill(seeded.analyst[0])
    page.get_by_label("Mot de passe").fill(seeded.analyst[1])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{watched.base}/")
    expect(page.locator("h1")).to_have_text("Tableau de bord")  # the cookie chose French
    page.locator("header.top").get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
