"""Offline evaluation: leave-last-out by time on raw events, never ingested.

`proteus bench recs` generates a small week (or takes a generated dataset), and before
anything is ingested picks up to `users` test devices and holds out each one's last viewing
event (latest `ts`; equal times go to the later event in file order). A device qualifies
when that event's content is new to it (a repeat could never be recommended) and it watched
at least `min_history` other contents before. The viewing files are rewritten without the
held-out lines (`split_viewing`), the rest of the dataset is linked unchanged, and the whole
pipeline up to recommendations runs on that: ingest, taxonomy, identity, interests,
neighbours. Nothing derived in the graph has seen a held-out view.

Each test device is then asked for 10 recommendations through the serving path
(`serve.for_device`, one read per request), and in the same run against the same training
viewing (viewers as the pipeline sees them: persons, or devices without one):

- popularity: the most viewed contents the device has not watched;
- co-view from the last 5: contents most often co-viewed (shared viewers) with the device's
  5 most recently watched contents;
- item-kNN: the sum of cosine similarities (co-viewers / sqrt(viewers a * viewers b)) to
  every content the device watched.

- the taste-community ceiling (generated data only: it reads `truth/`): the contents most
  viewed by the devices of the device's true taste community. The generator draws every
  view from the viewer's community pool (popular items more often) or, for its
  off-community share, from another community, with no order between views; ranking the
  community's own popularity is the best a recommender can do there, so no model can be
  expected to beat this figure by much on generated data.

- ALS: implicit-feedback matrix factorisation (`implicit`, installed with the `bench` extra;
  left out, with a note, when it is not installed), the device's factors solved from its
  own history.

Baseline ties go to the more popular content, then the smaller id. HR@10 is the share of
test devices whose held-out content is in the 10; NDCG@10 discounts by its position.
"""

from __future__ import annotations

import gzip
import importlib
import json
import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from proteus import edge, identity, ingest, interests, taxonomy, views
from proteus.db import manage
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.recommend import serve
from proteus.recommend.catalog import load_catalog
from proteus.recommend.models import BlendParams, RecommendParams
from proteus.recommend.stage import matrix, run
from proteus.settings import Settings
from proteus.tools import generate, truth
from proteus.views import ViewTable

K = 10
LAST = 5


@dataclass
class Split:
    """What `split_viewing` held out: test device -> content of its last viewing event."""

    held: dict[str, str]
    events: int                   # viewing events read
    held_out: int                 # lines left out of the training files
    eligible: int                 # devices that qualified as test devices
    files: list[str] = field(default_factory=list)


def _viewing_files(dataset: Path) -> list[Path]:
    files = sorted(p for p in dataset.iterdir() if p.name.startswith("viewing-")
                   and p.name.endswith((".jsonl", ".jsonl.gz")))
    if not files:
        raise InputError(f"{dataset}: no viewing-*.jsonl[.gz] files to split (the bench reads "
                         "JSON Lines datasets from `proteus generate`)")
    return files


def _open(path: Path, mode: str) -> Any:
    return gzip.open(path, mode) if path.name.endswith(".gz") else open(path, mode)


def split_viewing(dataset: Path, out: Path, users: int, min_history: int = 3,
                  seed: int = 7) -> Split:
    """Write `out`: `dataset` with up to `users` test devices' last viewing event removed
    from the viewing files (every other file linked as it is). Lines that do not parse stay
    in the training files, for ingest to reject as it would."""
    files = _viewing_files(dataset)
    latest: dict[str, tuple[str, int, int, str]] = {}   # device -> (ts, file, line, content)
    seen: dict[str, set[str]] = defaultdict(set)
    events = 0
    for f, path in enumerate(files):
        with _open(path, "rb") as handle:
            for n, line in enumerate(handle):
                try:
                    event = json.loads(line)
                    device, content, ts = event["device_id"], event["content_id"], event["ts"]
                    datetime.fromisoformat(ts)
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue  # ingest rejects it; it stays in the training files
                if not (isinstance(device, str) and isinstance(content, str)):
                    continue
                events += 1
                key = (ts, f, n, content)
                before = latest.get(device)
                if before is None or key[:3] > before[:3]:
                    if before is not None:
                        seen[device].add(before[3])
                    latest[device] = key
                else:
                    seen[device].add(content)
    eligible = sorted(d for d, (_, _, _, c) in latest.items()
                      if c not in seen[d] and len(seen[d]) >= min_history)
    random.Random(seed).shuffle(eligible)
    chosen = eligible[:users]
    drop: dict[int, set[int]] = defaultdict(set)
    for device in chosen:
        _, f, n, _ = latest[device]
        drop[f].add(n)
    out.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in files}
    for item in dataset.iterdir():
        if item.name not in names and item.name != "manifest.json":
            (out / item.name).symlink_to(item.resolve())
    for f, path in enumerate(files):
        with _open(path, "rb") as source, _open(out / path.name, "wb") as target:
            skip = drop.get(f, set())
            for n, line in enumerate(source):
                if n not in skip:
                    target.write(line)
    return Split(held={d: latest[d][3] for d in chosen}, events=events,
                 held_out=sum(len(s) for s in drop.values()), eligible=len(eligible),
                 files=[p.name for p in files])


