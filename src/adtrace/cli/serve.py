"""`adtrace serve`: the investigator web application on this machine."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store

SERVE_HELP = """Serve the web application (search, ads, clusters, comparison; /docs, /healthz).

Listens on 127.0.0.1 by default: only this machine can reach it. With --demo-admin, a store
without any user gets the user "admin" with a random password, printed once.

With ADTRACE_MODE=production (or mode = "production" in adtrace.toml) the server refuses to
start unless the store has an active admin (create one with `adtrace user add NAME --role
admin`), and --demo-admin is refused: production never creates a default password.

Example: adtrace serve --db sqlite:///demo/adtrace.db --port 8000 --demo-admin
"""


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    demo_admin: Annotated[
        bool,
        typer.Option(
            "--demo-admin",
            help="If the store has no user, create 'admin' with a random password (printed once).",
        ),
    ] = False,
) -> None:
    import uvicorn

    from adtrace.store.search_index import index_pending
    from adtrace.web.app import create_app
    from adtrace.web.auth import DEMO_ADMIN, ensure_demo_admin

    with cli_errors():
        settings = settings_with(db=db)
        if settings.mode == "production" and demo_admin:
            raise UsageProblem(
                "--demo-admin is refused in production mode (ADTRACE_MODE=production): "
                "create an admin with `adtrace user add NAME --role admin`"
            )
        engine = store(settings)
        if settings.mode == "production":
            _require_admin(engine)
        indexed = index_pending(engine)
        if indexed:
            out.print(f"search index: indexed {indexed:,} new or changed ads", markup=False)
        if demo_admin:
            password = ensure_demo_admin(engine)
            if password is None:
                out.print("the store already has users: sign in with yours", markup=False)
            else:
                out.print(
                    f"created user {DEMO_ADMIN} with password {password} (shown once)",
                    markup=False,
                    highlight=False,
                )
        app = create_app(settings)
        out.print(f"serving on http://{host}:{port} (Ctrl-C stops)", markup=False)
        if host not in ("127.0.0.1", "localhost", "::1"):
            out.print(
                f"warning: listening on {host}: other machines can reach the app", markup=False
            )
    with cli_errors():
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
        except OSError as problem:
            raise UsageProblem(f"cannot listen on {host}:{port}: {problem}") from None


def _require_admin(engine: Engine) -> None:
    """Production mode: refuse to start (exit 2) when no admin could sign in."""
    from adtrace.web.auth import has_active_admin

    if not has_active_admin(engine):
        raise UsageProblem(
            "production mode (ADTRACE_MODE=production) needs an active admin and the store "
            "has none: create one with `adtrace user add NAME --role admin`"
        )
