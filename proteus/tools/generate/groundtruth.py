"""Writes the ground-truth files of a generated dataset."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from proteus.tools.generate.catalog import Catalog
from proteus.tools.generate.consent import ConsentPlan
from proteus.tools.generate.network import JUNK, NetworkState
from proteus.tools.generate.noise import Noise
from proteus.tools.generate.truth import write_csv
from proteus.tools.generate.viewing import WatchLedger
from proteus.tools.generate.world import DEVICE_TYPES, HABITS, World


@dataclass
class Tally:
    """Counts and pairs gathered while the days are generated."""

    identifier_values: int = 0
    junk_values: int = 0
    cgnat_pairs: list[np.ndarray] = field(default_factory=list)
    hotspot_pairs: list[np.ndarray] = field(default_factory=list)
    malformed: list[tuple[str, int, str, str, str]] = field(default_factory=list)


def _pid(i: int) -> str:
    return f"p{i:07d}" if i >= 0 else ""


def _hid(i: int) -> str:
    return f"h{i:07d}" if i >= 0 else ""


def _devices_per_ip(
    pairs: list[np.ndarray], n_ips: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(device, ip, devices on that ip) for each distinct device-ip pair."""
    allp = np.unique(np.concatenate(pairs)) if pairs else np.zeros(0, np.int64)
    dev, ip = allp // n_ips, allp % n_ips
    count = np.bincount(ip, minlength=n_ips)
    return dev, ip, count


