from __future__ import annotations

import numpy as np

from adtrace.cluster.linkage import CoreParams, cluster_cores, core_linkage
from adtrace.text.shingle import shingle_sets
from tests.text.words import random_text, vocabulary

EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def test_a_chain_of_weak_links_does_not_become_one_cluster() -> None:
    rng = np.random.default_rng(3)
    words = random_text(rng, 200, vocabulary()).split()
    # each ad shares 18 of its 30 words with the next one (Jaccard ~0.4) and none with
    # the ad three places on
    texts = [" ".join(words[12 * k : 12 * k + 30]) for k in range(10)]
    sets = shingle_sets([texts])
    chain = (np.arange(9), np.arange(1, 10))
    result = core_linkage(sets, EMPTY, chain, CoreParams(threshold=0.25))
    labels = result.labels
    for i in range(10):
        for j in range(i + 2, 10):
            assert labels[i] != labels[j], (i, j)
    assert max(np.bincount(labels)) == 2
    assert all(m.score >= 0.25 for m in result.merges)


def test_copies_of_one_template_merge_across_personas() -> None:
    rng = np.random.default_rng(4)
    vocab = vocabulary()
    template = random_text(rng, 60, vocab).split()
    texts = []
    for persona in range(4):  # four personas, three edited copies each
        name = vocab[persona]
        for _ in range(3):
            words = [
                vocab[int(rng.integers(len(vocab)))] if rng.random() < 0.1 else w for w in template
            ]
            texts.append(f"my name is {name} " + " ".join(words))
    texts.append(random_text(rng, 60, vocab))  # a stranger
    sets = shingle_sets([texts])
    strong = (np.asarray([0, 1, 3, 4, 6, 7, 9, 10]), np.asarray([1, 2, 4, 5, 7, 8, 10, 11]))
    result = core_linkage(sets, strong, EMPTY, CoreParams())
    assert len(set(result.labels[:12].tolist())) == 1
    assert result.labels[12] == 12


def test_core_is_what_most_ads_share() -> None:
    sets = shingle_sets([["a b c d e", "a b c d f", "a b c x y", "q r s"]], k=1)
    roots, cores = cluster_cores(sets, np.asarray([0, 0, 0, 3]), share=0.6)
    assert roots.tolist() == [0, 3]
    assert cores.sizes.tolist() == [4, 3]  # a b c d (in 3 and 2 of 3 ads); q r s alone
