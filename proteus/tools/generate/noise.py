"""The identifier noise of the `noisy` and `weak` profiles (see `profiles.py`).

`plan_noise` draws, once for the run, who has a second account, which device keeps its login
in another spelling, whose app id and cookie are synced across devices and which device
restored its app id from a family member's; `NoisyDay` then rewrites one day's identifier
codes accordingly (typos per row, synced and restored values) and returns the day's value
tables. Nothing here runs for the default profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from proteus.tools.generate.profiles import Profile
from proteus.tools.generate.world import LAST, World

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"), dtype=object)
DIGITS = np.array(list("0123456789"), dtype=object)
SECOND_ACCOUNT_MODES = (0.45, 0.35, 0.2)  # first account only, second only, both
FIRST, SECOND, BOTH = range(3)
WORK_DOMAINS = ("corp.example", "work.example")
SYNCED_COOKIE_RESET = 0.1
SYNCED_APP_RESET = 0.05
COLLISION_POOL = 200  # one low-entropy cookie value a day per this many devices


@dataclass
class Noise:
    """Per device: second account and how it is used, the login spelling its app keeps, the
    person whose synced app id / cookie it shows, the device whose app id it restored."""

    profile: Profile
    login2: np.ndarray
    login_mode: np.ndarray
    variant: np.ndarray
    variants: np.ndarray
    app_person: np.ndarray
    cookie_person: np.ndarray
    restored_from: np.ndarray


def typos(rng: np.random.Generator, values: list[str], alphabet: np.ndarray,
          keep_prefix: int = 0) -> list[str]:
    """Each value with two neighbouring characters swapped or one replaced (never itself).
    E-mail addresses change only before the `@`; the first `keep_prefix` characters never."""
    n = len(values)
    where, pick, swap = rng.random(n), rng.integers(0, len(alphabet), size=n), rng.random(n)
    out = []
    for text, w, p, s in zip(values, where.tolist(), pick.tolist(), swap.tolist(), strict=True):
        end = text.find("@") if "@" in text else len(text)
        span = max(end - keep_prefix, 1)
        i = keep_prefix + min(int(w * span), span - 1)
        if s < 0.5 and i + 1 < end and text[i] != text[i + 1]:
            out.append(text[:i] + text[i + 1] + text[i] + text[i + 2:])
            continue
        letter = str(alphabet[p])
        if letter == text[i]:
            letter = str(alphabet[(p + 1) % len(alphabet)])
        out.append(text[:i] + letter + text[i + 1:])
    return out


def _second_accounts(rng: np.random.Generator, world: World, rate: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    n = world.n_devices
    login2 = np.full(n, -1, np.int32)
    mode = np.zeros(n, np.int8)
    named = np.flatnonzero(world.person_login >= 0)
    chosen = named[rng.random(len(named)) < rate]
    if not len(chosen):
        return login2, mode
    first = len(world.logins)
    surname = rng.integers(0, len(LAST), size=len(chosen))
    domain = rng.integers(0, len(WORK_DOMAINS), size=len(chosen))
    names = [f"{LAST[s]}.{first + n}@{WORK_DOMAINS[d]}"
             for n, (s, d) in enumerate(zip(surname.tolist(), domain.tolist(), strict=True))]
    world.logins = np.concatenate([world.logins, np.array(names, dtype=object)])
    slot = np.full(world.n_persons, -1, np.int64)
    slot[chosen] = first + np.arange(len(chosen))
    owner = np.maximum(world.dev_person, 0)
    personal = (world.dev_person >= 0) & ~world.dev_shared & (slot[owner] >= 0)
    login2[personal] = slot[owner[personal]]
    mode[personal] = rng.choice(3, size=int(personal.sum()), p=SECOND_ACCOUNT_MODES)
    return login2, mode


def _restored(rng: np.random.Generator, world: World, rate: float) -> np.ndarray:
    """A device of a multi-person household restored another member's device's app id."""
    n = world.n_devices
    source = np.full(n, -1, np.int32)
    human = np.flatnonzero(~world.dev_bot)
    order = human[np.argsort(world.dev_household[human], kind="stable")]
    household = world.dev_household[order]
    starts = np.searchsorted(household, household, side="left")
    sizes = np.searchsorted(household, household, side="right") - starts
    multi = world.hh_size[household] >= 2
    chosen = np.flatnonzero(multi & (sizes >= 2) & (rng.random(len(order)) < rate))
    pick = rng.integers(0, 1 << 30, size=len(chosen))
    for tries in range(8):
        candidate = order[starts[chosen] + (pick + tries) % sizes[chosen]]
        other = world.dev_person[candidate] != world.dev_person[order[chosen]]
        fill = other & (source[order[chosen]] < 0)
        source[order[chosen[fill]]] = candidate[fill]
    return source


def plan_noise(rng: np.random.Generator, world: World, profile: Profile) -> Noise:
    """Draw the run's noise; for `weak`, strip logins and MSISDNs from the world."""
    n = world.n_devices
    if not profile.logins:
        for name in ("dev_login", "dev_family", "person_login", "hh_family_login"):
            getattr(world, name)[:] = -1
    if not profile.msisdns:
        world.dev_msisdn[:] = -1
    login2, mode = _second_accounts(rng, world, profile.second_account_rate)
    keeps = (world.dev_login >= 0) & ~world.dev_shared & (
        rng.random(n) < profile.login_variant_rate)
    variant = np.full(n, -1, np.int32)
    variant[keeps] = np.arange(int(keeps.sum()))
    variants = np.array(typos(rng, [str(v) for v in world.logins[world.dev_login[keeps]]],
                              LETTERS), dtype=object)
    owner = np.maximum(world.dev_person, 0)
    human = world.dev_person >= 0
    synced_app = rng.random(world.n_persons) < profile.synced_app_rate
    synced_cookie = rng.random(world.n_persons) < profile.synced_cookie_rate
    app_person = np.where(human & synced_app[owner], owner, -1).astype(np.int32)
    cookie_person = np.where(human & synced_cookie[owner], owner, -1).astype(np.int32)
    return Noise(profile=profile, login2=login2, login_mode=mode, variant=variant,
                 variants=variants, app_person=app_person, cookie_person=cookie_person,
                 restored_from=_restored(rng, world, profile.restored_app_rate))


