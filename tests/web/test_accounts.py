"""Accounts: roles that apply at once, removal and disabling that end sessions, the last admin
kept, sign-in throttling, the account page, the users admin pages and what the audit log keeps.

Each test has its own store (SQLite and PostgreSQL through `store_url`): throttling counts
failures per address, and the shared seeded store must not be locked for the other web tests.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select

from adtrace.store.engine import open_store
from adtrace.store.schema import audit_log, login_failures, sessions, users
from adtrace.web import auth
from adtrace.web.app import create_app
from tests.web.conftest import csrf_of, login


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    """An empty store of this test's own, with an admin (`root`)."""
    engine = open_store(store_url)
    with engine.begin() as conn:
        auth.add_user(conn, "root", "root-password-1", role="admin")
    yield engine
    engine.dispose()


@pytest.fixture
def app(store: Engine) -> Any:
    """The app over this test's store (not the shared seeded one)."""
    return create_app(store)


def client_of(app: Any) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def signed_in(app: Any, username: str, password: str) -> TestClient:
    return login(client_of(app), username, password)


def token(client: TestClient) -> dict[str, str]:
    """The CSRF header of the client's session."""
    return {"X-CSRF-Token": csrf_of(client.get("/account").text)}


def attempt(client: TestClient, username: str, password: str, **headers: str) -> Any:
    """One sign-in through the form; the response (303 signed in, 401 wrong, 429 throttled)."""
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        headers=headers,
        follow_redirects=False,
    )


def make(store: Engine, name: str, role: str) -> tuple[str, str]:
    password = secrets.token_urlsafe(12)
    with store.begin() as conn:
        auth.add_user(conn, name, password, role=role)
    return name, password


def user_id(store: Engine, name: str) -> int:
    with store.connect() as conn:
        return int(
            conn.execute(select(users.c.user_id).where(users.c.username == name)).scalar_one()
        )


# --- roles and sessions ------------------------------------------------------------------------


def test_a_role_change_applies_to_the_next_request_of_an_open_session(
    app: Any, store: Engine
) -> None:
    bob = make(store, "bob", "analyst")
    with signed_in(app, *bob) as session, signed_in(app, "root", "root-password-1") as root:
        assert session.get("/admin/users").status_code == 403
        changed = root.post(
            f"/api/admin/users/{user_id(store, 'bob')}/role",
            json={"role": "admin"},
            headers=token(root),
        )
        assert changed.status_code == 200 and changed.json()["user"]["role"] == "admin"
        assert session.get("/admin/users").status_code == 200  # same cookie, new role
        root.post(
            f"/api/admin/users/{user_id(store, 'bob')}/role",
            json={"role": "viewer"},
            headers=token(root),
        )
        refused = session.post("/cases", data={"title": "x"}, headers=token(session))
        assert refused.status_code == 403
        export = session.post(
            "/exports",
            data={"subject": "cluster", "subject_id": "c1", "format": "csv"},
            headers=token(session),
        )
        assert export.status_code == 403  # viewers export nothing


def test_removing_a_user_ends_their_sessions_at_once(app: Any, store: Engine) -> None:
    carol = make(store, "carol", "analyst")
    with signed_in(app, *carol) as session, signed_in(app, "root", "root-password-1") as root:
        assert session.get("/api/dashboard").status_code == 200
        gone = root.post(f"/api/admin/users/{user_id(store, 'carol')}/remove", headers=token(root))
        assert gone.status_code == 200 and gone.json() == {"user": None}
        assert session.get("/api/dashboard").status_code == 401
        assert attempt(client_of(app), *carol).status_code == 401
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sessions)).scalar_one() == 1  # root


def test_a_disabled_user_cannot_sign_in_and_is_signed_out(app: Any, store: Engine) -> None:
    dave = make(store, "dave", "viewer")
    with signed_in(app, *dave) as session, signed_in(app, "root", "root-password-1") as root:
        dave_id = user_id(store, "dave")
        assert (
            root.post(
                f"/admin/users/{dave_id}/disable", headers=token(root), follow_redirects=False
            ).status_code
            == 303
        )
        assert session.get("/", follow_redirects=False).status_code == 303  # to the login form
        wrong = attempt(client_of(app), *dave)
        assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
        listed = root.get("/api/admin/users").json()["users"]
        assert next(u for u in listed if u["username"] == "dave")["disabled_at"] is not None
        assert (
            root.post(
                f"/admin/users/{dave_id}/enable", headers=token(root), follow_redirects=False
            ).status_code
            == 303
        )
        assert attempt(client_of(app), *dave).status_code == 303


