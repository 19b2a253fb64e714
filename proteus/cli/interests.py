"""`proteus interests`"""

from __future__ import annotations

from pathlib import Path

import click

from proteus import interests
from proteus.cli.common import connect, emit


@click.command("interests")
@click.option("--half-life-days", default=7.0, show_default=True,
              help="Viewing loses half its weight every this many days before the latest day.")
@click.option("--top-k", default=25, show_default=True, help="Interests kept per person.")
@click.option("--min-evidence", default=2, show_default=True,
              help="Distinct contents needed behind a kept interest.")
@click.option("--include-sensitive", is_flag=True,
              help="Also keep interests the policy flags sensitive (off by default).")
@click.option("--views", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Read viewing from this ingest fold output folder (its views.parquet) "
                   "instead of the graph.")
def interests_command(half_life_days: float, top_k: int, min_evidence: int,
                      include_sensitive: bool, views: Path | None) -> None:
    """Score every person's interests from viewing and store the top ones."""
    params = interests.InterestsParams(half_life_days=half_life_days, top_k=top_k,
                                       min_evidence=min_evidence,
                                       include_sensitive=include_sensitive, views=views)
    with connect() as graph:
        report = interests.run(graph, params)
    for line in report.lines():
        click.echo(line, err=True)
    emit({"run_id": report.run_id, "persons": report.persons,
          "relationships": report.relationships, "seconds": report.seconds})
