"""The ingest stage: `run(graph, params) -> IngestReport`.

Finds and describes the files, plans them against the graph's ledger of batches, and loads
them through the incremental path (resumable merges: UNWIND from this process on the embedded
engine, the Neo4j Connector for Apache Spark on the Spark engine, `proteus.ingest.sparkwrite`) or,
for a first load or a rebuild, through neo4j-admin import (`proteus.ingest.bulk`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic
from typing import Any

from proteus import runs
from proteus.errors import InputError
from proteus.events import ContractError
from proteus.graph import Runner
from proteus.ingest import bulk
from proteus.ingest.batch import BatchReport, Group, GroupIngest, ingest_groups, plan
from proteus.ingest.files import DataFile, Url, describe, discover, in_order
from proteus.ingest.models import IngestParams, IngestReport

log = logging.getLogger(__name__)


def _bulk(graph: Runner, params: IngestParams, files: list[DataFile]) -> bool:
    """Whether this run loads through neo4j-admin import (see `IngestParams.bulk`)."""
    server = params.server
    if params.bulk == "never":
        return False
    if params.bulk == "rebuild" or params.import_files is not None:
        if not server.managed and params.import_files is None:
            raise InputError(
                "a rebuild imports files into the managed Neo4j's store, which proteus cannot "
                f"do for the external server at {server.uri}; pass --import-files DIR "
                "to write the import files and the neo4j-admin command to run on that server")
        return True
    present = {row["label"] for row in graph.read("db/label_counts") if row["count"]}
    first = not present - {*bulk.KEPT, "Run"}
    if params.bulk == "first":
        if not first:
            raise InputError("the graph already holds data (" + ", ".join(sorted(present))
                             + "); a first load through neo4j-admin import needs a graph "
                             "without it: --rebuild replaces the graph's content")
        if not server.managed:
            raise InputError(f"the external server at {server.uri} cannot be loaded "
                             "by neo4j-admin from here; pass --import-files DIR")
        return True
    if params.engine == "spark":  # a first load imports whatever its size
        return first and server.managed
    return (first and server.managed
            and sum(f.size for f in files) >= params.bulk_min_bytes)


def _described(path: Path) -> DataFile | str:
    try:
        return describe(path)
    except ContractError as exc:
        return str(exc)


def _described_files(params: IngestParams) -> tuple[list[DataFile | str], list[str]]:
    """Each file to ingest, in ingest order, described (or its one-line error), and the
    errors of the inputs that are not data files. Local files are described here, files
    named by URL by Spark's executors (`proteus.ingest.lake`)."""
    urls = [p for p in params.paths if isinstance(p, str)]
    listed: list[Url] = []
    if urls:  # on the Spark engine (`IngestParams` refuses them on the embedded one)
        from proteus.ingest.lake import describe_urls, list_urls
        from proteus.spark.session import SparkSetup, start

        spark = start(params.spark or SparkSetup())
        listed = list_urls(spark, urls)
    local, errors = discover([p for p in params.paths if isinstance(p, Path)])
    both: list[Path | Url] = [*local, *listed]
    files, not_data = in_order(both)
    with ThreadPoolExecutor(max_workers=2) as pool:  # gzip and sha256 release the GIL
        found: dict[Path | Url, DataFile | str] = dict(
            zip(local, pool.map(_described, local), strict=True))
    remote = [f for f in files if isinstance(f, Url)]
    if remote:
        found.update(zip(remote, describe_urls(spark, remote), strict=True))
    return [found[f] for f in files], [*errors, *not_data]


def run(graph: Runner, params: IngestParams) -> IngestReport:
    key = params.key.get_secret_value()
    descriptions, errors = _described_files(params)
    if not descriptions and not errors:
        raise InputError("no data files found in " + ", ".join(map(str, params.paths)))
    described = []
    for found in descriptions:
        if isinstance(found, DataFile):
            described.append(found)
        else:
            errors.append(found)
    for error in errors:
        log.warning("skipped: %s", error)
    started = monotonic()
    first_load = _bulk(graph, params, described)
    extra: dict[str, Any] = {}
    with runs.track(graph, "ingest", params, inputs=[d.sha256 for d in described]) as run_:
        groups, batches = plan(graph, described, run_.id, fresh=first_load)
        if first_load:
            batches, extra = _load_bulk(graph, params, groups, batches, run_.id, key,
                                        {d.sha256: d for d in described})
        else:
            make: Callable[..., GroupIngest] = GroupIngest
            if params.engine == "spark":  # merged through the Neo4j Spark connector
                from proteus.ingest.sparkwrite import connector_ingest

                make = connector_ingest(params.spark, params.server, params.partitions)
                extra["path"] = "connector"
            batches += ingest_groups(graph, groups, run_.id, key, params.rejects_dir,
                                     params.chunk_size, params.writers, params.batch_rows,
                                     params.work_dir, params.bounds(),
                                     params.duplicate_horizon_days, make)
        order = {d.sha256: k for k, d in enumerate(described)}
        batches.sort(key=lambda b: order[b.batch_id])
        seconds = monotonic() - started
        report = IngestReport(
            run_id=run_.id, params=params, batches=batches, errors=errors,
            read=sum(b.read for b in batches), accepted=sum(b.accepted for b in batches),
            rejected=sum(b.rejected for b in batches),
            duplicates=sum(b.duplicates for b in batches), seconds=round(seconds, 3),
            events_per_s=round(sum(b.read for b in batches if b.status != "skipped")
                               / max(seconds, 1e-9), 1), **extra)
        run_.report = report
        if not report.ok:
            run_.status = "failed"
    return report


def _load_bulk(graph: Runner, params: IngestParams, groups: list[Group],
               reports: list[BatchReport], run_id: str, key: bytes,
               described: dict[str, DataFile]) -> tuple[list[BatchReport], dict[str, Any]]:
    work = params.work_dir
    reports, group_records, exported = bulk.fold_for_import(
        groups, reports, run_id, key, params.rejects_dir, work, params.bounds(),
        params.batch_rows, params.spark, params.engine)
    now = datetime.now(UTC)
    records = [("Run", [graph.read("runs/run_node", id=run_id)[0]["run"]]),
               ("IngestGroup", group_records),
               ("IngestBatch", [bulk.batch_record(r, described[r.batch_id], run_id, now)
                                for r in reports])]
    kept, links = bulk.kept_nodes(graph)  # type: ignore[arg-type]
    folded = work / "folded"
    files = bulk.combine(exported, folded, params.import_files or work / "import", records,
                         kept, links)
    extra: dict[str, Any] = {"counts": files.counts, "folded": str(folded)}
    if params.server.import_database is None:
        log.warning("import files written to %s; on the server, with it stopped, run:\n    %s",
                    files.folder, bulk.command_text(files))
        return reports, {**extra, "path": "import files"}
    arguments = bulk.import_arguments(files)
    down = params.server.import_database(graph, arguments)  # type: ignore[arg-type]
    return reports, {**extra, "path": "bulk", "seconds_down": round(down, 1)}
