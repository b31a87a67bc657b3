"""`adtrace user add|remove|role|list|disable|enable|password`: the store's users from the shell.

The same rules as the web app's admin pages (adtrace.web.auth): removing or disabling a user ends
their sessions at once, a role change applies to their next request, and the last active admin
cannot be removed, disabled or demoted. A password is typed at a hidden prompt (twice) or read
from the first line of standard input with --password-stdin; it is never an argument (arguments
end up in shell history and process lists).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import Connection

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store

user_app = typer.Typer(
    help="Users of the web app: add, remove, change role, list, disable, enable.",
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(help="User name.", show_default=False)]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


@contextmanager
def _accounts(db: str | None) -> Iterator[Connection]:
    """One transaction on the store; account errors become one sentence and exit 2."""
    from adtrace.web.auth import AccountError

    with cli_errors():
        try:
            with store(settings_with(db=db)).begin() as conn:
                yield conn
        except AccountError as problem:
            raise UsageProblem(str(problem)) from None


def _read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice at a hidden prompt (before any
    transaction opens). A password too short or too long is bad input (exit 2)."""
    from adtrace.web.auth import AccountError, check_new_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with cli_errors():
        try:
            check_new_password(password)
        except AccountError as problem:
            raise UsageProblem(str(problem)) from None
    return password


@user_app.command("add")
def user_add(
    name: Name,
    role: Annotated[
        str, typer.Option("--role", help="admin, analyst or viewer.", show_default=True)
    ] = "analyst",
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user with a password you type (twice, hidden) or pipe in with --password-stdin.

    Example: adtrace user add alice --role admin --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import add_user

    password = _read_password(password_stdin)
    with _accounts(db) as conn:
        add_user(conn, name, password, role)
        _audit(conn, "user_add", name, role=role)
    out.print(f"added {role} {name}", markup=False, highlight=False)


@user_app.command("remove")
def user_remove(name: Name, db: DbOption = None) -> None:
    """Remove a user; their sessions end at once (what they did stays recorded).

    Example: adtrace user remove bob --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import remove_user

    _change(db, name, "user_remove", remove_user, f"removed {name}")


@user_app.command("role")
def user_role(
    name: Name,
    role: Annotated[str, typer.Argument(help="admin, analyst or viewer.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Give a user another role (applies to their next request).

    Example: adtrace user role bob viewer --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import set_role

    _change(
        db,
        name,
        "user_role",
        lambda conn, who: set_role(conn, who, role),
        f"{name} is now {role}",
        role=role,
    )


@user_app.command("disable")
def user_disable(name: Name, db: DbOption = None) -> None:
    """Disable a user: they cannot sign in, and their sessions end at once.

    Example: adtrace user disable bob --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import set_disabled

    _change(
        db,
        name,
        "user_disable",
        lambda conn, who: set_disabled(conn, who, True),
        f"disabled {name}",
    )


@user_app.command("enable")
def user_enable(name: Name, db: DbOption = None) -> None:
    """Enable a disabled user again.

    Example: adtrace user enable bob --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import set_disabled

    _change(
        db, name, "user_enable", lambda conn, who: set_disabled(conn, who, False), f"enabled {name}"
    )


@user_app.command("password")
def user_password(name: Name, password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Set a user's password (typed twice, hidden, or --password-stdin); their sessions end.

    Example: adtrace user password alice --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import set_password

    password = _read_password(password_stdin)
    with _accounts(db) as conn:
        set_password(conn, name, password)
        _audit(conn, "user_password", name)
    out.print(f"changed the password of {name}", markup=False, highlight=False)


def _change(
    db: str | None,
    name: str,
    action: str,
    change: Callable[[Connection, str], None],
    done: str,
    **details: str,
) -> None:
    """`change` the user `name` and record `action` in the audit log, in one transaction."""
    with _accounts(db) as conn:
        change(conn, name)
        _audit(conn, action, name, **details)
    out.print(done, markup=False, highlight=False)


def _audit(conn: Connection, action: str, name: str, **details: str) -> None:
    """An account change made from the command line (`by` is None: no user signed in)."""
    from adtrace.web.auth import record_account_event

    record_account_event(conn, action, by=None, username=name, via="cli", **details)


@user_app.command("list")
def user_list(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List users by name: role, created, disabled, last sign-in (times in UTC).

    Example: adtrace user list --db sqlite:///adtrace.db
    """
    from adtrace.web.auth import list_users

    with _accounts(db) as conn:
        accounts = list_users(conn)
    if as_json:
        for a in accounts:
            line = {
                "username": a.username,
                "role": a.role,
                "created_at": a.created_at.isoformat(),
                "disabled_at": None if a.disabled_at is None else a.disabled_at.isoformat(),
                "last_sign_in": None if a.last_sign_in is None else a.last_sign_in.isoformat(),
            }
            out.print(json.dumps(line, ensure_ascii=False), markup=False, highlight=False)
        return
    table = Table(title="users (times in UTC)", box=None, show_edge=False, pad_edge=False)
    for column in ("user", "role", "created", "disabled", "last sign-in"):
        table.add_column(column, no_wrap=True)
    for a in accounts:
        table.add_row(
            Text(a.username),  # a name is shown as is, never read as rich markup
            a.role,
            f"{a.created_at:%Y-%m-%d %H:%M}",
            "" if a.disabled_at is None else f"{a.disabled_at:%Y-%m-%d %H:%M}",
            "" if a.last_sign_in is None else f"{a.last_sign_in:%Y-%m-%d %H:%M}",
        )
    out.print(table)
