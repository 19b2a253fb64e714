"""`proteus bench ...`: each benchmark measures the project's path and its baseline in the
same run and ends with one JSON line (figures and the ratio)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from proteus.cli.api import bench_api_command
from proteus.cli.audiences import bench_audience_command
from proteus.cli.common import (
    connect,
    emit,
    require_empty_or_reset,
    settings,
    spark_conf_option,
    with_spark,
)
from proteus.cli.recommend import bench_recs_command
from proteus.cli.segments import bench_segments_command
from proteus.ingest import IngestParams
from proteus.tools import generate
from proteus.tools.bench.generate import bench_generate
from proteus.tools.bench.identity import bench_identity
from proteus.tools.bench.ingest import bench_ingest
from proteus.tools.bench.pipeline import run_bench
from proteus.tools.bench.spark import bench_spark

INGEST_DEFAULTS = IngestParams.model_fields


def _dataset(devices: int, seed: int, out: Path) -> Path:
    print(f"generating {devices:,} devices into {out}", file=sys.stderr)
    generate.run(generate.GenerateParams(out=out, devices=devices, seed=seed))
    return out


@click.group()
def bench() -> None:
    """Benchmarks: the project's path against a baseline measured in the same run."""


@bench.command("generate")
@click.option("--devices", default=200_000, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Keep the dataset here (default: a temporary folder).")
def bench_generate_command(devices: int, out: Path | None) -> None:
    """Generator throughput: events/s and peak RSS."""
    emit(bench_generate(devices, out))


@bench.command("identity")
@click.option("--devices", default=20_000, show_default=True)
@click.option("--profile", type=click.Choice(["default", "noisy", "weak"]), default=None,
              help="Generator profile of the generated dataset (default: default; with "
                   "--data, the dataset's own).")
@click.option("--data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Use this generated dataset instead of generating one.")
@click.option("--links", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Read the links from the ingest fold's Parquet folder.")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_identity_command(devices: int, profile: str | None, data: Path | None,
                           links: Path | None, reset: bool) -> None:
    """Identity precision, recall and F1 against the truth and, in the same run, plain
    connected components over the same identifiers; per-phase seconds; columns vs rows
    read; fast vs reference engine time."""
    with connect() as graph:
        require_empty_or_reset(graph, reset)
        emit(bench_identity(devices, graph=graph, settings=settings(), data=data,
                            links=links, profile=profile))


@bench.command("ingest")
@click.option("--devices", default=100_000, show_default=True)
@click.option("--data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Use this generated dataset instead of generating one.")
@click.option("--chunk-size", default=INGEST_DEFAULTS["chunk_size"].default, show_default=True,
              help="Raw rows folded into aggregates together (across the files of a kind).")
@click.option("--batch-rows", default=INGEST_DEFAULTS["batch_rows"].default,
              show_default=True, help="Aggregate rows per transaction.")
@click.option("--writers", default=INGEST_DEFAULTS["writers"].default, show_default=True,
              help="Chunks written at once.")
@click.option("--baseline-seconds", default=30.0, show_default=True,
              help="How long the one-transaction-per-event baseline runs.")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_ingest_command(devices: int, data: Path | None, chunk_size: int, batch_rows: int,
                         writers: int, baseline_seconds: float, reset: bool) -> None:
    """Ingest events/s against one transaction per event with MERGE."""
    with connect() as graph, tempfile.TemporaryDirectory() as tmp:
        require_empty_or_reset(graph, reset)
        source = data or _dataset(devices, 7, Path(tmp) / "data")
        result = bench_ingest(graph, settings(), source, chunk_size, batch_rows, writers,
                              baseline_seconds)
    emit({"devices": devices if data is None else None, **result})


@bench.command("pipeline")
@click.option("--devices", default=100_000, show_default=True)
@click.option("--days", default=7, show_default=True,
              help="Days the pipeline runs on; one more day is generated for the incremental "
                   "path.")
@click.option("--seed", default=42, show_default=True)
@click.option("--data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Reuse this generated dataset (days + 1 days) instead of generating one.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=None,
              help="Keep the generated data, import files and rejects here.")
@click.option("--audience", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="Audience definition (default: sports-big-screen, shipped "
                                 "with the package).")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_pipeline_command(devices: int, days: int, seed: int, data: Path | None,
                           work_dir: Path | None, audience: Path | None, reset: bool) -> None:
    """The whole pipeline from an empty graph: seconds per stage, bulk and incremental
    ingest rates, peak memory, person F1, segment NMI, the audience and its dry run."""
    with connect() as graph:
        require_empty_or_reset(graph, reset)
        emit(run_bench(graph, settings(), devices, days, seed, data, audience, work_dir))


@bench.command("spark")
@click.option("--devices", default=20_000, show_default=True)
@click.option("--days", default=7, show_default=True)
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Use this generated dataset instead of generating one.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=None,
              help="Where both engines write their tables (default: a temporary folder).")
@spark_conf_option
def bench_spark_command(devices: int, days: int, data: Path | None, work_dir: Path | None,
                        spark_conf: tuple[str, ...]) -> None:
    """The Spark engine against the embedded one on the same files: seconds per stage,
    local[1] against local[2], equal tables and partitions (needs the extra spark)."""
    config = with_spark(settings(), None, spark_conf)  # the masters are the bench's own
    with tempfile.TemporaryDirectory(prefix="proteus-bench-spark-") as tmp:
        if data is None:
            data = Path(tmp) / "data"
            print(f"generating {devices:,} devices, {days} days into {data}", file=sys.stderr)
            generate.run(generate.GenerateParams(out=data, devices=devices, days=days,
                                                 quiet=True))
        emit(bench_spark(config, data, work_dir or Path(tmp) / "work"))


bench.add_command(bench_segments_command, "segments")
bench.add_command(bench_api_command, "api")
bench.add_command(bench_audience_command, "audience")
bench.add_command(bench_recs_command, "recs")
