"""Synthetic ads for linking tests: made-up words, fictional 555-01xx numbers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from tests.text.words import random_text, vocabulary

HEADER = "Posted on site-x.example — verify age 18+ before contacting."
FOOTER = "Report this ad | Safety tips | site-x.example does not verify advertisers."
STOCK = ("100% real pics", "no blocked calls", "Incall/outcall available", "No rush, no games")


@pytest.fixture(scope="session")
def vocab() -> list[str]:
    return vocabulary()


def table(ids: list[str], texts: list[str], **columns: list[object]) -> pa.Table:
    """An ads table with optional extra columns."""
    data: dict[str, object] = {"id": ids, "text": texts, **columns}
    return pa.table(data)


def edited(text: str, rng: np.random.Generator, vocab: list[str], rate: float) -> str:
    """`text` with a share `rate` of its words replaced."""
    words = text.split()
    return " ".join(
        vocab[int(rng.integers(len(vocab)))] if rng.random() < rate else w for w in words
    )


def unrelated_site_ads(n: int, vocab: list[str], seed: int = 0) -> list[str]:
    """Short unrelated ads wrapped in one site's header and footer, with stock phrases."""
    rng = np.random.default_rng(seed)
    ads = []
    for _ in range(n):
        stock = " ".join(STOCK[int(i)] + "!" for i in rng.choice(len(STOCK), 2, replace=False))
        ads.append(f"{HEADER}\n{random_text(rng, 8, vocab)} {stock}\n{FOOTER}")
    return ads
