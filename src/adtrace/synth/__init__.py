"""Synthetic escort-style ads with ground truth, for demos, tests and benchmarks.

Operators post many ads from shared templates under several personas, moving between
Canadian cities; independents write their own. Every ad carries who really wrote it, so
ingest, extraction, linking and scoring can be measured. Entirely fictional: names, phones
(valid for Canada but random), e-mails and handles are generated.

    >>> from adtrace.synth import SynthConfig, generate_ads
    >>> table = generate_ads(1_000, seed=1, config=SynthConfig(edit_rate=0.2))
"""

from adtrace.synth.config import SynthConfig
from adtrace.synth.difficulty import describe_difficulty, difficulty_line, stock_phrase_overlap
from adtrace.synth.generate import COLUMNS, SCHEMA, generate_ads
from adtrace.synth.writer import write_ads

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "SynthConfig",
    "describe_difficulty",
    "difficulty_line",
    "generate_ads",
    "stock_phrase_overlap",
    "write_ads",
]