def _top(scores: np.ndarray, exclude: np.ndarray, popularity: np.ndarray) -> list[int]:
    """The K best columns by score (only positive scores), ties by popularity then column
    (columns are in content id order); then the K most popular fill any room left."""
    score = scores.astype(np.float64).copy()
    score[exclude] = 0.0
    order = np.lexsort((np.arange(len(score)), -popularity, -score))
    picked = [int(c) for c in order[:K] if score[c] > 0]
    if len(picked) < K:
        taken = set(picked) | set(exclude.tolist())
        for c in np.lexsort((np.arange(len(score)), -popularity)).tolist():
            if len(picked) == K:
                break
            if c not in taken:
                picked.append(int(c))
    return picked


def _true_communities(dataset: Path) -> dict[str, int] | None:
    """device id -> its true person's taste community, or None without `truth/`."""
    known = all((dataset / "truth" / name).exists() for name in ("devices.csv", "persons.csv"))
    return truth.device_communities(dataset) if known else None


def _community_popularity(table: ViewTable, community: Mapping[str, int]) -> np.ndarray:
    """communities x contents: how many devices of each true community viewed each content."""
    of = np.array([community.get(d, -1) for d in table.devices], np.int64)
    rows = of[table.device]
    keep = rows >= 0
    size = int(of.max(initial=-1)) + 1
    counts = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], table.content[keep])),
                               shape=(size, len(table.contents)))
    return np.asarray(counts.todense())


def baselines(table: ViewTable, held: Mapping[str, str],
              community: Mapping[str, int] | None = None) -> dict[str, dict[str, list[str]]]:
    """Per baseline, each test device's top K contents, from the training viewing; with the
    true communities, the taste-community ceiling too."""
    _, seen = matrix(table)
    co = (seen.T @ seen).toarray()
    np.fill_diagonal(co, 0)
    popularity = np.asarray(seen.sum(axis=0)).ravel()
    norm = np.sqrt(np.maximum(popularity, 1))
    cosine = co / norm[:, None] / norm[None, :]
    index = {d: k for k, d in enumerate(table.devices)}
    out: dict[str, dict[str, list[str]]] = {"popularity": {}, "coview_last5": {},
                                            "itemknn": {}}
    names = table.contents
    devices = list(held)
    by_community = None if community is None else _community_popularity(table, community)
    if by_community is not None:
        out["true_community"] = {}
    histories: list[np.ndarray] = []
    for device in devices:
        k = index.get(device)
        rows = np.zeros(0, np.int64) if k is None else np.flatnonzero(table.device == k)
        watched = table.content[rows].astype(np.int64)
        histories.append(watched)
        recent = watched[np.lexsort((watched, -table.last[rows]))][:LAST]
        zero = np.zeros(len(names))
        out["popularity"][device] = [names[c] for c in _top(zero, watched, popularity)]
        out["coview_last5"][device] = [names[c] for c in _top(
            co[recent].sum(axis=0) if len(recent) else zero, watched, popularity)]
        out["itemknn"][device] = [names[c] for c in _top(
            cosine[watched].sum(axis=0) if len(watched) else zero, watched, popularity)]
        if by_community is not None and community is not None:
            own = community.get(device, -1)
            out["true_community"][device] = [names[c] for c in _top(
                by_community[own] if 0 <= own < len(by_community) else zero, watched,
                popularity)]
    als = _als(seen, devices, histories, names)
    if als is not None:
        out["als"] = als
    return out


def _als(seen: Any, devices: list[str], histories: list[np.ndarray], names: list[str],
         seed: int = 7) -> dict[str, list[str]] | None:
    """Each device's top K by implicit ALS fitted on the viewer matrix; None without the
    `implicit` package."""
    try:
        module = importlib.import_module("implicit.als")
        threadpool = importlib.import_module("threadpoolctl")
    except ImportError:
        print("ALS baseline skipped: install the `bench` extra (implicit)", file=sys.stderr)
        return None
    rows = np.repeat(np.arange(len(devices)), [len(h) for h in histories])
    cols = np.concatenate(histories) if histories else np.zeros(0, np.int64)
    items = sparse.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)),
                              shape=(len(devices), len(names)))
    with threadpool.threadpool_limits(1, "blas"):  # ALS runs its own threads
        model = module.AlternatingLeastSquares(factors=64, regularization=0.05, iterations=15,
                                               random_state=seed, num_threads=1)
        model.fit(sparse.csr_matrix(seen, dtype=np.float32), show_progress=False)
        ids, scores = model.recommend(np.arange(len(devices)), items, N=K,
                                 filter_already_liked_items=True, recalculate_user=True)
    out: dict[str, list[str]] = {}
    for n, device in enumerate(devices):
        keep = np.isfinite(scores[n]) & (ids[n] >= 0) & ~np.isin(ids[n], histories[n])
        out[device] = [names[c] for c in ids[n][keep].tolist()]
    return out


