from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from proteus.errors import InputError
from proteus.views.table import ViewTable, build


def _rows(seed: int, ordered_days: bool) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """(device, content, [(day, seconds)]) in random order; days shuffled unless ordered."""
    rng = np.random.default_rng(seed)
    pairs = {(f"d{rng.integers(40):03d}", f"c{rng.integers(15):02d}") for _ in range(300)}
    rows = []
    for device, content in sorted(pairs):
        days = sorted(rng.choice(30, size=int(rng.integers(0, 5)), replace=False).tolist())
        if not ordered_days:
            rng.shuffle(days)
        rows.append((device, content, [(20_000 + d, int(rng.integers(1, 900))) for d in days]))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def _built(rows: list[tuple[str, str, list[tuple[int, int]]]]) -> ViewTable:
    return build(pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows]),
                 np.array([sum(s for _, s in r[2]) for r in rows], dtype=np.int64),
                 np.arange(len(rows), dtype=np.int64), np.array([len(r[2]) for r in rows]),
                 np.array([d for r in rows for d, _ in r[2]], dtype=np.int32),
                 np.array([s for r in rows for _, s in r[2]], dtype=np.int64),
                 (pa.array(["d001", "d002"]), pa.array(["p1", "p1"])))


@pytest.mark.parametrize("ordered_days", [True, False])
def test_the_table_is_canonical_whatever_the_order_of_rows_and_days(ordered_days: bool) -> None:
    rows = _rows(5, ordered_days)
    table = _built(rows)
    expected = sorted((d, c, sorted(days), i) for i, (d, c, days) in enumerate(rows))
    assert [(table.devices[a], table.contents[b]) for a, b in
            zip(table.device.tolist(), table.content.tolist(), strict=True)] == [
        (d, c) for d, c, _, _ in expected]
    assert table.last.tolist() == [i for _, _, _, i in expected]
    for r, (_, _, days, _) in enumerate(expected):
        span = slice(table.day_start[r], table.day_start[r + 1])
        assert list(zip(table.day[span].tolist(), table.day_seconds[span].tolist(),
                        strict=True)) == days
    assert table.day.dtype == np.int32 and table.device.dtype == np.int32
    assert table.persons == ["p1"] and table.device_person[:3].tolist() == [-1, 0, 0]


def test_a_pair_given_twice_is_refused() -> None:
    rows = _rows(6, True)
    with pytest.raises(InputError, match="more than once"):
        _built([*rows, rows[3]])
