"""The population: households, persons, devices and their identifiers.

Truth rule for shared screens: a household set-top box or smart TV belongs to the
household's primary person (the first person of the household, the TV account holder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEVICE_TYPES = ("stb", "smart_tv", "phone", "tablet", "laptop")
STB, TV, PHONE, TABLET, LAPTOP = range(5)

HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_SIZE_P = np.array([0.28, 0.34, 0.16, 0.14, 0.05, 0.03])
PERSONAL_DEVICES_P = np.array([0.2, 0.38, 0.3, 0.12])
HABITS = ("evening", "morning", "night", "daytime")
NOT_LOGGED_IN = 0.01


def words(text: str) -> tuple[str, ...]:
    """Split a text of words."""
    return tuple(text.split())


FIRST = words(
    "anna ben carla david emma felix greta hugo ida jonas kara leo mia noah olga paul "
    "rosa sam tara uwe vera will xena yann zoe alex bea chris dana eli fay"
)
LAST = words(
    "smith jones brown taylor wilson evans thomas johnson roberts walker wright "
    "robinson thompson white hughes edwards green hall wood harris lewis martin "
    "jackson clarke clark turner hill scott cooper morris"
)
DOMAINS = ("example.com", "example.net", "example.org", "mail.example")


@dataclass
class World:
    """Arrays describing every household, person and device (index = position)."""

    hh_start: np.ndarray
    hh_size: np.ndarray
    hh_family_login: np.ndarray
    person_household: np.ndarray
    person_community: np.ndarray
    person_habit: np.ndarray
    person_login: np.ndarray
    person_anonymous: np.ndarray
    dev_person: np.ndarray
    dev_household: np.ndarray
    dev_type: np.ndarray
    dev_bot: np.ndarray
    dev_shared: np.ndarray
    dev_login: np.ndarray
    dev_family: np.ndarray
    dev_msisdn: np.ndarray
    dev_ua: np.ndarray
    device_ids: np.ndarray
    logins: np.ndarray
    msisdns: np.ndarray
    community_weights: np.ndarray

    @property
    def n_devices(self) -> int:
        return len(self.dev_type)

    @property
    def n_persons(self) -> int:
        return len(self.person_household)

    @property
    def n_households(self) -> int:
        return len(self.hh_size)

    def resolvable(self) -> np.ndarray:
        """Devices with at least one strong identifier (personal login or msisdn)."""
        return (self.dev_login >= 0) | (self.dev_msisdn >= 0)


def _pick(rng: np.random.Generator, n: int, choices: list[int], p: list[float]) -> np.ndarray:
    return rng.choice(np.array(choices, dtype=np.int8), size=n, p=np.array(p) / sum(p))


def _households(rng: np.random.Generator, n_human: int, anonymous_rate: float,
                personal_devices_p: np.ndarray = PERSONAL_DEVICES_P):
    n_est = n_human // 3 + 16
    sizes = rng.choice(HOUSEHOLD_SIZES, size=n_est, p=HOUSEHOLD_SIZE_P)
    start = np.cumsum(sizes) - sizes
    person_hh = np.repeat(np.arange(n_est), sizes)
    primary = np.arange(len(person_hh)) == start[person_hh]
    anonymous = ~primary & (rng.random(len(person_hh)) < anonymous_rate)
    choices = np.arange(1, len(personal_devices_p) + 1)
    k = rng.choice(choices, size=len(person_hh), p=personal_devices_p)
    k[anonymous] = 1
    shared1 = rng.random(n_est) < 0.85
    shared = shared1.astype(np.int64) + (shared1 & (rng.random(n_est) < 0.22))
    per_hh = shared + np.bincount(person_hh, weights=k, minlength=n_est).astype(np.int64)
    keep = int(np.searchsorted(np.cumsum(per_hh), n_human, side="right"))
    gap = n_human - int(per_hh[:keep].sum())
    n_persons = int(sizes[:keep].sum())
    sizes = np.concatenate([sizes[:keep], np.ones(gap, dtype=sizes.dtype)])
    k = np.concatenate([k[:n_persons], np.ones(gap, dtype=k.dtype)])
    anonymous = np.concatenate([anonymous[:n_persons], np.zeros(gap, dtype=bool)])
    shared = np.concatenate([shared[:keep], np.zeros(gap, dtype=shared.dtype)])
    return sizes, k, anonymous, shared


def build_world(
    rng: np.random.Generator,
    devices: int,
    communities: int,
    bot_rate: float,
    anonymous_rate: float,
    family_login_rate: float,
    personal_devices_p: np.ndarray = PERSONAL_DEVICES_P,
) -> World:
    """Draw the whole population for a given device count (exact)."""
    n_bots = min(round(devices * bot_rate), devices - 1)
    sizes, k, anonymous, shared = _households(rng, devices - n_bots, anonymous_rate,
                                              np.asarray(personal_devices_p))
    n_hh, n_p = len(sizes), int(sizes.sum())
    hh_start = np.cumsum(sizes) - sizes
    person_hh = np.repeat(np.arange(n_hh), sizes).astype(np.int32)
    weights = (np.arange(communities) + 1.0) ** -0.7
    weights /= weights.sum()
    community = rng.choice(communities, size=n_p, p=weights).astype(np.int16)
    habit = rng.integers(0, len(HABITS), size=n_p).astype(np.int8)

    # personal devices, then shared screens, then bots
    p_dev = np.repeat(np.arange(n_p), k).astype(np.int32)
    slot = np.arange(len(p_dev)) - np.repeat(np.cumsum(k) - k, k)
    n_pd = len(p_dev)
    t0 = _pick(rng, n_pd, [PHONE, LAPTOP, TABLET], [0.9, 0.06, 0.04])
    t_anon = _pick(rng, n_pd, [TABLET, LAPTOP], [0.6, 0.4])
    t1 = _pick(rng, n_pd, [LAPTOP, TABLET, PHONE, TV], [0.45, 0.35, 0.15, 0.05])
    t2 = _pick(rng, n_pd, [TABLET, LAPTOP, TV], [0.4, 0.4, 0.2])
    p_type = np.where(
        slot == 0, np.where(anonymous[p_dev], t_anon, t0), np.where(slot == 1, t1, t2)
    )
    s_hh = np.repeat(np.arange(n_hh), shared).astype(np.int32)
    s_slot = np.arange(len(s_hh)) - np.repeat(np.cumsum(shared) - shared, shared)
    s_first = _pick(rng, len(s_hh), [STB, TV], [0.6, 0.4])
    s_type = np.where(s_slot == 0, s_first, TV).astype(np.int8)
    s_person = hh_start[s_hh].astype(np.int32)
    dev_person = np.concatenate([p_dev, s_person, np.full(n_bots, -1, np.int32)])
    dev_type = np.concatenate(
        [p_type, s_type, _pick(rng, n_bots, [LAPTOP, PHONE, TABLET], [0.6, 0.25, 0.15])]
    ).astype(np.int8)
    n_dev = len(dev_type)
    dev_bot = dev_person < 0
    dev_shared = np.zeros(n_dev, dtype=bool)
    dev_shared[n_pd : n_pd + len(s_hh)] = True
    dev_hh = np.where(dev_bot, -1, person_hh[np.maximum(dev_person, 0)]).astype(np.int32)

    # logins: one per non-anonymous person, one per family-sharing household
    named = ~anonymous
    named_per_hh = np.bincount(person_hh, weights=named, minlength=n_hh)
    family = (named_per_hh >= 2) & (rng.random(n_hh) < family_login_rate)
    person_login = np.full(n_p, -1, np.int32)
    person_login[named] = np.arange(int(named.sum()))
    hh_family = np.full(n_hh, -1, np.int32)
    hh_family[family] = int(named.sum()) + np.arange(int(family.sum()))
    n_logins = int(named.sum()) + int(family.sum())
    login_hh = np.concatenate([person_hh[named], np.flatnonzero(family)])
    last = rng.integers(0, len(LAST), size=n_hh)[login_hh]
    first = rng.integers(0, len(FIRST), size=n_logins)
    number = rng.permutation(n_logins) + 11
    domain = rng.integers(0, len(DOMAINS), size=n_logins)
    logins = np.array(
        [
            f"{FIRST[f]}.{LAST[s]}{n}@{DOMAINS[d]}"
            for f, s, n, d in zip(
                first.tolist(), last.tolist(), number.tolist(), domain.tolist(), strict=True
            )
        ],
        dtype=object,
    )

    owner = np.maximum(dev_person, 0)
    dev_login = np.where(dev_bot, -1, person_login[owner])
    not_logged_in = rng.random(n_dev) < NOT_LOGGED_IN
    # family login: on every shared screen, on one device of each named member,
    # and on most devices of anonymous members
    hh_fam_dev = np.where(dev_bot, -1, hh_family[np.maximum(dev_hh, 0)])
    first_slot = np.zeros(n_dev, dtype=bool)
    first_slot[:n_pd] = slot == np.minimum(k[p_dev] - 1, 1)
    anon_dev = ~dev_bot & anonymous[owner] & (rng.random(n_dev) < 0.7)
    uses_family = dev_shared | (first_slot & named[owner]) | anon_dev
    dev_family = np.where(uses_family, hh_fam_dev, -1)
    dev_login[not_logged_in & ~dev_shared & (dev_family < 0)] = -1

    phone = (dev_type == PHONE) & ~dev_bot
    dev_msisdn = np.full(n_dev, -1, np.int32)
    dev_msisdn[phone] = np.arange(int(phone.sum()))
    msisdns = np.array(
        [f"447{n:09d}" for n in (rng.permutation(int(phone.sum())) * 37 + 100_000_000).tolist()],
        dtype=object,
    )
    raw_ids = rng.integers(0, 16**12, size=n_dev)
    while len(np.unique(raw_ids)) < n_dev:
        raw_ids = rng.integers(0, 16**12, size=n_dev)
    device_ids = np.array([f"{v:012x}" for v in raw_ids.tolist()], dtype=object)
    dev_ua = rng.integers(0, 4, size=n_dev).astype(np.int8)
    return World(
        hh_start=hh_start,
        hh_size=sizes,
        hh_family_login=hh_family,
        person_household=person_hh,
        person_community=community,
        person_habit=habit,
        person_login=person_login,
        person_anonymous=anonymous,
        dev_person=dev_person,
        dev_household=dev_hh,
        dev_type=dev_type,
        dev_bot=dev_bot,
        dev_shared=dev_shared,
        dev_login=dev_login,
        dev_family=dev_family,
        dev_msisdn=dev_msisdn,
        dev_ua=dev_ua,
        device_ids=device_ids,
        logins=logins,
        msisdns=msisdns,
        community_weights=weights,
    )
