"""Connected components on Spark DataFrames: large-star / small-star (Kiveris et al., "Connected
Components in MapReduce and Beyond", SoCC 2014).

Every round is two joins and two group-bys over the edge list, so the work spreads over the
cluster by node id; the edges shrink into stars around each component's smallest node in
O(log^2 n) rounds. Each round's edges are checkpointed, which cuts the plan Spark would
otherwise replay from the first round. GraphFrames' `connectedComponents` does the same job
but its jar is not on Maven Central (it is served by the spark-packages repository), so the
algorithm is written here on plain DataFrames.

`spark_labels` answers as `proteus.identity.components.labels` does: a component number per
node of `size`, over integer edges; identity's rules (caps, generic identifiers, conflicts)
have already chosen the edges (`proteus.identity.resolve`).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MAX_ROUNDS = 200


def _large_star(edges: DataFrame) -> DataFrame:
    """For every node u with m(u) the smallest of u and its neighbours: an edge from each
    neighbour larger than u to m(u)."""
    from pyspark.sql import functions as F

    both = edges.union(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))
    smallest = both.groupBy("a").agg(F.least(F.min("b"), F.col("a")).alias("m"))
    return (both.join(smallest, "a").where(F.col("b") > F.col("a"))
            .select(F.col("b").alias("a"), F.col("m").alias("b")).distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Every edge pointed from its larger to its smaller end; for every node u with m(u) the
    smallest of u and its smaller neighbours: an edge from each of those (and u) to m(u)."""
    from pyspark.sql import functions as F

    down = edges.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b")) \
        .where(F.col("a") != F.col("b"))
    smallest = down.groupBy("a").agg(F.min("b").alias("m"))
    spokes = down.join(smallest, "a").select(F.col("b").alias("a"), F.col("m").alias("b"))
    hubs = smallest.select(F.col("a"), F.col("m").alias("b"))
    return spokes.union(hubs).where(F.col("a") != F.col("b")).distinct()


def spark_labels(spark: SparkSession, size: int, sources: np.ndarray, targets: np.ndarray,
                 work: Path, say: Callable[[str], None] | None = None) -> np.ndarray:
    """The component of each of `size` nodes over integer edges (its smallest node). The
    edges go to Spark and the stars come back as Parquet under `work` (a path the driver
    and the executors share)."""
    say = say or (lambda line: None)
    found = np.arange(size, dtype=np.int64)
    if not len(sources):
        return found
    folder = work / f"components-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        pq.write_table(pa.table({"a": np.asarray(sources, dtype=np.int64),
                                 "b": np.asarray(targets, dtype=np.int64)}),
                       folder / "edges.parquet")
        stars = _stars(spark, str(folder / "edges.parquet"), say)
        stars.write.parquet(str(folder / "stars"))
        pairs = pq.read_table(folder / "stars")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # converged: every edge joins a node to its component's smallest node
    found[pairs.column("a").to_numpy()] = pairs.column("b").to_numpy()
    return found


def _stars(spark: SparkSession, edges_path: str, say: Callable[[str], None]) -> DataFrame:
    edges = spark.read.parquet(edges_path).where("a <> b").distinct().checkpoint()
    for round_ in range(1, MAX_ROUNDS + 1):
        after = _small_star(_large_star(edges)).checkpoint()
        changed = after.exceptAll(edges).limit(1).count() + \
            edges.exceptAll(after).limit(1).count()
        edges = after
        say(f"components: round {round_} on Spark")
        if not changed:
            break
    else:
        raise RuntimeError(f"components did not converge in {MAX_ROUNDS} rounds")
    return edges
