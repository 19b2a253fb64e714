"""`proteus recommend build | for DEVICE_OR_PERSON` and `proteus bench recs`."""

from __future__ import annotations

from pathlib import Path

import click

from proteus import recommend, runs
from proteus.cli.common import connect, emit, require_empty_or_reset, settings
from proteus.tools.bench.recs import bench_recs

__all__ = ["bench_recs_command", "recommend_group"]


@click.group("recommend")
def recommend_group() -> None:
    """Content neighbours from co-viewing, and recommendations with their paths."""


@recommend_group.command("build")
@click.option("--top-k", default=20, show_default=True, type=click.IntRange(1, 200),
              help="Neighbours kept per content.")
@click.option("--shrink", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Damping of pairs few viewers share.")
@click.option("--min-co-viewers", default=2, show_default=True, type=click.IntRange(1))
@click.option("--views", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Read viewing from this ingest fold output folder (its views.parquet) "
                   "instead of the graph.")
def build_command(top_k: int, shrink: float, min_co_viewers: int, views: Path | None) -> None:
    """Precompute SIMILAR neighbours and popularity (the pipeline stage)."""
    params = recommend.RecommendParams(top_k=top_k, shrink=shrink,
                                       min_co_viewers=min_co_viewers, views=views)
    with connect() as graph:
        report = recommend.run(graph, params)
    for line in report.lines():
        click.echo(line, err=True)
    emit(report.model_dump(mode="json"))


@recommend_group.command("for")
@click.argument("subject")
@click.option("--person", is_flag=True, help="SUBJECT is a person id (default: a device).")
@click.option("-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the recommendations as JSON.")
def for_command(subject: str, person: bool, k: int, as_json: bool) -> None:
    """Recommendations for a device (or a person), each with why."""
    with connect() as graph:
        found = (recommend.for_person if person else recommend.for_device)(graph, subject, k)
    if as_json:
        click.echo(found.model_dump_json(indent=2))
        return
    for n, item in enumerate(found.items, start=1):
        click.echo(f"{n:>2}. {item.title or item.content} ({item.content}) {item.score:.3f}")
        click.echo(f"    {item.sentence}")


@click.command("recs")
@click.option("--devices", default=5000, show_default=True, type=click.IntRange(10),
              help="Devices of the generated week.")
@click.option("--users", default=1000, show_default=True, type=click.IntRange(1),
              help="Test devices whose last viewing event is held out.")
@click.option("--min-history", default=3, show_default=True, type=click.IntRange(1),
              help="Contents a test device watched before its held-out event.")
@click.option("--seed", default=7, show_default=True, help="Seed of the test device draw.")
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Split this generated JSON Lines dataset instead of "
                                  "generating one.")
@click.option("--seeds", default=None, type=click.IntRange(1, 200),
              help="Seeds per request (default: the serving default).")
@click.option("--half-life", default=None, type=click.FloatRange(min=0, min_open=True),
              help="Seed recency half-life in days (default: the serving default).")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_recs_command(devices: int, users: int, min_history: int, seed: int,
                       data: Path | None, seeds: int | None, half_life: float | None,
                       reset: bool) -> None:
    """Leave-last-out by time on raw events (held-out views never ingested): HR@10 and
    NDCG@10 of the serving path against popularity, co-view from the last 5 contents and
    item-kNN, measured in the same run (kept as a `recommend_bench` run)."""
    blend = recommend.BlendParams.model_validate(
        {k: v for k, v in (("seeds", seeds), ("half_life_days", half_life)) if v is not None})
    with connect() as graph:
        require_empty_or_reset(graph, reset)
        result = bench_recs(graph, settings(), devices=devices, users=users,
                            min_history=min_history, seed=seed, data=data, blend=blend)
        with runs.track(graph, "recommend_bench",
                        {"devices": devices, "users": users, "min_history": min_history,
                         "seed": seed, "data": str(data) if data else None,
                         "blend": blend.model_dump()}) as run:
            run.report = result
    emit(result)
