"""Selector extraction for linking: chunks in forked workers give what one process gives."""

from __future__ import annotations

import numpy as np

from adtrace.link.selectors import extract_selectors
from adtrace.synth import generate_ads


def test_parallel_extraction_equals_serial() -> None:
    ads = generate_ads(300, seed=17, workers=1)
    texts = ads.column("text").to_pylist()
    titles = ads.column("title").to_pylist()
    serial = extract_selectors(texts, titles, workers=1, chunk=10_000)
    parallel = extract_selectors(texts, titles, workers=2, chunk=40)
    assert serial is not None and parallel is not None
    assert len(serial.ad) > 200 and len(serial) > 30
    assert np.array_equal(serial.ad, parallel.ad) and np.array_equal(serial.code, parallel.code)
    assert (serial.kinds, serial.values) == (parallel.kinds, parallel.values)
    for name in ("ad", "start", "end", "title"):
        assert np.array_equal(getattr(serial.spans, name), getattr(parallel.spans, name))
    assert serial.spans.kind == parallel.spans.kind