def test_the_last_active_admin_cannot_be_removed_disabled_or_demoted(
    app: Any, store: Engine
) -> None:
    root_id = user_id(store, "root")
    with signed_in(app, "root", "root-password-1") as root:
        headers = token(root)
        for action, body in (("role", {"role": "analyst"}), ("disable", None), ("remove", None)):
            refused = root.post(f"/api/admin/users/{root_id}/{action}", json=body, headers=headers)
            assert refused.status_code == 409, action
            assert "last active admin" in refused.json()["detail"]
        page = root.post(f"/admin/users/{root_id}/remove", headers=headers)
        assert page.status_code == 409 and "last active admin" in page.text
        make(store, "erin", "admin")
        demoted = root.post(
            f"/api/admin/users/{root_id}/role", json={"role": "analyst"}, headers=headers
        )
        assert demoted.status_code == 200
        assert root.get("/admin/users").status_code == 403  # root is an analyst now
    with store.connect() as conn:
        assert auth.active_admins(conn) == ["erin"]
    # a disabled admin does not count as the admin the store keeps
    with store.begin() as conn:
        auth.set_role(conn, "root", "admin")
        auth.set_disabled(conn, "root", True)
        with pytest.raises(auth.LastAdmin):
            auth.remove_user(conn, "erin")


def test_only_admins_reach_the_users_pages(app: Any, store: Engine) -> None:
    for role in ("viewer", "analyst"):
        name, password = make(store, f"someone-{role}", role)
        with signed_in(app, name, password) as client:
            assert client.get("/admin/users").status_code == 403
            assert client.get("/api/admin/users").status_code == 403
            added = client.post(
                "/api/admin/users", json={"username": "mallory"}, headers=token(client)
            )
            assert added.status_code == 403
    with store.connect() as conn:
        assert auth.known_user(conn, "mallory") is None


# --- the users admin page ----------------------------------------------------------------------


def test_an_admin_adds_a_user_whose_password_is_shown_once(app: Any, store: Engine) -> None:
    with signed_in(app, "root", "root-password-1") as root:
        page = root.post(
            "/admin/users",
            data={"username": "frank", "role": "viewer", "csrf_token": token(root)["X-CSRF-Token"]},
        )
        assert page.status_code == 200
        shown = re.search(r'<code class="adm-password">([^<]+)</code>', page.text)
        assert shown and len(shown.group(1)) >= auth.PASSWORD_MIN
        listing = root.get("/admin/users").text
        assert "frank" in listing and shown.group(1) not in listing  # once
        taken = root.post("/api/admin/users", json={"username": "frank"}, headers=token(root))
        assert taken.status_code == 400 and "taken" in taken.json()["detail"]
        reset = root.post(
            f"/api/admin/users/{user_id(store, 'frank')}/password", headers=token(root)
        ).json()
        assert reset["username"] == "frank" and reset["password"] != shown.group(1)
    assert attempt(client_of(app), "frank", shown.group(1)).status_code == 401
    with signed_in(app, "frank", reset["password"]) as frank:
        assert frank.get("/api/account").json()["role"] == "viewer"


def test_user_names_are_checked_and_shown_escaped(app: Any, store: Engine) -> None:
    with signed_in(app, "root", "root-password-1") as root:
        headers = token(root)
        for bad in ("", "   ", "a" * 101, "evil\u202etxt", "tab\there"):
            refused = root.post("/api/admin/users", json={"username": bad}, headers=headers)
            assert refused.status_code in (400, 422), bad
        hostile = '<img src=x onerror=alert(1)>"'
        made = root.post("/api/admin/users", json={"username": hostile}, headers=headers)
        assert made.status_code == 200
        page = root.get("/admin/users").text
        assert hostile not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
        bad_role = root.post(
            "/api/admin/users", json={"username": "gina", "role": "root"}, headers=headers
        )
        assert bad_role.status_code == 400


