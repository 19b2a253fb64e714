"""What every section builder shares: the run it reads, and size distributions."""

from __future__ import annotations

from typing import Any

from proteus.report.model import Section, share

RunRow = dict[str, Any]  # a Run's properties, `report` parsed from its JSON

BINS = [(n, n, str(n)) for n in range(1, 11)] + [
    (11, 20, "11-20"), (21, 50, "21-50"), (51, 100, "51-100"), (101, 1000, "101-1000"),
    (1001, 10**12, "over 1000")]


def section(run: RunRow, stage: str, title: str) -> Section:
    return Section(stage=stage, title=title, run_id=run.get("id"), status=run.get("status"),
                   started=run.get("started"), finished=run.get("finished"))


def binned(counts: dict[int, int]) -> list[dict[str, Any]]:
    """Sizes 1 to 10 one by one, then wider bins; only bins that hold something."""
    out = []
    for low, high, label in BINS:
        held = sum(n for size, n in counts.items() if low <= size <= high)
        if held:
            out.append({"size": label, "count": held})
    return out


def size_reading(counts: dict[int, int], things: str, unit: str) -> str:
    """"most persons have 1 device (61.0%); 2-3: 30.2%; the largest has 9"."""
    total = sum(counts.values())
    if not total:
        return f"no {things}"
    mode = max(counts, key=lambda s: (counts[s], -s))
    two_three = sum(counts.get(s, 0) for s in (2, 3))
    largest = max(counts)
    return (f"most {things} have {mode} {unit}{'s' if mode != 1 else ''} "
            f"({share(counts[mode], total)}); {share(two_three, total)} have 2-3; "
            f"the largest has {largest:,}")
