"""`proteus taxonomy load [--dir PATH]`"""

from __future__ import annotations

from pathlib import Path

import click

from proteus import taxonomy
from proteus.cli.common import connect, emit
from proteus.sensitive import DEFAULT_POLICY


@click.group("taxonomy")
def taxonomy_group() -> None:
    """IAB taxonomies as Interest nodes."""


@taxonomy_group.command("load")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder with the official IAB TSV files "
              "(default: ../shared/iab when present, else the built-in Content 3.1 subset).")
@click.option("--policy", type=click.Path(path_type=Path), default=DEFAULT_POLICY,
              show_default="rules/policy.yaml, shipped with the package",
              help="Sensitive-node policy.")
def load_command(directory: Path | None, policy: Path) -> None:
    """Load Content 3.1 (and Audience 1.1, CTV genres) and tag content."""
    params = taxonomy.TaxonomyParams(dir=directory, policy=policy)
    with connect() as graph:
        report = taxonomy.run(graph, params)
    for line in report.lines():
        click.echo(line, err=True)
    emit({"run_id": report.run_id, "source": report.source,
          "taxonomies": {t.taxonomy: t.categories for t in report.taxonomies},
          "contents_tagged": report.contents_tagged})
