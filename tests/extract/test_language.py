"""The shipped language classifier and its hand-written test set."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from adtrace.extract.language import build_profiles, detect_language

from .conftest import LANGUAGE_CASES


@pytest.mark.parametrize("case", LANGUAGE_CASES, ids=[c["id"] for c in LANGUAGE_CASES])
def test_language_case(case: dict[str, Any]) -> None:
    assert detect_language(case["text"]) == case["lang"]


def test_test_set_covers_every_label() -> None:
    labels = {c["lang"] for c in LANGUAGE_CASES}
    assert labels == {"en", "fr", "mixed", "und"}


def test_shipped_profiles_are_built_from_the_samples() -> None:
    data = resources.files("adtrace.extract").joinpath("data")
    samples = data.joinpath("language_samples.txt").read_text(encoding="utf-8")
    shipped = json.loads(data.joinpath("language_profiles.json").read_text(encoding="utf-8"))
    assert build_profiles(samples) == shipped


def test_test_set_is_not_training_text() -> None:
    data = resources.files("adtrace.extract").joinpath("data")
    samples = data.joinpath("language_samples.txt").read_text(encoding="utf-8")
    assert not any(case["text"] in samples for case in LANGUAGE_CASES)
