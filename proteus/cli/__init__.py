"""The `proteus` command line: the root group, the `db` and `run` commands, and `main`.

Each command group lives in its own module of this package and imports only
`proteus.cli.common`; this module imports them to register them, so no import runs back
up here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import click

from proteus import pipeline
from proteus.cli.api import serve as serve_command
from proteus.cli.audiences import audience_group
from proteus.cli.bench import bench
from proteus.cli.common import (
    ProteusGroup,
    connect,
    settings,
    show_progress,
    spark_options,
    with_spark,
)
from proteus.cli.generate import generate
from proteus.cli.identity import identity
from proteus.cli.ingest import ingest_command
from proteus.cli.interests import interests_command
from proteus.cli.keys import keys_group
from proteus.cli.recommend import recommend_group
from proteus.cli.report import report_command
from proteus.cli.segments import segment_group
from proteus.cli.taxonomy import taxonomy_group
from proteus.db import manage
from proteus.spark.session import stop


@click.group(cls=ProteusGroup)
def cli() -> None:
    """Proteus: explainable audience intelligence on Neo4j."""
    show_progress()


@cli.group()
def db() -> None:
    """The Neo4j server: up, down, status, reset, init."""


@db.command()
def up() -> None:
    """Start the local Neo4j (or reuse the running one) and apply the schema."""
    config = settings()
    started, graph = manage.up(config)
    with graph:
        click.echo("started" if started else "already running" if config.managed else "external")
        for line in manage.status(graph, config).lines():
            click.echo(line)


@db.command()
def down() -> None:
    """Stop the local Neo4j cleanly; its data stays."""
    click.echo("stopped" if manage.down(settings()) else "not running")


@db.command()
def status() -> None:
    """Versions, URIs and counts."""
    with connect() as graph:
        for line in manage.status(graph, settings()).lines():
            click.echo(line)


@db.command()
def init() -> None:
    """Apply the schema (idempotent)."""
    with connect() as graph:
        click.echo(f"schema applied ({manage.init(graph)} statements)")


@db.command()
@click.option("--all", "everything", is_flag=True,
              help="Delete the API keys and the audit log too.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(everything: bool, yes: bool) -> None:
    """Delete the graph's data, keeping API keys and the audit log (unless --all); then
    re-apply the schema and say what was deleted."""
    keep = () if everything else manage.KEPT
    if not yes:
        spared = "" if everything else " except API keys and the audit log"
        click.confirm(f"delete everything{spared} in {settings().bolt_uri}?", abort=True)
    with connect() as graph:
        for line in manage.reset(graph, keep).lines():
            click.echo(line)


Engine = Literal["duckdb", "spark"]


@cli.command("run")
@click.option("--devices", default=10_000, show_default=True, help="Devices to generate.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 366),
              help="Days of traffic to generate.")
@click.option("--seed", default=42, show_default=True, help="Seed of the generated data.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("data/generated"),
              show_default=True, help="Where the generated dataset goes.")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Where the HTML run report goes (default: "
                                 "PROTEUS_HOME/reports/run-<time>.html).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the HTTP API when the pipeline is done.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default=None,
              help="What checks and folds the events and finds identity's components: duckdb "
                   "(embedded, default: PROTEUS_ENGINE) or spark (the week loads through "
                   "import files, replacing what the graph holds; docs/spark.md).")
@spark_options
def run_pipeline(devices: int, days: int, seed: int, data_dir: Path, report_path: Path | None,
                 serve: bool, engine: str | None, spark_master: str | None,
                 spark_conf: tuple[str, ...]) -> None:
    """The main job: Neo4j up, the whole pipeline on generated data, the report (text and
    HTML), the API."""
    config = with_spark(settings(), spark_master, spark_conf)
    params = pipeline.PipelineParams(devices=devices, days=days, seed=seed, data_dir=data_dir,
                                     report=report_path,
                                     engine=cast(Engine, engine or config.engine))
    try:
        report = pipeline.run(config, params)
    finally:
        stop()
    for line in report.lines():
        click.echo(line)
    if serve:
        key = pipeline.demo_key(config)
        click.echo(f"\nAPI key (admin, shown once): {key.key}")
        click.echo(f"try: curl -H 'X-API-Key: {key.key}' {config.api_url}/v1/runs")
        click.get_current_context().invoke(serve_command)


for command in (bench, generate, ingest_command, identity, taxonomy_group, interests_command,
                segment_group, audience_group, recommend_group, keys_group, report_command,
                serve_command):
    cli.add_command(command)


def main() -> None:
    cli.main(prog_name="proteus")

