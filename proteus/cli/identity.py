"""`proteus identity run | explain`: the identity stage from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proteus.cli.common import (
    connect,
    emit,
    quiet_progress,
    settings,
    spark_options,
    with_spark,
)
from proteus.edge import identity_params
from proteus.identity import explain_device, explain_pair, run
from proteus.spark.session import stop
from proteus.tools.truth import load_truth, score_identity

__all__ = ["identity"]


@click.group()
def identity() -> None:
    """Devices into persons and households, and why."""


@identity.command("run")
@click.option("--engine", type=click.Choice(["fast", "reference", "gds", "spark"]),
              default="fast", show_default=True,
              help="How components are found (spark: on the Spark engine, docs/spark.md).")
@click.option("--rules", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="Rules file (default rules/identity.yaml).")
@click.option("--truth", type=click.Path(path_type=Path, exists=True), default=None,
              help="A generated dataset (or its truth/), or a CSV with device_id and "
              "person_id (household_id, resolvable optional), to score the run against.")
@click.option("--links", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Read the links from the ingest fold's Parquet folder "
              "(sightings, identifiers, devices) instead of the graph.")
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
@spark_options
def run_command(engine: str, rules: Path | None, truth: Path | None, links: Path | None,
                quiet: bool, spark_master: str | None, spark_conf: tuple[str, ...]) -> None:
    """Link devices into persons and households; print the quality report."""
    if quiet:
        quiet_progress()
    known = load_truth(truth) if truth is not None else None  # a bad file fails before the run
    config = with_spark(settings(), spark_master, spark_conf)
    params = identity_params(config, engine=engine, rules=rules, links=links)
    try:
        with connect() as graph:
            report = run(graph, params)
            if known is not None:
                score_identity(graph, report, known)
    finally:
        stop()
    for line in report.lines():
        click.echo(line)
    emit(report.model_dump(mode="json"))


@identity.command("explain")
@click.argument("device")
@click.argument("device_b", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option("--redact", is_flag=True, help="Hide identifier values.")
def explain_command(device: str, device_b: str | None, as_json: bool, redact: bool) -> None:
    """Why DEVICE is in its person (or why DEVICE and DEVICE_B are or are not linked)."""
    with connect() as graph:
        if device_b is None:
            single = explain_device(graph, device, redact=redact)
            payload, sentence = single.model_dump(mode="json"), single.sentence
            hops, steps, shared = single.links, single.evidence, []
        else:
            pair = explain_pair(graph, device, device_b, redact=redact)
            payload, sentence = pair.model_dump(mode="json"), pair.sentence
            hops, steps, shared = pair.hops, pair.steps, pair.shared
    if as_json:
        click.echo(json.dumps(payload, indent=2, sort_keys=True))
        return
    click.echo(sentence)
    for number, hop in enumerate(hops, start=1):
        click.echo(f"  pair {number}: {hop.device_a} - {hop.device_b}  score {hop.score:+g} "
                   f"bits (p {hop.probability:.4f}), {'linked' if hop.linked else 'not linked'}"
                   f" at {hop.link_at:g} [rules v{hop.rule_version}]")
        click.echo(f"      prior                {hop.prior:+g}")
        for item in hop.items:
            click.echo(f"      {item.kind:<7} {item.level:<18} {item.weight:+g}  "
                       f"{', '.join(item.identifiers)}")
    for step in steps:
        click.echo(f"  {step.position:>2}. {step.source} -> {step.target}  [{step.rule} "
                   f"v{step.rule_version}, weight {step.weight:g}, edge {step.edge_id}]")
        click.echo(f"      {step.sentence}")
    for entry in shared:
        click.echo(f"  shared {entry.identifier}: {entry.rule} ({entry.detail})")
