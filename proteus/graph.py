"""The one way Proteus talks to Neo4j: named queries from the catalog, one driver per process.

`Graph` is the runner interface every stage receives. Unit tests replace it with
`RecordingGraph`, which records `(query_name, params)` and returns canned rows.

Retries are the driver's own: reads, writes and `write_many` run as managed transactions,
which the driver retries on what it marks retryable for up to `retry_seconds`; probes
(`read_once`) and streams run once. Whatever still fails leaves as the project's errors:
refused credentials `GraphAuthError`, a server gone or still failing `GraphUnavailable`,
anything else (a bad query) as the driver raised it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import neo4j
from neo4j import GraphDatabase, Result, RoutingControl
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from proteus import queries
from proteus.errors import GraphAuthError, GraphUnavailable
from proteus.settings import Settings

Row = dict[str, Any]


def _lost(exc: Exception) -> bool:
    """Neo4j is gone or going: no server, a dropped connection, a database shutting down."""
    return isinstance(exc, ServiceUnavailable | SessionExpired) or (
        isinstance(exc, Neo4jError) and (exc.code or "").endswith(".DatabaseUnavailable"))


class Runner(Protocol):
    def read(self, name: str, **params: Any) -> list[Row]: ...
    def read_plain(self, name: str, **params: Any) -> list[Row]: ...
    def read_once(self, name: str, **params: Any) -> list[Row]: ...
    def write(self, name: str, **params: Any) -> list[Row]: ...
    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None: ...
    def stream(self, name: str, **params: Any) -> Iterator[Row]: ...
    def stream_plain(self, name: str, **params: Any) -> Iterator[Row]: ...


def _rows(result: Result) -> list[Row]:
    return [record.data() for record in result]


def _plain_rows(result: Result) -> list[Row]:
    keys = result.keys()
    return [dict(zip(keys, record.values(), strict=True)) for record in result]


class Graph:
    """A driver and the database name. `retry_seconds`: how long the driver retries a
    transaction that failed on something retryable (a lost connection, a deadlock);
    `connect_seconds`: how long it waits to open a connection or take one from its pool."""

    def __init__(self, settings: Settings, retry_seconds: float = 10.0,
                 connect_seconds: float = 15.0) -> None:
        self.uri = settings.bolt_uri
        self.database = settings.neo4j_database
        self.driver = GraphDatabase.driver(
            self.uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            connection_acquisition_timeout=connect_seconds,
            connection_timeout=connect_seconds,
            max_connection_pool_size=64,
            max_transaction_retry_time=retry_seconds,
            # A fresh graph lacks the labels later stages create; that is not worth a warning.
            notifications_disabled_categories=["UNRECOGNIZED"],
        )

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Driver errors as the project's: refused credentials, a server unreachable or
        still failing once the driver gave up retrying; any other error as it is."""
        try:
            yield
        except AuthError as exc:
            raise GraphAuthError(
                f"Neo4j at {self.uri} refused the credentials: {exc.message}"
            ) from None
        except (Neo4jError, DriverError) as exc:
            if _lost(exc):
                raise GraphUnavailable(f"Neo4j is not reachable at {self.uri}") from None
            if exc.is_retryable():
                raise GraphUnavailable(f"Neo4j at {self.uri} kept failing: "
                                       f"{getattr(exc, 'code', None) or exc}") from None
            raise

    def _run(self, name: str, routing: RoutingControl, params: dict[str, Any],
             plain: bool = False) -> list[Row]:
        """Each statement of a named query in a managed transaction (the driver retries
        it); the last statement's rows."""
        rows: list[Row] = []
        for statement in queries.get(name).statements:
            with self._translated():
                rows = self.driver.execute_query(
                    statement, params, database_=self.database, routing_=routing,
                    result_transformer_=_plain_rows if plain else _rows)
        return rows

    def read(self, name: str, **params: Any) -> list[Row]:
        """A read in one managed transaction, routed as a read."""
        return self._run(name, RoutingControl.READ, params)

    def read_plain(self, name: str, **params: Any) -> list[Row]:
        """`read` for queries that return only values, maps and lists (no nodes,
        relationships or paths): rows as the driver decoded them, without walking every
        nested value to convert graph entities. The request paths of the API use it."""
        return self._run(name, RoutingControl.READ, params, plain=True)

    def read_once(self, name: str, **params: Any) -> list[Row]:
        """`read_plain` in a single auto-commit attempt: a probe that must fail at once when
        Neo4j is unreachable (503 `graph_unavailable`) rather than retry."""
        rows: list[Row] = []
        for statement in queries.get(name).statements:
            with self._translated(), self.driver.session(
                    database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                rows = _plain_rows(session.run(statement, params))
        return rows

    def write(self, name: str, **params: Any) -> list[Row]:
        return self._run(name, RoutingControl.WRITE, params)

    def stream(self, name: str, **params: Any) -> Iterator[Row]:
        """Rows of a read query as they arrive, for edge lists too large to hold twice (one
        attempt: rows already handed out cannot be taken back for a retry)."""
        return self._stream(name, params, plain=False)

    def stream_plain(self, name: str, **params: Any) -> Iterator[Row]:
        """`stream` for queries that return only values, maps and lists: rows as the driver
        decoded them, without walking every nested value (see `read_plain`)."""
        return self._stream(name, params, plain=True)

    def _stream(self, name: str, params: dict[str, Any], plain: bool) -> Iterator[Row]:
        query = queries.get(name)
        with self._translated(), self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            result = session.run(query.text, params)
            keys = result.keys()
            for record in result:
                yield dict(zip(keys, record.values(), strict=True)) if plain \
                    else record.data()

    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        """Run several named write queries in one managed transaction (all or nothing)."""
        statements = [(queries.get(name).text, params) for name, params in steps]

        def work(tx: neo4j.ManagedTransaction) -> None:
            for text, params in statements:
                tx.run(text, params).consume()

        with self._translated(), self.session(write=True) as session:
            session.execute_write(work)

    def ping(self) -> None:
        with self._translated():
            self.driver.verify_connectivity()

    @contextmanager
    def session(self, write: bool = True) -> Iterator[neo4j.Session]:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        with self.driver.session(database=self.database, default_access_mode=mode) as session:
            yield session


class RecordingGraph:
    """A stand-in runner for unit tests: records calls, answers from canned rows."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        """`answers`: rows per query name, or a function of the call's params giving them."""
        self.answers = answers or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def read(self, name: str, **params: Any) -> list[Row]:
        queries.get(name)
        self.calls.append((name, params))
        answer = self.answers.get(name, [])
        return answer(params) if callable(answer) else answer

    write = read

    def read_plain(self, name: str, **params: Any) -> list[Row]:
        return self.read(name, **params)

    def read_once(self, name: str, **params: Any) -> list[Row]:
        return self.read(name, **params)

    def stream(self, name: str, **params: Any) -> Iterator[Row]:
        return iter(self.read(name, **params))

    def stream_plain(self, name: str, **params: Any) -> Iterator[Row]:
        return iter(self.read(name, **params))

    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        for name, params in steps:
            self.write(name, **params)
