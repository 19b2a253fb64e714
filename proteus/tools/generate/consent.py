"""Consent events: a baseline grant per account and purpose, then withdrawals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from proteus.tools.generate.columns import Column

PURPOSES = ("advertising", "personalisation", "analytics")
REGRANT = 0.15


@dataclass
class ConsentPlan:
    """All consent events of the run, and the final advertising state per account."""

    day: np.ndarray
    sec: np.ndarray
    account: np.ndarray
    purpose: np.ndarray
    granted: np.ndarray
    withdrawn: np.ndarray

    def columns(self, day: int, accounts: np.ndarray) -> list[Column]:
        sel = np.flatnonzero(self.day == day)
        sel = sel[np.lexsort((sel, self.sec[sel]))]
        return [
            Column(
                "event_id",
                np.arange(len(sel), dtype=np.int64),
                kind="seq",
                prefix=f"k{day + 1:02d}-",
            ),
            Column("ts", self.sec[sel], kind="ts"),
            Column("account", self.account[sel], table=accounts),
            Column("purpose", self.purpose[sel], table=np.array(PURPOSES, dtype=object)),
            Column("granted", self.granted[sel].astype(np.int8), kind="bool"),
        ]


def plan_consent(
    rng: np.random.Generator, n_accounts: int, days: int, withdraw_rate: float
) -> ConsentPlan:
    """Baseline on day 1 (morning), withdrawals later, some advertising consent given back."""
    a = np.arange(n_accounts)
    base_acc = np.repeat(a, len(PURPOSES))
    base_pur = np.tile(np.arange(len(PURPOSES)), n_accounts)
    base_granted = ~((base_pur == 2) & (rng.random(len(base_acc)) < 0.1))
    base_sec = rng.integers(0, 43200, size=len(base_acc))
    withdraw = np.flatnonzero(rng.random(n_accounts) < withdraw_rate)
    w_day = rng.integers(0, days, size=len(withdraw))
    w_sec = rng.integers(43200, 72000, size=len(withdraw))
    back = rng.random(len(withdraw)) < REGRANT
    r_acc = withdraw[back]
    r_day = w_day[back] + rng.integers(0, days - w_day[back])
    r_sec = rng.integers(72000, 86400, size=len(r_acc))
    withdrawn = np.zeros(n_accounts, dtype=bool)
    withdrawn[withdraw] = True
    withdrawn[r_acc] = False
    return ConsentPlan(
        day=np.concatenate([np.zeros(len(base_acc), int), w_day, r_day]),
        sec=np.concatenate([base_sec, w_sec, r_sec]).astype(np.int32),
        account=np.concatenate([base_acc, withdraw, r_acc]).astype(np.int32),
        purpose=np.concatenate([base_pur, np.zeros(len(withdraw) + len(r_acc), int)]).astype(
            np.int8
        ),
        granted=np.concatenate(
            [base_granted, np.zeros(len(withdraw), bool), np.ones(len(r_acc), bool)]
        ),
        withdrawn=withdrawn,
    )
