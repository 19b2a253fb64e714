"""Which device-identifier links may link persons and households, and why others may not:
the rules of `rules/identity.yaml` applied to columns (`LinkTable`), one named step each.

Identifier rules apply in this order; the first that matches an identifier is recorded
against it, named by its path in the rules file:

    blocklist                         a generic raw value (compared through its pseudonym)
    kinds.<kind>.max_devices          seen with more devices than the kind's cap in the window
                                      (from the data within bounds: see `data_caps`)
    kinds.<kind>.max_devices_per_day  seen with more devices than the cap on one day (CGNAT)
    kinds.<kind>.networks             an IP of a network type that never links (mobile, wifi)
    kinds.<kind>.ip_classes           an IP of an address class that never links
    generic.max_households            its devices sit in too many home-network groups
    shared.min_other_logins           a family-shared login: households only (scope persons)

A link whose identifier survives still needs `kinds.<kind>.min_days` distinct days. An
identifier with `min_shared_days` links two devices only when both were seen with it on that
many of the same days: its devices are split into time-window groups, each a node of its own
for the households. Persons are then decided per pair of devices by weighing the evidence
(`evidence.py`): no identifier vetoes a pair, a conflict only weighs against it. Every step
is a function of whole columns; `proteus/identity/reference.py` holds the same rules one
link (and one pair) at a time, the readable reference these are tested against.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from proteus.identity.components import labels
from proteus.identity.evidence import Comparisons, Sightings, compare, group_pairs
from proteus.identity.rules import KindRule, Rules
from proteus.identity.table import LinkTable

__all__ = ["ALL", "PERSONS", "Cap", "Decision", "Exclusion", "Held", "decide", "group_pairs"]

ALL = "all"
PERSONS = "persons"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An identifier a rule stopped from linking: everything (`all`) or persons only."""

    identifier: str
    rule: str
    scope: str
    detail: str


@dataclass
class Held:
    """The links that count: within the window, of a known device. `link` is the position
    in the table; a link's days are `day[day_link == n]` (rows sorted by link)."""

    link: np.ndarray
    device: np.ndarray
    ident: np.ndarray
    days: np.ndarray
    day: np.ndarray
    day_link: np.ndarray


@dataclass(frozen=True)
class Cap:
    """The cap a kind used in a run: from the data within bounds, or the fixed number."""

    kind: str
    cap: int
    source: str  # "data" or "fixed"
    quantile: float | None = None
    found: float | None = None  # the quantile of 2+-device identifiers, before the bounds
    low: int | None = None
    high: int | None = None
    identifiers: int = 0  # identifiers with 2+ devices behind the quantile

    def detail(self) -> str:
        if self.source == "fixed":
            return f"{self.cap} (fixed)"
        found = "none with 2+ devices" if self.found is None else f"{self.found:g}"
        return (f"{self.cap} (p{100 * (self.quantile or 0):g} of {self.identifiers:,} "
                f"identifiers with 2+ devices: {found}; bounds {self.low}-{self.high})")


@dataclass
class Decision:
    """Per identifier its exclusion (if any); the candidate pairs with their evidence and
    which of them link persons; eligible (device, node) edges for households.

    A node is an identifier (its position) or, for an identifier with time windows, one of
    its groups (`n_idents` + group number)."""

    held: Held
    excluded: dict[int, Exclusion]
    pairs: Comparisons
    linked: np.ndarray
    household_device: np.ndarray
    household_node: np.ndarray
    n_nodes: int
    linking: np.ndarray  # per identifier: behind a shared level of a linked pair
    person_links: int = 0  # held links that may link persons
    caps: dict[str, Cap] = field(default_factory=dict)

    @property
    def exclusions(self) -> dict[str, Exclusion]:
        return {e.identifier: e for e in self.excluded.values()}

    def excluded_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(e.rule for e in self.excluded.values()).items()))


