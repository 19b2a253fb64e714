"""A first load (or a rebuild) through `neo4j-admin database import`, swapped in atomically.

Each group of files is checked and folded as the incremental path folds it (`Fold`, one
chunk), and its folded tables are exported as Parquet. `combine` joins them into the graph's
content, exactly what the incremental queries would build from the same files (devices seen
in network and viewing traffic, identifiers met first in consent, each device's withdrawn
purposes), and writes it twice: as Parquet tables (`folded/`, which identity and the viewing
stages can read instead of the graph) and as import files with integer ids. The run's own
records go into the same files (its `Run`, `IngestGroup` and `IngestBatch` nodes), and so
do the API keys and their audit trail, so the new database is whole the moment it exists.

`import_arguments` are what `proteus.db.manage.import_database` gives neo4j-admin: it imports
into a new generation of the managed store while the server still serves the old one, then
stops the server, links the new generation in one rename (`proteus.db.store`) and starts it
again: a kill at any point leaves the old database or the complete new one.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from proteus.events.checks import Bounds
from proteus.graph import Graph
from proteus.ingest.batch import BatchReport, Group, Progress, fold_group
from proteus.ingest.files import DataFile
from proteus.ingest.fold import Fold, connect
from proteus.ingest.ledger import Ledger
from proteus.ingest.sparkfold import SparkFold
from proteus.spark.session import SparkSetup, start

ARRAY = "\x1f"  # control characters never pass the contract, so none is in a value
KEPT = ("ApiKey", "AuditEvent")  # carried from the old database into the new one


@dataclass
class ImportFiles:
    folder: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def arguments(self) -> list[str]:
        return [*(f"--nodes={label}={path}" for label, path in self.nodes),
                *(f"--relationships={kind}={path}" for kind, path in self.relationships)]


def holds_ingested_data(graph: Graph) -> bool:
    return bool(graph.read("ingest/ingested_data")[0]["found"])


def _iso(epoch: str) -> str:
    return f"strftime(to_timestamp({epoch}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')"


def _array(column: str) -> str:
    return f"array_to_string({column}, '{ARRAY}')"


def _parquet(folded: Path, name: str, columns: str) -> str:
    """A folded table, or an empty relation of `columns` when no group produced it."""
    path = folded / f"{name}.parquet"
    if path.exists():
        return f"read_parquet('{_quoted(path)}')"
    return f"(SELECT * FROM (VALUES ({', '.join('NULL' for _ in columns.split(','))})) " \
           f"AS t({columns}) WHERE false)"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def combine(groups: Path, folded: Path, out: Path, records: list[tuple[str, list[dict[str, Any]]]],
            kept: dict[str, list[dict[str, Any]]], kept_links: list[tuple[str, str]]
            ) -> ImportFiles:
    """The graph's content from the groups' folded tables: Parquet in `folded`, import files
    in `out`. `records` are the run's own nodes per label (Run, IngestGroup, IngestBatch),
    `kept` the nodes carried from the old database and `kept_links` their PERFORMED links."""
    folded.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(out / ".spill")
    src = {name: _parquet(groups, name, cols) for name, cols in {
        "network_devices": "id, first, last, type, viewed",
        "viewing_devices": "id, first, last, type, viewed",
        "network_identifiers": "kind, value, first, last, network, ip_class",
        "network_sightings": "device, kind, value, first, last, count, days, day_counts",
        "viewing_contents": "id",
        "viewing_views": "device, content, first, last, count, seconds, days, day_seconds",
        "consent_consent": "account, purpose, granted, at",
        "catalog_items": "id, title, kind, genres, iab_ids"}.items()}
    steps = {
        "devices": f"""
WITH seen AS (SELECT * FROM {src['network_devices']}
              UNION ALL SELECT * FROM {src['viewing_devices']}),
