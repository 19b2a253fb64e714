"""`proteus bench spark`: both engines on the same files, stage by stage, and Spark's scaling.

The stages: check and fold each record type's files (`fold_network`, `fold_viewing`,
`fold_consent`), then identity's components over the rules' links (`components`: persons
and households). The embedded engine runs them in DuckDB and scipy; the Spark engine in
Spark SQL and large-star/small-star, in `local[2]` and again in `local[1]` (the figure a
cluster multiplies is the ratio between the two; each session first folds one record type
untimed, so neither pays the JVM's warm-up alone). The folded tables of both engines are
compared row by row and the identity partitions label by label. Session start-up is timed
apart (`seconds_spark_start`), not in a stage. The graph is not touched.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from proteus.events.checks import Bounds
from proteus.identity.resolve import Resolution, resolve_table
from proteus.identity.rules import load_rules
from proteus.identity.source import read_folder
from proteus.ingest import bulk
from proteus.ingest.fold import Fold
from proteus.ingest.sparkfold import SparkFold
from proteus.settings import Settings
from proteus.spark.session import SparkSetup, pyspark_module, setup_of, stop
from proteus.spark.session import start as start_session

KINDS = ("network", "viewing", "consent")
KEY = b"bench spark: a key of its own"


def _say(line: str) -> None:
    print(f"  bench spark: {line}", file=sys.stderr, flush=True)


def _fold_all(engine: str, data: Path, out: Path, bounds: Bounds, spark: Any = None,
              kinds: tuple[str, ...] = KINDS) -> tuple[dict[str, float], Path, int]:
    """Seconds per stage, the folder of exported tables and the rows read."""
    seconds = {}
    read = 0
    exported = out / "groups"
    for kind in kinds:
        files = sorted(p for p in data.iterdir() if p.name.startswith(f"{kind}-"))
        started = time.perf_counter()
        fold: Any = (Fold(kind, out, kind, KEY, bounds, bulk.WHOLE) if spark is None
                     else SparkFold(spark, kind, out, kind, KEY, bounds, bulk.WHOLE))
        with fold:
            read += sum(scan.read for scan in fold.load(files))
            fold.fold()
            fold.export(exported)
        seconds[f"fold_{kind}"] = round(time.perf_counter() - started, 2)
        _say(f"{engine}: {kind} folded in {seconds[f'fold_{kind}']}s")
    return seconds, exported, read


def _tables_equal(one: Path, other: Path) -> bool:
    """Whether both folders hold the same tables with the same rows (as multisets)."""
    names = sorted(p.name for p in one.glob("*.parquet"))
    if names != sorted(p.name for p in other.glob("*.parquet")):
        return False
    con = duckdb.connect()
    try:
        for name in names:
            a, b = (f"read_parquet('{str(d / name).replace(chr(39), chr(39) * 2)}')"
                    for d in (one, other))
            [(extra,)] = con.execute(f"SELECT count(*) FROM ((SELECT * FROM {a} EXCEPT ALL "
                                     f"SELECT * FROM {b}) UNION ALL (SELECT * FROM {b} "
                                     f"EXCEPT ALL SELECT * FROM {a}))").fetchall()
            if extra:
                _say(f"{name}: {extra} rows differ")
                return False
    finally:
        con.close()
    return True


def _components(engine: str, folded: Path,
                spark: SparkSetup | None = None) -> tuple[float, Resolution]:
    table = read_folder(folded)
    started = time.perf_counter()
    resolution = resolve_table(table, load_rules(None), set(), engine,  # type: ignore[arg-type]
                               spark=spark)
    return round(time.perf_counter() - started, 2), resolution


def _spark_run(settings: Settings, master: str, data: Path, out: Path, folded: Path,
               bounds: Bounds) -> tuple[dict[str, float], Path, Resolution]:
    started = time.perf_counter()
    setup = setup_of(settings.model_copy(update={"spark_master": master}))
    spark = start_session(setup)
    start = round(time.perf_counter() - started, 2)
    try:
        # untimed: the first jobs of a JVM pay for class loading and JIT, and PySpark keeps
        # its JVM between sessions, so without this the first master measured pays for both
        _fold_all(f"spark {master} warm-up", data, out / "warm-up", bounds, spark,
                  kinds=("consent",))
        seconds, exported, _ = _fold_all(f"spark {master}", data, out, bounds, spark)
        components, resolution = _components("spark", folded, setup)
        _say(f"spark {master}: components in {components}s")
    finally:
        stop()
    return {**seconds, "components": components, "start": start}, exported, resolution


def bench_spark(settings: Settings, data: Path, work: Path) -> dict[str, Any]:
    pyspark_module()
    shutil.rmtree(work, ignore_errors=True)
    bounds = Bounds.around_now()
    embedded, exported, events = _fold_all("embedded", data, work / "embedded", bounds)
    folded = work / "folded"
    bulk.combine(exported, folded, work / "import", [], {}, [])
    embedded["components"], fast = _components("fast", folded)
    _say(f"embedded: components in {embedded['components']}s")
    two, spark_exported, on_spark = _spark_run(settings, "local[2]", data, work / "spark2",
                                               folded, bounds)
    one, _, _ = _spark_run(settings, "local[1]", data, work / "spark1", folded, bounds)
    seconds_embedded = round(sum(embedded.values()), 2)
    spark_two = round(sum(v for k, v in two.items() if k != "start"), 2)
    spark_one = round(sum(v for k, v in one.items() if k != "start"), 2)
    result = {
        "events": events,
        "seconds_embedded": seconds_embedded,
        "seconds_spark": spark_two,
        "seconds_spark_1_core": spark_one,
        "seconds_spark_start": two["start"],
        "speedup_1_to_2_cores": round(spark_one / max(spark_two, 1e-9), 2),
        "spark_to_embedded": round(spark_two / max(seconds_embedded, 1e-9), 2),
        "stages_embedded": embedded,
        "stages_spark": {k: v for k, v in two.items() if k != "start"},
        "stages_spark_1_core": {k: v for k, v in one.items() if k != "start"},
        "tables_equal": _tables_equal(exported, spark_exported),
        "partitions_equal": bool(np.array_equal(fast.person, on_spark.person)
                                 and np.array_equal(fast.household, on_spark.household)),
        "persons": len(np.unique(fast.person)),
        "devices": int(fast.table.n_devices),
    }
    shutil.rmtree(work, ignore_errors=True)
    return result