def test_the_users_pages_in_french(app: Any, store: Engine) -> None:
    root_id = user_id(store, "root")
    with signed_in(app, "root", "root-password-1") as root:
        root.cookies.set("adtrace_lang", "fr")
        page = root.get("/admin/users")
        assert "Ajouter un utilisateur" in page.text and "Add a user" not in page.text
        refused = root.post(f"/admin/users/{root_id}/disable", headers=token(root))
        assert refused.status_code == 409
        assert "est le dernier administrateur actif\u00a0:" in refused.text


# --- your account ------------------------------------------------------------------------------


def test_changing_your_password_ends_your_other_sessions(app: Any, store: Engine) -> None:
    hank = make(store, "hank", "viewer")
    with signed_in(app, *hank) as here, signed_in(app, *hank) as elsewhere:
        csrf = token(here)["X-CSRF-Token"]

        def change(current: str, new: str, repeat: str) -> Any:
            form = {"current": current, "new": new, "repeat": repeat, "csrf_token": csrf}
            return here.post("/account/password", data=form)

        assert "differ" in change(hank[1], "new-password-123", "new-password-124").text
        assert "12 to 1000 characters" in change(hank[1], "short", "short").text
        wrong = change("not-my-password", "new-password-123", "new-password-123")
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        done = change(hank[1], "new-password-123", "new-password-123")
        assert done.status_code == 200 and "Your password is changed" in done.text
        assert here.get("/api/account").json()["username"] == "hank"
        assert elsewhere.get("/api/account").status_code == 401
    assert attempt(client_of(app), *hank).status_code == 401
    assert attempt(client_of(app), "hank", "new-password-123").status_code == 303


def test_the_json_twin_of_the_password_change(app: Any, store: Engine) -> None:
    ivy = make(store, "ivy", "analyst")
    with signed_in(app, *ivy) as client:
        headers = token(client)
        wrong = client.post(
            "/api/account/password",
            json={"current": "nope", "new": "fresh-password-1"},
            headers=headers,
        )
        assert wrong.status_code == 400 and wrong.json()["detail"] == (
            "Your current password is wrong."
        )
        short = client.post(
            "/api/account/password", json={"current": ivy[1], "new": "short"}, headers=headers
        )
        assert short.status_code == 400 and "12 to 1000 characters" in short.json()["detail"]
        done = client.post(
            "/api/account/password",
            json={"current": ivy[1], "new": "fresh-password-1"},
            headers=headers,
        )
        assert done.status_code == 200 and done.json()["username"] == "ivy"
    assert failures(store) == 1  # the wrong current password
    assert attempt(client_of(app), "ivy", "fresh-password-1").status_code == 303


# --- throttling --------------------------------------------------------------------------------


def failures(store: Engine) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(login_failures)).scalar_one())


def test_five_failures_for_a_name_refuse_it_for_a_while_whether_or_not_it_exists(
    app: Any, store: Engine
) -> None:
    ivan = make(store, "ivan", "analyst")
    client = client_of(app)
    for name in ("ivan", "nobody-at-all"):
        for _ in range(auth.MAX_USER_FAILURES):
            assert attempt(client, name, "wrong-password").status_code == 401
        refused = attempt(client, name, ivan[1] if name == "ivan" else "x")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
        assert "Too many failed sign-ins: wait 15 minutes and try again." in refused.text
    # the refusal reads the same for a user who exists and one who does not
    a = attempt(client, "ivan", "x").text
    b = attempt(client, "nobody-at-all", "x").text
    strip = re.compile(r'(?:value|content)="[^"]{30,}"')  # the forms' CSRF tokens
    assert strip.sub("", a) == strip.sub("", b)
    assert attempt(client, "IVAN", ivan[1]).status_code == 429  # names are counted case-folded
    assert failures(store) == 2 * auth.MAX_USER_FAILURES  # refused attempts are not counted
    # another name from the same address is still let in
    assert attempt(client, "root", "root-password-1").status_code == 303


