"""Recording the audit log: one ASGI middleware for the whole app.

After the app has answered, the middleware knows the matched route's path template and path
parameters, the signed-in user (looked up by the route's dependencies) and the status sent; from
those it writes at most one `audit_log` row per request (adtrace.store.audit):

- `search` for /search and /api/search with at least one criterion: every free-text field (words,
  phone, e-mail, handle, name, city, site) as keyed hashes of its normalised terms, the other
  criteria (dates, score, sort, page) as given;
- `view_ad`, `view_cluster`, `view_case`, `compare`, `view_escalation`, `view_import_job`,
  `view_import` for those pages and their JSON twins (fragments htmx loads into them, the graph,
  list pages, the navigation badge and job polling are not recorded);
- `export` for POST /exports (subject, format, redacted, from the export's record);
- `change` for every other POST (route, path parameters, status, where it redirected), and
  `sign_out`. Sign-ins are recorded by adtrace.web.auth (`sign_in`), not here.

The row is written in the same request, after the response has been sent (one INSERT, about a
millisecond), so the user does not wait for it. When the store cannot take it within 250 ms
(SQLite's single writer is held by an import for the whole import; PostgreSQL is restarting) the
event waits in the app's `AuditWriter` queue, in order, and a background thread writes it as soon
as the store takes it. A change is committed by its route before its audit row: it is never
refused or undone because of the audit. An event that still cannot be written after 15 minutes,
or when the app stops, is logged at ERROR level whole (it holds only hashes and ids) so it can be
entered again: an audit failure is never silent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI, Request
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adtrace.extract import extract_all
from adtrace.settings import Settings
from adtrace.store.audit import AuditKeyError, AuditWriter, NewEvent, keyed_hash, store_key
from adtrace.store.schema import exports as exports_table
from adtrace.store.search_index import words
from adtrace.web.auth import User
from adtrace.web.search import QueryProblem, read_phones

log = logging.getLogger(__name__)

VIEWS: Final = {
    "/ads/{ad_id}": "view_ad",
    "/api/ads/{ad_id}": "view_ad",
    "/clusters/{cluster_id}": "view_cluster",
    "/api/clusters/{cluster_id}": "view_cluster",
    "/cases/{case_id}": "view_case",
    "/api/cases/{case_id}": "view_case",
    "/escalations/{escalation_id}": "view_escalation",
    "/api/escalations/{escalation_id}": "view_escalation",
    "/imports/jobs/{job_id}": "view_import_job",
    "/api/imports/jobs/{job_id}": "view_import_job",
    "/imports/batches/{batch_id}": "view_import",
    "/api/imports/batches/{batch_id}": "view_import",
}
"""Pages (and JSON twins) whose every view is recorded, by path template."""

COMPARES: Final = ("/compare", "/api/compare")
AUDIT_PAGES: Final = {
    "/admin/audit": "view_audit",
    "/api/admin/audit": "view_audit",
    "/admin/audit.csv": "export",
}
"""The audit log's own pages: an admin's look-ups and exports of the log are recorded too."""
AUDIT_KEPT: Final = ("user", "action", "target", "from", "to", "kind", "page")
SEARCHES: Final = ("/search", "/api/search")
NOT_RECORDED_POSTS: Final = ("/login",)
"""POSTs recorded elsewhere: sign-ins (success and failure) by adtrace.web.auth."""
ACCOUNT_POSTS: Final = ("/admin/users", "/api/admin/users", "/account/password")
"""POSTs whose success adtrace.web.auth records as its own event (`user_role`, `user_add`,
`password_change`...): recorded here only when refused or failed (status 400 and over)."""

TARGET_KINDS: Final = {
    "ad_id": "ad",
    "cluster_id": "cluster",
    "case_id": "case",
    "escalation_id": "escalation",
    "job_id": "import_job",
    "batch_id": "batch",
    "annotation_id": "annotation",
    "item_id": "item",
    "username": "user",
    "user_id": "user",
}
"""How a path parameter names its object in `target` ("ad:17")."""

HASHED_FIELDS: Final = ("q", "phone", "email", "handle", "name", "city", "site")
"""Search fields typed freely: recorded only as keyed hashes of their normalised terms."""
KEPT_FIELDS: Final = {
    "from": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "to": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "min_score": re.compile(r"^-?\d{1,6}(\.\d{1,6})?$"),
    "sort": re.compile(r"^(newest|oldest|score|site)$"),
    "page": re.compile(r"^\d{1,6}$"),
}
"""Search fields kept as sent when they have their expected form (else hashed too)."""
TERM_KINDS: Final = {"q": "word", "name": "name", "city": "city"}


# --- normalised, keyed hashes of search terms ---------------------------------------------------


def search_terms(kind: str, written: str, region: str = "CA") -> list[str]:
    """The normalised terms a value typed in search field `kind` is recorded under.

    A phone is read as the search reads it (E.164, "phone:+16135550142"), an e-mail lower-cased,
    a handle lower-cased without its "@", words folded like the search index ("word:rose",
    "name:jade", "city:gatineau"); free text also gives the phones and e-mails read in it, so
    "who searched this phone" finds a number typed in the text box too.
    """
    value = written.strip()
    if not value:
        return []
    if kind == "phone":
        try:
            return [f"phone:{p}" for p in read_phones(value, region)]
        except QueryProblem:
            return [f"phone-written:{value}"]
    if kind == "email":
        return [f"email:{value.lower()}"]
    if kind == "handle":
        return [f"handle:{value.lstrip('@').lower()}"]
    if kind == "site":
        return [f"site:{value}"]
    terms = [f"{TERM_KINDS.get(kind, kind)}:{w}" for w in dict.fromkeys(words(value))]
    if kind == "q":
        found = extract_all(value, region=region)
        terms += [f"phone:{s.value}" for s in found.phones]
        terms += [f"email:{s.value}" for s in found.emails]
    return list(dict.fromkeys(terms))


def term_hashes(kind: str, written: str, key: bytes, region: str = "CA") -> list[str]:
    """The keyed hashes of `search_terms(kind, written)`."""
    return [keyed_hash(term, key=key) for term in search_terms(kind, written, region)]


def search_details(query: Mapping[str, str], key: bytes, region: str) -> dict[str, Any] | None:
    """What a search is recorded with (None: no criterion given, nothing to record)."""
    hashed: dict[str, list[str]] = {}
    kept: dict[str, str] = {}
    for name, value in query.items():
        if not value.strip():
            continue
        pattern = KEPT_FIELDS.get(name)
        if pattern is not None and pattern.match(value.strip()):
            kept[name] = value.strip()
        elif name in HASHED_FIELDS or name in KEPT_FIELDS:
            hashed[name] = term_hashes(name, value, key, region)
    if not hashed and not set(kept) - {"sort", "page"}:
        return None
    return {"terms": hashed, "filters": kept}


# --- the middleware -------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One audit row to write (what record_event takes)."""

    username: str | None
    action: str
    target: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    address: str | None = None


