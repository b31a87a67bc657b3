"""Runs the stages in order on the store: ingest → extract (→ link → score, as they arrive).

Each stage reads what the one before wrote and records the code version and parameters it ran with.
"""

from adtrace.pipeline.extract import ExtractCounts, extract_store
from adtrace.pipeline.ingest import IngestOptions, IngestResult, ingest_file, ingest_files
from adtrace.pipeline.link import LinkCounts, link_store

__all__ = [
    "ExtractCounts",
    "IngestOptions",
    "IngestResult",
    "LinkCounts",
    "extract_store",
    "ingest_file",
    "ingest_files",
    "link_store",
]
