"""Fixtures for the extraction tests: the labelled evaluation set and the language test set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adtrace.extract.evaluation import Report, evaluate

DATA = Path(__file__).parent.parent / "data" / "extract"


def load_jsonl(name: str) -> list[dict[str, Any]]:
    """Read one of the JSON Lines files under ``tests/data/extract``."""
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


CASES = load_jsonl("cases.jsonl")
HOLDOUT = load_jsonl("holdout.jsonl")
LANGUAGE_CASES = load_jsonl("language_cases.jsonl")


@pytest.fixture(scope="session")
def cases() -> list[dict[str, Any]]:
    """The hand-written evaluation set."""
    return CASES


@pytest.fixture(scope="session")
def report(cases: list[dict[str, Any]]) -> Iterator[Report]:
    """The evaluation set scored once per session (the figures are shown in the summary)."""
    result = evaluate(cases)
    _REPORTS.append(result)
    yield result


_REPORTS: list[Report] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Show the per-kind figures of the evaluation set after the run."""
    for result in _REPORTS:
        terminalreporter.section("extraction evaluation set")
        for kind, score in result.scores.items():
            terminalreporter.write_line(
                f"{kind:8s} precision {score.precision:.3f}  recall {score.recall:.3f}  "
                f"F1 {score.f1:.3f}  (tp {score.tp}, fp {score.fp}, fn {score.fn})"
            )
        terminalreporter.write_line(f"language accuracy {result.language_accuracy:.3f}")
