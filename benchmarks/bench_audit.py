"""What the audit log costs a search: p50/p95 of /api/search with and without the audit
middleware, on the seeded web-test store (300 synthetic ads, tests/web/seed.py) or a given one.

Two apps over the same store, the same analyst, the same queries (a common word, a phone written
obfuscated, a persona name, an e-mail, words + city + dates), alternated request by request so
both see the same machine load. Two ways of timing:

- in-process (FastAPI TestClient): the call returns when the app has finished, so it includes
  the audit row's hashing and INSERT (written after the response is sent): an upper bound;
- loopback (uvicorn in a thread, httpx): what a browser waits for; the INSERT runs after the
  response has left.

    .venv/bin/python benchmarks/bench_audit.py [--repeat 200] [--db sqlite:///...]
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.web.conftest import Served, login  # noqa: E402
from tests.web.seed import obfuscated, seed_store, shared_phone  # noqa: E402

from adtrace.store.engine import open_store  # noqa: E402
from adtrace.store.schema import audit_log  # noqa: E402
from adtrace.web.app import create_app  # noqa: E402
from adtrace.web.audit import AuditTrail  # noqa: E402
from adtrace.web.auth import add_user  # noqa: E402


def without_audit(app: Any) -> Any:
    """`app` with the audit middleware taken out (before its middleware stack is built)."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not AuditTrail]
    return app


def queries(engine: Any) -> list[dict[str, str]]:
    phone, _cluster = shared_phone(engine)
    return [
        {"q": "sweet"},
        {"phone": obfuscated(phone)},
        {"name": "jade"},
        {"email": "someone@example.org"},
        {"q": "new town", "city": "ottawa", "from": "2024-01-01", "to": "2024-12-31"},
    ]


def timed(get: Any, params: dict[str, str]) -> float:
    start = time.perf_counter()
    answer = get("/api/search", params=params)
    elapsed = time.perf_counter() - start
    assert answer.status_code == 200, answer.text
    return elapsed


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def measure(clients: dict[str, Any], asked: list[dict[str, str]], repeat: int) -> dict[str, Any]:
    """Each query on each app, `repeat` times; the apps' order drawn anew each time (seeded), so
    neither always follows the other's after-response INSERT."""
    times: dict[str, list[float]] = {name: [] for name in clients}
    order = random.Random(7)
    names = list(clients)
    for _ in range(repeat):
        for params in asked:
            order.shuffle(names)
            for name in names:
                times[name].append(timed(clients[name].get, params))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--db", help="an existing store (default: seed 300 ads in /tmp)")
    args = parser.parse_args()
    if args.db:
        url, engine = args.db, open_store(args.db)
    else:
        folder = Path(tempfile.mkdtemp(prefix="adtrace-bench-audit-"))
        seeded = seed_store(f"sqlite:///{folder / 'store.db'}", folder)
        url, engine = seeded.url, seeded.engine
    name, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    with engine.begin() as conn:
        add_user(conn, name, password)
        events_before = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    asked = queries(engine)
    apps = {"audit on": create_app(engine), "audit off": without_audit(create_app(engine))}
    rows = []
    with TestClient(apps["audit on"]) as on, TestClient(apps["audit off"]) as off:
        clients = {"audit on": login(on, name, password), "audit off": login(off, name, password)}
        measure(clients, asked, 3)  # warm up
        rows += [("in-process", k, v) for k, v in measure(clients, asked, args.repeat).items()]
    served = {key: Served(app) for key, app in apps.items()}
    try:
        loop: dict[str, Any] = {}
        for key, server in served.items():
            loop[key] = httpx.Client(base_url=server.url)
            form = loop[key].get("/login")
            token = form.cookies.get("adtrace_login_csrf") or ""
            loop[key].post(
                "/login", data={"username": name, "password": password, "csrf_token": token}
            )
        measure(loop, asked, 3)
        rows += [("loopback", k, v) for k, v in measure(loop, asked, args.repeat).items()]
    finally:
        for server in served.values():
            server.stop()
    with engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    print(f"store {url.split('/')[-1]}, {len(asked)} queries x {args.repeat} per app and mode; ")
    print(f"audit rows written: {events - events_before}")
    print(f"{'timing':<11} {'app':<10} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'mean ms':>8}")
    for mode, key, values in rows:
        p50, p95, mean = pct(values, 50), pct(values, 95), statistics.fmean(values) * 1000
        print(f"{mode:<11} {key:<10} {len(values):>8} {p50:>7.2f} {p95:>7.2f} {mean:>8.2f}")


if __name__ == "__main__":
    main()
