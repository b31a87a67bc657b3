from __future__ import annotations

import numpy as np

from adtrace.text.align import shared_passages, shared_share, token_spans
from adtrace.text.normalise import fold
from tests.text.words import random_text, vocabulary


def _same_tokens(a: str, b: str) -> bool:
    return token_spans(a).hashes.tolist() == token_spans(b).hashes.tolist()


def test_spans_point_at_the_shared_text_in_both_ads() -> None:
    rng = np.random.default_rng(1)
    vocab = vocabulary()
    shared = random_text(rng, 25, vocab)
    text_a = f"{random_text(rng, 10, vocab)} {shared} {random_text(rng, 8, vocab)}"
    tail = random_text(rng, 4, vocab)
    text_b = f"ＮＥＷ!! {random_text(rng, 5, vocab)}\n{shared.upper()} 💕 {tail}"
    passages = shared_passages(text_a, text_b)
    assert len(passages) == 1
    p = passages[0]
    assert p.tokens == 25
    assert fold(text_a[p.a_start : p.a_end]) == fold(shared).rstrip(".")
    assert _same_tokens(text_a[p.a_start : p.a_end], text_b[p.b_start : p.b_end])
    assert 0.5 < shared_share(text_a, passages) < 1.0


def test_moved_sentences_still_show_as_passages() -> None:
    rng = np.random.default_rng(2)
    vocab = vocabulary()
    one, two, three = (random_text(rng, 12, vocab) for _ in range(3))
    passages = shared_passages(f"{one} {two} {three}", f"{three} {one} {two}")
    assert sum(p.tokens for p in passages) == 36


def test_styled_letters_map_back_to_original_offsets() -> None:
    a = "Hi gentlemen, my name is 𝕄𝕚𝕒 and I am waiting for you"
    b = "my name is Mia and I am waiting for you tonight"
    (p,) = shared_passages(a, b)
    assert a[p.a_start : p.a_end] == "my name is 𝕄𝕚𝕒 and I am waiting for you"
    assert b[p.b_start : p.b_end] == "my name is Mia and I am waiting for you"


def test_short_matches_are_not_passages() -> None:
    assert shared_passages("call me now please", "please call me later", min_tokens=3) == []
