"""`proteus ingest PATH...`"""

from __future__ import annotations

from pathlib import Path

import click

from proteus import ingest


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--chunk-size", default=ingest.IngestParams.model_fields["chunk_size"].default,
              show_default=True,
              help="Raw rows folded into aggregates together, across the files of one "
                   "record type; memory grows with it.")
@click.option("--batch-rows", default=ingest.IngestParams.model_fields["batch_rows"].default,
              show_default=True,
              help="Aggregate rows per transaction (a resumed group of files keeps the sizes "
                   "it started with).")
@click.option("--writers", default=ingest.IngestParams.model_fields["writers"].default,
              show_default=True, help="Chunks written at once.")
@click.option("--rejects-dir", type=click.Path(path_type=Path), default=Path("data/rejects"),
              show_default=True, help="Where <file>.rejects.jsonl files go (sensitive: raw rows).")
def ingest_command(paths: tuple[Path, ...], chunk_size: int, batch_rows: int, writers: int,
                   rejects_dir: Path) -> None:
    """Load event files or folders (JSONL/gz, CSV, Parquet) into the graph."""
    from proteus.cli import connect, emit, settings

    params = ingest.IngestParams(paths=list(paths), chunk_size=chunk_size,
                                 batch_rows=batch_rows, writers=writers, rejects_dir=rejects_dir)
    with connect() as graph:
        report = ingest.run(graph, params, settings())
    for line in report.lines():
        click.echo(line, err=True)
    emit({"run_id": report.run_id, "read": report.read, "accepted": report.accepted,
          "rejected": report.rejected, "duplicates": report.duplicates,
          "events_per_s": report.events_per_s, "ok": report.ok})
    if not report.ok:
        raise click.exceptions.Exit(1)
