"""Score extraction against labelled cases: per-kind precision, recall and F1.

A case is a mapping with ``text``, optional ``title``, ``lang`` and ``expected`` (the
:meth:`~adtrace.extract.extraction.Extraction.to_json` keys; a missing key means "none
expected"). Every kind is scored on every case, so a selector found where none was written down
counts against precision. Used by the test suite and by ``benchmarks/bench_extract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adtrace.extract.extraction import JSON_KEYS, extract_all


@dataclass(slots=True)
class Score:
    """Counts of true positives, false positives and false negatives for one kind."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of found values that were expected (1.0 when nothing was found)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of expected values that were found (1.0 when nothing was expected)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    """Scores by kind, language accuracy, and the ids of cases with any error by kind."""

    scores: dict[str, Score] = field(default_factory=dict)
    language_correct: int = 0
    cases: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def language_accuracy(self) -> float:
        """Share of cases whose detected language equals the labelled one."""
        return self.language_correct / self.cases if self.cases else 1.0


def comparable(value: Any) -> Any:
    """A hashable form of one JSON value (dicts become sorted tuples, numbers floats)."""
    if isinstance(value, dict):
        return tuple(sorted((k, comparable(v)) for k, v in value.items()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def evaluate(cases: Iterable[Mapping[str, Any]], region: str = "CA") -> Report:
    """Run :func:`~adtrace.extract.extract_all` on every case and score each kind."""
    report = Report(scores={key: Score() for key in JSON_KEYS})
    for case in cases:
        found = extract_all(case["text"], case.get("title"), region=region).to_json()
        report.cases += 1
        report.language_correct += found["language"] == case.get("lang")
        for key in JSON_KEYS:
            _score(report, key, case, found[key])
    return report


def _score(report: Report, key: str, case: Mapping[str, Any], found: list[Any]) -> None:
    got = {comparable(v) for v in found}
    want = {comparable(v) for v in case["expected"].get(key, [])}
    score = report.scores[key]
    score.tp += len(got & want)
    score.fp += len(got - want)
    score.fn += len(want - got)
    if got != want:
        report.errors.setdefault(key, []).append(str(case["id"]))
