"""Logging set-up for the command line. Library code only calls `logging.getLogger(__name__)`.

Log lines never carry ad text, names or selectors: they name files, lines, fields and counts.
"""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler


def configure_logging(default_level: str, *, verbose: int = 0, quiet: bool = False) -> None:
    """Send logs to stderr: `-v` for DEBUG, `-q` for errors only, else `default_level`."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else default_level.upper()
    handler = RichHandler(
        console=Console(stderr=True), show_path=False, rich_tracebacks=False, markup=False
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.set_name("adtrace")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "adtrace"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Third-party chatter (Alembic's "Context impl ...") only when asked for with -v.
    for noisy in ("alembic", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
