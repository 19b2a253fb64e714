"""`proteus db up | down | status | reset | init`: the database's lifecycle as one report each,
and `import_database`, which swaps in a store that neo4j-admin imported (a bulk load)."""

from __future__ import annotations

import logging
import time

from neo4j.exceptions import Neo4jError
from pydantic import BaseModel

from proteus import queries
from proteus.db import server, store
from proteus.errors import GraphAuthError, GraphUnavailable, ServerError
from proteus.graph import Graph
from proteus.settings import Settings

log = logging.getLogger(__name__)


class DbStatus(BaseModel):
    uri: str
    browser: str
    managed: bool
    neo4j_version: str
    edition: str
    apoc_version: str | None
    gds_version: str | None
    gds_off_reason: str | None
    nodes: int
    relationships: int
    labels: dict[str, int]

    def lines(self) -> list[str]:
        gds = self.gds_version or f"off ({self.gds_off_reason})"
        labels = ", ".join(f"{k} {v}" for k, v in self.labels.items() if v) or "empty"
        return [
            f"Neo4j     {self.neo4j_version} {self.edition} at {self.uri}"
            + (" (managed by proteus)" if self.managed else " (external)"),
            f"Browser   {self.browser}",
            f"APOC      {self.apoc_version or 'not loaded'}",
            f"GDS       {gds}",
            f"Graph     {self.nodes} nodes, {self.relationships} relationships ({labels})",
        ]


def wait_ready(graph: Graph, timeout_s: float) -> None:
    """Poll until the database answers a query (Bolt opens a moment before auth is ready)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            graph.read("db/ping")
            return
        except GraphAuthError:
            raise
        except (GraphUnavailable, Neo4jError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def init(graph: Graph) -> int:
    """Apply the schema idempotently; return the number of statements applied."""
    graph.write("schema/constraints")
    return len(queries.get("schema/constraints").statements)


def _await_managed(graph: Graph, settings: Settings) -> bool:
    """Wait for a managed server found running to answer. One that was stopping (a process
    killed while it restarted the server) exits meanwhile: start it again. True when this
    call started it."""
    deadline = time.monotonic() + settings.start_timeout_s
    started = False
    while True:
        if server.running_pid(server.Layout.of(settings)) is None:
            started = server.start(settings) or started
        try:
            wait_ready(graph, 5.0)
            return started
        except (GraphUnavailable, Neo4jError):
            if time.monotonic() > deadline:
                raise


def up(settings: Settings) -> tuple[bool, Graph]:
    """Start (or reuse) the server, wait until it answers, apply the schema."""
    started = server.start(settings) if settings.managed else False
    graph = Graph(settings)
    try:
        if settings.managed and not started:
            started = _await_managed(graph, settings)
        else:
            wait_ready(graph, settings.start_timeout_s if started else 5.0)
        init(graph)
    except GraphAuthError as exc:
        graph.close()
        hint = " (the local store keeps the password it was created with; `proteus db " \
               "down` then delete .proteus/neo4j/data to start afresh)" if settings.managed else ""
        raise GraphAuthError(f"{exc}{hint}") from None
    except BaseException:
        graph.close()
        raise
    return started, graph


def down(settings: Settings) -> bool:
    if not settings.managed:
        raise ServerError(f"PROTEUS_NEO4J_URI points at an external server ({settings.neo4j_uri});"
                          " proteus does not stop it")
    return server.stop(settings)


def import_database(settings: Settings, graph: Graph, arguments: list[str],
                    heap: str = "2g") -> float:
    """Run `neo4j-admin` with `arguments` (a database import) into a new generation of the
    managed store, swap it in, restart the server on it and apply the schema; return the
    seconds the server was down."""
    layout = server.Layout.of(settings)
    store.sweep(layout.home)
    staging = store.staging(layout.home)
    started = time.monotonic()
    log.info("bulk import into %s", staging.name)
    server.admin(settings, ["dbms", "set-initial-password",
                            settings.neo4j_password.get_secret_value()], staging,
                 "could not set the password of the new database")
    done = server.admin(settings, arguments, staging, "neo4j-admin database import failed",
                        heap=heap)
    report = [line for line in done.stdout.splitlines() if "IMPORT DONE" in line]
    log.info("bulk imported in %.1fs%s", time.monotonic() - started,
             f" {report[-1]}" if report else "")
    down = time.monotonic()
    server.stop(settings)
    store.promote(layout.home, staging)
    server.start(settings)
    wait_ready(graph, settings.start_timeout_s)
    init(graph)
    graph.write("db/await_indexes")
    store.sweep(layout.home)
    log.info("server restarted on the new database in %.1fs", time.monotonic() - down)
    return time.monotonic() - down


KEPT = ("ApiKey", "AuditEvent")  # what `proteus db reset` keeps unless told --all


class ResetReport(BaseModel):
    """What a reset deleted (nodes by label, relationships) and what it kept."""

    deleted_nodes: int
    deleted_relationships: int
    deleted_labels: dict[str, int]
    kept: dict[str, int]

    def lines(self) -> list[str]:
        labels = ", ".join(f"{k} {v:,}" for k, v in self.deleted_labels.items() if v)
        kept = ", ".join(f"{k} {v:,}" for k, v in self.kept.items())
        return [f"deleted {self.deleted_nodes:,} nodes"
                + (f" ({labels})" if labels else "")
                + f" and {self.deleted_relationships:,} relationships",
                f"kept {kept or 'nothing'}; schema applied"]


def reset(graph: Graph, keep: tuple[str, ...] = ()) -> ResetReport:
    """Delete every node and relationship in batches, except the nodes carrying a label in
    `keep` and the relationships between them; then re-apply the schema."""
    before = graph.read("db/counts")[0]
    labels = {row["label"]: row["count"] for row in graph.read("db/label_counts")}
    with graph.session(write=True) as session:
        session.run(queries.get("db/delete_relationships").text, keep=list(keep)).consume()
        session.run(queries.get("db/delete_all").text, keep=list(keep)).consume()
    init(graph)
    after = graph.read("db/counts")[0]
    left = {row["label"]: row["count"] for row in graph.read("db/label_counts")}
    return ResetReport(
        deleted_nodes=before["nodes"] - after["nodes"],
        deleted_relationships=before["relationships"] - after["relationships"],
        deleted_labels={k: v - left.get(k, 0) for k, v in labels.items() if v - left.get(k, 0)},
        kept={k: left.get(k, 0) for k in keep})


def status(graph: Graph, settings: Settings) -> DbStatus:
    kernel = graph.read("db/components")[0]
    try:
        apoc: str | None = graph.read("db/apoc_version")[0]["version"]
    except Neo4jError:
        apoc = None
    gds: str | None = None
    reason: str | None = None
    if settings.managed and not settings.gds:
        reason = "disabled by PROTEUS_GDS=false"
    else:
        try:
            gds = graph.read("db/gds_version")[0]["version"]
        except Neo4jError:
            reason = "the gds procedures are not installed on this server"
    counts = graph.read("db/counts")[0]
    labels = {row["label"]: row["count"] for row in graph.read("db/label_counts")}
    return DbStatus(uri=settings.bolt_uri, browser=settings.browser_url, managed=settings.managed,
                    neo4j_version=kernel["version"], edition=kernel["edition"], apoc_version=apoc,
                    gds_version=gds, gds_off_reason=reason, nodes=counts["nodes"],
                    relationships=counts["relationships"], labels=labels)