@dataclass(slots=True)
class Answer:
    """What the app answered: status and the headers the audit reads."""

    status: int = 500
    location: str | None = None
    export_id: int | None = None


class AuditTrail:
    """ASGI middleware writing one audit row per request worth auditing (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        answer = Answer()

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                _read_answer(answer, message)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if _worth_auditing(scope, answer):
                await run_in_threadpool(self.record, scope, answer)

    def record(self, scope: Scope, answer: Answer) -> None:
        """Build the request's event and hand it to the app's AuditWriter (which writes it now
        or soon, and logs it at ERROR level if it never can); errors are logged, never raised."""
        app = scope["app"]
        event: Event | None = None
        try:
            event = self.event(scope, answer, app_key(app))
            if event is None:
                return
            if event.action == "export" and answer.export_id is not None:
                with app.state.engine.connect() as conn:
                    _add_export(conn, event, answer)
        except (SQLAlchemyError, AuditKeyError, OSError) as err:
            log.error(
                "audit event NOT recorded (%s): %s",
                type(err).__name__,
                json.dumps(_loggable(event, scope, answer), default=str),
            )
            return
        writer: AuditWriter = app.state.audit_writer
        writer.append(
            NewEvent(
                username=event.username,
                action=event.action,
                target=event.target,
                details=event.details,
                address=event.address,
            )
        )

    def event(self, scope: Scope, answer: Answer, key: bytes) -> Event | None:
        """The event of this request, or None when it is not worth a row."""
        template = _template(scope)
        params = {str(k): str(v) for k, v in (scope.get("path_params") or {}).items()}
        user = _user(scope)
        base = Event(
            username=None if user is None else user.username,
            action="",
            details={"route": f"{scope['method']} {template}", "status": answer.status},
            address=_address(scope),
        )
        if scope["method"] == "GET":
            if user is None or answer.status in (401, 403):
                return None  # nothing was shown (the login redirect, a refusal)
            return self._read_event(scope, base, template, params, answer, key)
        base.action = {"/exports": "export", "/logout": "sign_out"}.get(template, "change")
        _name_target(base, params, answer, key)
        if answer.location:
            base.details["location"] = answer.location
        return base

    def _read_event(
        self,
        scope: Scope,
        base: Event,
        template: str,
        params: dict[str, str],
        answer: Answer,
        key: bytes,
    ) -> Event | None:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        region = scope["app"].state.region
        if template in SEARCHES:
            details = search_details(query, key, region)
            if details is None:
                return None
            base.action = "search"
            base.details.update(details)
            return base
        if template in COMPARES:
            base.action = "compare"
            params = {k: query[k] for k in ("a", "b") if query.get(k, "").isdigit()}
            base.target = f"ad:{params['a']}" if "a" in params else None
            if "b" in params:
                base.details["with"] = f"ad:{params['b']}"
            return base
        if template in AUDIT_PAGES:
            base.action = AUDIT_PAGES[template]
            base.target = "audit" if base.action == "export" else None
            base.details.update(_audit_lookup(query, key, region))
            return base
        base.action = VIEWS[template]
        _name_target(base, params, answer, key)
        return base


def _read_answer(answer: Answer, message: Message) -> None:
    answer.status = int(message["status"])
    for name, value in message.get("headers", []):
        lower = name.decode("latin-1").lower()
        if lower == "location":
            answer.location = urlsplit(value.decode("latin-1")).path[:200] or None
        elif lower == "x-export-id" and value.isdigit():
            answer.export_id = int(value)


def _worth_auditing(scope: Scope, answer: Answer) -> bool:
    template = _template(scope)
    if scope["method"] == "GET":
        return any(template in known for known in (VIEWS, SEARCHES, COMPARES, AUDIT_PAGES))
    if template.startswith(ACCOUNT_POSTS) and answer.status < 400:
        return False
    return bool(template) and template not in NOT_RECORDED_POSTS


def _template(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "") or "")


def _user(scope: Scope) -> User | None:
    found = (scope.get("state") or {}).get("user")
    return found if isinstance(found, User) else None


def _address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _name_target(event: Event, params: dict[str, str], answer: Answer, key: bytes) -> None:
    """Name the request's object: its first path parameter ("ad:17"), every parameter in the
    details. A refused or failed request keeps its parameters only as keyed hashes: a probe such
    as /ads/6135550142 must not put a phone number in the log."""
    if not params:
        return
    if answer.status >= 400:
        event.details["params"] = {k: keyed_hash(f"param:{v}", key=key) for k, v in params.items()}
        return
    event.details["params"] = params
    name, value = next(iter(params.items()))
    event.target = f"{TARGET_KINDS.get(name, name.removesuffix('_id'))}:{value}"


def _add_export(conn: Any, event: Event, answer: Answer) -> None:
    """An export's subject, format and redaction, read from its record (X-Export-Id)."""
    row = (
        conn.execute(
            select(
                exports_table.c.subject,
                exports_table.c.subject_id,
                exports_table.c.format,
                exports_table.c.redacted,
            ).where(exports_table.c.export_id == answer.export_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return
    event.target = f"{row['subject']}:{row['subject_id']}"
    event.details.update(
        export_id=answer.export_id, format=row["format"], redacted=bool(row["redacted"])
    )


def _loggable(event: Event | None, scope: Scope, answer: Answer) -> dict[str, Any]:
    """The event for the error log: only what the row would hold (hashes, ids, status)."""
    if event is None:
        return {"route": f"{scope['method']} {_template(scope)}", "status": answer.status}
    return {
        "username": event.username,
        "action": event.action,
        "target": event.target,
        "details": event.details,
        "address": event.address,
    }


def _audit_lookup(query: Mapping[str, str], key: bytes, region: str) -> dict[str, Any]:
    """An admin's filters of the audit log; the looked-up term as its keyed hashes."""
    kept = {k: v for k, v in query.items() if k in AUDIT_KEPT and v.strip()}
    term = query.get("term", "")
    if not term.strip():
        return {"filters": kept}
    kind = query.get("kind", "phone")
    return {"filters": kept, "terms": {kind: term_hashes(kind, term, key, region)}}


def install_audit(app: FastAPI, source: Settings | Engine) -> None:
    """Record the audit log of `app` and serve its admin pages (/admin/audit).

    The key of the search-term hashes is the `secret_key` setting when `source` is settings that
    set it, else the store's key file (adtrace.store.audit.store_key)."""
    from adtrace.web.routes import audit as audit_routes

    app.state.audit_secret = source.secret_key if isinstance(source, Settings) else None
    app.state.audit_writer = AuditWriter(app.state.engine)

    def read_key() -> None:
        """At start: a server that cannot hash search terms (AuditKeyError) does not start."""
        app_key(app)

    app.router.on_startup.append(read_key)
    app.router.on_shutdown.append(app.state.audit_writer.close)
    app.add_middleware(AuditTrail)
    app.include_router(audit_routes.router)


def app_key(app: Any) -> bytes:
    """The audit key of `app`'s store (read or made on first use, then kept)."""
    known: bytes | None = getattr(app.state, "audit_key", None)
    if known is None:
        known = store_key(app.state.engine, getattr(app.state, "audit_secret", None))
        app.state.audit_key = known
    return known


def request_key(request: Request) -> bytes:
    """The audit key of the request's app (for the admin pages' term look-up)."""
    return app_key(request.app)
