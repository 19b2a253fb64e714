"""`proteus ingest PATH...`"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import click

from proteus import edge, ingest
from proteus.cli.common import connect, emit, settings, spark_options, with_spark
from proteus.ingest import Bulk
from proteus.spark.session import stop

Engine = Literal["duckdb", "spark"]


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--chunk-size", default=ingest.IngestParams.model_fields["chunk_size"].default,
              show_default=True,
              help="Raw rows folded into aggregates together, across the files of one "
                   "record type: the more, the fewer rows to write (the fold spills to disk "
                   "past its memory limit).")
@click.option("--batch-rows", default=ingest.IngestParams.model_fields["batch_rows"].default,
              show_default=True,
              help="Aggregate rows per transaction (a resumed group of files keeps the sizes "
                   "it started with).")
@click.option("--writers", default=ingest.IngestParams.model_fields["writers"].default,
              show_default=True, help="Chunks written at once.")
@click.option("--rejects-dir", type=click.Path(path_type=Path), default=None,
              help="Where <file>.rejects.jsonl files go (sensitive: raw rows; default: "
                   "PROTEUS_HOME/rejects).")
@click.option("--bulk", "bulk", flag_value="first",
              help="Load through neo4j-admin import whatever the size (a first load only).")
@click.option("--no-bulk", "bulk", flag_value="never", help="Always merge through Cypher.")
@click.option("--rebuild", "bulk", flag_value="rebuild",
              help="Replace the graph's content with these files through neo4j-admin import "
                   "(API keys and their audit trail are kept; derived facts go).")
@click.option("--import-files", type=click.Path(path_type=Path), default=None,
              help="External server: write the neo4j-admin import files here and print the "
                   "command to run on the server.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=None,
              help="Where folding spills and bulk import files go (default: PROTEUS_HOME/work).")
@click.option("--duplicate-horizon-days", type=click.IntRange(0, 3660),
              default=ingest.IngestParams.model_fields["duplicate_horizon_days"].default,
              show_default=True,
              help="An event whose id an earlier ingest holds within this many days of it is "
                   "counted as a duplicate; 0 compares within this run only.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default=None,
              help="What checks and folds the events: duckdb (embedded, default: "
                   "PROTEUS_ENGINE) or spark (a first load through import files, files added "
                   "to a loaded graph through the Neo4j Connector for Apache Spark; "
                   "docs/spark.md).")
@click.option("--partitions", type=click.IntRange(1, 64), default=None,
              help="Spark engine: partitions the connector writes at once (default: the "
                   "Spark session's default parallelism).")
@spark_options
def ingest_command(paths: tuple[str, ...], chunk_size: int, batch_rows: int, writers: int,
                   rejects_dir: Path | None, bulk: str | None, import_files: Path | None,
                   work_dir: Path | None, duplicate_horizon_days: int, engine: str | None,
                   partitions: int | None, spark_master: str | None,
                   spark_conf: tuple[str, ...]) -> None:
    """Load event files or folders (JSONL/gz, CSV, Parquet) into the graph; on the Spark
    engine also URLs of any filesystem Spark reads (s3a://, abfss://, gs://, hdfs://, file://).

    A first load of at least 64 MB on the managed server goes through neo4j-admin import
    (docs/scale.md); later files merge through Cypher, resumable and idempotent (on the Spark
    engine, through the Neo4j Connector for Apache Spark)."""
    config = with_spark(settings(), spark_master, spark_conf)
    params = edge.ingest_params(config, list(paths), rejects_dir=rejects_dir,
                                work_dir=work_dir, engine=cast(Engine, engine or config.engine),
                                chunk_size=chunk_size, batch_rows=batch_rows, writers=writers,
                                bulk=cast(Bulk, bulk or "auto"), import_files=import_files,
                                duplicate_horizon_days=duplicate_horizon_days,
                                partitions=partitions)
    try:
        with connect() as graph:
            report = ingest.run(graph, params)
    finally:
        stop()
    for line in report.lines():
        click.echo(line, err=True)
    emit({"run_id": report.run_id, "path": report.path, "read": report.read,
          "accepted": report.accepted,
          "rejected": report.rejected, "duplicates": report.duplicates,
          "events_per_s": report.events_per_s, "ok": report.ok})
    if not report.ok:
        raise click.exceptions.Exit(1)
