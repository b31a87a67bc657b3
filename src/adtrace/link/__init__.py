"""Batch linking of ads into likely operations, with evidence (text, selectors, templates)."""

from adtrace.link.files import link_file
from adtrace.link.model import BoilerplateModel, Hub, LinkModel
from adtrace.link.params import LinkParams, Signals
from adtrace.link.run import LinkResult, link_table

__all__ = [
    "BoilerplateModel",
    "Hub",
    "LinkModel",
    "LinkParams",
    "LinkResult",
    "Signals",
    "link_file",
    "link_table",
]
