"""Text comparison that scales: normalise, tokenise, shingle, MinHash, LSH, align, template.

Every function is pure (numpy/Arrow in, numpy/Arrow out) and seeded where random, so the same
stages can run in-process or on Spark workers.
"""

from adtrace.text.align import Passage, shared_passages
from adtrace.text.lsh import LshIndex, candidate_pairs, choose_rows, lsh_probability
from adtrace.text.minhash import MinHasher, estimate_jaccard
from adtrace.text.normalise import fold, mask_spans, normalise_text
from adtrace.text.shingle import ShingleSets, intersection_sizes, shingle_sets
from adtrace.text.template import Slot, Template, extract_template
from adtrace.text.tokens import tokenise

__all__ = [
    "LshIndex",
    "MinHasher",
    "Passage",
    "ShingleSets",
    "Slot",
    "Template",
    "candidate_pairs",
    "choose_rows",
    "estimate_jaccard",
    "extract_template",
    "fold",
    "intersection_sizes",
    "lsh_probability",
    "mask_spans",
    "normalise_text",
    "shared_passages",
    "shingle_sets",
    "tokenise",
]
