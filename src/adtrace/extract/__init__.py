"""Selector extraction: phones, e-mails, handles, URLs, persona names, ages, prices, places and
language, from English and French ad text, through the obfuscations real ads use.

Every extractor is a pure function ``(text, *, region="CA") -> list[Span]`` listed in
:data:`EXTRACTORS`; :func:`extract_all` runs them on an ad's title and text,
:func:`extract_table` on an Arrow table, :func:`extract_file` on a file.
"""

import sys
import types

from adtrace.extract.extraction import MIN_CONFIDENCE, Extraction, extract_all, from_spans
from adtrace.extract.files import extract_file
from adtrace.extract.language import detect_language
from adtrace.extract.normalise import NormalisedText, normalise_digits
from adtrace.extract.place import area_code_region
from adtrace.extract.registry import EXTRACTORS, Extractor
from adtrace.extract.spans import KINDS, Selector, Span
from adtrace.extract.table import SCHEMA, extract_batches, extract_table

__all__ = [
    "EXTRACTORS",
    "KINDS",
    "MIN_CONFIDENCE",
    "SCHEMA",
    "Extraction",
    "Extractor",
    "NormalisedText",
    "Selector",
    "Span",
    "area_code_region",
    "detect_language",
    "extract_all",
    "extract_batches",
    "extract_file",
    "extract_table",
    "from_spans",
    "normalise_digits",
]


class _CallableModule(types.ModuleType):
    """Lets `adtrace.extract(text)` be called directly, as the project's issues promise."""

    def __call__(self, text: str, title: str | None = None, *, region: str = "CA") -> Extraction:
        return extract_all(text, title, region=region)


sys.modules[__name__].__class__ = _CallableModule