withdrawn AS (
  SELECT s.device, list(DISTINCT c.purpose ORDER BY c.purpose) AS purposes
  FROM {src['network_sightings']} s JOIN {src['consent_consent']} c
    ON s.kind = 'login' AND c.account = s.value AND NOT c.granted
  GROUP BY s.device)
SELECT d.id, d.type, d.first_seen, d.last_seen, d.last_viewed,
       CASE WHEN n.id IS NOT NULL THEN coalesce(w.purposes, []) END AS withdrawn
FROM (SELECT id, arg_min(type, type IS NULL) AS type, min(first) AS first_seen,
             max(last) AS last_seen, max(viewed) AS last_viewed FROM seen GROUP BY id) d
LEFT JOIN (SELECT DISTINCT id FROM {src['network_devices']}) n USING (id)
LEFT JOIN withdrawn w ON w.device = d.id""",
        "identifiers": f"""
SELECT kind, value, arg_min(network, network IS NULL) AS network,
       arg_min(ip_class, ip_class IS NULL) AS ip_class, min(first) AS first_seen,
       max(last) AS last_seen
FROM (SELECT kind, value, network, ip_class, first, last FROM {src['network_identifiers']}
      UNION ALL SELECT 'login', account, NULL, NULL, "at", "at" FROM {src['consent_consent']})
GROUP BY kind, value""",
        "sightings": f"""
SELECT device, kind, value, first AS first_seen, last AS last_seen, count, days, day_counts
FROM {src['network_sightings']}""",
        "contents": f"""
SELECT coalesce(c.id, v.id) AS id, c.title, c.kind, c.genres, c.iab_ids
FROM {src['catalog_items']} c FULL JOIN {src['viewing_contents']} v USING (id)""",
        # sorted as every stage reading viewing wants it (proteus/views/table.py)
        "views": f"SELECT * FROM {src['viewing_views']} ORDER BY device, content",
        "consent": f"SELECT * FROM {src['consent_consent']}",
    }
    for name, sql in steps.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")
        con.execute(f"COPY {name} TO '{_quoted(folded / name)}.parquet' (FORMAT parquet)")
    con.execute("CREATE TABLE device_ids AS SELECT id, row_number() OVER () AS n FROM devices")
    con.execute("CREATE TABLE identifier_ids AS SELECT kind, value, row_number() OVER () AS n "
                "FROM identifiers")
    con.execute("CREATE TABLE content_ids AS SELECT id, row_number() OVER () AS n FROM contents")
    con.execute("CREATE TABLE purposes AS SELECT DISTINCT purpose AS name, "
                "row_number() OVER () AS n FROM (SELECT DISTINCT purpose FROM consent)")
    files = ImportFiles(out)
    exports = [
        ("node", "Device", "devices", f"""
SELECT i.n AS ":ID(Device)", d.id, d.type, {_iso('d.first_seen')} AS "first_seen:datetime",
       {_iso('d.last_seen')} AS "last_seen:datetime", d.last_viewed,
       {_array('d.withdrawn')} AS "withdrawn:string[]"
FROM devices d JOIN device_ids i USING (id)"""),
        ("node", "Identifier", "identifiers", f"""
SELECT i.n AS ":ID(Identifier)", d.kind, d.value, d.network, d.ip_class,
       {_iso('d.first_seen')} AS "first_seen:datetime",
       {_iso('d.last_seen')} AS "last_seen:datetime"
FROM identifiers d JOIN identifier_ids i USING (kind, value)"""),
        ("node", "Content", "contents", f"""
SELECT i.n AS ":ID(Content)", c.id, c.title, c.kind, {_array('c.genres')} AS "genres:string[]",
       {_array('c.iab_ids')} AS "iab_ids:string[]"
FROM contents c JOIN content_ids i USING (id)"""),
        ("node", "Purpose", "purposes", 'SELECT n AS ":ID(Purpose)", name FROM purposes'),
        ("relationship", "SEEN_WITH", "sightings", f"""
