"""Merge a group's folded tables into Neo4j through the Neo4j Connector for Apache Spark.

The Spark engine's incremental path: files added to a loaded graph are checked and folded on
Spark (`proteus.ingest.sparkfold`), and the folded tables go from the executors into Neo4j through
the connector, without passing through the Proteus process. The connector runs the ingest
queries themselves (`cypher/ingest/merge_*.cypher`, `identity/person_summary`) in its
`query` mode, each inside the frame `ingest/connector_part` with its `$rows` read as the
connector's `$events`: one text per query for both paths, so they merge alike (counts summed,
per-day lists merged, first and last seen widened, the latest consent kept). The connector's
node and relationship modes (`node.keys`, `relationship.save.strategy`) only set properties
(`SET n += ...`) and could not sum or merge lists.

Idempotency and resume, as on the embedded path: each connector batch is one part, whose
marker commits with its rows in the group's `done_parts`, and a part already there writes
nothing. The connector cuts a Spark partition's rows into batches of `batch.size` in order
(its `BaseDataWriter`), so the parts are cut the same way: the rows of each partition are
sorted (by chunk, then by the query's keys), and row i of partition p belongs to part
`<query>:<pass>:<p>:<i // batch_rows>`. Folding, hash partitioning and sorting are
deterministic, so a resumed group cuts the same parts (it keeps its partition count and
batch size).

Parallel writes that never lock one node twice:
- node rows (`Nodes`) go to partition `hash(keys) mod k`: a node's rows are in one partition;
- relationship rows of a bipartite graph (`Links`: device to identifier, device to content)
  are coloured by (`hash(source) mod k`, `hash(target) mod k`), as Neo4j's
  neo4j-parallel-spark-loader does, and written in k passes, one per diagonal
  `(target colour - source colour) mod k`, one after the other. In pass g, partition p holds
  the rows whose source colour is p and target colour (p + g) mod k, so the k partitions
  written at once touch disjoint sources and disjoint targets;
- rows that share nodes whatever their keys (`Serial`: consent's few Purpose nodes, the person
  summaries over a person's devices) are written by one partition.
Each cell goes to its own partition: the partitioning column holds, per cell, a value whose
hash partitioning lands on that partition (`partition_keys`), not the cell number itself,
whose hashes would share partitions.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from proteus import queries
from proteus.errors import ConfigError, QueryCatalogError
from proteus.ingest.batch import GroupIngest, fold_group
from proteus.ingest.fold import QUERIES, Fold
from proteus.ingest.ledger import Ledger
from proteus.ingest.models import Server
from proteus.ingest.sparkfold import SparkFold
from proteus.spark.runtime import SCALA, connector_package
from proteus.spark.session import SparkSetup, start

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

log = logging.getLogger(__name__)

FORMAT = "org.neo4j.spark.DataSource"
FRAME = "ingest/connector_part"
PLACE = "WRITE_ROWS"


@dataclass(frozen=True)
class Nodes:
    """Rows that each merge one node, found by `keys`."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Links:
    """Rows that each merge a relationship from the node found by `source` to the node found
    by `target`, two kinds of node (a bipartite graph)."""

    source: tuple[str, ...]
    target: tuple[str, ...]


@dataclass(frozen=True)
class Serial:
    """Rows that share nodes whatever their keys: written by one partition."""


Layout = Nodes | Links | Serial

LAYOUTS: dict[str, Layout] = {
    "ingest/merge_devices": Nodes(("id",)),
    "ingest/merge_identifiers": Nodes(("kind", "value")),
    "ingest/merge_contents": Nodes(("id",)),
    "ingest/merge_catalog": Nodes(("id",)),
    "ingest/merge_sightings": Links(("device",), ("kind", "value")),
    "ingest/merge_views": Links(("device",), ("content",)),
    "ingest/merge_consent": Serial(),
    "identity/person_summary": Serial(),
}


def connector_query(name: str) -> str:
    """The text the connector runs for each batch of `name`'s rows: `ingest/connector_part`
    with the query's own text in its place, `$rows` read as `$events`."""
    query = queries.get(name)
    if query.params != {"rows"}:
        raise QueryCatalogError(f"{name}: the connector binds $rows only; the query takes "
                                + ", ".join(sorted(query.params)))
    frame = queries.get(FRAME).text
    if frame.count(PLACE) != 1:
        raise QueryCatalogError(f"{FRAME}: expected {PLACE} once")
    body = re.sub(r"\$rows\b", "$events", query.text)
    return frame.replace(PLACE, body.replace("\n", "\n  "))


# grouping ----------------------------------------------------------------------------------


