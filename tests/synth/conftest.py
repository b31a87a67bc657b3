"""Shared synthetic corpora (generated once per test session)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from adtrace.synth import SynthConfig, generate_ads

N_ADS = 3_000


@pytest.fixture(scope="session")
def ads() -> pa.Table:
    """A default-config corpus."""
    return generate_ads(N_ADS, seed=11)


@pytest.fixture(scope="session")
def rows(ads: pa.Table) -> list[dict[str, str]]:
    """The default corpus as dicts."""
    return ads.to_pylist()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def all_operators_silent() -> pa.Table:
    """Every operator shares no selector across personas."""
    return generate_ads(N_ADS, seed=12, config=SynthConfig(no_selector_share=1.0))


@pytest.fixture(scope="session")
def all_operators_sharing() -> pa.Table:
    """Every operator shares selectors across personas."""
    return generate_ads(N_ADS, seed=13, config=SynthConfig(no_selector_share=0.0))