SELECT d.n AS ":START_ID(Device)", i.n AS ":END_ID(Identifier)", s.count AS "count:long",
       {_array('s.days')} AS "days:string[]", {_array('s.day_counts')} AS "day_counts:long[]",
       {_iso('s.first_seen')} AS "first_seen:datetime",
       {_iso('s.last_seen')} AS "last_seen:datetime"
FROM sightings s JOIN device_ids d ON d.id = s.device
JOIN identifier_ids i ON i.kind = s.kind AND i.value = s.value"""),
        ("relationship", "WATCHED", "views", f"""
SELECT d.n AS ":START_ID(Device)", c.n AS ":END_ID(Content)", v.count AS "count:long",
       v.seconds AS "seconds:long", {_array('v.days')} AS "days:string[]",
       {_array('v.day_seconds')} AS "day_seconds:long[]", {_iso('v.first')} AS "first:datetime",
       {_iso('v.last')} AS "last:datetime"
FROM views v JOIN device_ids d ON d.id = v.device JOIN content_ids c ON c.id = v.content"""),
        ("relationship", "CONSENTED", "consented", f"""
SELECT i.n AS ":START_ID(Identifier)", p.n AS ":END_ID(Purpose)", c.granted AS "granted:boolean",
       {_iso('c."at"')} AS "at:datetime"