def colour(columns: tuple[str, ...], k: int) -> Column:
    """A row's colour in [0, k): the hash of its key columns."""
    from pyspark.sql import functions as F

    return F.pmod(F.hash(*[F.col(c) for c in columns]), F.lit(k))


def partition_keys(spark: SparkSession, k: int) -> list[int]:
    """For each p < k a number whose hash partitioning (`repartition(k, column)`, partition
    `pmod(hash(value), k)`) is partition p."""
    found: dict[int, int] = {}
    for row in spark.range(0, 64 * k).selectExpr("id", f"pmod(hash(id), {int(k)}) AS p"
                                                 ).collect():
        found.setdefault(int(row["p"]), int(row["id"]))
    if len(found) < k:
        raise ValueError(f"no number for every one of {k} partitions")
    return [found[p] for p in range(k)]


def _placed(frame: DataFrame, cell: Column, k: int, keys: list[int]) -> DataFrame:
    """`frame` in k partitions, the rows of cell p (a column in [0, k)) in partition p."""
    from pyspark.sql import functions as F

    key = F.element_at(F.array(*[F.lit(v).cast("bigint") for v in keys]), cell + 1)
    return frame.withColumn("_key", key).repartition(k, "_key").drop("_key")


def passes(frame: DataFrame, layout: Layout, k: int, keys: list[int],
           order: list[str]) -> list[tuple[str, DataFrame]]:
    """The connector writes of one folded table, in order: (tag, frame in its partitions,
    each sorted by `order`). Nodes: one pass by the nodes' colour. Links: pass `d<g>` per
    diagonal g, partition p holding source colour p and target colour (p + g) mod k.
    Serial: one pass in one partition."""
    from pyspark.sql import functions as F

    if isinstance(layout, Serial):
        return [("s", frame.repartition(1).sortWithinPartitions(*order))]
    if isinstance(layout, Nodes):
        return [("n", _placed(frame, colour(layout.keys, k), k, keys)
                 .sortWithinPartitions(*order))]
    source, target = colour(layout.source, k), colour(layout.target, k)
    coloured = frame.withColumn("_cell", source).withColumn(
        "_diagonal", F.pmod(target - F.col("_cell"), F.lit(k)))
    out = []
    for g in range(k):
        diagonal = coloured.where(F.col("_diagonal") == g)
        out.append((f"d{g}", _placed(diagonal, F.col("_cell"), k, keys)
                    .drop("_cell", "_diagonal").sortWithinPartitions(*order)))
    return out


def marked(frame: DataFrame, columns: list[str], query: int, tag: str, group: str,
           batch_rows: int) -> DataFrame:
    """`columns` of `frame` with each row's part (`_part`, `<query>:<tag>:<partition>:<n>`
    for row i of its partition in part n = i // batch_rows, the batch the connector writes it
    in) and, on a part's first row, the group's id (`_group`). Row i is counted in the
    partition's order as the connector receives it: `frame` must be sorted already."""
    from pyspark.sql import functions as F

    partition = F.spark_partition_id()
    # monotonically_increasing_id is the partition's number << 33 plus the row's place in it
    place = F.monotonically_increasing_id() - F.shiftleft(partition.cast("bigint"), 33)
    placed = frame.select(*columns, partition.alias("_p"), place.alias("_i"))
    part = F.concat_ws(":", F.lit(str(query)), F.lit(tag), F.col("_p").cast("string"),
                       F.floor(F.col("_i") / F.lit(batch_rows)).cast("string"))
    return placed.select(*columns, part.alias("_part"),
                         F.when(F.col("_i") % F.lit(batch_rows) == 0, F.lit(group))
                         .alias("_group"))


# the connector -------------------------------------------------------------------------------


def require_connector(spark: SparkSession) -> None:
    """A one-line error unless the session's Spark can load the connector."""
    from py4j.protocol import Py4JError

    jvm = spark.sparkContext._jvm
    assert jvm is not None
    scala = str(jvm.scala.util.Properties.versionNumberString())
    try:
        jvm.org.apache.spark.util.Utils.classForName(FORMAT, True, False)
    except Py4JError:
        home = os.environ.get("SPARK_HOME", "")
        raise ConfigError(
            "the Spark engine writes into a loaded graph through the Neo4j Connector for Apache "
            f"Spark, which this Spark (Scala {scala}, SPARK_HOME={home}) cannot load: unset "
            "SPARK_HOME to run on the Spark proteus assembles, or use a Spark for Scala "
            f"{SCALA} with --packages {connector_package()}") from None


