"""Load test: N analysts at once against `adtrace serve` running as a second process on loopback.

The store comes from a SQLite store built by bench_web.py (synthetic ads through the whole
pipeline; that store is never written to):

- sqlite: a copy of it, upgraded with `adtrace db upgrade`, plus the bench analysts;
- postgresql: a private PostgreSQL server (initdb under --work, its own port, stopped at the end),
  the schema made by `adtrace db upgrade`, then every table of the SQLite copy copied over (COPY,
  in foreign-key order; sequences moved past the copied keys), then ANALYZE.

Copies are kept under --work and reused by the next run (delete the folder to start again).
Then `adtrace serve --db URL --port P` starts, N analysts sign in through the login form, and for
--seconds each one loops: search (a common word, a phone written as ads write it, a persona name,
in turn), open the first hit's ad page, open that ad's cluster page; every request is an HTML
page, as the browser asks for it. Latencies are measured in this process (threads, one HTTP
client each); an error is any status other than 200 or a failed request.

    .venv/bin/python benchmarks/bench_load.py \\
        --source /tmp/adtrace-bench-web/n100000-s1/store.db --analysts 4 8 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import pwd
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, select, text  # noqa: E402
from tests.postgres import find_bindir  # noqa: E402
from tests.web.seed import obfuscated  # noqa: E402

from adtrace.store.engine import create_store_engine  # noqa: E402
from adtrace.store.schema import ads, metadata, selectors, users  # noqa: E402
from adtrace.web.auth import add_user  # noqa: E402

ADTRACE = ROOT / ".venv" / "bin" / "adtrace"
PASSWORD = "load-password-not-secret"  # noqa: S105 - users of a throwaway /tmp store
WORDS = ("real", "downtown", "quality time", "new in town", "sweet", "massage")
"""Common words of the synthetic ads (adtrace.synth)."""
SAMPLES = 200
"""Phones and names drawn from the store for the searches."""
LOAD_AT_START = os.getloadavg()[0]
"""The machine's load when the benchmark started (other work running on the same cores)."""
COPY_ROWS = 100_000
"""Rows read from SQLite per round trip while copying to PostgreSQL."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def adtrace(*args: str) -> None:
    """Run the adtrace command line; stop the benchmark if it fails."""
    subprocess.run([str(ADTRACE), *args], check=True, capture_output=True, text=True)


# --- stores ----------------------------------------------------------------------------------


def sqlite_copy(source: Path, work: Path) -> str:
    """A copy of the source store, upgraded to this adtrace's schema (made once)."""
    target = work / f"{source.parent.name}-{source.stem}.db"
    done = target.with_suffix(".ready")
    if not done.exists():
        for old in work.glob(f"{target.name}*"):
            old.unlink()
        started = time.perf_counter()
        # Read only (no pragma, no journal change): VACUUM INTO copies it consistently.
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            conn.execute("VACUUM INTO ?", (str(target),))
        url = f"sqlite:///{target}"
        adtrace("db", "upgrade", "--db", url)
        done.write_text("ok")
        print(f"  sqlite copy + upgrade: {time.perf_counter() - started:.0f} s", flush=True)
    return f"sqlite:///{target}"


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of this benchmark: data under `root`, Unix socket there, own port."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def user(self) -> str:
        return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.root}&port={self.port}"

    def _run(self, program: str, *args: str) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL server binaries not found: apt-get install postgresql")
        command = [str(bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        if not self.data.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                entry = pwd.getpwnam("postgres")
                os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8")
        # A team server's usual settings for a machine of this size; durability kept (fsync on).
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses='' -c shared_buffers=1GB "
            "-c work_mem=16MB -c maintenance_work_mem=512MB -c max_wal_size=4GB"
        )
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def postgres_copy(sqlite_url: str, server: PrivatePostgres, name: str) -> str:
    """A database on `server` holding the SQLite store's rows (made once)."""
    url = server.url(name)
    done = server.root / f"{name}.ready"
    if done.exists():
        return url
    started = time.perf_counter()
    admin = create_store_engine(server.url("postgres")).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        # `name` is made by this script from the source folder's name: [a-z0-9_] only.
        assert re.fullmatch(r"[a-z0-9_]+", name)
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    adtrace("db", "upgrade", "--db", url)
    copy_tables(create_store_engine(sqlite_url), create_store_engine(url))
    done.write_text("ok")
    print(f"  postgresql copy: {time.perf_counter() - started:.0f} s", flush=True)
    return url


def copy_tables(source: Engine, target: Engine) -> None:
    """Every table's rows, parents before children, with PostgreSQL's COPY; then the sequences
    of the auto-increment keys continue after the copied keys, and ANALYZE.

    Values go as SQLite holds them (text for times and JSON, 0/1 for booleans, bytes for blobs):
    PostgreSQL reads each by its column's type. Table and column names come from schema.py."""
    with target.begin() as pg:
        pg.exec_driver_sql("SET TIME ZONE 'UTC'")  # SQLite holds UTC times without a zone
        raw = pg.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        for table in metadata.sorted_tables:
            started = time.perf_counter()
            names = [column.name for column in table.columns]
            columns = ", ".join(f'"{n}"' for n in names)
            count = 0
            with source.connect() as lite:
                query = f'SELECT {columns} FROM "{table.name}"'  # noqa: S608 - schema.py names
                rows = lite.exec_driver_sql(query)
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    while chunk := rows.fetchmany(COPY_ROWS):
                        for row in chunk:
                            copy.write_row(row)
                        count += len(chunk)
            if count:
                print(f"    {table.name}: {count:,} rows, {time.perf_counter() - started:.0f} s")
            for column in table.primary_key.columns:
                if column.autoincrement is True:
                    top = f'SELECT max("{column.name}") FROM "{table.name}"'  # noqa: S608
                    sequence = "pg_get_serial_sequence(:t, :c)"
                    pg.execute(
                        text(f"SELECT setval({sequence}, 1 + COALESCE(({top}), 0), false)"),
                        {"t": table.name, "c": column.name},
                    )
    with target.connect() as pg:
        pg.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def add_analysts(url: str, n: int) -> list[str]:
    """Usernames load-1 … load-n (analysts), created when missing."""
    names = [f"load-{i}" for i in range(1, n + 1)]
    engine = create_store_engine(url)
    with engine.begin() as conn:
        known = set(conn.execute(select(users.c.username)).scalars())
        for name in names:
            if name not in known:
                add_user(conn, name, PASSWORD, role="analyst")
    engine.dispose()
    return names


@dataclass(frozen=True)
class Workload:
    """What the analysts search for: (parameter, value) pairs, taken in turn."""

    searches: list[tuple[str, str]]
    n_ads: int


def workload(url: str, seed: int) -> Workload:
    """Common words, phones (written obfuscated) and persona names drawn from the store."""
    rng = random.Random(seed)
    engine = create_store_engine(url)
    with engine.connect() as conn:
        n_ads = conn.execute(select(func.count()).select_from(ads)).scalar_one()
        top = conn.execute(select(func.max(selectors.c.selector_id))).scalar_one()
        drawn: dict[str, list[str]] = {"phone": [], "name": []}
        for kind in drawn:
            starts = [rng.randint(1, top) for _ in range(SAMPLES)]
            for start in starts:
                value = conn.execute(
                    select(selectors.c.value)
                    .where(selectors.c.kind == kind, selectors.c.selector_id >= start)
                    .order_by(selectors.c.selector_id)
                    .limit(1)
                ).scalar()
                if value is not None:
                    drawn[kind].append(str(value))
    engine.dispose()
    searches: list[tuple[str, str]] = []
    for i in range(SAMPLES):
        searches.append(("q", WORDS[i % len(WORDS)]))
        if drawn["phone"]:
            searches.append(("phone", obfuscated(drawn["phone"][i % len(drawn["phone"])])))
        if drawn["name"]:
            searches.append(("name", drawn["name"][i % len(drawn["name"])]))
    return Workload(searches, n_ads)


# --- the load --------------------------------------------------------------------------------


@contextmanager
def serving(url: str) -> Iterator[str]:
    """`adtrace serve` on a free loopback port, as a second process; its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADTRACE_")}
    log = open(Path("/tmp") / f"bench-load-serve-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(ADTRACE), "serve", "--db", url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise SystemExit(f"adtrace serve stopped: see {log.name}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("adtrace serve did not answer within 300 s")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


CSRF = re.compile(r'name="csrf[-_]token" (?:content|value)="([^"]+)"')
AD_LINK = re.compile(r'class="hit-title" href="/ads/(\d+)"')
CLUSTER_LINK = re.compile(r'href="/clusters/([^"#]+)"')


@dataclass
class Tally:
    """Latencies (ms) of the requests and the errors, shared by the analysts' threads."""

    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, client: httpx.Client, url: str) -> str | None:
        """GET `url`; the page's text, or None on an error (counted)."""
        started = time.perf_counter()
        try:
            response = client.get(url)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        took = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies.append(took)
            self.by_kind.setdefault(kind_of(url), []).append(took)
            self.errors += not ok
        return response.text if ok else None


