"""Malformed rows: one defect per row, named by the field a validator must report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from proteus.events.validate import LINE_FIELD
from proteus.events.write import columns_for, encode_csv, encode_json
from proteus.tools.generate.columns import Malformed

# (defect, field, value); text-only defects cannot be expressed in Parquet.
DEFECTS: dict[str, list[tuple[str, str, Any]]] = {
    "network": [
        ("bad_type", "ts", "not-a-timestamp"),
        ("out_of_range", "device_type", "toaster"),
        ("out_of_range", "ip", "300.12.1.7"),
        ("missing", "device_id", None),
        ("unknown", "imei", "356938035643809"),
        ("unparsable", LINE_FIELD, None),
    ],
    "viewing": [
        ("bad_type", "seconds", "ten"),
        ("out_of_range", "seconds", 0),
        ("out_of_range", "seconds", 90000),
        ("missing", "content_id", None),
        ("unknown", "subscriber_name", "Jane Doe"),
        ("unparsable", LINE_FIELD, None),
    ],
    "consent": [
        ("bad_type", "granted", "maybe"),
        ("out_of_range", "purpose", "marketing"),
        ("missing", "account", None),
        ("unknown", "email", "jane.doe@example.com"),
        ("unparsable", LINE_FIELD, None),
    ],
}
TEXT_ONLY = frozenset({"bad_type", "unparsable"})
# The field naming whom a row is about; the truth keeps its value as the generator wrote it
# before corrupting the row, so a benchmark can tell whose record ingest had to reject.
SUBJECT = {"network": "device_id", "viewing": "device_id", "consent": "account"}


@dataclass
class MalformedPlan:
    """Which rows of one file are malformed and how."""

    kind: str
    fmt: str
    positions: np.ndarray
    defects: np.ndarray
    choices: list[tuple[str, str, Any]]

    def defect_at(self, pos: int) -> tuple[str, str, Any]:
        i = int(np.searchsorted(self.positions, pos))
        return self.choices[int(self.defects[i])]

    @cached_property
    def extra_columns(self) -> list[str]:
        used = set(self.defects.tolist())
        names = {c[1] for i, c in enumerate(self.choices) if c[0] == "unknown" and i in used}
        return sorted(names)

    def corrupt(self, pos: int, row: dict[str, Any]) -> dict[str, Any] | str:
        defect, field, value = self.defect_at(pos)
        row = dict(row)
        if defect == "missing":
            row.pop(field, None)
        elif defect == "unparsable":
            if self.fmt == "jsonl":
                text = encode_json(self.kind, row)
                return text[: len(text) // 2]
            return encode_csv(columns_for(self.kind, self.extra_columns), row) + ",unexpected"
        else:
            row[field] = value
        return row

    def patch(self, pos: int, values: dict[str, np.ndarray]) -> None:
        defect, field, value = self.defect_at(pos)
        values[field][0] = None if defect == "missing" else value

    def as_malformed(self) -> Malformed:
        return Malformed(
            positions=self.positions,
            corrupt=self.corrupt,
            extra_columns=self.extra_columns,
            parquet_patch=self.patch,
        )

    def truth(self, file: str, first_line: int,
              subjects: list[str]) -> list[tuple[str, int, str, str, str]]:
        """(file, line_no, field, defect, subject) for every malformed row; `subjects` holds
        the original subject (SUBJECT) of each row, in position order."""
        rows = []
        for pos, d, subject in zip(self.positions.tolist(), self.defects.tolist(), subjects,
                                   strict=True):
            defect, field, _ = self.choices[d]
            rows.append((file, pos + first_line, field, defect, subject))
        return rows


def plan_malformed(
    rng: np.random.Generator, kind: str, fmt: str, n_rows: int, rate: float
) -> MalformedPlan:
    """Choose malformed rows at `rate` and a defect for each."""
    choices = [c for c in DEFECTS[kind] if fmt != "parquet" or c[0] not in TEXT_ONLY]
    count = int(rng.binomial(n_rows, rate)) if n_rows and rate > 0 else 0
    positions = np.unique(rng.integers(0, max(n_rows, 1), size=count))
    defects = rng.integers(0, len(choices), size=len(positions))
    return MalformedPlan(kind, fmt, positions, defects, choices)