def held_links(table: LinkTable, window_days: int) -> Held:
    """Links trimmed to the days within `window_days` of the latest day; links left without
    a day are dropped (a link that never had one is kept), and so are unknown devices."""
    counts = table.day_counts()
    day_link = np.repeat(np.arange(table.n_links), counts)
    start = int(table.day.max()) - window_days + 1 if len(table.day) else 0
    if not len(table.day) or int(table.day.min()) >= start:
        kept, keep_day = counts, None
    else:
        keep_day = table.day >= start
        kept = np.bincount(day_link[keep_day], minlength=table.n_links)
    keep = ((counts == 0) | (kept > 0)) & (table.link_device >= 0)
    links = np.flatnonzero(keep)
    if keep_day is None and len(links) == table.n_links:
        return Held(link=links, device=table.link_device.astype(np.int64),
                    ident=table.link_ident.astype(np.int64), days=counts, day=table.day,
                    day_link=day_link)
    position = np.full(table.n_links, -1, dtype=np.int64)
    position[links] = np.arange(len(links))
    rows = keep[day_link] if keep_day is None else keep_day & keep[day_link]
    return Held(link=links, device=table.link_device[links].astype(np.int64),
                ident=table.link_ident[links].astype(np.int64), days=kept[links],
                day=table.day[rows], day_link=position[day_link[rows]])


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer column."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def through_devices(left: np.ndarray, left_device: np.ndarray, right: np.ndarray,
                    right_device: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (left, right) values held by links of one device."""
    if not len(left) or not len(right):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    size = int(max(left_device.max(), right_device.max())) + 1
    order = np.argsort(right_device, kind="stable")
    values = right[order]
    held = np.bincount(right_device, minlength=size)
    starts = np.cumsum(held) - held
    low, count = starts[left_device], held[left_device]
    pick = np.repeat(low - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    width = int(values.max()) + 1
    pairs = distinct(np.repeat(left, count) * width + values[pick])
    return pairs // width, pairs % width


class _Rules:
    """The rules file as per-kind columns of a table's kind vocabulary."""

    def __init__(self, rules: Rules, table: LinkTable) -> None:
        self.rules = rules
        self.table = table
        self.of: list[KindRule | None] = [rules.kinds.get(k) for k in table.kinds]

    def per_kind(self, value: Callable[[KindRule], Any], default: Any) -> np.ndarray:
        """One value per kind code (the default where a kind has no rule)."""
        return np.array([default if r is None else value(r) for r in self.of] or [default])

    def of_ident(self, value: Callable[[KindRule], Any], default: Any) -> np.ndarray:
        return self.per_kind(value, default)[self.table.ident_kind]

    def kinds_named(self, names: list[str]) -> np.ndarray:
        return np.isin(self.table.ident_kind,
                       [n for n, k in enumerate(self.table.kinds) if k in names])


class _Exclusions:
    def __init__(self, table: LinkTable, open_: np.ndarray) -> None:
        self.table = table
        self.open = open_
        self.scope_all = np.zeros_like(open_)
        self.found: list[tuple[np.ndarray, list[str], str, list[str]]] = []

    def add(self, mask: np.ndarray, rule: Callable[[str], str], scope: str,
            detail: Callable[[int, str], str]) -> None:
        idents = np.flatnonzero(mask & self.open)
        if not len(idents):
            return
        kinds = [self.table.kinds[k] for k in self.table.ident_kind[idents].tolist()]
        self.found.append((idents, [rule(k) for k in kinds], scope,
                           [detail(i, k) for i, k in zip(idents.tolist(), kinds, strict=True)]))
        self.open[idents] = False
        if scope == ALL:
            self.scope_all[idents] = True

    def done(self) -> dict[int, Exclusion]:
        out: dict[int, Exclusion] = {}
        for idents, rules, scope, details in self.found:
            keys = self.table.keys(idents)
            for ident, key, rule, detail in zip(idents.tolist(), keys, rules, details,
                                                strict=True):
                out[ident] = Exclusion(key, rule, scope, detail)
        return out


def blocked_mask(table: LinkTable, blocked: set[tuple[str, str]]) -> np.ndarray:
    hits = pc.is_in(table.ident_value, value_set=pa.array(sorted({v for _, v in blocked}),
                                                          type=pa.string()))
    mask = hits.fill_null(False).to_numpy(zero_copy_only=False)
    for ident in np.flatnonzero(mask).tolist():
        pair = (table.kinds[table.ident_kind[ident]], str(table.ident_value[ident]))
        mask[ident] = pair in blocked
    return mask