def write_truth(
    truth: Path,
    start: date,
    world: World,
    catalog: Catalog,
    state: NetworkState,
    ledger: WatchLedger,
    consent: ConsentPlan,
    tally: Tally,
    days: int,
    noise: Noise | None = None,
) -> list[str]:
    """Write every truth file; return their names."""
    truth.mkdir(parents=True, exist_ok=True)
    w = world
    cg_dev, cg_ip, cg_count = _devices_per_ip(tally.cgnat_pairs, state.n_cgnat)
    peers = np.zeros(w.n_devices, dtype=np.int64)
    np.maximum.at(peers, cg_dev, cg_count[cg_ip])
    _, _, hs_count = _devices_per_ip(tally.hotspot_pairs, state.n_hotspot)
    resolvable = w.resolvable()
    logins, msisdns = w.logins, w.msisdns

    def opt(table: np.ndarray, i: int) -> str:
        return str(table[i]) if i >= 0 else ""

    write_csv(
        truth / "devices.csv",
        ["device_id", "person_id", "household_id", "device_type", "is_bot", "shared_screen",
         "resolvable", "login", "family_login", "msisdn", "cgnat_peers"],
        (
            (w.device_ids[d], _pid(p), _hid(h), DEVICE_TYPES[t], str(b).lower(), str(s).lower(),
             str(r).lower(), opt(logins, lg), opt(logins, fm), opt(msisdns, m), pe)
            for d, p, h, t, b, s, r, lg, fm, m, pe in zip(
                range(w.n_devices), w.dev_person.tolist(), w.dev_household.tolist(),
                w.dev_type.tolist(), w.dev_bot.tolist(), w.dev_shared.tolist(),
                resolvable.tolist(), w.dev_login.tolist(), w.dev_family.tolist(),
                w.dev_msisdn.tolist(), peers.tolist(), strict=True,
            )
        ),
    )  # fmt: skip
    primary = np.zeros(w.n_persons, dtype=bool)
    primary[w.hh_start] = True
    write_csv(
        truth / "persons.csv",
        ["person_id", "household_id", "community", "habit", "primary", "anonymous", "login",
         "views", "watch_seconds", "off_community_seconds"],
        (
            (_pid(i), _hid(h), c, HABITS[hb], str(pr).lower(), str(a).lower(), opt(logins, lg),
             v, t, o)
            for i, h, c, hb, pr, a, lg, v, t, o in zip(
                range(w.n_persons), w.person_household.tolist(), w.person_community.tolist(),
                w.person_habit.tolist(), primary.tolist(), w.person_anonymous.tolist(),
                w.person_login.tolist(), ledger.views.tolist(), ledger.total.tolist(),
                ledger.off.tolist(), strict=True,
            )
        ),
    )  # fmt: skip
    human = ~w.dev_bot
    hh_devices = np.bincount(w.dev_household[human], minlength=w.n_households)
    write_csv(
        truth / "households.csv",
        ["household_id", "persons", "devices", "family_login"],
        (
            (_hid(h), s, n, opt(logins, f))
            for h, s, n, f in zip(
                range(w.n_households), w.hh_size.tolist(), hh_devices.tolist(),
                w.hh_family_login.tolist(), strict=True,
            )
        ),
    )  # fmt: skip
    fam_devices = np.bincount(w.dev_family[w.dev_family >= 0], minlength=len(logins))
    family_hh = np.flatnonzero(w.hh_family_login >= 0)
    write_csv(
        truth / "shared_logins.csv",
        ["login", "household_id", "devices"],
        ((logins[w.hh_family_login[h]], _hid(int(h)), fam_devices[w.hh_family_login[h]])
         for h in family_hh),
    )  # fmt: skip
    ips = state.ips
    write_csv(
        truth / "ips.csv",
        ["ip", "kind", "devices"],
        [(ips[state.cgnat0 + i], "cgnat", int(cg_count[i])) for i in range(state.n_cgnat)]
        + [(ips[state.hotspot0 + i], "hotspot", int(hs_count[i])) for i in range(state.n_hotspot)]
        + [(ips[state.bot0 + i], "bot_line", 1) for i in range(state.n_bots)],
    )
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)

    def iso(sec: int) -> str:
        return (t0 + timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")

    leases = sorted(state.open_leases(days * 86400), key=lambda x: (x[0], x[2]))
    write_csv(
        truth / "home_ips.csv",
        ["household_id", "ip", "valid_from", "valid_to"],
        ((_hid(h), ips[ip], iso(a), iso(b)) for h, ip, a, b in leases if b > a),
    )
    is_family = np.zeros(len(logins), dtype=bool)
    is_family[w.hh_family_login[w.hh_family_login >= 0]] = True
    write_csv(
        truth / "consent.csv",
        ["account", "family_shared", "advertising_withdrawn"],
        (
            (logins[i], str(f).lower(), str(x).lower())
            for i, (f, x) in enumerate(
                zip(is_family.tolist(), consent.withdrawn.tolist(), strict=True)
            )
        ),
    )
    write_csv(
        truth / "junk_values.csv",
        ["field", "value"],
        [(name, value) for name, values in JUNK.items() for value in values],
    )
    write_csv(truth / "malformed.csv", ["file", "line_no", "field", "defect", "subject"],
              tally.malformed)
    write_csv(
        truth / "content.csv",
        ["content_id", "community"],
        sorted(zip(catalog.content_ids.tolist(), catalog.community.tolist(), strict=True)),
    )
    sizes = np.bincount(w.person_community, minlength=len(w.community_weights))
    items = np.bincount(catalog.community, minlength=len(w.community_weights))
    write_csv(
        truth / "communities.csv",
        ["community", "persons", "items", "genres", "topic_iab_id"],
        (
            (c, int(sizes[c]), int(items[c]), "|".join(catalog.community_genres[c]),
             catalog.community_topics[c])
            for c in range(len(sizes))
        ),
    )  # fmt: skip
    summary: dict[str, Any] = {
        "identifier_values": tally.identifier_values,
        "junk_values": tally.junk_values,
        "malformed_rows": len(tally.malformed),
        "devices": w.n_devices,
        "bots": int(w.dev_bot.sum()),
        "persons": w.n_persons,
        "households": w.n_households,
        "cgnat_ips": state.n_cgnat,
        "hotspot_ips": state.n_hotspot,
        "shared_screen_rule": "a household set-top box or smart TV belongs to the primary person",
    }
    if noise is not None:
        summary["profile"] = noise.profile.name
        summary["noise"] = _write_noise(truth / "noise.csv", w, noise)
    (truth / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return sorted(p.name for p in truth.iterdir())


def _write_noise(path: Path, w: World, noise: Noise) -> dict[str, int]:
    """`noise.csv`: device_id, kind, value — the device-level noise of a profile: a second
    account it shows (`second_login`: the login, then `second` when it shows only that one,
    `both` when it shows both),
    the login spelling its app keeps (`login_variant`), the person whose synced app id or
    cookie it shows (`synced_app_id`, `synced_cookie`), the device whose app id it restored
    (`restored_app_id`). Returns the count per kind."""
    rows: list[tuple[str, str, str]] = []
    modes = ("", "second", "both")
    for d in np.flatnonzero((noise.login2 >= 0) & (noise.login_mode != 0)).tolist():
        rows.append((w.device_ids[d], "second_login",
                     f"{w.logins[noise.login2[d]]} {modes[noise.login_mode[d]]}"))
    for d in np.flatnonzero(noise.variant >= 0).tolist():
        rows.append((w.device_ids[d], "login_variant", str(noise.variants[noise.variant[d]])))
    for d in np.flatnonzero(noise.app_person >= 0).tolist():
        rows.append((w.device_ids[d], "synced_app_id", _pid(int(noise.app_person[d]))))
    for d in np.flatnonzero(noise.cookie_person >= 0).tolist():
        rows.append((w.device_ids[d], "synced_cookie", _pid(int(noise.cookie_person[d]))))
    for d in np.flatnonzero(noise.restored_from >= 0).tolist():
        rows.append((w.device_ids[d], "restored_app_id",
                     w.device_ids[noise.restored_from[d]]))
    write_csv(path, ["device_id", "kind", "value"], rows)
    counts: dict[str, int] = {}
    for _, kind, _ in rows:
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))
