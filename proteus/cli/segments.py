"""`proteus segment run`, `proteus segment rule dry-run FILE`, `proteus segment rule apply FILE`,
and `proteus bench segments` (the command object `bench_segments_command`)."""

from __future__ import annotations

from pathlib import Path

import click

from proteus import segments
from proteus.cli.common import connect, emit, require_empty_or_reset, settings
from proteus.segments import partition, rule_apply, rules
from proteus.segments.similarity import METHODS, Method
from proteus.tools.bench.segments import bench_segments


@click.group("segment")
def segment_group() -> None:
    """Community segments and analyst rule segments."""


@segment_group.command("run")
@click.option("--k", default=15, show_default=True, help="Neighbours per person.")
@click.option("--engine", type=click.Choice(partition.ENGINES), default="fast",
              show_default=True)
@click.option("--resolution", type=float, default=None,
              help="Use this resolution instead of choosing one from the sweep.")
@click.option("--resolutions", default="0.25,0.5,1,2,4,8", show_default=True,
              help="Resolutions swept.")
@click.option("--seed", default=42, show_default=True)
@click.option("--min-size", default=5, show_default=True, help="Smaller communities are left out.")
@click.option("--knn", type=click.Choice(METHODS), default="auto", show_default=True,
              help="Nearest neighbours by descent (about n log n), every pair (n squared), "
                   "or exact up to 100,000 persons and descent above.")
@click.option("--views", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Read viewing from this ingest fold output folder (its views.parquet) "
                   "instead of the graph.")
def run_command(k: int, engine: partition.Engine, resolution: float | None, resolutions: str,
                seed: int, min_size: int, knn: Method, views: Path | None) -> None:
    """Find community segments in the person similarity graph."""
    params = segments.SegmentsParams(
        k=k, engine=engine, resolution=resolution, seed=seed, min_size=min_size, knn=knn,
        views=views,
        resolutions=[float(x) for x in resolutions.split(",") if x.strip()])
    with connect() as graph:
        report = segments.run(graph, params)
    for line in report.lines():
        click.echo(line, err=True)
    emit({"run_id": report.run_id, "segments": len(report.segments),
          "resolution": report.resolution, "modularity": report.modularity,
          "stability_nmi": report.stability.nmi, "knn_recall": report.knn_recall,
          "seconds": report.seconds})


@segment_group.group("rule")
def rule_group() -> None:
    """Analyst-defined segments from YAML or JSON files."""


@rule_group.command("dry-run")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def dry_run_command(file: Path) -> None:
    """Validate and count a rule; print the compiled query and its parameters."""
    rule = rules.load_rule(file)
    with connect() as graph:
        result = rule_apply.dry_run(graph, rule)
    click.echo(f"// {result.query_name}\n{result.query}", err=True)
    emit(result.model_dump(exclude={"query"}))


@rule_group.command("apply")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def apply_command(file: Path) -> None:
    """Materialise a rule as a Segment with IN_SEGMENT memberships."""
    rule = rules.load_rule(file)
    with connect() as graph:
        report = rule_apply.apply(graph, rule)
    emit(report.model_dump())


@click.command("segments")
@click.option("--devices", default=20_000, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Use this generated dataset instead of generating one.")
@click.option("--k", default=15, show_default=True)
@click.option("--views", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Read viewing from this ingest fold output folder instead of the graph.")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_segments_command(devices: int, seed: int, data: Path | None, k: int,
                           views: Path | None, reset: bool) -> None:
    """Community recovery (NMI vs truth), modularity, fast engine against python-louvain."""
    with connect() as graph:
        require_empty_or_reset(graph, reset)
        emit(bench_segments(graph, settings(), devices, seed, data, k, views))