def test_the_window_passes_and_a_success_clears_the_names_failures(app: Any, store: Engine) -> None:
    judy = make(store, "judy", "analyst")
    old = datetime.now(UTC) - auth.THROTTLE_WINDOW - timedelta(seconds=5)
    with store.begin() as conn:
        rows = [{"username": "judy", "address": "testclient", "at": old}] * 10
        conn.execute(insert(login_failures), rows)
    assert attempt(client_of(app), *judy).status_code == 303  # old failures do not count
    assert failures(store) == 0  # and the success cleared them
    client = client_of(app)
    for _ in range(auth.MAX_USER_FAILURES - 1):
        attempt(client, "judy", "wrong-password")
    assert attempt(client_of(app), *judy).status_code == 303
    for _ in range(auth.MAX_USER_FAILURES - 1):  # 8 failures in the window without the clearing
        assert attempt(client, "judy", "wrong-password").status_code == 401
    assert attempt(client, "judy", "wrong-password").status_code == 401  # count restarted
    assert attempt(client, *judy).status_code == 429  # and counts again


def test_twenty_failures_from_one_address_refuse_every_name(app: Any, store: Engine) -> None:
    client = client_of(app)
    for n in range(auth.MAX_ADDRESS_FAILURES):
        assert attempt(client, f"guess-{n % 10}-{n}", "wrong-password").status_code == 401
    assert attempt(client, "root", "root-password-1").status_code == 429
    with store.begin() as conn:  # another address is let in
        assert not auth.sign_in_refused(conn, "root", "192.0.2.7")
        assert auth.sign_in_refused(conn, "root", "testclient")


def test_failures_older_than_a_day_are_pruned(app: Any, store: Engine) -> None:
    ancient = datetime.now(UTC) - auth.FAILURES_KEPT - timedelta(minutes=1)
    with store.begin() as conn:
        conn.execute(
            insert(login_failures),
            [{"username": f"u{n}", "address": "192.0.2.1", "at": ancient} for n in range(30)],
        )
    assert attempt(client_of(app), "root", "wrong-password").status_code == 401
    assert failures(store) == 1


def test_the_throttle_message_in_french(app: Any, store: Engine) -> None:
    client = client_of(app)
    client.cookies.set("adtrace_lang", "fr")
    for _ in range(auth.MAX_USER_FAILURES):
        attempt(client, "root", "wrong-password")
    refused = attempt(client, "root", "root-password-1")
    assert refused.status_code == 429
    assert "Trop de connexions échouées\u00a0: attendez 15 minutes et réessayez." in refused.text


# --- the audit log -----------------------------------------------------------------------------


def events(store: Engine) -> list[tuple[str | None, str, str | None, dict[str, Any]]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(
                audit_log.c.username, audit_log.c.action, audit_log.c.target, audit_log.c.details
            )
            .where(audit_log.c.action.like("%sign_in%") | audit_log.c.action.like("user_%"))
            .order_by(audit_log.c.event_id)
        ).all()
    return [(r.username, r.action, r.target, dict(r.details)) for r in rows]


def test_sign_ins_and_user_changes_are_audited_without_passwords(app: Any, store: Engine) -> None:
    kim = make(store, "kim", "analyst")
    attempt(client_of(app), "kim", "wrong-password-kim")
    attempt(client_of(app), "no-such-user-secret", "wrong-password-x")
    with signed_in(app, "root", "root-password-1") as root:
        created = root.post(
            "/api/admin/users", json={"username": "lena", "role": "viewer"}, headers=token(root)
        ).json()
        root.post(
            f"/api/admin/users/{created['user_id']}/role",
            json={"role": "analyst"},
            headers=token(root),
        )
    assert attempt(client_of(app), *kim).status_code == 303
    seen = events(store)
    assert (None, "sign_in_failed", "user:kim", {}) in seen
    assert (None, "sign_in_failed", None, {}) in seen  # an unknown name is not kept
    assert ("root", "sign_in", "user:root", {}) in seen
    assert ("root", "user_add", "user:lena", {"role": "viewer"}) in seen
    assert ("root", "user_role", "user:lena", {"role": "analyst"}) in seen
    assert ("kim", "sign_in", "user:kim", {}) in seen
    everything = repr(seen)
    for secret in (kim[1], "wrong-password", "no-such-user-secret", created["password"]):
        assert secret not in everything
    with store.connect() as conn:
        assert auth.get_account(conn, "kim").last_sign_in is not None