def kind_of(url: str) -> str:
    """What a request is, for the table by page: ads, clusters, search?q, search?phone, ..."""
    path, _, query = url.partition("?")
    page = path.split("/")[1]
    return f"{page}?{query.partition('=')[0]}" if query else page


def sign_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = CSRF.search(client.get("/login").text)
    assert token, "the login page has no CSRF token"
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.status_code
    return client


def analyst(client: httpx.Client, work: Workload, tally: Tally, until: float, seed: int) -> None:
    """Search, open the first hit's ad, open its cluster; again until `until`."""
    turn = random.Random(seed).randrange(len(work.searches))
    while time.monotonic() < until:
        key, value = work.searches[turn % len(work.searches)]
        turn += 1
        found = tally.get(client, f"/search?{key}={quote_plus(value)}")
        hit = AD_LINK.search(found or "")
        if hit is None or time.monotonic() >= until:
            continue
        page = tally.get(client, f"/ads/{hit.group(1)}")
        cluster = CLUSTER_LINK.search(page or "")
        if cluster is None or time.monotonic() >= until:
            continue
        tally.get(client, f"/clusters/{cluster.group(1)}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_load(base: str, names: list[str], work: Workload, seconds: float) -> tuple[Tally, float]:
    clients = [sign_in(base, name) for name in names]
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    threads = [
        threading.Thread(target=analyst, args=(client, work, tally, until, i))
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    return tally, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a SQLite store (read only)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--analysts", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--work", type=Path, default=Path("/tmp/adtrace-bench-load"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lite = sqlite_copy(args.source, args.work)
    name = re.sub(r"[^a-z0-9_]", "_", args.source.parent.name.lower())
    server = PrivatePostgres(args.work / "postgresql")
    rows = []
    try:
        if "postgresql" in args.backends:
            server.start()
        for backend in args.backends:
            url = lite if backend == "sqlite" else postgres_copy(lite, server, name)
            names = add_analysts(url, max(args.analysts))
            work = workload(url, args.seed)
            with serving(url) as base:
                run_load(base, names[:2], work, min(10.0, args.seconds))  # warm the caches
                for n in args.analysts:
                    tally, elapsed = run_load(base, names[:n], work, args.seconds)
                    rows.append((backend, work.n_ads, n, elapsed, tally))
                    print(f"  {backend} N={n}: {len(tally.latencies):,} requests", flush=True)
    finally:
        if "postgresql" in args.backends and server.data.exists():
            server.stop()
    print()
    header = "backend | ads | analysts | seconds | requests | rps | p50 ms | p95 ms | p99 ms"
    print(f"| {header} | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, n_ads, n, elapsed, tally in rows:
        values = tally.latencies
        print(
            f"| {backend} | {n_ads:,} | {n} | {elapsed:.0f} | {len(values):,} "
            f"| {len(values) / elapsed:.1f} | {statistics.median(values):.0f} "
            f"| {pct(values, 0.95):.0f} | {pct(values, 0.99):.0f} | {tally.errors} |"
        )
    print("\n| backend | analysts | page | requests | p50 ms | p95 ms |")
    print("|---|---:|---|---:|---:|---:|")
    for backend, _n_ads, n, _elapsed, tally in rows:
        for kind, values in sorted(tally.by_kind.items()):
            print(
                f"| {backend} | {n} | {kind} | {len(values):,} "
                f"| {statistics.median(values):.0f} | {pct(values, 0.95):.0f} |"
            )
    print(
        f"\ncpu cores: {os.cpu_count()}; load average (1 min) at the start: {LOAD_AT_START:.1f}, "
        f"at the end: {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