def busiest_day(held: Held, idents: np.ndarray, n_idents: int) -> np.ndarray:
    """Per identifier (of those flagged), the most devices seen with it on one day."""
    rows = idents[held.ident[held.day_link]]
    ident, day = held.ident[held.day_link][rows], held.day[rows]
    busiest = np.zeros(n_idents, dtype=np.int64)
    if len(day):
        span = int(day.max()) - int(day.min()) + 1
        cells, counts = np.unique(ident * span + (day - int(day.min())), return_counts=True)
        np.maximum.at(busiest, cells // span, counts)
    return busiest


def _only_listed(out: _Exclusions, kinds: _Rules, attribute: str, names: tuple[str, ...],
                 codes: np.ndarray, what: str) -> None:
    """`kinds.<kind>.networks` / `ip_classes`: a value not in the kind's list never links."""
    allowed = np.zeros((len(kinds.of) or 1, len(names) + 1), dtype=bool)
    limited = kinds.per_kind(lambda r: getattr(r, attribute) is not None, False)
    for code, rule in enumerate(kinds.of):
        for n, name in enumerate(names):
            allowed[code, n] = rule is not None and name in (getattr(rule, attribute) or ())
    kind = out.table.ident_kind
    value = [*names, None]
    out.add(limited[kind] & ~allowed[kind, codes], lambda k: f"kinds.{k}.{attribute}", ALL,
            lambda i, k: f"{what} {value[codes[i]]}")


def data_caps(held: Held, table: LinkTable, kinds: _Rules, open_: np.ndarray,
              quantile: float) -> dict[str, Cap]:
    """Per kind, the cap of devices per identifier: for a kind with `max_devices_bound`,
    the `quantile` of the devices per identifier among its identifiers (still open) seen
    with 2 or more devices, rounded up and held within [max_devices, max_devices_bound];
    otherwise the fixed `max_devices`."""
    devices = np.bincount(held.ident, minlength=table.n_idents)
    caps: dict[str, Cap] = {}
    for code, rule in enumerate(kinds.of):
        kind = table.kinds[code]
        if rule is None:
            continue
        if rule.max_devices_bound is None:
            caps[kind] = Cap(kind, rule.max_devices, "fixed")
            continue
        multi = devices[open_ & (table.ident_kind == code) & (devices >= 2)]
        found = float(np.quantile(multi, quantile, method="inverted_cdf")) if len(multi) \
            else None
        cap = rule.max_devices if found is None else int(
            min(max(np.ceil(found), rule.max_devices), rule.max_devices_bound))
        caps[kind] = Cap(kind, cap, "data", quantile, found, rule.max_devices,
                         rule.max_devices_bound, len(multi))
    return caps


def first_rules(table: LinkTable, held: Held, kinds: _Rules, blocked: set[tuple[str, str]],
                quantile: float) -> tuple[_Exclusions, dict[str, Cap]]:
    """The identifier's own rules: no rule, blocklist, caps, networks, address classes."""
    devices = np.bincount(held.ident, minlength=table.n_idents)
    out = _Exclusions(table, devices > 0)
    has_rule = kinds.of_ident(lambda r: True, False)
    out.add(~has_rule, lambda k: "kinds", ALL, lambda i, k: f"kind {k} has no rule")
    out.add(blocked_mask(table, blocked), lambda k: "blocklist", ALL,
            lambda i, k: "a generic value")
    caps = data_caps(held, table, kinds, out.open, quantile)
    cap = np.array([caps[k].cap if k in caps else 0 for k in table.kinds] or [0])[
        table.ident_kind]
    out.add(devices > cap, lambda k: f"kinds.{k}.max_devices", ALL,
            lambda i, k: f"{devices[i]} devices > {cap[i]}")
    day_cap = kinds.of_ident(lambda r: r.max_devices_per_day or 0, 0)
    busiest = busiest_day(held, out.open & (day_cap > 0), table.n_idents)
    out.add((day_cap > 0) & (busiest > day_cap), lambda k: f"kinds.{k}.max_devices_per_day",
            ALL, lambda i, k: f"{busiest[i]} devices on one day > {day_cap[i]}")
    for attribute, names, codes, what in (
            ("networks", table.networks, table.ident_network, "network"),
            ("ip_classes", table.ip_classes, table.ident_ip_class, "address class")):
        _only_listed(out, kinds, attribute, names, codes, what)
    return out, caps


@dataclass
class Window:
    """Eligible (device, node) edges of the identifiers still open after their own rules,
    with the held link behind each edge."""

    device: np.ndarray
    node: np.ndarray
    ident: np.ndarray
    link: np.ndarray
    n_nodes: int
    grouped: np.ndarray  # per identifier: split into time-window groups
    pair_a: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_b: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_ident: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def windowed_edges(table: LinkTable, held: Held, kinds: _Rules, open_: np.ndarray) -> Window:
    usable = held.days >= kinds.of_ident(lambda r: r.min_days, 1)[held.ident]
    usable &= open_[held.ident]
    shared = kinds.of_ident(lambda r: r.min_shared_days or 0, 0)
    plain = np.flatnonzero(usable & (shared[held.ident] == 0))
    windowed = usable & (shared[held.ident] > 0)
    rows = np.flatnonzero(windowed[held.day_link])
    ident, link = held.ident[held.day_link[rows]], held.day_link[rows]
    if len(rows):
        span = int(held.day.max()) - int(held.day.min()) + 1
        cell = ident * span + (held.day[rows] - int(held.day.min()))
        key = np.sort(cell * len(held.link) + link)
        cell, link = key // len(held.link), key % len(held.link)
        a, b = group_pairs(cell)
        a, b = link[a], link[b]
        a, b = a[a != b], b[a != b]
        pairs = np.sort(a * len(held.link) + b)
        starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
        together = np.diff(np.r_[starts, len(pairs)])
        pairs = pairs[starts]
        enough = together >= shared[held.ident[pairs // len(held.link)]]
        a, b = pairs[enough] // len(held.link), pairs[enough] % len(held.link)
    else:
        a = b = np.zeros(0, np.int64)
    grouped_links = distinct(np.r_[a, b])
    group = labels(len(held.link), a, b)[grouped_links] if len(grouped_links) else grouped_links
    _, group = np.unique(group, return_inverse=True)
    link_all = np.r_[plain, grouped_links]
    return Window(device=held.device[link_all], ident=held.ident[link_all], link=link_all,
                  node=np.r_[held.ident[plain], table.n_idents + group.astype(np.int64)],
                  n_nodes=table.n_idents + (int(group.max()) + 1 if len(group) else 0),
                  grouped=shared > 0, pair_a=held.device[a], pair_b=held.device[b],
                  pair_ident=held.ident[a])


def decide(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]]) -> Decision:
    """Apply the rules to every link and weigh every candidate pair; deterministic,
    independent of input order."""
    held = held_links(table, rules.window_days)
    kinds = _Rules(rules, table)
    out, caps = first_rules(table, held, kinds, blocked, rules.caps.quantile)
    window = windowed_edges(table, held, kinds, out.open.copy())

    ip = kinds.kinds_named(["ip"])
    home = ip[window.ident]
    n = table.n_devices
    group = labels(n + window.n_nodes, window.device[home], n + window.node[home])[:n]
    in_home = np.zeros(n, dtype=bool)
    in_home[window.device[home]] = True
    candidate = np.flatnonzero(out.open[held.ident] & ~ip[held.ident] & in_home[held.device])
    idents, _ = through_devices(held.ident[candidate], held.device[candidate],
                                group[held.device[candidate]], held.device[candidate])
    homes = np.bincount(idents, minlength=table.n_idents)
    limit = rules.generic.max_households
    out.add(homes > limit, lambda k: "generic.max_households", ALL,
            lambda i, k: f"{homes[i]} home-network groups > {limit}")

    shared = kinds.kinds_named(list(rules.shared.kinds))
    logins = np.flatnonzero((out.open & shared)[held.ident])
    seen_by = np.bincount(held.ident[logins], minlength=table.n_idents)
    supported = logins[(held.days[logins] >= rules.evidence.support_days)
                       | (seen_by[held.ident[logins]] >= 2)]
    left, right = through_devices(held.ident[logins], held.device[logins],
                                  held.ident[supported], held.device[supported])
    others = np.bincount(left[left != right], minlength=table.n_idents)
    out.add(others >= rules.shared.min_other_logins, lambda k: "shared.min_other_logins",
            PERSONS, lambda i, k: f"its devices carry {others[i]} other logins")

    persons = kinds.of_ident(lambda r: r.persons, False) & out.open
    person = persons[held.ident] & (held.days >= kinds.of_ident(lambda r: r.min_days, 1)
                                    [held.ident])
    compared = tuple(rules.compared())
    column = np.array([compared.index(k) if k in compared else -1 for k in table.kinds]
                      or [-1])[table.ident_kind]
    households = kinds.of_ident(lambda r: r.households, False) & ~out.scope_all
    timed = households[window.pair_ident] & (column[window.pair_ident] >= 0)
    pairs = compare(Sightings(
        device=held.device, ident=held.ident, days=held.days, person=person,
        column=column[held.ident],
        degree=np.bincount(held.ident[person], minlength=table.n_idents),
        window_a=window.pair_a[timed], window_b=window.pair_b[timed],
        window_column=column[window.pair_ident[timed]]), n, compared, rules)
    linked = pairs.score >= rules.evidence.link_at
    linking = pairs.identifiers_of(linked, table.n_idents)
    to_household = households[window.ident]
    return Decision(
        held=held, excluded=out.done(), pairs=pairs, linked=linked,
        household_device=window.device[to_household],
        household_node=window.node[to_household], n_nodes=window.n_nodes, linking=linking,
        person_links=int(person.sum()), caps=caps)
