"""`adtrace export cluster|case ID -o FILE`: a cluster or a case as CSV, JSON or a PDF report
(format by the file's extension), optionally redacted; every export is recorded in the store."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store

export_app = typer.Typer(
    help="Export a cluster or a case as CSV, JSON or a PDF report (recorded in the store). "
    "Example: adtrace export cluster r4-17 -o r4-17.pdf --redact",
    no_args_is_help=True,
)

OutputOption = Annotated[
    Path, typer.Option("-o", "--output", help="The file to write: .csv, .json or .pdf.")
]
RedactOption = Annotated[
    bool,
    typer.Option("--redact", help="Replace phones, e-mails, handles and names by tags."),
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the PDF report: en or fr.")]


@export_app.command("cluster")
def export_cluster(
    cluster_id: Annotated[str, typer.Argument(help="A cluster id of the latest link run.")],
    output: OutputOption,
    redact: RedactOption = False,
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """Export a cluster of the latest link run: its ads, selectors, links with evidence,
    template, timeline and map (PDF), score with reasons, labels and notes.

    Example: adtrace export cluster r4-17 -o r4-17.pdf --redact --db sqlite:///adtrace.db
    """
    _export("cluster", cluster_id, output, redact, lang, db)


@export_app.command("case")
def export_case(
    case_id: Annotated[int, typer.Argument(help="A case number.", min=1)],
    output: OutputOption,
    redact: RedactOption = False,
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """Export a case: the ads of its items, the links between them, the templates and scores
    of their clusters, labels and notes.

    Example: adtrace export case 3 -o case-3.json --db sqlite:///adtrace.db
    """
    _export("case", str(case_id), output, redact, lang, db)


def _export(
    subject: str, subject_id: str, output: Path, redact: bool, lang: str, db: str | None
) -> None:
    from adtrace.export import make_export, record
    from adtrace.export.formats import FORMATS

    with cli_errors():
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise UsageProblem(f"{output}: the output must end in .csv, .json or .pdf")
        if lang not in ("en", "fr"):
            raise UsageProblem(f"--lang {lang!r}: use en or fr")
        engine = store(settings_with(db=db), create=False)
        try:
            with engine.connect() as conn:
                made = make_export(
                    conn, subject, subject_id, fmt, redacted=redact, by=_os_user(), lang=lang
                )
        except LookupError as problem:
            raise UsageProblem(str(problem)) from None
        output.write_bytes(made.data)
        with engine.begin() as conn:
            export_id = record(conn, made)
        out.print(
            f"wrote {subject} {subject_id} ({len(made.dossier.ads):,} ads"
            f"{', redacted' if redact else ''}) to {output}; recorded as export {export_id}",
            markup=False,
            highlight=False,
        )


def _os_user() -> str:
    """Who exported from the command line: the OS user, else "cli"."""
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"
