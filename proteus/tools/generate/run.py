"""Orchestrates a generation run: world, catalog, day files, truth, manifest."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from proteus.errors import InputError
from proteus.events.write import write_rows
from proteus.taxonomy.files import GENRE_FILE, Taxonomy, builtin, resolve
from proteus.tools.generate.catalog import build_catalog
from proteus.tools.generate.columns import Column
from proteus.tools.generate.consent import plan_consent
from proteus.tools.generate.encode import FragmentCache, raw_row, write_event_file
from proteus.tools.generate.groundtruth import Tally, write_truth
from proteus.tools.generate.malformed import SUBJECT, plan_malformed
from proteus.tools.generate.network import NetworkState, network_day
from proteus.tools.generate.noise import Noise, plan_noise
from proteus.tools.generate.params import FileCount, GenerateParams, GenerateReport
from proteus.tools.generate.profiles import PROFILES
from proteus.tools.generate.truth import TRUTH_DIR
from proteus.tools.generate.viewing import WatchLedger, viewing_day
from proteus.tools.generate.world import build_world

log = logging.getLogger(__name__)

EXTENSIONS = {"jsonl": ".jsonl.gz", "csv": ".csv", "parquet": ".parquet"}
MANIFEST = "manifest.json"
STREAMS = {"world": 1, "catalog": 2, "state": 3, "network": 4, "viewing": 5, "consent": 6, "bad": 7,
           "noise": 8}
NOISE_STATE, NOISE_CHURN, NOISE_DAY = 1, 1000, 2000


def taxonomy_for(params: GenerateParams) -> tuple[Taxonomy, dict[str, str], str]:
    """The Content 3.1 categories, the CTV genre mapping (to known categories) and their
    source: `builtin` when asked, else the official files as `taxonomy load` reads them
    (`--iab-dir`, or `../shared/iab` when it holds them), else the built-in subset."""
    if params.iab_dir is not None and str(params.iab_dir) == "builtin":
        content, genres = builtin()
        return content, genres, "builtin"
    found, genres, source = resolve(params.iab_dir)
    content = found[0]
    known = {category.iab_id for category in content.categories}
    genres = {genre: iab_id for genre, iab_id in genres.items() if iab_id in known}
    if not genres:
        raise InputError(f"{source.removeprefix('official:')}: no {GENRE_FILE} (the CTV genre "
                         "mapping the generator draws genres from)")
    return content, genres, source


def _rng(seed: int, stream: str, day: int = 0) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, STREAMS[stream], day]))
    )


class _Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def say(self, message: str) -> None:
        if not self.quiet:
            log.info(message)


def run(params: GenerateParams) -> GenerateReport:
    """Generate a dataset into `params.out`; return what was written."""
    started = time.perf_counter()
    progress = _Progress(params.quiet)
    out = Path(params.out)
    out.mkdir(parents=True, exist_ok=True)
    taxonomy, genres, iab_source = taxonomy_for(params)
    seed, fmt, ext = params.seed, params.format, EXTENSIONS[params.format]
    profile = PROFILES[params.profile]
    world = build_world(
        _rng(seed, "world"),
        params.devices,
        params.communities,
        params.bot_rate,
        params.anonymous_rate,
        params.family_login_rate,
        np.array(profile.personal_devices_p),
    )
    noise: Noise | None = None
    if not profile.is_default:
        noise = plan_noise(_rng(seed, "noise"), world, profile)
    catalog = build_catalog(
        _rng(seed, "catalog"), taxonomy, genres, world.community_weights, params.catalog_size
    )
    progress.say(
        f"{world.n_devices:,} devices, {world.n_persons:,} persons, "
        f"{world.n_households:,} households, {len(catalog.rows):,} items ({iab_source})"
    )
    files: list[FileCount] = []
    catalog_name = f"catalog{ext}"
    write_rows(out / catalog_name, "catalog", catalog.rows)
    files.append(FileCount(path=catalog_name, kind="catalog", rows=len(catalog.rows), malformed=0))
    state = NetworkState(_rng(seed, "state"), world, params.cgnat_devices_per_ip, noise,
                         _rng(seed, "noise", NOISE_STATE))
    ledger = WatchLedger(world.n_persons, params.off_community)
    consent = plan_consent(
        _rng(seed, "consent"), len(world.logins), params.days, params.consent_withdraw_rate
    )
    tally = Tally()
    cache = FragmentCache()
    state_rng = _rng(seed, "state", 1)
    events = 0

    def emit(kind: str, day: int, columns: list[Column]) -> None:
        nonlocal events
        n_rows = len(columns[0].codes)
        if n_rows == 0:
            return
        name = f"{kind}-day{day + 1:02d}{ext}"
        plan = plan_malformed(
            _rng(seed, "bad", day * 10 + len(files)), kind, fmt, n_rows, params.malformed_rate
        )
        write_event_file(
            out / name, kind, fmt, params.start + timedelta(days=day), columns,
            plan.as_malformed(), params.chunk_events, params.gzip_level, cache,
        )  # fmt: skip
        when = params.start + timedelta(days=day)
        subjects = [str(raw_row(columns, pos, when)[SUBJECT[kind]])
                    for pos in plan.positions.tolist()]
        tally.malformed.extend(plan.truth(name, 2 if fmt == "csv" else 1, subjects))
        files.append(FileCount(path=name, kind=kind, rows=n_rows, malformed=len(plan.positions)))
        events += n_rows

    for day in range(params.days):
        t_day = time.perf_counter()
        before = events
        lease = state.advance(state_rng, day, _rng(seed, "noise", NOISE_CHURN + day))
        net = network_day(
            _rng(seed, "network", day), state, lease, day, params.network_rate, params.junk_rate,
            _rng(seed, "noise", NOISE_DAY + day),
        )
        tally.identifier_values += net.identifier_values
        tally.junk_values += net.junk_values
        tally.cgnat_pairs.append(net.cgnat_pairs)
        tally.hotspot_pairs.append(net.hotspot_pairs)
        emit("network", day, net.columns)
        del net
        views = viewing_day(
            _rng(seed, "viewing", day), world, catalog, ledger, day, params.viewing_rate
        )
        emit("viewing", day, views)
        del views
        emit("consent", day, consent.columns(day, world.logins))
        rate = (events - before) / max(time.perf_counter() - t_day, 1e-9)
        progress.say(f"day {day + 1}/{params.days}: {events - before:,} events ({rate:,.0f}/s)")

    truth_files = write_truth(
        out / TRUTH_DIR, params.start, world, catalog, state, ledger, consent, tally, params.days,
        noise,
    )
    rows_by_type: dict[str, int] = {}
    for f in files:
        rows_by_type[f.kind] = rows_by_type.get(f.kind, 0) + f.rows
    report = GenerateReport(
        params=params,
        iab_source=iab_source,
        out=str(out),
        files=files,
        rows_by_type=rows_by_type,
        events=events,
        malformed=len(tally.malformed),
        devices=world.n_devices,
        persons=world.n_persons,
        households=world.n_households,
        truth_files=[f"{TRUTH_DIR}/{name}" for name in truth_files],
    )
    manifest = report.model_dump(mode="json", exclude={"seconds", "events_per_s", "out"})
    manifest["params"].pop("out", None)
    manifest["params"].pop("quiet", None)
    if profile.is_default:  # the default week's files stay what they were before profiles
        manifest["params"].pop("profile", None)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    report.seconds = round(time.perf_counter() - started, 3)
    report.events_per_s = round(events / max(report.seconds, 1e-9), 1)
    progress.say(f"done: {events:,} events in {report.seconds:.1f}s ({report.events_per_s:,.0f}/s)")
    return report


def devices_of(dataset: Path) -> int | None:
    """How many devices a generated dataset holds, from its manifest (None without one)."""
    try:
        manifest = json.loads((dataset / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    devices = manifest.get("devices")
    return int(devices) if isinstance(devices, int) else None
