"""The 40 risk indicators of indicators.csv, with English and French names and descriptions.

The catalogue lives in ``data/indicators.csv`` (id, level, tier, names, descriptions, whether
adtrace computes it and why not). Tiers: V validated, S linking evidence, O organisations' lists,
H rule of thumb, X not predictive (context only, weight zero), ``escalate`` for A04.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from adtrace.indicators.errors import DataFileError

TIERS: Final = ("V", "S", "O", "H", "X", "escalate")
LEVELS: Final = ("ad", "cluster", "transaction")
LANGS: Final = ("en", "fr")
_COLUMNS: Final = (
    "id",
    "level",
    "tier",
    "name_en",
    "name_fr",
    "description_en",
    "description_fr",
    "computed",
    "why_not",
    "negatable",
)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of indicators.csv.

    Attributes:
        id: ``A01``..``A19``, ``C01``..``C13``, ``T01``..``T08``.
        level: ``ad``, ``cluster`` or ``transaction``.
        tier: evidence tier (see the module docstring).
        name_en, name_fr, description_en, description_fr: what analysts read.
        computed: adtrace computes it from ads.
        why_not: when not computed, why (no images, no payer data, transactions).
        negatable: a lexicon match preceded by a negation ("no", "pas de") does not count.
    """

    id: str
    level: str
    tier: str
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
    computed: bool
    why_not: str
    negatable: bool

    def name(self, lang: str) -> str:
        """The name in ``lang`` (``en`` or ``fr``)."""
        return self.name_fr if lang == "fr" else self.name_en

    def description(self, lang: str) -> str:
        """The description in ``lang`` (``en`` or ``fr``)."""
        return self.description_fr if lang == "fr" else self.description_en


@cache
def catalogue() -> dict[str, Indicator]:
    """Every indicator by id, in file order (read once)."""
    path = resources.files("adtrace.indicators").joinpath("data/indicators.csv")
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.DictReader(handle)
        found: dict[str, Indicator] = {}
        for row in reader:
            indicator = _indicator(row, "indicators.csv", reader.line_num)
            found[indicator.id] = indicator
    return found


def _indicator(row: dict[str, str], source: str, line: int) -> Indicator:
    for column in _COLUMNS:
        if row.get(column) is None:
            raise DataFileError(source, line, column, "the column is missing")
    if row["tier"] not in TIERS:
        raise DataFileError(source, line, "tier", f"must be one of {', '.join(TIERS)}")
    if row["level"] not in LEVELS:
        raise DataFileError(source, line, "level", f"must be one of {', '.join(LEVELS)}")
    return Indicator(
        id=row["id"],
        level=row["level"],
        tier=row["tier"],
        name_en=row["name_en"],
        name_fr=row["name_fr"],
        description_en=row["description_en"],
        description_fr=row["description_fr"],
        computed=row["computed"] == "yes",
        why_not=row["why_not"],
        negatable=row["negatable"] == "yes",
    )


def indicator(indicator_id: str) -> Indicator:
    """One indicator by id.

    Raises:
        KeyError: no such indicator.
    """
    return catalogue()[indicator_id]