def _shift(codes: np.ndarray, base: int, by: int) -> np.ndarray:
    """Codes at or above `base` (junk values, absent) moved up by `by`."""
    return np.where(codes >= base, codes + by, codes).astype(np.int32)


def noisy_logins(rng: np.random.Generator, noise: Noise, world: World, idx: np.ndarray,
                 login: np.ndarray, junk: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Second accounts, kept spellings and per-row typos; codes and the day's table."""
    n_logins = len(world.logins)
    absent = n_logins + len(junk)
    if not noise.profile.logins:
        table = np.array([*world.logins, *junk, None], dtype=object)
        return np.full(len(login), absent, np.int32), table
    first = (login < n_logins) & (login == world.dev_login[idx])
    mode = noise.login_mode[idx]
    second = first & (noise.login2[idx] >= 0) & (
        (mode == SECOND) | ((mode == BOTH) & (rng.random(len(login)) < 0.5)))
    login = np.where(second, noise.login2[idx], login).astype(np.int32)
    kept = first & ~second & (noise.variant[idx] >= 0)
    typed = np.flatnonzero((login < n_logins) & ~kept
                           & (rng.random(len(login)) < noise.profile.login_typo_rate))
    wrong = typos(rng, [str(v) for v in world.logins[login[typed]]], LETTERS)
    extra = len(noise.variants)
    login = _shift(login, n_logins, extra + len(wrong))
    login[kept] = n_logins + noise.variant[idx[kept]]
    login[typed] = n_logins + extra + np.arange(len(typed))
    table = np.array([*world.logins, *noise.variants, *wrong, *junk, None], dtype=object)
    return login, table


def noisy_msisdns(rng: np.random.Generator, noise: Noise, world: World,
                  msisdn: np.ndarray, junk: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    n_values = len(world.msisdns)
    if not noise.profile.msisdns:
        table = np.array([*world.msisdns, *junk, None], dtype=object)
        return np.full(len(msisdn), n_values + len(junk), np.int32), table
    typed = np.flatnonzero((msisdn < n_values)
                           & (rng.random(len(msisdn)) < noise.profile.msisdn_typo_rate))
    wrong = typos(rng, [str(v) for v in world.msisdns[msisdn[typed]]], DIGITS, keep_prefix=3)
    msisdn = _shift(msisdn, n_values, len(wrong))
    msisdn[typed] = n_values + np.arange(len(typed))
    return msisdn, np.array([*world.msisdns, *wrong, *junk, None], dtype=object)


def app_owner(noise: Noise, n_devices: int) -> np.ndarray:
    """Per device, the code of the app id it shows: its own (the device), its person's
    synced one (n_devices + person), or that of the device it restored from."""
    code = np.where(noise.app_person >= 0, n_devices + noise.app_person,
                    np.arange(n_devices)).astype(np.int64)
    restored = np.flatnonzero(noise.restored_from >= 0)
    code[restored] = code[noise.restored_from[restored]]
    return code
