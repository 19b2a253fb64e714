"""`proteus generate`: a synthetic ISP week with its ground truth."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast

import click

from proteus.tools.generate.params import GenerateParams
from proteus.tools.generate.run import run

_DEFAULTS = GenerateParams()


@click.command("generate")
@click.option("--out", type=click.Path(path_type=Path), default=_DEFAULTS.out, show_default=True)
@click.option(
    "--profile",
    type=click.Choice(["default", "noisy", "weak"]),
    default=_DEFAULTS.profile,
    show_default=True,
    help="how clean the identifiers are (see docs/events.md)",
)
@click.option(
    "--devices", type=click.IntRange(min=10), default=_DEFAULTS.devices, show_default=True
)
@click.option("--days", type=click.IntRange(1, 366), default=_DEFAULTS.days, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=_DEFAULTS.seed, show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default=_DEFAULTS.format,
    show_default=True,
    help="jsonl files are gzipped",
)
@click.option(
    "--malformed-rate",
    type=click.FloatRange(0, 0.5),
    default=_DEFAULTS.malformed_rate,
    show_default=True,
)
@click.option(
    "--iab-dir",
    type=str,
    default=None,
    help="directory with the official IAB files, or 'builtin' "
    "[default: ../shared/iab if present, else builtin]",
)
@click.option(
    "--start", type=click.DateTime(["%Y-%m-%d"]), default=str(_DEFAULTS.start), show_default=True
)
@click.option(
    "--network-rate",
    type=float,
    default=_DEFAULTS.network_rate,
    show_default=True,
    help="network events per device per day",
)
@click.option(
    "--viewing-rate",
    type=float,
    default=_DEFAULTS.viewing_rate,
    show_default=True,
    help="viewing events per device per day",
)
@click.option(
    "--communities", type=click.IntRange(min=2), default=_DEFAULTS.communities, show_default=True
)
@click.option(
    "--catalog-size", type=click.IntRange(min=50), default=_DEFAULTS.catalog_size, show_default=True
)
@click.option(
    "--off-community",
    type=click.FloatRange(0, 0.9),
    default=_DEFAULTS.off_community,
    show_default=True,
)
@click.option(
    "--junk-rate", type=click.FloatRange(0, 0.5), default=_DEFAULTS.junk_rate, show_default=True
)
@click.option(
    "--bot-rate", type=click.FloatRange(0, 0.2), default=_DEFAULTS.bot_rate, show_default=True
)
@click.option(
    "--family-login-rate",
    type=click.FloatRange(0, 1),
    default=_DEFAULTS.family_login_rate,
    show_default=True,
)
@click.option(
    "--gzip-level", type=click.IntRange(1, 9), default=_DEFAULTS.gzip_level, show_default=True
)
@click.option("--quiet", is_flag=True, help="no progress lines on stderr")
def generate(fmt: str, start: datetime, iab_dir: str | None, profile: str,
             **options: Any) -> None:
    """Generate a synthetic ISP week (events, catalog, consent) with ground truth in OUT/truth."""
    params = GenerateParams(
        profile=cast(Literal["default", "noisy", "weak"], profile),
        format=cast(Literal["jsonl", "csv", "parquet"], fmt),
        start=start.date(),
        iab_dir=Path(iab_dir) if iab_dir else None,
        **options,
    )
    try:
        report = run(params)
    except (OSError, ValueError) as exc:
        raise click.ClickException(" ".join(str(exc).split())) from exc
    click.echo(report.model_dump_json())
