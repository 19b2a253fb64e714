"""The API benchmark's subject mixes and its wrk plan (no server, no timing)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from proteus.tools.bench import wrk
from proteus.tools.bench.api import repeat_share, zipf
from proteus.tools.bench.load import Plan


def test_zipf_mix_is_skewed_seeded_and_over_the_given_subjects() -> None:
    items = [f"d{n}" for n in range(10_000)]
    draws = zipf(items, 20_000, 0.99, np.random.default_rng(1))
    assert draws == zipf(items, 20_000, 0.99, np.random.default_rng(1))
    assert set(draws) <= set(items)
    counts = Counter(draws).most_common()
    # rank 1 gets 1 / H(10000, 0.99), about 9% of the draws; uniform would give 0.01%
    assert 0.06 < counts[0][1] / len(draws) < 0.12
    assert counts[0][1] > 1.7 * counts[1][1]
    assert 0.3 < len(counts) / len(items) < 0.7
    assert len(set(zipf(items, 20_000, 0.0, np.random.default_rng(1)))) > 8_000


def test_repeat_share_counts_subjects_asked_before() -> None:
    assert repeat_share(["a", "b"], ["a", "c", "c", "d"]) == 0.5
    assert repeat_share([], ["x", "y"]) == 0.0


def test_wrk_plan_cycles_paths_with_the_key_and_stays_on_loopback() -> None:
    plan = Plan(port=8000, paths=["/v1/a?k=1", '/v1/"b"'], key="pk_1_x", seconds=1)
    lua = wrk.script(plan, threads=2)
    assert 'wrk.headers["X-API-Key"] = "pk_1_x"' in lua
    assert 'local paths = {"/v1/a?k=1", "/v1/\\"b\\""}' in lua
    assert "local count = 2" in lua and wrk.MARK in lua
    if wrk.available():
        with pytest.raises(ValueError, match="loopback"):
            wrk.run(Plan(host="10.0.0.1", port=80, paths=["/"], seconds=1))
        with pytest.raises(ValueError, match="closed loop"):
            wrk.run(Plan(port=80, paths=["/"], seconds=1, rate=10))
