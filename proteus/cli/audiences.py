"""`proteus audience ...` (the group `audience_group`) and `proteus bench audience` (the command
`bench_audience_command`; the function `bench_audience`). Every command ends with one JSON
line; `--actor` (default: the OS user) goes into the audit trail."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from proteus import audiences
from proteus.audiences.export import FORMATS
from proteus.cli.common import connect, emit, require_empty_or_reset, settings
from proteus.tools.bench.audiences import bench_audience

__all__ = ["audience_group", "bench_audience", "bench_audience_command"]


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


actor_option = click.option("--actor", default=_default_actor, show_default="the OS user",
                            help="Who acts (recorded in the audit trail).")


def _source(value: str) -> str | audiences.Definition:
    """A stored audience's reference, or the definition in a file (read before connecting, so
    a bad file is refused without a server)."""
    path = Path(value)
    if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
        return audiences.load(path)
    return value


@click.group("audience")
def audience_group() -> None:
    """Audience definitions: create, dry-run, approve, materialise, explain, diff, export."""


@audience_group.command("create")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@actor_option
def create_command(file: Path, actor: str) -> None:
    """Validate a definition file and store it as a new draft version."""
    definition = audiences.load(file)
    with connect() as graph:
        version = audiences.create(graph, definition, actor=actor)
    emit(version.model_dump(mode="json", exclude={"definition"}))


@audience_group.command("dry-run")
@click.argument("audience")
@click.option("--sample", type=int, default=None, help="Members to explain (default: policy).")
@click.option("--redact", is_flag=True, help="Hide device ids in the explanations.")
@actor_option
def dry_run_command(audience: str, sample: int | None, redact: bool, actor: str) -> None:
    """Count a stored audience (NAME or NAME@vN) or a definition FILE; writes nothing. The
    traversal goes to stderr."""
    source = _source(audience)
    with connect() as graph:
        result = audiences.dry_run(graph, source, actor=actor, sample=sample, redact=redact)
    click.echo(f"// {result.query_name}\n{result.query}\n// params: "
               f"{json.dumps(result.params, default=str)}", err=True)
    emit(result.model_dump(mode="json", exclude={"query"}))


@audience_group.command("approve")
@click.argument("audience")
@actor_option
def approve_command(audience: str, actor: str) -> None:
    """Approve a draft version."""
    with connect() as graph:
        version = audiences.approve(graph, audience, actor=actor)
    emit({"audience": version.id, "status": version.status, "approved_by": actor})


@audience_group.command("materialise")
@click.argument("audience")
@actor_option
def materialise_command(audience: str, actor: str) -> None:
    """Store the members of an approved version with their explanations."""
    with connect() as graph:
        report = audiences.materialise(graph, audience, actor=actor)
    emit(report.model_dump(mode="json"))


@audience_group.command("retire")
@click.argument("audience")
@actor_option
def retire_command(audience: str, actor: str) -> None:
    """Retire a version: it can no longer be exported."""
    with connect() as graph:
        version = audiences.retire(graph, audience, actor=actor)
    emit({"audience": version.id, "status": version.status})


@audience_group.command("explain")
@click.argument("audience")
@click.argument("member")
@click.option("--redact", is_flag=True, help="Hide device ids.")
@actor_option
def explain_command(audience: str, member: str, redact: bool, actor: str) -> None:
    """Why MEMBER (a person, household or device id) is in AUDIENCE, as stored."""
    with connect() as graph:
        explanation = audiences.explain(graph, audience, member, actor=actor, redact=redact)
    for step in explanation.steps:
        click.echo(f"{step.position:>2}. {step.sentence}", err=True)
    emit(explanation.model_dump(mode="json"))


@audience_group.command("diff")
@click.argument("a")
@click.argument("b")
@actor_option
def diff_command(a: str, b: str, actor: str) -> None:
    """Members gained and lost from version A to version B, with reasons."""
    with connect() as graph:
        result = audiences.diff(graph, a, b, actor=actor)
    click.echo(f"{result.a} -> {result.b}: {result.kept} kept, {len(result.gained)} gained, "
               f"{len(result.lost)} lost", err=True)
    emit(result.model_dump(mode="json"))


@audience_group.command("export")
@click.argument("audience")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write here (default: standard output).")
@actor_option
def export_command(audience: str, fmt: str, out: Path | None, actor: str) -> None:
    """Export an approved or active, materialised version."""
    with connect() as graph:
        result = audiences.export(graph, audience, fmt, actor=actor, out=out)
    if result.content is not None:
        click.echo(result.content, nl=False)
    else:
        emit(result.model_dump(mode="json", exclude={"content"}))


@audience_group.command("audit")
@click.argument("name")
def audit_command(name: str) -> None:
    """The audit trail of every version of an audience."""
    with connect() as graph:
        emit({"audience": name, "events": audiences.audit_trail(graph, name)})


@click.command("audience")
@click.option("--devices", default=3_000, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Use this generated dataset instead of generating one.")
@click.option("--definition", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="Audience definition (default: sports-big-screen).")
@click.option("--reset", is_flag=True, help="Allow replacing the graph's content.")
def bench_audience_command(devices: int, seed: int, data: Path | None,
                           definition: Path | None, reset: bool) -> None:
    """Audience dry run and materialisation on a freshly loaded dataset; consent violations."""
    with connect() as graph:
        require_empty_or_reset(graph, reset)
        emit(bench_audience(graph, settings(), devices, dataset=data, definition=definition,
                            seed=seed))