FROM consent c JOIN identifier_ids i ON i.kind = 'login' AND i.value = c.account
JOIN purposes p ON p.name = c.purpose"""),
    ]
    for what, name, stem, sql in exports:
        path = out / f"{stem}.csv"
        [(written,)] = con.execute(
            f"COPY ({sql}) TO '{_quoted(path)}' (FORMAT csv, HEADER)").fetchall()
        (files.nodes if what == "node" else files.relationships).append((name, path))
        files.counts[name] = int(written)
    con.close()
    for label, rows in [*records, *kept.items()]:
        if rows:
            path = out / f"{label.lower()}.csv"
            _write_records(path, label, rows)
            files.nodes.append((label, path))
            files.counts[label] = len(rows)
    for kind, pairs in _links(records, kept_links):
        if pairs:
            path = out / f"{kind.lower()}.csv"
            with path.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow([":START_ID(Key)", ":END_ID(Key)"])
                writer.writerows(pairs)
            files.relationships.append((kind, path))
            files.counts[kind] = len(pairs)
    return files


def _links(records: list[tuple[str, list[dict[str, Any]]]],
           kept_links: list[tuple[str, str]]) -> Iterable[tuple[str, list[tuple[str, str]]]]:
    runs = [r["id"] for label, rows in records if label == "Run" for r in rows]
    batches = [r["id"] for label, rows in records if label == "IngestBatch" for r in rows]
    yield "INGESTED", [(f"Run {run}", f"IngestBatch {batch}") for run in runs
                       for batch in batches]
    yield "PERFORMED", [(f"ApiKey {key}", f"AuditEvent {event}") for key, event in kept_links]


def _kind(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    first = present[0]
    if isinstance(first, bool):
        return "boolean"
    if isinstance(first, int):
        return "long"
    if isinstance(first, float):
        return "double"
    if isinstance(first, datetime) or hasattr(first, "to_native"):
        return "datetime"
    if isinstance(first, list):
        return "string[]"
    return "string"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        moment = value.to_native() if hasattr(value, "to_native") else value
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if kind == "string[]":
        return ARRAY.join(str(v) for v in value)
    return str(value)


def _write_records(path: Path, label: str, rows: list[dict[str, Any]]) -> None:
    """Nodes of one label with whatever properties they hold; keyed `<label> <id>` in the
    shared `Key` id space (for the links between them)."""
    names = sorted({k for row in rows for k in row})
    kinds = {name: _kind([row.get(name) for row in rows]) for name in names}
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([":ID(Key)", *(f"{n}:{kinds[n]}" for n in names)])
        for row in rows:
            writer.writerow([f"{label} {row['id']}",
                             *(_cell(row.get(n), kinds[n]) for n in names)])


def kept_nodes(graph: Graph) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, str]]]:
    """API keys and their audit events, to carry into the new database."""
    nodes = {label: [row["node"] for row in graph.read("ingest/kept_nodes", label=label)]
             for label in KEPT}
    links = [(row["key"], row["event"]) for row in graph.read("ingest/kept_links")]
    return nodes, links


def import_arguments(files: ImportFiles, threads: int = 2) -> list[str]:
    # the database comes first: the file lists of --nodes and --relationships take every
    # argument after them
    return ["database", "import", "full", "neo4j", "--id-type=string",
            f"--array-delimiter=U+{ord(ARRAY):04X}", "--overwrite-destination=true",
            f"--threads={threads}", "--high-parallel-io=on", "--bad-tolerance=0",
            f"--report-file={files.folder / 'import.report'}", *files.arguments()]


def command_text(files: ImportFiles) -> str:
    return "neo4j-admin " + " ".join(import_arguments(files))


def batch_record(report: BatchReport, data: DataFile, run_id: str,
                  now: datetime) -> dict[str, Any]:
    return {"id": report.batch_id, "sha256": report.batch_id, "size": data.size,
            "kind": report.kind, "file": data.path.name, "group": report.group,
            "status": report.status, "started": now, "finished": now, "read": report.read,
            "accepted": report.accepted, "rejected": report.rejected,
            "duplicates": report.duplicates, "error": report.error,
            "last_day": report.last_day, "run_id": run_id}


def fold_for_import(groups: list[Group], reports: list[BatchReport], run_id: str, key: bytes,
                    rejects_dir: Path, work: Path, bounds: Bounds, batch_rows: int,
                    spark: SparkSetup | None = None,
                    engine: str = "duckdb") -> tuple[list[BatchReport], list[dict[str, Any]], Path]:
    """Fold every group whole (one chunk) on `engine` and export its tables under
    `work/groups`; return the batch reports, the IngestGroup records and the export folder.
    Catalog files are small and fold on the embedded engine whatever `engine` says."""
    progress = Progress()
    exported = work / "groups"
    shutil.rmtree(exported, ignore_errors=True)
    records: list[dict[str, Any]] = []
    for group in groups:
        label = f"{group.kind} ({len(group.files)} file{'s' if len(group.files) > 1 else ''})"
        group_reports = [BatchReport(file=str(f.path), batch_id=f.sha256, kind=f.kind,
                                     status="running", group=group.id) for f in group.files]
        with _fold(group, work, key, bounds, progress, spark, engine) as fold:
            chunks = fold_group(fold, group, group_reports, rejects_dir, progress, label,
                                ledger=Ledger(work, group.kind).path(group.id))
            if all(r.status != "failed" for r in group_reports):
                fold.export(exported)
                for report in group_reports:
                    report.status, report.chunks_written = "complete", len(chunks)
        now = datetime.now(UTC)
        status = "failed" if any(r.status == "failed" for r in group_reports) else "complete"
        records.append({"id": group.id, "files": [f.sha256 for f in group.files],
                        "names": [f.path.name for f in group.files], "kind": group.kind,
                        "status": status, "started": now, "finished": now,
                        "chunk_size": WHOLE, "batch_rows": batch_rows,
                        "chunks_done": 1 if status == "complete" else 0,
                        "done_parts": ["1"] if status == "complete" else [],
                        "run_id": run_id})
        reports.extend(group_reports)
    return reports, records, exported


WHOLE = 1 << 40  # one chunk: a bulk load folds each group whole


def _fold(group: Group, work: Path, key: bytes, bounds: Bounds, progress: Progress,
          spark: SparkSetup | None, engine: str) -> Any:
    if engine == "spark" and group.kind != "catalog":
        return SparkFold(start(spark or SparkSetup()), group.kind, work, group.id[:16], key,
                         bounds, WHOLE, say=progress.say)
    return Fold(group.kind, work, group.id[:16], key, bounds, WHOLE, say=progress.say)
