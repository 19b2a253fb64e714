"""Network events: home router IPs that change, CGNAT, hotspots, cookies, app ids, logins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from proteus.tools.generate.columns import Column
from proteus.tools.generate.noise import (
    COLLISION_POOL,
    SYNCED_APP_RESET,
    SYNCED_COOKIE_RESET,
    Noise,
    app_owner,
    noisy_logins,
    noisy_msisdns,
)
from proteus.tools.generate.timing import hour_weights, sample_seconds
from proteus.tools.generate.world import DEVICE_TYPES, PHONE, World

NETWORKS = ("home", "mobile", "public_wifi")
JUNK: dict[str, tuple[str, ...]] = {
    "ip": ("0.0.0.0",),
    "cookie": ("null", "0", "unknown", "undefined", "00000000-0000-0000-0000-000000000000"),
    "app_id": ("0", "null", "unknown", "test", "00000000-0000-0000-0000-000000000000"),
    "login": ("test@example.com", "test", "unknown", "null", "0", "user@example.com"),
    "msisdn": ("0", "0000000000", "1234567890", "999999999"),
}
IDENTIFIERS = tuple(JUNK)
# rows by device type (stb, smart_tv, phone, tablet, laptop)
NET_P = np.array([[1, 0, 0], [1, 0, 0], [0.45, 0.45, 0.1], [0.85, 0.08, 0.07], [0.8, 0.03, 0.17]])
CHANNEL_P = np.array(
    [[0, 0.7, 0.3], [0, 0.75, 0.25], [0.3, 0.55, 0.15], [0.4, 0.45, 0.15], [0.75, 0.1, 0.15]]
)
RATE = np.array([0.9, 0.8, 1.3, 0.8, 0.9])
BOT_RATE = 10.0
FAMILY_SHARE = 0.4
BROWSERS = (
    "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) STB/4.2",
    "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko)",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Mobile",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124",
)
APPS = ("ProteusTV/5.1 (stb)", "ProteusTV/5.1 (smart_tv)", "ProteusTV/5.1 (Android)",
        "ProteusTV/5.1 (iPadOS)", "ProteusTV/5.1 (web)")  # fmt: skip
BOT_AGENTS = ("python-requests/2.31.0", "curl/8.5.0", "Go-http-client/1.1", "Wget/1.21")
HOME_BASE = (81 << 24) | (128 << 16)
CGNAT_BASE = (31 << 24) | (94 << 16)
HOTSPOT_BASE = (185 << 24) | (69 << 16) | (144 << 8)
BOT_BASE = (5 << 24) | (62 << 16)


def _ip(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def _table(values: list[str] | np.ndarray, field: str) -> np.ndarray:
    """Values, then the junk values of the field, then None (absent)."""
    out = np.empty(len(values) + len(JUNK[field]) + 1, dtype=object)
    out[: len(values)] = values
    out[len(values) : -1] = JUNK[field]
    return out


@dataclass
class Lease:
    """Home IP of every household for one day: old before change_sec, new from it."""

    old: np.ndarray
    new: np.ndarray
    change_sec: np.ndarray


class NetworkState:
    """State carried from day to day: home IP leases, cookies, app ids."""

    def __init__(self, rng: np.random.Generator, world: World, cgnat_devices_per_ip: int,
                 noise: Noise | None = None, noise_rng: np.random.Generator | None = None
                 ) -> None:
        self.world = world
        self.noise = noise
        self.cookie_reset = noise.profile.cookie_reset if noise is not None else 0.3
        n_hh, n = world.n_households, world.n_devices
        self.pool = int(n_hh * 1.6) + 64
        perm = rng.permutation(self.pool)
        self.home = perm[:n_hh].astype(np.int32)
        self.free = perm[n_hh:].astype(np.int32)
        self.lease_start = np.zeros(n_hh, dtype=np.int64)
        self.cookie = rng.integers(0, 2**62, size=n)
        self.app = rng.integers(0, 2**62, size=n)
        sim = ~world.dev_bot & np.isin(world.dev_type, [PHONE, 3, 4])
        self.n_cgnat = max(1, int(sim.sum()) // cgnat_devices_per_ip)
        self.n_hotspot = max(1, n // 400)
        self.n_bots = int(world.dev_bot.sum())
        self.bot_rank = np.cumsum(world.dev_bot) - 1
        self.cgnat0 = self.pool
        self.hotspot0 = self.cgnat0 + self.n_cgnat
        self.bot0 = self.hotspot0 + self.n_hotspot
        ints = np.concatenate(
            [
                HOME_BASE + np.arange(self.pool) * 3 + 7,
                CGNAT_BASE + np.arange(self.n_cgnat) * 5 + 1,
                HOTSPOT_BASE + np.arange(self.n_hotspot) * 2 + 10,
                BOT_BASE + np.arange(self.n_bots) * 11 + 3,
            ]
        )
        self.ips = _table([_ip(v) for v in ints.tolist()], "ip")
        self.login_table = _table(world.logins, "login")
        self.msisdn_table = _table(world.msisdns, "msisdn")
        self.agent_table = np.array([*BROWSERS, *APPS, *BOT_AGENTS, None], dtype=object)
        self.leases: list[tuple[int, int, int, int]] = []
        if noise is not None and noise_rng is not None:
            self.person_app = noise_rng.integers(0, 2**62, size=world.n_persons)
            self.person_cookie = noise_rng.integers(0, 2**62, size=world.n_persons)

    def advance(self, rng: np.random.Generator, day: int,
                noise_rng: np.random.Generator | None = None) -> Lease:
        """Move to the next day: some households get a new home IP during the day."""
        n_hh = len(self.home)
        change = rng.random(n_hh) < 1 / 3
        change_sec = np.where(change, rng.integers(0, 86400, size=n_hh), 86400)
        old = self.home.copy()
        idx = np.flatnonzero(change)[: len(self.free)]
        change_sec[~np.isin(np.arange(n_hh), idx)] = 86400
        self.home[idx] = self.free[: len(idx)]
        self.free = np.concatenate([self.free[len(idx) :], old[idx]])
        now = day * 86400 + change_sec[idx]
        for h, ip, start, end in zip(
            idx.tolist(),
            old[idx].tolist(),
            self.lease_start[idx].tolist(),
            now.tolist(),
            strict=True,
        ):
            self.leases.append((h, ip, start, end))
        self.lease_start[idx] = now
        n = self.world.n_devices
        reset = rng.random(n) < self.cookie_reset
        self.cookie[reset] = rng.integers(0, 2**62, size=int(reset.sum()))
        cookies = reset
        reset = rng.random(n) < 0.05
        self.app[reset] = rng.integers(0, 2**62, size=int(reset.sum()))
        if self.noise is not None and noise_rng is not None:
            self._churn(noise_rng, day, cookies)
        return Lease(old=old, new=self.home.copy(), change_sec=change_sec)

    def _churn(self, rng: np.random.Generator, day: int, reset: np.ndarray) -> None:
        """Synced values reset per person; some new cookies come from a low-entropy
        generator (a small pool of values a day), so unrelated devices share them."""
        assert self.noise is not None
        persons = self.world.n_persons
        again = rng.random(persons) < SYNCED_APP_RESET
        self.person_app[again] = rng.integers(0, 2**62, size=int(again.sum()))
        again = rng.random(persons) < SYNCED_COOKIE_RESET
        self.person_cookie[again] = rng.integers(0, 2**62, size=int(again.sum()))
        fresh = np.flatnonzero(reset)
        low = fresh[rng.random(len(fresh)) < self.noise.profile.cookie_collision_rate]
        pool = max(self.world.n_devices // COLLISION_POOL, 4)
        self.cookie[low] = (1 << 61) + (day << 32) + rng.integers(0, pool, size=len(low))

    def open_leases(self, end: int) -> list[tuple[int, int, int, int]]:
        """All leases including the ones still open at `end` (seconds since the start)."""
        still = [
            (h, ip, start, end)
            for h, (ip, start) in enumerate(
                zip(self.home.tolist(), self.lease_start.tolist(), strict=True)
            )
        ]
        return self.leases + still


@dataclass
class NetworkDay:
    """Columns of one day of network events, plus what the truth needs."""

    columns: list[Column]
    identifier_values: int
    junk_values: int
    cgnat_pairs: np.ndarray
    hotspot_pairs: np.ndarray


def _categorical(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(rows))
    return ((u > cum[rows, 0]).astype(np.int8) + (u > cum[rows, 1])).astype(np.int8)


def _junk(rng: np.random.Generator, codes: np.ndarray, base: int, field: str, rate: float) -> int:
    """Replace present values by junk at `rate`; return how many were replaced."""
    absent = base + len(JUNK[field])
    hit = np.flatnonzero((codes != absent) & (rng.random(len(codes)) < rate))
    codes[hit] = base + rng.integers(0, len(JUNK[field]), size=len(hit))
    return len(hit)


def network_day(
    rng: np.random.Generator,
    state: NetworkState,
    lease: Lease,
    day: int,
    rate: float,
    junk_rate: float,
    noise_rng: np.random.Generator | None = None,
) -> NetworkDay:
    """Draw one day of network events, sorted by time."""
    w = state.world
    n = w.n_devices
    dev_rate = np.where(w.dev_bot, BOT_RATE, RATE[w.dev_type]) * rate
    counts = rng.poisson(dev_rate * rng.gamma(2.0, 0.5, size=n))
    idx = np.repeat(np.arange(n, dtype=np.int32), counts)
    habit = np.where(w.dev_bot, 4, w.person_habit[np.maximum(w.dev_person, 0)])[idx]
    sec = sample_seconds(rng, habit, hour_weights())
    order = np.argsort(sec, kind="stable")
    idx, sec = idx[order], sec[order]
    del habit, order
    e = len(idx)
    dtype = w.dev_type[idx]
    bot = w.dev_bot[idx]
    net = np.where(bot, 0, _categorical(rng, NET_P, dtype))
    channel = np.where(bot, 0, _categorical(rng, CHANNEL_P, dtype))

    hh = np.maximum(w.dev_household[idx], 0)
    ip = np.where(sec < lease.change_sec[hh], lease.old[hh], lease.new[hh]).astype(np.int32)
    del hh
    mobile = net == 1
    cg = rng.integers(0, state.n_cgnat, size=n)
    hs = rng.integers(0, state.n_hotspot, size=n)
    ip[mobile] = state.cgnat0 + cg[idx[mobile]]
    ip[net == 2] = state.hotspot0 + hs[idx[net == 2]]
    ip[bot] = state.bot0 + state.bot_rank[idx[bot]]
    cgnat_pairs = np.unique(idx[mobile].astype(np.int64) * state.n_cgnat + cg[idx[mobile]])
    wifi = net == 2
    hotspot_pairs = np.unique(idx[wifi].astype(np.int64) * state.n_hotspot + hs[idx[wifi]])

    web, app = channel == 0, channel == 1
    n_bot_web = int((web & bot).sum())
    bot_cookies = rng.integers(0, 2**62, size=n_bot_web)
    cookie_values = [f"{v:016x}" for v in state.cookie.tolist()]
    cookie_values += [f"{v:016x}" for v in bot_cookies.tolist()]
    cookie_base = n + n_bot_web
    cookie = np.full(e, cookie_base + len(JUNK["cookie"]), dtype=np.int32)
    cookie[web & ~bot] = idx[web & ~bot]
    cookie[web & bot] = n + np.arange(n_bot_web)
    app_id = np.full(e, n + len(JUNK["app_id"]), dtype=np.int32)
    app_id[app] = idx[app]
    app_values = [f"{v:016X}" for v in state.app.tolist()]

    n_logins = len(w.logins)
    personal, family = w.dev_login[idx], w.dev_family[idx]
    u = rng.random(e)
    shown = (app & (u < 0.85)) | (web & (u < 0.25))
    use_family = (family >= 0) & ((personal < 0) | (rng.random(e) < FAMILY_SHARE))
    login = np.where(use_family, family, personal)
    login = np.where(shown & (login >= 0) & ~bot, login, n_logins + len(JUNK["login"]))
    login = login.astype(np.int32)
    del personal, family, use_family, u, shown
    n_msisdn = len(w.msisdns)
    with_sim = mobile & (dtype == PHONE) & ~bot & (rng.random(e) < 0.9)
    msisdn = np.full(e, n_msisdn + len(JUNK["msisdn"]), dtype=np.int32)
    msisdn[with_sim] = w.dev_msisdn[idx[with_sim]]
    agent = np.full(e, len(BROWSERS) + len(APPS) + len(BOT_AGENTS), dtype=np.int32)
    agent[web] = dtype[web]
    agent[app] = len(BROWSERS) + dtype[app]
    agent[web & bot] = len(BROWSERS) + len(APPS) + (idx[web & bot] % len(BOT_AGENTS))

    junk_ip = _junk(rng, ip, len(state.ips) - 2, "ip", junk_rate * 0.2)
    junk = junk_ip
    junk += _junk(rng, cookie, cookie_base, "cookie", junk_rate)
    junk += _junk(rng, app_id, n, "app_id", junk_rate)
    junk += _junk(rng, login, n_logins, "login", junk_rate)
    junk += _junk(rng, msisdn, n_msisdn, "msisdn", junk_rate)
    placeholder = np.flatnonzero(app & (login == n_logins + len(JUNK["login"])))
    placeholder = placeholder[rng.random(len(placeholder)) < junk_rate]
    login[placeholder] = n_logins + rng.integers(0, len(JUNK["login"]), size=len(placeholder))
    junk += len(placeholder)
    present = e + int((cookie < cookie_base + len(JUNK["cookie"])).sum())
    present += int((app_id < n + len(JUNK["app_id"])).sum())
    present += int((login < n_logins + len(JUNK["login"])).sum())
    present += int((msisdn < n_msisdn + len(JUNK["msisdn"])).sum())
    login_table, msisdn_table = state.login_table, state.msisdn_table
    app_table = _table(app_values, "app_id")
    cookie_table = _table(cookie_values, "cookie")
    if state.noise is not None and noise_rng is not None:
        noise = state.noise
        login, login_table = noisy_logins(noise_rng, noise, w, idx, login, JUNK["login"])
        msisdn, msisdn_table = noisy_msisdns(noise_rng, noise, w, msisdn, JUNK["msisdn"])
        own = app_id < n
        app_id = np.where(own, app_owner(noise, n)[np.minimum(app_id, n - 1)],
                          app_id + w.n_persons).astype(np.int32)
        app_table = _table(app_values + [f"{v:016X}" for v in state.person_app.tolist()],
                           "app_id")
        synced = (cookie < n) & (noise.cookie_person[np.minimum(cookie, n - 1)] >= 0)
        cookie = np.where(cookie >= cookie_base, cookie + w.n_persons, cookie)
        cookie[synced] = cookie_base + noise.cookie_person[cookie[synced]]
        cookie_table = _table(cookie_values + [f"{v:016x}" for v in state.person_cookie.tolist()],
                              "cookie")
        present, junk = e, junk_ip
        for field, codes, table in (("cookie", cookie, cookie_table),
                                    ("app_id", app_id, app_table),
                                    ("login", login, login_table),
                                    ("msisdn", msisdn, msisdn_table)):
            present += int((codes < len(table) - 1).sum())
            junk += int((codes >= len(table) - 1 - len(JUNK[field])).sum()
                        - (codes == len(table) - 1).sum())
    reuse_ids = state.noise is None

    columns = [
        Column("event_id", np.arange(e, dtype=np.int32), kind="seq", prefix=f"n{day + 1:02d}-"),
        Column("ts", sec, kind="ts"),
        Column("device_id", idx, table=w.device_ids, reuse=True),
        Column("device_type", dtype, table=np.array(DEVICE_TYPES, dtype=object)),
        Column("network", net, table=np.array(NETWORKS, dtype=object)),
        Column("ip", ip, table=state.ips, reuse=True),
        Column("cookie", cookie, table=cookie_table),
        Column("app_id", app_id, table=app_table),
        Column("login", login, table=login_table, reuse=reuse_ids),
        Column("msisdn", msisdn, table=msisdn_table, reuse=reuse_ids),
        Column("user_agent", agent, table=state.agent_table, safe=False, reuse=True),
    ]
    return NetworkDay(columns, present, junk, cgnat_pairs, hotspot_pairs)
