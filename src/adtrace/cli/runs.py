"""`adtrace runs list|diff`: the store's link runs and what changed between two of them."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store

runs_app = typer.Typer(help="Link runs: list them, compare two.", no_args_is_help=True)

SHOWN = 10
"""Cluster ids listed per kind of change (the counts are always complete)."""


@runs_app.command("list")
def runs_list(
    db: DbOption = None,
    every_stage: Annotated[
        bool, typer.Option("--all", help="Runs of every stage (extract, score), not only link.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List link runs, oldest first: full or incremental, ads linked, clusters, ads moved.

    Example: adtrace runs list --db sqlite:///adtrace.db
    """
    from adtrace.store.runs import list_runs

    with cli_errors():
        with store(settings_with(db=db)).connect() as conn:
            rows = list_runs(conn, None if every_stage else "link")
        if as_json:
            for row in rows:
                line = json.dumps(_summary(row), default=str, ensure_ascii=False)
                out.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        table = Table(
            title="runs (times in UTC; code versions: --json)",
            box=None,
            show_edge=False,
            padding=(0, 2, 0, 0),
            pad_edge=False,
        )
        for column in ("run", "stage", "mode", "started", "status"):
            table.add_column(column, no_wrap=True)
        for column in ("ads", "clusters", "moved"):
            table.add_column(column, justify="right", no_wrap=True)
        for row in rows:
            s = _summary(row)
            table.add_row(
                str(s["run"]),
                s["stage"],
                s["mode"],
                str(s["started"])[5:16],
                s["status"],
                *(
                    f"{s[n]:,}" if isinstance(s[n], int) else ""
                    for n in ("ads", "clusters", "moved")
                ),
            )
        out.print(table)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    params, counts = row["params"] or {}, row["counts"] or {}
    return {
        "run": row["run_id"],
        "stage": row["stage"],
        "mode": params.get("mode", ""),
        "model_run": params.get("model_run"),
        "started": row["started_at"],
        "status": row["status"],
        "code": row["code_version"],
        "ads": counts.get("ads"),
        "clusters": counts.get("clusters"),
        "moved": counts.get("moved"),
    }


@runs_app.command("diff")
def runs_diff(
    run_a: Annotated[int, typer.Argument(metavar="RUN_A", help="Earlier link run.")],
    run_b: Annotated[int, typer.Argument(metavar="RUN_B", help="Later link run.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Compare the clusters after RUN_A with those after RUN_B: created, merged, split, changed,
    removed and unchanged clusters.

    Example: adtrace runs diff 3 4 --db sqlite:///adtrace.db
    """
    from adtrace.cluster.identity import diff_partitions
    from adtrace.store.clusters import members_after
    from adtrace.store.runs import list_runs

    with cli_errors():
        with store(settings_with(db=db)).connect() as conn:
            known = {r["run_id"] for r in list_runs(conn, "link") if r["status"] == "complete"}
            for run in (run_a, run_b):
                if run not in known:
                    raise UsageProblem(f"run {run} is not a complete link run (adtrace runs list)")
            diff = diff_partitions(members_after(conn, run_a), members_after(conn, run_b))
        kinds = {name: getattr(diff, name) for name in diff.__dataclass_fields__}
        if as_json:
            line = json.dumps({"run_a": run_a, "run_b": run_b, **kinds})
            out.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        table = Table(title=f"clusters: run {run_a} → run {run_b}", box=box.SIMPLE)
        table.add_column("change", no_wrap=True)
        table.add_column("clusters", justify="right", no_wrap=True)
        table.add_column(f"ids (first {SHOWN})", overflow="fold")
        for name, ids in kinds.items():
            table.add_row(name, f"{len(ids):,}", " ".join(ids[:SHOWN]))
        out.print(table)
