"""Exports of a cluster or a case: a dossier gathered from the store (`dossier`), optionally
redacted (`redact`), written as CSV or JSON (`formats`) or as a PDF report (`pdf`), then
recorded in the store (`exporting`; `adtrace.store.exports`).

The web app (`POST /exports`) and the command line (`adtrace export`) both call
`make_export` then `record`.
"""

from adtrace.export.dossier import Dossier, gather_case, gather_cluster
from adtrace.export.exporting import Export, export_filename, make_export, record
from adtrace.export.formats import FORMATS, export_bytes, to_csv, to_json
from adtrace.export.redact import redact

__all__ = [
    "FORMATS",
    "Dossier",
    "Export",
    "export_bytes",
    "export_filename",
    "gather_case",
    "gather_cluster",
    "make_export",
    "record",
    "redact",
    "to_csv",
    "to_json",
]
