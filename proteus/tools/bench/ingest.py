"""`proteus bench ingest`: the project's path against one-transaction-per-event MERGE."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from proteus.db import manage
from proteus.edge import ingest_params
from proteus.events import NetworkEvent, ViewingEvent, read_rows, validate
from proteus.graph import Graph
from proteus.ingest import run
from proteus.ingest.aggregate import IDENTIFIER_FIELDS
from proteus.ingest.files import discover
from proteus.pseudonym import key_from, pseudonymise
from proteus.settings import Settings


def naive_baseline(graph: Graph, files: list[Path], key: bytes,
                   seconds: float) -> tuple[int, float]:
    """Events written one transaction each until the time budget runs out."""
    events, started = 0, time.monotonic()
    for path in files:
        for _, raw in read_rows(path):
            record = validate(path.name.split("-")[0], raw)
            if isinstance(record, NetworkEvent):
                identifiers = [{"kind": k, "value": pseudonymise(k, getattr(record, k), key)}
                               for k in IDENTIFIER_FIELDS if getattr(record, k) is not None]
                graph.write("tools/naive_network_event", device=record.device_id,
                            type=record.device_type, identifiers=identifiers)
            elif isinstance(record, ViewingEvent):
                graph.write("tools/naive_viewing_event", device=record.device_id,
                            content=record.content_id, seconds=record.seconds)
            else:
                continue
            events += 1
            if time.monotonic() - started >= seconds:
                return events, time.monotonic() - started
    return events, time.monotonic() - started


def bench_ingest(graph: Graph, settings: Settings, data: Path, chunk_size: int,
                 batch_rows: int, writers: int, baseline_seconds: float) -> dict[str, Any]:
    files, _ = discover([data])
    traffic = [p for p in files if p.name.startswith(("network", "viewing"))]
    manage.reset(graph)
    print(f"baseline: one transaction per event for {baseline_seconds:.0f}s", file=sys.stderr)
    base_events, base_seconds = naive_baseline(graph, traffic, key_from(settings),
                                               baseline_seconds)
    manage.reset(graph)
    print(f"project path: chunks of {chunk_size:,} rows folded, {batch_rows:,} aggregate rows "
          f"per UNWIND transaction, {writers} writer(s), all files", file=sys.stderr)
    with tempfile.TemporaryDirectory() as rejects:
        report = run(graph, ingest_params(settings, [data], chunk_size=chunk_size,
                                          batch_rows=batch_rows, writers=writers,
                                          rejects_dir=Path(rejects)))
    # the whole run's wall clock, catalog and consent files included: groups of one kind are
    # read while the previous kind's chunks are written, so their times overlap
    events = sum(b.read for b in report.batches if b.kind in ("network", "viewing"))
    rate = events / max(report.seconds, 1e-9)
    base_rate = base_events / max(base_seconds, 1e-9)
    return {"events": events, "events_per_s": round(rate, 1), "seconds": report.seconds,
            "rows_read": report.read,
            "baseline_events": base_events, "baseline_events_per_s": round(base_rate, 1),
            "ratio_vs_baseline": round(rate / max(base_rate, 1e-9), 2),
            "chunk_size": chunk_size, "batch_rows": batch_rows, "writers": writers,
            "rejected": report.rejected,
            "ok": report.ok}
