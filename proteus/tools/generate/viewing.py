"""Viewing events: each person's taste community, off-community share, time-of-day habits."""

from __future__ import annotations

import numpy as np

from proteus.tools.generate.catalog import Catalog
from proteus.tools.generate.columns import Column
from proteus.tools.generate.timing import hour_weights, sample_seconds
from proteus.tools.generate.world import World

# relative viewing rate and median seconds per device type (stb, smart_tv, phone, tablet, laptop)
RATE = np.array([2.2, 1.8, 0.8, 0.9, 0.6])
MEDIAN_SECONDS = np.array([1800.0, 1800.0, 420.0, 900.0, 900.0])
SIGMA = 0.9
HOUSEHOLD_MIX = 0.7


class WatchLedger:
    """Watch time per person so far; decides which views are off-community."""

    def __init__(self, n_persons: int, target: float) -> None:
        self.total = np.zeros(n_persons, dtype=np.int64)
        self.off = np.zeros(n_persons, dtype=np.int64)
        self.views = np.zeros(n_persons, dtype=np.int64)
        self.target = target

    def decide(self, person: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Off-community flag per view (views in time order), keeping each person's
        off-community share at or just above the target at every step."""
        off = np.zeros(len(person), dtype=bool)
        order = np.lexsort((np.arange(len(person)), person))
        sorted_p = person[order]
        first = np.searchsorted(sorted_p, sorted_p, side="left")
        rank = np.arange(len(person)) - first
        by_rank = np.argsort(rank, kind="stable")
        bounds = np.searchsorted(rank[by_rank], np.arange(int(rank.max(initial=-1)) + 2))
        for r in range(len(bounds) - 1):
            sel = order[by_rank[bounds[r] : bounds[r + 1]]]
            p, s = person[sel], seconds[sel]
            flag = self.off[p] < self.target * (self.total[p] + s)
            off[sel] = flag
            self.off[p] += np.where(flag, s, 0)
            self.total[p] += s
            self.views[p] += 1
        return off


def _other(rng: np.random.Generator, own: np.ndarray, n_comm: int) -> np.ndarray:
    return (own + 1 + rng.integers(0, n_comm - 1, size=len(own))) % n_comm


def viewing_day(
    rng: np.random.Generator,
    world: World,
    catalog: Catalog,
    ledger: WatchLedger,
    day: int,
    rate: float,
) -> list[Column]:
    """Draw one day of viewing events, sorted by time."""
    w = world
    n = w.n_devices
    human = ~w.dev_bot
    mean_rate = RATE[w.dev_type[human]].mean() if human.any() else 1.0
    dev_rate = np.where(human, RATE[w.dev_type] / mean_rate * rate, 0.0)
    counts = rng.poisson(dev_rate * rng.gamma(2.0, 0.5, size=n))
    idx = np.repeat(np.arange(n, dtype=np.int32), counts)
    person = w.dev_person[idx]
    sec = sample_seconds(rng, w.person_habit[person], hour_weights(tv=True))
    order = np.argsort(sec, kind="stable")
    idx, sec, person = idx[order], sec[order], person[order]
    dtype = w.dev_type[idx]
    median = MEDIAN_SECONDS[dtype]
    seconds = np.exp(np.log(median) + SIGMA * rng.standard_normal(len(idx)))
    seconds = np.clip(np.round(seconds), 1, 86400).astype(np.int64)

    off = ledger.decide(person, seconds)
    n_comm = len(w.community_weights)
    own = w.person_community[person].astype(np.int64)
    community = own.copy()
    community[off] = _other(rng, own[off], n_comm)
    shared = off & w.dev_shared[idx] & (rng.random(len(idx)) < HOUSEHOLD_MIX)
    hh = w.person_household[person[shared]]
    member = w.hh_start[hh] + rng.integers(0, 1 << 30, size=len(hh)) % w.hh_size[hh]
    member_comm = w.person_community[member].astype(np.int64)
    differs = member_comm != own[shared]
    pos = np.flatnonzero(shared)[differs]
    community[pos] = member_comm[differs]
    item = catalog.pick(rng, community)
    return [
        Column(
            "event_id", np.arange(len(idx), dtype=np.int64), kind="seq", prefix=f"v{day + 1:02d}-"
        ),
        Column("ts", sec, kind="ts"),
        Column("device_id", idx, table=w.device_ids, reuse=True),
        Column("content_id", item, table=catalog.content_ids, reuse=True),
        Column("seconds", seconds, kind="int"),
    ]
