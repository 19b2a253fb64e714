"""`proteus bench pipeline`: the whole pipeline from an empty graph, stage by stage.

A dataset of `days + 1` days is generated (timed apart) or reused: the first `days` are the
week the pipeline runs on, loaded by the bulk path into an emptied graph; the last day comes
afterwards as new files through the incremental path, into the graph the pipeline built,
and gives the incremental rate in the same run. Quality is measured against the generator's
truth: person F1 from identity, and the NMI of the community segments against the taste
communities (each person taking the community most of its devices' true persons share).
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from proteus import (
    audiences,
    edge,
    identity,
    ingest,
    interests,
    recommend,
    segments,
    taxonomy,
)
from proteus.db import manage
from proteus.graph import Graph
from proteus.segments.compare import nmi
from proteus.settings import Settings
from proteus.shipped import rules_dir
from proteus.tools import generate, truth
from proteus.tools.bench.audiences import DEFAULT_DEFINITION

_DAY = re.compile(r"-day(\d+)\.")


def _say(message: str) -> None:
    print(f"[bench pipeline] {message}", file=sys.stderr, flush=True)


def _split(data: Path, days: int) -> tuple[list[Path], list[Path]]:
    """(the files of the first `days` days and the catalog, the files of the day after)."""
    week, after = [], []
    for path in sorted(p for p in data.iterdir() if p.is_file()):
        found = _DAY.search(path.name)
        if found is None:
            if path.name.startswith("catalog"):
                week.append(path)
        elif int(found.group(1)) <= days:
            week.append(path)
        elif int(found.group(1)) == days + 1:
            after.append(path)
    return week, after


def _segment_nmi(graph: Graph, data: Path) -> float | None:
    community = truth.device_communities(data)
    found, expected = [], []
    for row in graph.read("tools/segment_devices"):
        for devices in row["persons"]:
            votes = Counter(community[d] for d in devices if d in community)
            if votes:
                found.append(row["segment"])
                expected.append(votes.most_common(1)[0][0])
    return round(nmi(expected, found), 4) if found else None


def _timed(seconds: dict[str, float], name: str, work: Any) -> Any:
    _say(f"{name} ...")
    started = time.monotonic()
    result = work()
    seconds[name] = round(time.monotonic() - started, 1)
    _say(f"{name}: {seconds[name]}s")
    return result


def bench_pipeline(graph: Graph, settings: Settings, devices: int, days: int, seed: int,
                   data: Path | None, audience: Path, work: Path) -> dict[str, Any]:
    seconds: dict[str, float] = {}
    generated_seconds = None
    if data is None:
        data = work / "data"
        started = time.monotonic()
        _say(f"generating {devices:,} devices, {days + 1} days into {data}")
        generate.run(generate.GenerateParams(out=data, devices=devices, days=days + 1,
                                             seed=seed))
        generated_seconds = round(time.monotonic() - started, 1)
    week, after = _split(data, days)
    if not after:
        _say(f"{data} holds no day {days + 1}: the incremental rate is not measured")
    manage.reset(graph)
    rejects = work / "rejects"
    loaded = _timed(seconds, "ingest", lambda: ingest.run(graph, edge.ingest_params(
        settings, week, bulk="first", rejects_dir=rejects, work_dir=work / "ingest")))
    _timed(seconds, "taxonomy", lambda: taxonomy.run(graph, taxonomy.TaxonomyParams()))
    folded = Path(loaded.folded) if loaded.path == "bulk" and loaded.folded else None
    resolved = _timed(seconds, "identity", lambda: identity.run(
        graph, edge.identity_params(settings, links=folded)))
    truth.score_identity(graph, resolved, truth.load_truth(data))
    _timed(seconds, "interests", lambda: interests.run(
        graph, interests.InterestsParams(views=folded)))
    segmented = _timed(seconds, "segments", lambda: segments.run(
        graph, segments.SegmentsParams(seed=seed, views=folded)))
    _timed(seconds, "recommend", lambda: recommend.run(
        graph, recommend.RecommendParams(views=folded)))

    def audience_stage() -> Any:
        version = audiences.create(graph, audience, "bench")
        dry = audiences.dry_run(graph, version.id, "bench")
        if dry.materialisable:
            audiences.approve(graph, version.id, "bench")
            audiences.materialise(graph, version.id, "bench")
        return version, dry

    version, dry = _timed(seconds, "audience", audience_stage)
    repeats = []
    for _ in range(5):
        started = time.monotonic()
        audiences.dry_run(graph, version.id, "bench")
        repeats.append((time.monotonic() - started) * 1000)
    pipeline_seconds = round(sum(seconds.values()), 1)
    incremental = None
    incremental_ok = None
    if after:
        _say(f"incremental path: day {days + 1} ({len(after)} files) into the graph")
        more = ingest.run(graph, edge.ingest_params(
            settings, after, bulk="never", rejects_dir=rejects, work_dir=work / "ingest"))
        incremental, incremental_ok = more.events_per_s, more.ok
        if not more.ok:
            failed = more.errors + [f"{b.file}: {b.error}" for b in more.batches
                                    if b.status == "failed"]
            _say("incremental path: some files failed: " + "; ".join(failed[:3]))
    quality = resolved.quality
    bulk_rate = loaded.events_per_s
    return {
        "devices": generate.devices_of(data) or devices, "days": days,
        "events": loaded.read, "path": loaded.path,
        "seconds_generate": generated_seconds,
        "seconds_total": pipeline_seconds, "seconds_by_stage": seconds,
        "bulk_events_per_s": bulk_rate, "incremental_events_per_s": incremental,
        "bulk_ok": loaded.ok, "incremental_ok": incremental_ok,
        "ratio_vs_baseline": round(bulk_rate / incremental, 2) if incremental else None,
        "server_down_s": loaded.seconds_down,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "f1_person": round(quality.person.f1, 4) if quality else None,
        "persons": resolved.persons.count,
        "nmi": _segment_nmi(graph, data), "segments": len(segmented.segments),
        "knn_recall": getattr(segmented, "knn_recall", None),
        "members": dry.members, "dry_run_ms": round(statistics.median(repeats), 1),
    }


def run_bench(graph: Graph, settings: Settings, devices: int, days: int, seed: int,
              data: Path | None, audience: Path | None, work: Path | None) -> dict[str, Any]:
    audience = audience or rules_dir() / DEFAULT_DEFINITION
    if work is not None:
        return bench_pipeline(graph, settings, devices, days, seed, data, audience, work)
    with tempfile.TemporaryDirectory() as tmp:
        return bench_pipeline(graph, settings, devices, days, seed, data, audience, Path(tmp))
