"""What every command shares: one-line errors, progress lines, settings, the graph handle,
the final JSON line and the Spark engine's options. Command modules import this module, never
the package's `__init__`."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar, TextIO

import click
from neo4j.exceptions import DriverError, Neo4jError
from pydantic import ValidationError
from rich.console import Console
from rich.highlighter import RegexHighlighter
from rich.logging import RichHandler
from rich.text import Text

from proteus.errors import ConfigError, InputError, ProteusError
from proteus.graph import Graph
from proteus.settings import Settings, get_settings
from proteus.spark.session import parse_conf


class ProteusGroup(click.Group):
    """Turns every ProteusError into a one-line message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProteusError as exc:
            raise click.ClickException(str(exc)) from None
        except ValidationError as exc:
            raise click.ClickException(f"invalid input: {first_error(exc)}") from None
        except (Neo4jError, DriverError) as exc:
            message = " ".join(str(getattr(exc, "message", None) or exc).split())
            raise click.ClickException(f"Neo4j refused the request: {message[:300]}") from None


def _part(record: logging.LogRecord) -> str:
    """The part of proteus a record comes from: `identity` for `proteus.identity.stage`."""
    return record.name.split(".")[1] if record.name.startswith("proteus.") else record.name


class ProgressLines(logging.Handler):
    """The library's log records as plain progress lines on stderr (a pipe, a file, a CI
    log), each with the seconds since the command started and the part of proteus it comes
    from: `  [  12.3s] identity: writing 8,102 persons and 3,950 households`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(logging.INFO)
        self.started, self.stream = time.time(), stream

    def format(self, record: logging.LogRecord) -> str:
        level = f"{record.levelname}: " if record.levelno >= logging.WARNING else ""
        return (f"  [{record.created - self.started:6.1f}s] {_part(record)}: {level}"
                + super().format(record))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), file=self.stream, err=True)
        except Exception:
            self.handleError(record)


class _Counts(RegexHighlighter):
    """Numbers as the library writes them (`1,000,000`, `5.0s`, `40%`), each one whole."""

    base_style = "repr."
    highlights: ClassVar[list[str]] = [r"(?P<number>\b\d[\d,]*(?:\.\d+)?)"]


class _PartFirst(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{_part(record)}: {super().format(record)}"


def terminal_progress(stream: TextIO | None = None) -> RichHandler:
    """The same records rendered by rich for a terminal: the seconds since the command
    started, the level in colour, the part and the message with its counts highlighted,
    long lines wrapped to the terminal's width."""
    started = time.time()
    handler = RichHandler(
        logging.INFO, Console(file=stream, stderr=stream is None), show_path=False,
        omit_repeated_times=False, highlighter=_Counts(),
        log_time_format=lambda when: Text(f"[{when.timestamp() - started:6.1f}s]"))
    handler.setFormatter(_PartFirst())
    return handler


def show_progress(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Show the `proteus` loggers' records from `level` up on `stream` (stderr): rendered by
    rich when it is a terminal, as plain lines otherwise. A second call (the next command in
    the same process) replaces the first, restarting the clock."""
    logger = logging.getLogger("proteus")
    for handler in [h for h in logger.handlers if isinstance(h, ProgressLines | RichHandler)]:
        logger.removeHandler(handler)
    out = stream if stream is not None else sys.stderr
    logger.addHandler(terminal_progress(stream) if out.isatty() else ProgressLines(stream))
    logger.setLevel(level)


def quiet_progress() -> None:
    """Only warnings from here on."""
    logging.getLogger("proteus").setLevel(logging.WARNING)


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "settings"
    return f"{field}: {error['msg']}"


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {first_error(exc)}") from None


def connect() -> Graph:
    """A graph handle for commands that need a running server (they never start one)."""
    graph = Graph(settings())
    graph.ping()
    return graph


def emit(payload: dict[str, Any]) -> None:
    """The final JSON line of a report or benchmark."""
    click.echo(json.dumps(payload, default=str, sort_keys=True))


def require_empty_or_reset(graph: Graph, reset: bool) -> None:
    """Benchmarks replace the graph's content; refuse a non-empty graph without --reset."""
    nodes = graph.read("db/counts")[0]["nodes"]
    if nodes and not reset:
        raise InputError(f"the graph holds {nodes:,} nodes; benchmarks replace its content: "
                         "pass --reset to allow that")


def spark_conf_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--spark-conf KEY=VALUE` (repeatable)."""
    return click.option(
        "--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
        help="A Spark setting for the Spark engine (repeatable), e.g. "
             "spark.sql.shuffle.partitions=64.")(command)


def spark_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--spark-master` and `--spark-conf KEY=VALUE`, for the commands that can run on the
    Spark engine (docs/spark.md)."""
    return click.option(
        "--spark-master", default=None,
        help="Where the Spark engine runs: local[N] or a cluster URL such as "
             "spark://host:7077 (default: PROTEUS_SPARK_MASTER, else local[2]).")(
        spark_conf_option(command))


def with_spark(config: Settings, master: str | None, conf: tuple[str, ...]) -> Settings:
    """`config` with the command line's Spark master and settings over its own."""
    update: dict[str, Any] = {"spark_conf": {**config.spark_conf, **parse_conf(conf)}}
    if master:
        update["spark_master"] = master
    return config.model_copy(update=update)
