"""The `adtrace` command: one Typer app, one module per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adtrace import __version__
from adtrace.cli import db as db_commands
from adtrace.cli import export as export_commands
from adtrace.cli import extract as extract_commands
from adtrace.cli import ingest as ingest_commands
from adtrace.cli import link as link_commands
from adtrace.cli import purge as purge_commands
from adtrace.cli import runs as runs_commands
from adtrace.cli import score as score_commands
from adtrace.cli import serve as serve_commands
from adtrace.cli import users as users_commands
from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with
from adtrace.logs import configure_logging

app = typer.Typer(
    name="adtrace",
    help="Trace the operations behind online sex ads: ingest, extract, link, score, review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        out.print(f"adtrace {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logging.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Errors only.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """adtrace: compare ads across sites, extract selectors, link ads into operations, score them.

    Settings come from adtrace.toml and ADTRACE_* variables (see docs/configuration.md).

    Example: adtrace run export.csv --db sqlite:///adtrace.db
    """
    with cli_errors():
        configure_logging(settings_with().log_level, verbose=verbose, quiet=quiet)


app.command(help=ingest_commands.INGEST_HELP)(ingest_commands.ingest)
app.add_typer(ingest_commands.import_app, name="import")
app.command(help=extract_commands.EXTRACT_HELP)(extract_commands.extract)
app.command(help=link_commands.LINK_HELP)(link_commands.link)
app.add_typer(link_commands.clusters_app, name="clusters")
app.add_typer(runs_commands.runs_app, name="runs")
app.command(help=score_commands.SCORE_HELP)(score_commands.score)
app.add_typer(db_commands.db_app, name="db")
app.command(help=serve_commands.SERVE_HELP)(serve_commands.serve)
app.add_typer(export_commands.export_app, name="export")
app.command(help=purge_commands.PURGE_HELP)(purge_commands.purge)
app.add_typer(users_commands.user_app, name="user")


@app.command()
def synth(
    ads: Annotated[int, typer.Option("--ads", min=1, help="Number of ads.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same file).")] = 1,
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv, .jsonl or .parquet")] = Path(
        "synthetic.csv"
    ),
) -> None:
    """Write realistic synthetic ads with ground truth (operator_id, template_id).

    Example: adtrace synth --ads 10000 --seed 7 -o demo.csv
    """
    from adtrace.synth import SynthConfig, difficulty_line, generate_ads, write_ads

    with cli_errors():
        if output.suffix.lower() not in (".csv", ".jsonl", ".parquet"):
            raise UsageProblem(f"{output}: the output must end in .csv, .jsonl or .parquet")
        table = generate_ads(ads, seed)
        write_ads(table, output)
        out.print(f"wrote {table.num_rows:,} synthetic ads to {output}", markup=False)
        out.print(difficulty_line(SynthConfig()), markup=False, highlight=False)


@app.command()
def run(
    files: Annotated[list[Path], typer.Argument(help="Files or folders of HTML pages.")],
    site: Annotated[str | None, typer.Option(help="Site of ads whose rows name none.")] = None,
    db: DbOption = None,
) -> None:
    """Run every stage in order on FILES into the store: ingest, extract, link, then score.

    Example: adtrace run export.csv --site site-a.example --db sqlite:///adtrace.db
    """
    ingest_commands.ingest(files, site=site, db=db)
    with cli_errors():
        settings = settings_with(db=db)
        extract_commands.extract_into_store(settings.db, settings.region)
    link_commands.link(db=settings.db)
    score_commands.score(db=settings.db)


def main() -> None:
    """Console entry point."""
    app()
