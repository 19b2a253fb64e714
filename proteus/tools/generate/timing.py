"""Time-of-day habits: hour weights per habit, and sampling seconds of the day."""

from __future__ import annotations

import numpy as np

_BASE = np.fromstring(
    "1 .6 .4 .3 .3 .5 1.2 2.2 2.5 2.2 2 2 2.2 2 2 2.1 2.3 2.8 3.4 3.8 4 3.6 2.8 1.8",
    sep=" ",
)
_SHIFT = {
    "evening": [0] * 17 + [2, 3, 4, 4.5, 4, 2.5, 1],
    "morning": [0] * 5 + [1.5, 4, 5, 4, 2] + [0] * 14,
    "night": [3, 2.5, 2, 1] + [0] * 17 + [1, 2.5, 3.5],
    "daytime": [0] * 9 + [2.5, 3, 3, 3, 3, 3, 2.5, 2] + [0] * 7,
}
_TV = np.array([0.2] * 6 + [1, 1.5, 1, 0.6, 0.6, 0.7, 1, 0.8, 0.8, 1, 1.5, 2.5, 4, 5, 5, 4, 2.5, 1])


def hour_weights(tv: bool = False) -> np.ndarray:
    """Rows: one per habit (evening, morning, night, daytime) plus a flat row for bots."""
    rows = [_BASE + np.array(shift, dtype=float) for shift in _SHIFT.values()]
    if tv:
        rows = [row * _TV for row in rows]
    rows.append(np.ones(24))
    weights = np.array(rows)
    return weights / weights.sum(axis=1, keepdims=True)


def sample_seconds(rng: np.random.Generator, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Second of the day for each event, the hour drawn from its row of `weights`."""
    cum = np.cumsum(weights, axis=1)
    cum[:, -1] = 1.0
    flat = (cum + np.arange(len(weights))[:, None]).ravel()
    u = rng.random(len(rows))
    u *= 0.999999
    u += rows
    hour = np.searchsorted(flat, u, side="right").astype(np.int32)
    del u
    hour -= rows.astype(np.int32) * 24
    np.clip(hour, 0, 23, out=hour)
    hour *= 3600
    hour += rng.integers(0, 3600, size=len(rows), dtype=np.int32)
    return hour