def _score(found: Mapping[str, list[str]], held: Mapping[str, str]) -> tuple[float, float]:
    hits = ndcg = 0.0
    for device, content in held.items():
        got = found.get(device, [])
        if content in got:
            hits += 1
            ndcg += 1.0 / math.log2(got.index(content) + 2)
    n = max(len(held), 1)
    return round(hits / n, 4), round(ndcg / n, 4)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _pipeline(graph: Graph, settings: Settings, train: Path, work: Path,
              params: RecommendParams) -> None:
    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    manage.reset(graph)
    say("ingesting the training events")
    ingest.run(graph, edge.ingest_params(settings, [train], rejects_dir=work / "rejects"))
    taxonomy.run(graph, taxonomy.TaxonomyParams())
    say("resolving identity")
    identity.run(graph, edge.identity_params(settings))
    say("scoring interests")
    interests.run(graph, interests.InterestsParams())
    say("building neighbours")
    run(graph, params)


def bench_recs(graph: Graph, settings: Settings, devices: int = 5000, users: int = 1000,
               min_history: int = 3, seed: int = 7, data: Path | None = None,
               params: RecommendParams | None = None,
               blend: BlendParams | None = None) -> dict[str, Any]:
    """Replaces the graph's content with the training part of a generated week, then
    measures HR@10 and NDCG@10 of the serving path against three baselines."""
    params, blend = params or RecommendParams(), blend or BlendParams()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="proteus-bench-recs-") as tmp:
        work = Path(tmp)
        dataset = data
        if dataset is None:
            dataset = work / "dataset"
            print(f"generating {devices:,} devices into {dataset}", file=sys.stderr)
            generate.run(generate.GenerateParams(out=dataset, devices=devices, seed=42,
                                                 quiet=True))
        split = split_viewing(dataset, work / "train", users, min_history, seed)
        community = _true_communities(dataset)
        print(f"held out the last viewing event of {len(split.held):,} devices "
              f"({split.eligible:,} qualified)", file=sys.stderr)
        _pipeline(graph, settings, work / "train", work, params)
    t0 = time.monotonic()
    catalog = load_catalog(graph)
    ours: dict[str, list[str]] = {}
    for device in split.held:
        found = serve.for_device(graph, device, K, blend, catalog)
        ours[device] = [item.content for item in found.items]
    seconds_serve = time.monotonic() - t0
    table = views.load(graph, None, with_last=True)
    others = baselines(table, split.held, community)
    hr, ndcg = _score(ours, split.held)
    pop_hr, pop_ndcg = _score(others["popularity"], split.held)
    cv_hr, cv_ndcg = _score(others["coview_last5"], split.held)
    knn_hr, knn_ndcg = _score(others["itemknn"], split.held)
    als_hr, als_ndcg = (_score(others["als"], split.held) if "als" in others
                        else (None, None))
    top_hr, top_ndcg = (_score(others["true_community"], split.held)
                        if "true_community" in others else (None, None))
    return {
        "devices": devices if data is None else None, "users": len(split.held),
        "viewing_events": split.events, "held_out_events": split.held_out,
        "viewers": len(matrix(table)[0]), "contents": len(table.contents),
        "seeds": blend.seeds, "half_life_days": blend.half_life_days,
        "hr_at_10": hr, "ndcg_at_10": ndcg,
        "baseline_hr_at_10": pop_hr, "baseline_ndcg_at_10": pop_ndcg,
        "hr_at_10_coview_last5": cv_hr, "ndcg_at_10_coview_last5": cv_ndcg,
        "hr_at_10_itemknn": knn_hr, "ndcg_at_10_itemknn": knn_ndcg,
        "ratio_vs_baseline": _ratio(hr, pop_hr),
        "ratio_vs_coview_last5": _ratio(hr, cv_hr),
        "hr_at_10_als": als_hr, "ndcg_at_10_als": als_ndcg,
        "ratio_vs_itemknn": _ratio(hr, knn_hr),
        "ratio_vs_als": _ratio(hr, als_hr) if als_hr is not None else None,
        "hr_at_10_true_community": top_hr, "ndcg_at_10_true_community": top_ndcg,
        "ratio_vs_true_community": _ratio(hr, top_hr) if top_hr is not None else None,
        "coview_last5_vs_true_community": (_ratio(cv_hr, top_hr) if top_hr is not None
                                           else None),
        "seconds_serving": round(seconds_serve, 3),
        "seconds": round(time.monotonic() - started, 3),
    }
