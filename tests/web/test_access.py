"""Access: every route of the app, every method, for every role, over HTTP (table-driven).

`ACCESS` has one entry per (method, path) of `app.routes`; a route added without an entry fails
`test_every_route_has_an_entry`. Each entry gives a sample request (path parameters filled with
the seeded store's ids, or ids that do not exist where a real one would change shared rows) and
the status each role gets: anonymous, viewer, analyst, admin. State-changing requests carry the
session's CSRF token, so what is tested is the role check; their bodies are chosen so that a
request the role may make changes nothing (a missing field, an id that does not exist).

Anonymous: pages redirect to the login form (303), the API answers 401, POSTs are refused by the
CSRF check (403: no session, no token); /login, /healthz and /static are open. A logged-out client
gets nothing but the login page: no ad text, cluster id, phone or user name in any body.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from adtrace.store.schema import batches, escalations
from adtrace.web.app import create_app
from adtrace.web.auth import add_user
from tests.web.conftest import csrf_of, login
from tests.web.seed import HOSTILE_TEXT, Seeded

ROLES: Final = ("anonymous", "viewer", "analyst", "admin")
MISSING: Final = 999_999_999
"""An id no row has: where a real id would change rows other tests read."""


@dataclass(frozen=True)
class Case:
    """A sample request and the status each role gets (anonymous, viewer, analyst, admin)."""

    path: str
    expect: tuple[int, int, int, int]
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    fresh_session: bool = False  # the request ends the session (logout)


PAGE = (303, 200, 200, 200)
"""A page anyone signed in reads."""
API = (401, 200, 200, 200)
"""A JSON twin anyone signed in reads."""
PAGE_404 = (303, 404, 404, 404)
API_404 = (401, 404, 404, 404)
WRITE = (403, 403, 404, 404)
"""A change analysts and admins may make (here on a row that does not exist), viewers not."""
WRITE_400 = (403, 403, 400, 400)
"""The same with a body the app refuses (400): nothing changes."""
ADMIN_PAGE = (303, 403, 403, 200)
ADMIN_API = (401, 403, 403, 200)
ADMIN_WRITE = (403, 403, 403, 404)
ADMIN_REFUSED = (403, 403, 403, 400)
"""An admin's change whose sample body is refused (400)."""
ANYONE_400 = (403, 400, 400, 400)
"""Any signed-in user may post it; the sample body is refused (400)."""

