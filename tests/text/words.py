"""Made-up words for synthetic test texts (no real ad text anywhere in the tests)."""

from __future__ import annotations

import numpy as np

_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ren",
    "tu",
    "sa",
    "vel",
    "dor",
    "pi",
    "nax",
    "ru",
    "e",
    "zo",
    "fa",
    "qui",
    "bel",
    "to",
    "mar",
    "ix",
    "ul",
)


def vocabulary(size: int = 3000, seed: int = 7) -> list[str]:
    """Distinct pseudo-words of two to four syllables."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        n = int(rng.integers(2, 5))
        words["".join(_SYLLABLES[int(i)] for i in rng.integers(0, len(_SYLLABLES), n))] = None
    return list(words)


def random_text(rng: np.random.Generator, n_words: int, vocab: list[str]) -> str:
    """A random sentence-like text of `n_words` words."""
    picks = rng.integers(0, len(vocab), n_words)
    words = [vocab[int(i)] for i in picks]
    return " ".join(words).capitalize() + "."
