"""Logging set-up for the command line. Library code only calls `logging.getLogger(__name__)`.

Log lines never carry ad text, names or selectors: they name files, lines, fields and counts.
"""

from __future__ import annotations

import logging

from rich.logging import RichHandler


def configure_logging(default_level: str, *, verbose: int = 0, quiet: bool = False) -> None:
    """Send logs to stderr: `-v` for DEBUG, `-q` for errors only, else `default_level`."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else default_level.upper()
    handler = RichHandler(show_path=False, rich_tracebacks=False, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
