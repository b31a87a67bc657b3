"""How hard a synthetic corpus is: the knobs, and what they produce when measured."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from adtrace.synth.config import SynthConfig
from adtrace.synth.generate import generate_ads
from adtrace.synth.lexicon import STOCK

SAMPLE_ADS = 4_000
"""Ads generated to measure a config when no table is given."""
MAX_MEASURED = 50_000
"""Rows of a given table measured at most (an even spread over it)."""


def _stock_pattern() -> re.Pattern[str]:
    phrases = sorted({p.lower() for lang in STOCK for p in lang}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_STOCK_RE = _stock_pattern()


def stock_phrase_overlap(table: pa.Table) -> float:
    """Share of independents' ads containing at least one stock phrase that also appears in
    an operator's ad (0 when there are no independents' ads)."""
    texts = table.column("text").to_pylist()
    owners = table.column("operator_id").to_pylist()
    found = [{m.lower() for m in _STOCK_RE.findall(text)} for text in texts]
    operator_phrases = set().union(
        *(f for f, o in zip(found, owners, strict=True) if o.startswith("op"))
    )
    independent = [f for f, o in zip(found, owners, strict=True) if o.startswith("ind")]
    if not independent:
        return 0.0
    return sum(1 for f in independent if f & operator_phrases) / len(independent)


def _spread(table: pa.Table, limit: int) -> pa.Table:
    if table.num_rows <= limit:
        return table
    step = table.num_rows / limit
    return table.take(pa.array([int(i * step) for i in range(limit)]))


def _share(column: pa.ChunkedArray, value: str) -> float:
    if len(column) == 0:
        return 0.0
    return float(pc.sum(pc.equal(column, value).cast(pa.int64())).as_py()) / len(column)


def describe_difficulty(config: SynthConfig, table: pa.Table | None = None) -> dict[str, float]:
    """The difficulty of a corpus generated with `config`.

    Args:
        config: the knobs.
        table: the generated corpus to measure; when None a sample of `SAMPLE_ADS` ads
            (seed 0) is generated. Large tables are measured on an even spread of
            `MAX_MEASURED` rows.

    Returns:
        edit_rate and no_selector_share (as set: every copy and every operator follow them),
        stock_phrase_rate (as set), and measured: stock_phrase_overlap (share of independents'
        ads with a stock phrase also found in an operator's ad), french_share and
        independent_share (shares of ads).
    """
    sample = generate_ads(SAMPLE_ADS, 0, config) if table is None else _spread(table, MAX_MEASURED)
    independent = pc.starts_with(sample.column("operator_id"), "ind")
    return {
        "edit_rate": config.edit_rate,
        "no_selector_share": config.no_selector_share,
        "stock_phrase_rate": config.stock_phrase_rate,
        "stock_phrase_overlap": stock_phrase_overlap(sample),
        "french_share": _share(sample.column("language"), "fr"),
        "independent_share": (
            float(pc.sum(independent.cast(pa.int64())).as_py() or 0) / max(1, sample.num_rows)
        ),
    }


def difficulty_line(config: SynthConfig, table: pa.Table | None = None) -> str:
    """One line saying how hard the corpus is, for every benchmark to print."""
    d = describe_difficulty(config, table)
    return (
        f"difficulty: edit rate {d['edit_rate']:.2f}"
        f" | operators with no shared selector {d['no_selector_share']:.0%}"
        f" | stock-phrase overlap {d['stock_phrase_overlap']:.0%}"
        f" | French {d['french_share']:.0%}"
        f" | independents {d['independent_share']:.0%} of ads"
    )