def options(target: Server, batch_rows: int) -> dict[str, str]:
    """The connector's connection and transaction options."""
    return {"url": target.uri, "authentication.type": "basic",
            "authentication.basic.username": target.user,
            "authentication.basic.password": target.password.get_secret_value(),
            "database": target.database, "batch.size": str(batch_rows),
            # transient errors (a deadlock, a leader switch): the batch again, whole
            "transaction.retries": "5", "transaction.retry.timeout": "500"}


def save(frame: DataFrame, name: str, target: Server, batch_rows: int) -> None:
    (frame.write.format(FORMAT).mode("Append").options(**options(target, batch_rows))
     .option("query", connector_query(name)).save())


# a group's ingest ---------------------------------------------------------------------------


class ConnectorIngest(GroupIngest):
    """A group checked and folded on Spark and merged through the connector, the whole group
    at once, query after query (nodes before the relationships that find them). Records,
    reports and refusals as `GroupIngest`."""

    writer = "connector"

    def __init__(self, *args: Any, spark: SparkSession, target: Server,
                 partitions: int) -> None:
        super().__init__(*args, partitions=partitions)
        self.spark, self.target = spark, target

    def read(self, submit: Any) -> None:
        self.started = time.monotonic()
        if self.refused:
            self.fail(self.refused)
            return
        kind = self.group.kind
        ledger = Ledger(self.work_dir, kind)
        earlier = ledger.earlier(self.graph, self.group.id) if self.horizon_days else []
        name = self.group.id[:16]
        fold: Any = (Fold(kind, self.work_dir, name, self.key, self.bounds, self.chunk_size,
                          say=self.progress.say) if kind == "catalog" else
                     SparkFold(self.spark, kind, self.work_dir, name, self.key, self.bounds,
                               self.chunk_size, say=self.progress.say))
        with fold:
            chunks = fold_group(fold, self.group, self.reports, self.rejects_dir,
                                self.progress, self.label, earlier, self.horizon_days,
                                ledger.path(self.group.id))
            if not chunks or any(r.status == "failed" for r in self.reports):
                return
            for report in self.reports:
                report.chunks_written = len(chunks)
            try:
                self._write(fold)
            except Exception as exc:  # a failed Spark job: the group resumes on the next run
                self.fail(_one_line(exc))

    def _tables(self, fold: Any) -> list[tuple[str, DataFrame, list[str]]]:
        """(query, folded table with its chunk, sort order) in the order they are written."""
        if self.group.kind == "catalog":
            rows = [{**row, "chunk": 1} for part in fold.rows(1, "ingest/merge_catalog", 1 << 30)
                    for row in part]
            frame = self.spark.createDataFrame(rows, "id STRING, title STRING, kind STRING, "
                                               "genres ARRAY<STRING>, iab_ids ARRAY<STRING>, "
                                               "chunk BIGINT")
            return [("ingest/merge_catalog", frame, ["chunk", "id"])]
        return [(query, self.spark.table(table), ["chunk", *order.split(", ")])
                for query, table, order in QUERIES[self.group.kind]]

    def _write(self, fold: Any) -> None:
        k = int(self.partitions or 1)
        keys = partition_keys(self.spark, k)
        for index, (query, table, order) in enumerate(self._tables(fold)):
            columns = [c for c in table.columns if c != "chunk"]
            started = time.monotonic()
            layout = LAYOUTS[query]
            steps = passes(table, layout, k, keys, order)
            for tag, frame in steps:
                save(marked(frame, columns, index, tag, self.group.id, self.batch_rows),
                     query, self.target, self.batch_rows)
            width = 1 if isinstance(layout, Serial) else k
            self.progress.say(f"{self.label}: {query} written through the connector in "
                              f"{time.monotonic() - started:.1f}s ({len(steps)} pass(es) of "
                              f"{width} partition(s))", force=True)


def _one_line(exc: BaseException) -> str:
    """A failed Spark job's error, one line: the first line of the JVM's message."""
    text = str(exc).strip().splitlines()
    cause = next((line.strip() for line in text if "Exception:" in line), None)
    return f"{type(exc).__name__}: {cause or (text[0] if text else '')}"[:500]


def connector_ingest(setup: SparkSetup | None, target: Server,
                     partitions: int | None) -> Callable[..., GroupIngest]:
    """Make a group's `ConnectorIngest` (as `ingest_groups` asks), starting Spark and checking
    the connector at the first group; `partitions` written at once, by default the session's
    default parallelism."""
    state: dict[str, Any] = {}

    def make(*args: Any) -> GroupIngest:
        if "spark" not in state:
            spark = start(setup or SparkSetup())
            require_connector(spark)
            state["spark"] = spark
            state["k"] = partitions or max(1, int(spark.sparkContext.defaultParallelism))
        return ConnectorIngest(*args, spark=state["spark"], target=target,
                               partitions=state["k"])

    return make