ACCESS: Final[dict[tuple[str, str], Case]] = {
    # session, account, health
    ("GET", "/login"): Case("/login", (200, 303, 303, 303)),
    ("POST", "/login"): Case("/login", (403, 403, 403, 403), {"lang": "en"}),
    ("POST", "/logout"): Case("/logout", (403, 303, 303, 303), fresh_session=True),
    ("POST", "/language"): Case("/language", ANYONE_400, {"lang": "xx"}),
    ("GET", "/healthz"): Case("/healthz", (200, 200, 200, 200)),
    ("GET", "/account"): Case("/account", PAGE),
    ("GET", "/api/account"): Case("/api/account", API),
    ("POST", "/account/password"): Case(
        "/account/password", ANYONE_400, {"current": "x", "new": "a" * 12, "repeat": "b" * 12}
    ),
    ("POST", "/api/account/password"): Case(
        "/api/account/password",
        (403, 422, 422, 422),
        json={"current": "x"},  # no failure kept
    ),
    # reading
    ("GET", "/"): Case("/", PAGE),
    ("GET", "/api/dashboard"): Case("/api/dashboard", API),
    ("GET", "/search"): Case("/search?q=real", PAGE),
    ("GET", "/api/search"): Case("/api/search?q=real", API),
    ("GET", "/ads/{ad_id}"): Case("/ads/{ad}", PAGE),
    ("GET", "/api/ads/{ad_id}"): Case("/api/ads/{ad}", API),
    ("GET", "/clusters/{cluster_id}"): Case("/clusters/{cluster}", PAGE),
    ("GET", "/api/clusters/{cluster_id}"): Case("/api/clusters/{cluster}", API),
    ("GET", "/api/clusters/{cluster_id}/graph"): Case("/api/clusters/{cluster}/graph", API),
    ("GET", "/compare"): Case("/compare?a={ad}&b={escalated}", PAGE),
    ("GET", "/api/compare"): Case("/api/compare?a={ad}&b={escalated}", API),
    ("GET", "/docs"): Case("/docs", PAGE),
    ("GET", "/openapi.json"): Case("/openapi.json", API),
    # escalations
    ("GET", "/escalations"): Case("/escalations", PAGE),
    ("GET", "/api/escalations"): Case("/api/escalations", API),
    ("GET", "/escalations/nav"): Case("/escalations/nav", PAGE),
    ("GET", "/escalations/{escalation_id}"): Case("/escalations/{escalation}", PAGE),
    ("GET", "/api/escalations/{escalation_id}"): Case("/api/escalations/{escalation}", API),
    ("GET", "/ads/{ad_id}/escalation"): Case("/ads/{escalated}/escalation", PAGE),
    ("GET", "/api/ads/{ad_id}/escalation"): Case("/api/ads/{escalated}/escalation", API),
    ("POST", "/escalations/{escalation_id}/status"): Case(
        "/escalations/{missing}/status", WRITE, {"status": "reviewing"}
    ),
    ("POST", "/escalations/{escalation_id}/owner"): Case(
        "/escalations/{missing}/owner", WRITE, {"owner": ""}
    ),
    ("POST", "/escalations/{escalation_id}/comments"): Case(
        "/escalations/{missing}/comments", WRITE, {"comment": "x"}
    ),
    ("POST", "/api/escalations/{escalation_id}/status"): Case(
        "/api/escalations/{missing}/status", WRITE, json={"status": "reviewing"}
    ),
    ("POST", "/api/escalations/{escalation_id}/owner"): Case(
        "/api/escalations/{missing}/owner", WRITE, json={"owner": None}
    ),
    ("POST", "/api/escalations/{escalation_id}/comments"): Case(
        "/api/escalations/{missing}/comments", WRITE, json={"comment": "x"}
    ),
    # imports
    ("GET", "/imports"): Case("/imports", PAGE),
    ("GET", "/api/imports"): Case("/api/imports", API),
    ("GET", "/imports/jobs/{job_id}"): Case("/imports/jobs/{missing}", PAGE_404),
    ("GET", "/imports/jobs/{job_id}/status"): Case("/imports/jobs/{missing}/status", PAGE_404),
    ("GET", "/api/imports/jobs/{job_id}"): Case("/api/imports/jobs/{missing}", API_404),
    ("GET", "/imports/batches/{batch_id}"): Case("/imports/batches/{batch}", PAGE),
    ("GET", "/api/imports/batches/{batch_id}"): Case("/api/imports/batches/{batch}", API),
    ("POST", "/imports"): Case("/imports", WRITE_400),
    ("POST", "/imports/batches/{batch_id}/undo"): Case(
        "/imports/batches/{missing}/undo", WRITE, {"confirm": ""}
    ),
    # case work
    ("GET", "/clusters/{cluster_id}/casework"): Case("/clusters/{cluster}/casework", PAGE),
    ("GET", "/api/clusters/{cluster_id}/casework"): Case("/api/clusters/{cluster}/casework", API),
    ("POST", "/clusters/{cluster_id}/label"): Case(
        "/clusters/no-such-cluster/label", WRITE, {"label": "suspected"}
    ),
    ("POST", "/clusters/{cluster_id}/label/remove"): Case(
        "/clusters/no-such-cluster/label/remove",
        (403, 403, 303, 303),  # nothing to remove
    ),
    ("POST", "/clusters/{cluster_id}/notes"): Case(
        "/clusters/no-such-cluster/notes", WRITE, {"note": "x"}
    ),
    ("POST", "/clusters/{cluster_id}/tags"): Case(
        "/clusters/no-such-cluster/tags", WRITE, {"tag": "x"}
    ),
    ("POST", "/clusters/{cluster_id}/annotations/{annotation_id}/remove"): Case(
        "/clusters/no-such-cluster/annotations/{missing}/remove", WRITE
    ),
    ("POST", "/clusters/{cluster_id}/cases"): Case("/clusters/{cluster}/cases", WRITE_400),
    ("GET", "/ads/{ad_id}/casework"): Case("/ads/{ad}/casework", PAGE),
    ("GET", "/api/ads/{ad_id}/casework"): Case("/api/ads/{ad}/casework", API),
    ("POST", "/ads/{ad_id}/cases"): Case("/ads/{ad}/cases", WRITE_400),
    ("GET", "/cases"): Case("/cases", PAGE),
    ("GET", "/api/cases"): Case("/api/cases", API),
    ("POST", "/cases"): Case("/cases", WRITE_400, {"title": ""}),
    ("GET", "/cases/{case_id}"): Case("/cases/{missing}", PAGE_404),
    ("GET", "/api/cases/{case_id}"): Case("/api/cases/{missing}", API_404),
    ("POST", "/cases/{case_id}/ads"): Case("/cases/{missing}/ads", WRITE, {"ad_id": "1"}),
    ("POST", "/cases/{case_id}/items/{item_id}/remove"): Case(
        "/cases/{missing}/items/{missing}/remove", WRITE
    ),
    ("POST", "/cases/{case_id}/status"): Case(
        "/cases/{missing}/status", WRITE, {"status": "closed"}
    ),
    ("GET", "/review"): Case("/review", PAGE),
    ("GET", "/api/review"): Case("/api/review", API),
    # exports: viewers read the record of exports but export nothing
    ("POST", "/exports"): Case(
        "/exports",
        WRITE,
        {"subject": "cluster", "subject_id": "no-such-cluster", "format": "csv"},
    ),
    ("GET", "/exports"): Case("/exports", PAGE),
    ("GET", "/api/exports"): Case("/api/exports", API),
    # users administration: admins only
    ("GET", "/admin/users"): Case("/admin/users", ADMIN_PAGE),
    ("POST", "/admin/users"): Case("/admin/users", ADMIN_REFUSED, {"username": " "}),
    ("POST", "/admin/users/{user_id}/role"): Case(
        "/admin/users/{missing}/role", ADMIN_WRITE, {"role": "viewer"}
    ),
    ("POST", "/admin/users/{user_id}/disable"): Case("/admin/users/{missing}/disable", ADMIN_WRITE),
    ("POST", "/admin/users/{user_id}/enable"): Case("/admin/users/{missing}/enable", ADMIN_WRITE),
    ("POST", "/admin/users/{user_id}/remove"): Case("/admin/users/{missing}/remove", ADMIN_WRITE),
    ("POST", "/admin/users/{user_id}/password"): Case(
        "/admin/users/{missing}/password", ADMIN_WRITE
    ),
    ("GET", "/api/admin/users"): Case("/api/admin/users", ADMIN_API),
    # retention: admins only; the samples are refused (nothing is purged or saved)
    ("GET", "/admin/retention"): Case("/admin/retention", ADMIN_PAGE),
    ("GET", "/api/admin/retention"): Case("/api/admin/retention", ADMIN_API),
    ("POST", "/admin/retention/setting"): Case(
        "/admin/retention/setting", ADMIN_REFUSED, {"days": "x"}
    ),
    ("POST", "/admin/retention/preview"): Case(
        "/admin/retention/preview", ADMIN_REFUSED, {"kind": "selector", "value": "nonsense"}
    ),
    ("POST", "/admin/retention/purge"): Case(
        "/admin/retention/purge", ADMIN_REFUSED, {"kind": "selector", "value": "nonsense"}
    ),
    ("POST", "/api/admin/retention/setting"): Case(
        "/api/admin/retention/setting", ADMIN_REFUSED, json={"retention_days": 0}
    ),
    ("POST", "/api/admin/retention/preview"): Case(
        "/api/admin/retention/preview", ADMIN_REFUSED, json={"selector": "nonsense"}
    ),
    ("POST", "/api/admin/retention/purge"): Case(
        "/api/admin/retention/purge", ADMIN_REFUSED, json={"selector": "nonsense"}
    ),
    # audit log: admins only
    ("GET", "/admin/audit"): Case("/admin/audit", ADMIN_PAGE),
    ("GET", "/admin/audit.csv"): Case("/admin/audit.csv", ADMIN_PAGE),
    ("GET", "/api/admin/audit"): Case("/api/admin/audit", ADMIN_API),
    ("POST", "/api/admin/users"): Case(
        "/api/admin/users", ADMIN_REFUSED, json={"username": " ", "role": "viewer"}
    ),
    ("POST", "/api/admin/users/{user_id}/role"): Case(
        "/api/admin/users/{missing}/role", ADMIN_WRITE, json={"role": "viewer"}
    ),
    ("POST", "/api/admin/users/{user_id}/disable"): Case(
        "/api/admin/users/{missing}/disable", ADMIN_WRITE
    ),
    ("POST", "/api/admin/users/{user_id}/enable"): Case(
        "/api/admin/users/{missing}/enable", ADMIN_WRITE
    ),
    ("POST", "/api/admin/users/{user_id}/remove"): Case(
        "/api/admin/users/{missing}/remove", ADMIN_WRITE
    ),
    ("POST", "/api/admin/users/{user_id}/password"): Case(
        "/api/admin/users/{missing}/password", ADMIN_WRITE
    ),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every API route of the app, routers included."""
    found = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            for method in context.methods or ():
                found.add((method, str(context.path)))
    return found


def test_every_route_has_an_entry(app: Any) -> None:
    routes = app_routes(app)
    assert len(routes) > 60
    missing = sorted(routes - ACCESS.keys())
    stale = sorted(ACCESS.keys() - routes)
    assert not missing, f"routes without an access entry in tests/web/test_access.py: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"


def test_a_new_route_without_an_entry_is_found(seeded: Seeded) -> None:
    fresh = create_app(seeded.engine)  # not the shared app: it keeps its routes
    fresh.add_api_route("/api/new-list", lambda: [], methods=["GET"])
    assert app_routes(fresh) - ACCESS.keys() == {("GET", "/api/new-list")}


# --- clients ---------------------------------------------------------------------------------


@dataclass
class Signed:
    """A client signed in with a role, and its session's CSRF token."""

    client: TestClient
    csrf: str


def _sign_in(app: Any, username: str, password: str) -> Signed:
    client = TestClient(app, base_url="http://127.0.0.1")
    login(client, username, password)
    return Signed(client, csrf_of(client.get("/account").text))


@pytest.fixture(scope="module")
def people(app: Any, seeded: Seeded) -> Iterator[dict[str, tuple[str, str]]]:
    """A user of each role created for this module (the seeded users stay untouched)."""
    made = {}
    with seeded.engine.begin() as conn:
        for role in ROLES[1:]:
            name, password = f"access-{role}-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
            add_user(conn, name, password, role=role)
            made[role] = (name, password)
    yield made


@pytest.fixture(scope="module")
def signed(app: Any, people: dict[str, tuple[str, str]]) -> Iterator[dict[str, Signed]]:
    """A client per role: anonymous (no session, no token) and each signed-in role."""
    clients = {"anonymous": Signed(TestClient(app, base_url="http://127.0.0.1"), "")}
    for role, (name, password) in people.items():
        clients[role] = _sign_in(app, name, password)
    yield clients
    for held in clients.values():
        held.client.close()


@pytest.fixture(scope="module")
def ids(seeded: Seeded, signed: dict[str, Signed]) -> dict[str, Any]:
    """Values for the sample paths' placeholders."""
    signed["analyst"].client.get("/api/escalations")  # escalations are synced on first read
    with seeded.engine.connect() as conn:
        escalation = conn.execute(
            select(escalations.c.escalation_id).where(escalations.c.ad_id == seeded.escalated_ad)
        ).scalar_one()
        batch = conn.execute(select(batches.c.batch_id).limit(1)).scalar_one()
    return {
        "ad": seeded.hostile_ad,
        "escalated": seeded.escalated_ad,
        "cluster": seeded.cluster_id,
        "escalation": escalation,
        "batch": batch,
        "missing": MISSING,
    }


def _send(
    app: Any,
    held: Signed,
    people: dict[str, tuple[str, str]],
    role: str,
    case: Case,
    path: str,
    method: str,
) -> Any:
    if case.fresh_session and role != "anonymous":
        held = _sign_in(app, *people[role])
    headers = {"X-CSRF-Token": held.csrf} if held.csrf else {}
    if method == "GET":
        return held.client.get(path, follow_redirects=False)
    if case.json is not None:
        return held.client.post(path, json=case.json, headers=headers, follow_redirects=False)
    return held.client.post(path, data=case.form, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ACCESS), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_listed(
    app: Any,
    role: str,
    route: tuple[str, str],
    signed: dict[str, Signed],
    people: dict[str, tuple[str, str]],
    ids: dict[str, Any],
) -> None:
    method, _template = route
    case = ACCESS[route]
    path = case.path.format(**ids)
    response = _send(app, signed[role], people, role, case, path, method)
    expected = case.expect[ROLES.index(role)]
    assert response.status_code == expected, (role, method, path, response.text[:300])
    if role == "anonymous" and expected == 303 and method == "GET":
        assert response.headers["location"].startswith("/login?next=")


SECRETS_OF_THE_STORE: Final = ('Hi "><svg', "613 555 0199", "613 555 0142", "not yet 18")


@pytest.mark.parametrize(
    "route", sorted(r for r in ACCESS if r[0] == "GET"), ids=lambda r: f"GET {r[1]}"
)
def test_a_logged_out_client_gets_nothing_but_the_login_page(
    route: tuple[str, str],
    signed: dict[str, Signed],
    people: dict[str, tuple[str, str]],
    ids: dict[str, Any],
    seeded: Seeded,
) -> None:
    anonymous = signed["anonymous"].client
    response = anonymous.get(ACCESS[route].path.format(**ids), follow_redirects=True)
    body = response.text
    path = ACCESS[route].path.format(**ids)
    leaks = [
        *SECRETS_OF_THE_STORE,
        HOSTILE_TEXT[:20],
        seeded.cluster_id,
        seeded.phone,
        *(name for name, _password in people.values()),
    ]
    # the login form's `next` field echoes the path the client asked for: that is not data
    assert not [leak for leak in leaks if leak in body and leak not in path], route
    if route[1] != "/healthz":
        # every page ends on the login form; the API answers 401 without data
        assert response.status_code in (200, 401)
        if response.status_code == 200:
            assert 'id="password"' in body and str(response.url.path) == "/login"
        else:
            assert response.json() == {"detail": "sign in first"}


PAGED: Final = {"paging": "page"}
LISTS: Final[dict[str, dict[str, str]]] = {
    "/api/dashboard": PAGED,
    "/api/search?q=real": PAGED,
    "/api/escalations": PAGED,
    "/api/imports": PAGED,
    "/api/exports": PAGED,
    "/api/cases": PAGED,
    "/api/review": PAGED,
    "/api/clusters/{cluster}": {"paging": "page", "links_paging": "links_page"},
    "/api/ads/{ad}": {"sightings_paging": "page"},
}
"""The JSON lists a viewer reads, with their paging objects and the query parameters that move
them: one page at a time, of a capped size; a page out of range is refused."""


@pytest.mark.parametrize("path", sorted(LISTS))
def test_every_list_a_viewer_reads_is_paged(
    path: str, signed: dict[str, Signed], ids: dict[str, Any]
) -> None:
    viewer = signed["viewer"].client
    url = path.format(**ids)
    answer = viewer.get(url).json()
    pagings = {k for k in answer if k.endswith("paging")}
    assert pagings == set(LISTS[path]), pagings
    assert all(1 <= answer[k]["per_page"] <= 100 for k in pagings)
    joiner = "&" if "?" in url else "?"
    for name in LISTS[path].values():
        for wrong in ("0", "1000001", "x"):
            assert viewer.get(f"{url}{joiner}{name}={wrong}").status_code == 422, (url, name)
