"""The canonical viewing table: rows in any order give the same arrays as rows already sorted
(the fold writes its views sorted, and `build` then takes them as they come)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from proteus.errors import InputError
from proteus.views.table import ViewTable, build

# (device, content, days, seconds per day)
ROWS = [("d1", "c2", [20100, 20102], [5, 7]), ("d1", "c1", [20101], [3]),
        ("d3", "c1", [20103, 20100, 20101], [1, 2, 4]), ("d2", "c2", [20104], [9]),
        ("d2", "c1", [], []), ("d3", "c3", [20102], [6])]
OWNERS = (pa.array(["d1", "d2", "d3"]), pa.array(["p2", "p1", "p2"]))


def _build(rows: list[tuple[str, str, list[int], list[int]]]) -> ViewTable:
    return build(pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows]),
                 np.array([sum(r[3]) for r in rows], dtype=np.int64),
                 np.array([sum(r[2]) for r in rows], dtype=np.int64),  # a `last` per row
                 np.array([len(r[2]) for r in rows], dtype=np.int64),
                 np.array([d for r in rows for d in r[2]], dtype=np.int32),
                 np.array([s for r in rows for s in r[3]], dtype=np.int64), OWNERS)


def _arrays(table: ViewTable) -> dict[str, object]:
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
            for k, v in vars(table).items()}


def test_sorted_and_shuffled_rows_give_the_same_table() -> None:
    ordered = sorted(ROWS, key=lambda r: (r[0], r[1]))
    days_sorted = [(d, c, sorted(days), [s for _, s in sorted(zip(days, secs, strict=True))])
                   for d, c, days, secs in ordered]
    expected = _arrays(_build(days_sorted))
    assert expected["devices"] == ["d1", "d2", "d3"]
    assert expected["persons"] == ["p1", "p2"] and expected["device_person"] == [1, 0, 1]
    assert expected["seconds"] == [3, 12, 0, 9, 7, 6]  # (d1 c1), (d1 c2), (d2 c1), ...
    rng = np.random.default_rng(3)
    for _ in range(5):
        shuffled = [ROWS[i] for i in rng.permutation(len(ROWS))]
        assert _arrays(_build(shuffled)) == expected
    assert _arrays(_build(ordered)) == expected  # sorted rows, one row's days out of order


def test_days_come_out_ascending_within_each_row() -> None:
    table = _build(sorted(ROWS, key=lambda r: (r[0], r[1])))
    for r in range(table.rows):
        days = table.day[table.day_start[r]:table.day_start[r + 1]].tolist()
        assert days == sorted(days)
    d3c1 = [r for r in range(table.rows)
            if table.devices[table.device[r]] == "d3" and table.contents[table.content[r]] == "c1"]
    [row] = d3c1
    start, end = table.day_start[row], table.day_start[row + 1]
    assert table.day[start:end].tolist() == [20100, 20101, 20103]
    assert table.day_seconds[start:end].tolist() == [2, 4, 1]


@pytest.mark.parametrize("ordered", [True, False])
def test_a_pair_given_twice_is_refused(ordered: bool) -> None:
    rows = [*ROWS, ("d2", "c2", [20105], [1])]
    if ordered:
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
    with pytest.raises(InputError, match="more than once"):
        _build(rows)


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


@pytest.mark.parametrize("ordered_rows", [True, False])
@pytest.mark.parametrize("ordered_days", [True, False])
def test_the_table_is_canonical_whatever_the_order_of_rows_and_days(
        ordered_days: bool, ordered_rows: bool) -> None:
    rows = _rows(5, ordered_days)
    if ordered_rows:
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
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
