"""`proteus report [RUN_ID...] --out report.html`"""

from __future__ import annotations

from pathlib import Path

import click

from proteus import report
from proteus.cli.common import connect, emit


@click.command("report")
@click.argument("run_ids", nargs=-1)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
def report_command(run_ids: tuple[str, ...], out: Path) -> None:
    """Write the HTML report of these runs (default: the latest run of every stage): one
    self-contained page of figures and charts that opens with no network."""
    with connect() as graph:
        built = report.build(graph, list(run_ids) or None)
        if not built.sections:
            raise click.ClickException("no finished run in the graph: run the pipeline first")
        written = report.write_html(built, out)
    click.echo(f"report written to {written}", err=True)
    emit({"out": str(written), "runs": [s.run_id for s in built.sections],
          "charts": sum(len(s.charts) for s in built.sections)})
