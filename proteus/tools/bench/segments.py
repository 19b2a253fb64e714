"""Community segments benchmark on a generated dataset with ground truth.

Identity comes from the dataset's truth files (persons and households as generated), so the
figure measures segmentation alone. Only the catalog and viewing files are ingested.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError

from proteus import edge, ingest, interests, segments, taxonomy
from proteus.db import manage
from proteus.graph import Graph
from proteus.ingest.loaded import already_loaded
from proteus.segments import partition
from proteus.segments.compare import nmi
from proteus.segments.stage import similarity_graph
from proteus.settings import Settings
from proteus.tools import generate, truth
from proteus.tools.generate import devices_of


def _say(message: str) -> None:
    print(f"[bench segments] {message}", file=sys.stderr, flush=True)


def _files(data: Path) -> list[Path]:
    return sorted(p for p in data.iterdir()
                  if p.name.startswith(("catalog", "viewing")) and p.is_file())


def _load(graph: Graph, settings: Settings, data: Path, rejects: Path) -> dict[str, float]:
    files = _files(data)
    t0 = time.monotonic()
    ingest.run(graph, edge.ingest_params(settings, files, rejects_dir=rejects))
    t1 = time.monotonic()
    truth.write_identity(graph, data)
    t2 = time.monotonic()
    iab = taxonomy.files.default_dir()
    taxonomy.run(graph, taxonomy.TaxonomyParams(dir=iab))
    report = interests.run(graph, interests.InterestsParams())
    return {"seconds_ingest": round(t1 - t0, 3), "seconds_identity": round(t2 - t1, 3),
            "seconds_interests": report.seconds}


def _has_gds(graph: Graph) -> bool:
    try:
        return bool(graph.read("db/gds_version"))
    except Neo4jError:
        return False


def _membership(graph: Graph) -> dict[str, str]:
    return {p: r["segment"] for r in graph.read("segments/community_members")
            for p in r["persons"]}


def bench_segments(graph: Graph, settings: Settings, devices: int = 20_000, seed: int = 42,
                   data: Path | None = None, k: int = 15,
                   views: Path | None = None) -> dict[str, Any]:
    """Load a dataset (generated unless given) into an emptied graph, segment it twice and
    compare with the truth; the fast engine against python-louvain on the same graph."""
    given = data is not None
    with tempfile.TemporaryDirectory() as tmp:
        if data is None:
            _say(f"generating {devices:,} devices")
            data = Path(tmp) / "data"
            generate.run(generate.GenerateParams(out=data, devices=devices, seed=seed,
                                                 quiet=True))
        loading: dict[str, float] = {}
        if given and already_loaded(graph, _files(data), ("interests",)):
            _say(f"{data}: ingested and scored already; measuring on the graph")
        else:
            manage.reset(graph)
            _say("ingesting catalog and viewing, truth identity, taxonomy, interests")
            loading = _load(graph, settings, data, Path(tmp) / "rejects")
        truth_of = truth.communities(data)
    params = segments.SegmentsParams(k=k, seed=seed, views=views)
    t0 = time.monotonic()
    sim = similarity_graph(graph, params)
    seconds_graph = time.monotonic() - t0
    timings: dict[str, float] = {}
    labels = {}
    for engine in ("fast", "reference", "gds"):
        if engine == "gds" and not _has_gds(graph):
            continue
        _say(f"partitioning {len(sim.persons):,} persons with the {engine} engine")
        t0 = time.monotonic()
        labels[engine] = partition.partition(engine, sim, 1.0, seed, graph, "bench-segments")
        timings[engine] = time.monotonic() - t0
        _say(f"{engine}: {timings[engine]:.1f}s")
    _say("segments run twice")
    first = segments.run(graph, params)
    one = _membership(graph)
    second = segments.run(graph, params)
    two = _membership(graph)
    persons = sorted(one)
    index = {s: i for i, s in enumerate(sorted(set(one.values())))}
    found = [index[one[p]] for p in persons]
    return {
        "devices": devices_of(data) or devices, "persons": len(sim.persons),
        "segmented": len(persons),
        "edges": sim.edges, "k": k, "communities_truth": len(set(truth_of.values())),
        "segments": len(first.segments), "resolution": first.resolution,
        "nmi": round(nmi([truth_of[p] for p in persons], found), 4),
        "modularity": first.modularity, "knn": first.knn, "knn_recall": first.knn_recall,
        "source": first.source,
        "seconds_similarity": round(seconds_graph, 3),
        "seconds_fast": round(timings["fast"], 3),
        "seconds_reference": round(timings["reference"], 3),
        "seconds_gds": round(timings["gds"], 3) if "gds" in timings else None,
        "ratio_vs_baseline": round(timings["reference"] / max(timings["fast"], 1e-9), 2),
        "engines_agree_nmi": {e: round(nmi(labels["fast"], lab), 4)
                              for e, lab in labels.items() if e != "fast"},
        "deterministic": one == two and second.stability.nmi == 1.0,
        "seconds_segments_run": first.seconds,
        "seconds_phases": first.timings,
        **loading,
    }
