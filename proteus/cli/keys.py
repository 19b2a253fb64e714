"""`proteus keys create NAME --role R | list | revoke ID`."""

from __future__ import annotations

import click

from proteus import keys
from proteus.cli.common import connect
from proteus.inputs import printable

__all__ = ["describe", "keys_group"]


@click.group("keys")
def keys_group() -> None:
    """API keys: create (shown once), list, revoke."""


@keys_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(list(keys.ROLES)), required=True,
              help="service: recommendations and profiles; analyst: reads, dry-runs, draft "
                   "audiences; admin: approvals, materialisation, exports, keys.")
def create_command(name: str, role: str) -> None:
    """Create a key; it is printed once and only its hash is stored."""
    with connect() as graph:
        created = keys.create_key(graph, name, role)
    click.echo(f"key {created.id} ({printable(created.name)}, role {created.role}) created; "
               "store it now, it is not shown again:", err=True)
    click.echo(created.key)


@keys_group.command("list")
def list_command() -> None:
    """Every key: id, name, role, created, revoked."""
    with connect() as graph:
        found = keys.list_keys(graph)
    if not found:
        click.echo("no API keys")
    for key in found:
        click.echo(describe(key))


def describe(key: keys.ApiKey) -> str:
    """One line per key; a name stored with control characters is shown escaped."""
    state = f"revoked {key.revoked_at}" if key.revoked else "active"
    return f"{key.id}  {key.role:<8} {printable(key.name)}  created {key.created}  {state}"


@keys_group.command("revoke")
@click.argument("key_id")
def revoke_command(key_id: str) -> None:
    """Revoke a key by id; calls with it are refused from then on."""
    with connect() as graph:
        key = keys.revoke_key(graph, key_id)
    click.echo(f"key {key.id} ({printable(key.name)}) revoked at {key.revoked_at}")
