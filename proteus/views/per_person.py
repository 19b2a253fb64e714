"""Viewing per person: a `ViewTable`'s (device, content) rows merged over each person's
devices, with decayed seconds and the latest day watched. Interests, segments and
recommendations all start from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from proteus.views.table import EPOCH_ORDINAL, ViewTable


@dataclass
class Views:
    """Viewing per (person, content), merged over a person's devices."""

    persons: list[str]
    contents: list[str]
    person: np.ndarray
    content: np.ndarray
    weight: np.ndarray
    last: np.ndarray  # ordinal of the latest day watched


def reference_day(table: ViewTable) -> date | None:
    """The latest day any person's device watched something."""
    rows = table.person[table.day_row()] >= 0
    return date.fromordinal(int(table.day[rows].max()) + EPOCH_ORDINAL) if rows.any() else None


def collect_views(table: ViewTable, reference: date, half_life: float) -> Views:
    """Decayed seconds and latest day per (person, content), over the person's devices;
    devices without a person are left out."""
    day_row = table.day_row()
    ages, where = np.unique((reference.toordinal() - EPOCH_ORDINAL)
                            - table.day.astype(np.int64), return_inverse=True)
    factor = np.power(0.5, ages / half_life)  # the same pow() as `decay`, once per age
    weight = np.bincount(day_row, weights=table.day_seconds * factor[where],
                         minlength=table.rows)
    ends = table.day_start[1:]
    has_days = ends > table.day_start[:-1]
    latest = np.where(has_days, table.day[np.maximum(ends - 1, 0)].astype(np.int64)
                      + EPOCH_ORDINAL if len(table.day) else 0, 0)
    person = table.person.astype(np.int64)
    mine = person >= 0
    n_c = max(len(table.contents), 1)
    key = person[mine] * n_c + table.content[mine]
    keys, inverse = np.unique(key, return_inverse=True)
    merged = np.bincount(inverse, weights=weight[mine], minlength=len(keys))
    last = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(last, inverse, latest[mine])
    return Views(table.persons, table.contents, keys // n_c, keys % n_c, merged, last)
