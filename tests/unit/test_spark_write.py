"""The connector writer's grouping and parts on a local Spark, without Neo4j: the partitions
written at once never share a node, and every part is one batch of one partition.

PySpark is the optional extra `spark`; CI installs it and sets PROTEUS_REQUIRE_SPARK=1, so
these tests run there (without PySpark and without that variable they are skipped).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proteus import queries
from proteus.spark.runtime import FOLDER

if not os.environ.get("PROTEUS_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason='the Spark engine needs pip install -e ".[spark]"')

from pyspark.sql import SparkSession

from proteus.ingest.sparkwrite import (
    LAYOUTS,
    Links,
    Nodes,
    Serial,
    connector_query,
    marked,
    partition_keys,
    passes,
)
from proteus.spark.session import SparkSetup, start, stop

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

# the runtime the integration tests assemble too (their default PROTEUS_HOME)
RUNTIME = Path(__file__).resolve().parents[2] / ".proteus-test" / FOLDER
SIGHTING = "chunk BIGINT, device STRING, kind STRING, value STRING, count BIGINT"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    work = tmp_path_factory.mktemp("spark-work")
    session = start(SparkSetup(master="local[2]", work=work, runtime=RUNTIME,
                               conf={"spark.sql.shuffle.partitions": "4",
                                     "spark.driver.memory": "1g"}))
    try:
        yield session
    finally:
        stop()


def _sightings() -> list[tuple[int, str, str, str, int]]:
    """A bipartite device-identifier graph with hot identifiers (one CGNAT address seen by
    most devices), several chunks, and pairs seen in more than one chunk."""
    rng = random.Random(7)
    rows = set()
    for device in range(300):
        rows.add((1, f"dev{device}", "ip", "cgnat-1", 1))
        for _ in range(rng.randint(1, 6)):
            kind = rng.choice(["ip", "cookie", "login"])
            rows.add((rng.choice([1, 2, 3]), f"dev{device}", kind, f"{kind}{rng.randint(0, 80)}",
                      rng.randint(1, 9)))
    return sorted(rows)


def _written(frame: Any, columns: list[str], tag: str, batch_rows: int) -> list[dict[str, Any]]:
    """The rows of one pass as the connector receives them: partition by partition, in order,
    with their part and the partition Spark ran them in."""
    from pyspark.sql import functions as F

    out = marked(frame, columns, 2, tag, "the-group", batch_rows)
    out = out.withColumn("_in", F.spark_partition_id())
    rows = []
    for partition, items in enumerate(out.rdd.glom().collect()):
        for place, row in enumerate(items):
            rows.append({**row.asDict(), "_place": place, "_partition": partition})
    return rows


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_partitions_of_one_pass_share_no_node_and_cells_do_not_share_partitions(
        spark: SparkSession, k: int) -> None:
    given = _sightings()
    frame = spark.createDataFrame(given, SIGHTING)
    columns = ["chunk", "device", "kind", "value", "count"]
    order = ["chunk", "device", "kind", "value"]
    steps = passes(frame, Links(("device",), ("kind", "value")), k, partition_keys(spark, k),
                   order)
    assert [tag for tag, _ in steps] == [f"d{g}" for g in range(k)]
    written: list[tuple[int, str, str, str, int]] = []
    places: dict[tuple[str, str, str], list[tuple[str, int, int, int]]] = {}
    for tag, step in steps:
        rows = _written(step, columns, tag, batch_rows=7)
        devices: dict[str, set[int]] = {}
        identifiers: dict[tuple[str, str], set[int]] = {}
        for row in rows:
            devices.setdefault(row["device"], set()).add(row["_partition"])
            identifiers.setdefault((row["kind"], row["value"]), set()).add(row["_partition"])
            written.append((row["chunk"], row["device"], row["kind"], row["value"],
                            row["count"]))
            places.setdefault((row["device"], row["kind"], row["value"]), []).append(
                (tag, row["_partition"], row["_place"], row["chunk"]))
        # no node in two partitions of one pass: they are written at once
        assert all(len(found) == 1 for found in devices.values()), tag
        assert all(len(found) == 1 for found in identifiers.values()), tag
        # partition p holds the devices of colour p: one cell per partition
        colours = spark.createDataFrame([(d, min(p)) for d, p in devices.items()],
                                        "device STRING, p INT").selectExpr(
            f"pmod(hash(device), {k}) AS colour", "p").distinct().collect()
        assert all(row["colour"] == row["p"] for row in colours), tag
    # every row written once, in one of the passes
    assert sorted(written) == sorted(given)
    # a pair seen in several chunks is written by one partition of one pass, chunk after chunk
    repeated = {pair: found for pair, found in places.items() if len(found) > 1}
    assert repeated
    for found in repeated.values():
        assert len({(tag, partition) for tag, partition, _, _ in found}) == 1
        assert [chunk for *_, chunk in sorted(found)] == sorted(chunk for *_, chunk in found)


@pytest.mark.parametrize("batch_rows", [1, 7, 1000])
def test_each_part_is_one_batch_of_one_partition_in_order(spark: SparkSession,
                                                          batch_rows: int) -> None:
    frame = spark.createDataFrame(_sightings(), SIGHTING)
    k = 3
    order = ["chunk", "device", "kind", "value"]
    [(tag, step)] = passes(frame, Nodes(("device",)), k, partition_keys(spark, k), order)
    rows = _written(step, ["chunk", "device", "kind", "value"], tag, batch_rows)
    by_partition: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_partition.setdefault(row["_partition"], []).append(row)
    parts: set[str] = set()
    for partition, items in by_partition.items():
        assert [(r["chunk"], r["device"], r["kind"], r["value"]) for r in items] == sorted(
            (r["chunk"], r["device"], r["kind"], r["value"]) for r in items)
        for row in items:
            # row i of partition p is in part i // batch_rows, as the connector's batches
            assert row["_part"] == f"2:n:{partition}:{row['_place'] // batch_rows}"
            assert row["_in"] == partition
            first = row["_place"] % batch_rows == 0
            assert (row["_group"] == "the-group") if first else row["_group"] is None
            parts.add(row["_part"])
    assert len(parts) == sum(-(-len(items) // batch_rows) for items in by_partition.values())
    # a node's rows are all in one partition
    homes: dict[str, set[int]] = {}
    for row in rows:
        homes.setdefault(row["device"], set()).add(row["_partition"])
    assert all(len(found) == 1 for found in homes.values()) and len(by_partition) == k


def test_serial_rows_go_to_one_partition(spark: SparkSession) -> None:
    frame = spark.createDataFrame(_sightings(), SIGHTING).repartition(4)
    [(tag, step)] = passes(frame, Serial(), 3, partition_keys(spark, 3), ["chunk", "device"])
    assert tag == "s" and step.rdd.getNumPartitions() == 1


def test_partition_keys_land_each_on_its_partition(spark: SparkSession) -> None:
    for k in (1, 2, 4, 7, 16):
        keys = partition_keys(spark, k)
        frame = spark.createDataFrame([(v,) for v in keys], "v BIGINT").repartition(k, "v")
        placed = frame.rdd.glom().collect()
        assert [items[0]["v"] if items else None for items in placed] == keys


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_connector_runs_each_ingest_query_s_own_text(name: str) -> None:
    text = connector_query(name)
    own = re.sub(r"\$rows\b", "$events", queries.get(name).text)
    assert own.replace("\n", "\n  ") in text
    assert "$rows" not in text and "WRITE_ROWS" not in text
    assert text.startswith("WITH $events[0] AS head")
