"""Check, deduplicate and fold a group of files on Spark, with the embedded engine's SQL.

`SparkFold` answers as `proteus.ingest.fold.Fold` does (`load`, `fold`, `counts`, `rejects`,
`keep_ids`, `export`), so the bulk path folds with either engine. The work divides by file
first: each Spark task reads one file (files are cut by day) into the contract's normalised
shape, with the embedded engine's own reader (`proteus.ingest.scan.Scanner`: the same
numpy line cutting and the same DuckDB parsing, so a row reads the same on both engines).
From there everything is Spark SQL over the whole group: the contract's checks
(`proteus.events.sql.check`) and the fold (`proteus.ingest.foldsql`), the very text the
embedded engine runs, in Spark's dialect. The shuffles group by device id (its hash picks
the partition), so a device's rows of every day meet in one task.

A file named by URL (s3a://, abfss://, ...) comes to its task as bytes, through Spark's
`binaryFile` source (`proteus.ingest.lake`), and is read from a local copy of the same name.

A row's `ord` is its place among the group's rows in file order, as on the embedded engine:
each file's rows are counted first, then numbered from the count of the files before it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from proteus.events.checks import Bounds
from proteus.events.dialect import SPARK
from proteus.events.models import field_names
from proteus.events.sql import normalise_jsonl
from proteus.ingest.files import Url
from proteus.ingest.fold import QUERIES, UNFOLDED, FileCounts, connect, folded_columns, hmac_pads
from proteus.ingest.foldsql import Step, duplicates, fold_steps, ok
from proteus.ingest.lake import contents, local_copy
from proteus.ingest.scan import FileScan, Scanner

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def normalised_schema(kind: str) -> pa.Schema:
    """The normalised shape of `proteus.events.sql`, with a file's scan outcome: each file
    gives one extra row (`ord` -1) holding its rows read and its error, if any."""
    columns = [("ord", pa.int64()), ("file", pa.int32()), ("line", pa.int64()),
               ("raw", pa.string()), ("problem_field", pa.string()),
               ("problem_reason", pa.string()), ("extra", pa.string())]
    for f in field_names(kind):
        columns += [(f"{f}_t", pa.string()), (f, pa.string())]
    return pa.schema([*columns, ("scan_read", pa.int64()), ("scan_error", pa.string())])


def read_files(kind: str, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """A Spark task: the files named in `batches` (`file`, `path`, and `content`, the bytes
    of a file named by URL) as normalised rows, each file's rows numbered from 0 in `ord`,
    then the file's outcome row."""
    schema = normalised_schema(kind)
    for batch in batches:
        for index, path, content in zip(batch.column("file").to_pylist(),
                                        batch.column("path").to_pylist(),
                                        batch.column("content").to_pylist(), strict=True):
            if content is None:
                yield from _read_file(kind, int(index), Path(path), schema)
                continue
            with local_copy(Url(path), content) as copy:
                yield from _read_file(kind, int(index), copy, schema)


def _read_file(kind: str, index: int, path: Path,
               schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    spill = Path(tempfile.mkdtemp(prefix="proteus-read-"))
    con = connect(spill, "1GB", 1)
    try:
        scanner = Scanner(con, kind, normalise_jsonl(kind), "SELECT * FROM normalised", {})
        [scan] = scanner.scan([path])
        names = ", ".join(n for n in schema.names if not n.startswith("scan_"))
        reader = con.sql(
            f"SELECT {names}, CAST({index} AS INTEGER) AS file_index, "
            "CAST(NULL AS BIGINT) AS scan_read, CAST(NULL AS VARCHAR) AS scan_error "
            "FROM checked").to_arrow_reader(100_000)
        for rows in reader:
            table = pa.Table.from_batches([rows])
            table = table.set_column(table.schema.get_field_index("file"), "file",
                                     table.column("file_index")).drop(["file_index"])
            yield from table.cast(schema).to_batches()
        outcome: dict[str, list[Any]] = {name: [None] for name in schema.names}
        outcome.update(ord=[-1], file=[index], line=[-1], scan_read=[scan.read],
                       scan_error=[scan.error])
        yield from pa.Table.from_pydict(outcome, schema=schema).to_batches()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


class SparkFold:
    """One group's rows on Spark; its relations are temporary views of the session, named
    after the group so that groups folded one after another do not meet."""

    def __init__(self, spark: SparkSession, kind: str, work_dir: Path, name: str, key: bytes,
                 bounds: Bounds, chunk_size: int,
                 say: Callable[[str], None] | None = None, keep_all: bool = False) -> None:
        self.spark, self.kind, self.chunk_size, self.bounds = spark, kind, chunk_size, bounds
        self.keep_all = keep_all
        self.say = say or (lambda line: None)
        self.work = work_dir / f"{name}.spark"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.ipad, self.opad = hmac_pads(key)
        self.scans: list[FileScan] = []
        self.frames: dict[str, DataFrame] = {}

    def close(self) -> None:
        for frame in self.frames.values():
            frame.unpersist()
        self.frames.clear()
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> SparkFold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _make(self, step: Step, params: dict[str, Any], drop: Sequence[str] = ()) -> DataFrame:
        used = {k: v for k, v in params.items() if f":{k}" in step.sql}
        frame = self.spark.sql(step.sql, args=used).drop(*drop)
        if not step.view:
            frame = frame.persist()
        old = self.frames.pop(step.name, None)
        frame.createOrReplaceTempView(step.name)
        self.frames[step.name] = frame
        if old is not None:
            old.unpersist()
        for name in step.drop:
            gone = self.frames.pop(name, None)
            if gone is not None:
                gone.unpersist()
        return frame

    # reading ------------------------------------------------------------------------------

    def load(self, files: list[Path | Url]) -> list[FileScan]:
        """Read and check every file into the view `checked`."""
        from proteus.events.sql import check

        kind = self.kind
        schema = normalised_schema(kind)
        paths = self.spark.createDataFrame(
            [(k, str(p.resolve()) if isinstance(p, Path) else p.url)
             for k, p in enumerate(files)], "file INT, path STRING")
        urls = [p.url for p in files if isinstance(p, Url)]
        with_content = (paths.join(contents(self.spark, urls).withColumnRenamed("url", "path"),
                                   "path", "left") if urls
                        else paths.selectExpr("*", "CAST(NULL AS BINARY) AS content"))
        paths = with_content.repartition(max(1, len(files)), "file")
        self.say(f"{kind}: reading {len(files)} file(s) on Spark")
        read = paths.mapInArrow(lambda batches: read_files(kind, batches),
                                _spark_schema(self.spark, schema)).persist()
        outcomes = {row["file"]: (row["scan_read"], row["scan_error"])
                    for row in read.where("ord = -1").select(
                        "file", "scan_read", "scan_error").collect()}
        self.scans = []
        offsets: list[tuple[int, int]] = []
        start = 0
        for k, path in enumerate(files):
            rows, error = outcomes.get(k, (0, f"{path.name}: not read"))
            local = path if isinstance(path, Path) else Path(path.name)
            self.scans.append(FileScan(k, local, read=int(rows or 0), error=error))
            offsets.append((k, start))
            start += int(rows or 0)
        self.spark.createDataFrame(offsets, "file INT, start BIGINT").createOrReplaceTempView(
            "file_starts")
        read.where("ord >= 0").drop("scan_read", "scan_error").createOrReplaceTempView(
            "normalised_by_file")
        self.frames["normalised_read"] = read
        by_file = self.spark.table("normalised_by_file")
        normalised = by_file.join(self.spark.table("file_starts"), "file").withColumn(
            "ord", by_file["ord"] + self.spark.table("file_starts")["start"]).drop("start")
        normalised.createOrReplaceTempView("normalised")
        low, high = self.bounds.seconds()
        too_early, too_late = self.bounds.reasons()
        drop = () if self.keep_all else UNFOLDED.get(kind, ())
        self._make(Step("checked", check(kind, "normalised", SPARK)),
                   {"earliest": low, "latest": high, "too_early": too_early,
                    "too_late": too_late}, drop)
        return self.scans

    def counts(self) -> dict[int, FileCounts]:
        out = {scan.index: FileCounts(read=scan.read) for scan in self.scans}
        for row in self.spark.sql("SELECT file, count(*) AS n FROM checked "
                                  "WHERE field IS NOT NULL GROUP BY file").collect():
            out[row["file"]].rejected = row["n"]
        for row in self.spark.sql("SELECT file, count(*) AS n FROM duplicates "
                                  "GROUP BY file").collect():
            out[row["file"]].duplicates = row["n"]
        for row in self.spark.sql("SELECT file, CAST(max(day) AS STRING) AS day FROM ok "
                                  "GROUP BY file").collect():
            out[row["file"]].last_day = row["day"]
        return out

    def rejects(self, file: int) -> Iterator[tuple[int, str, str, str]]:
        """(line, raw, field, reason) of a file's rejected rows, in line order."""
        rows = self.spark.sql(
            "SELECT line, raw, field, reason FROM checked WHERE field IS NOT NULL "
            "AND file = :f ORDER BY line", args={"f": file}).toLocalIterator()
        for row in rows:
            yield row["line"], row["raw"], row["field"], row["reason"]

    # folding ------------------------------------------------------------------------------

    def fold(self, earlier: Sequence[Path] = (), horizon_days: int = 0) -> list[int]:
        earlier_ids = bool(earlier) and horizon_days > 0
        params: dict[str, Any] = {"ipad": bytearray(self.ipad), "opad": bytearray(self.opad)}
        if earlier_ids:
            self.say(f"{self.kind}: looking for events ingested before")
            self.spark.read.parquet(*[str(p) for p in earlier]).createOrReplaceTempView("ledger")
            params["horizon"] = horizon_days
        for step in duplicates(SPARK, earlier_ids):
            self._make(step, params)
        if earlier_ids:
            self.frames["duplicates"] = self.frames.pop("duplicates_all")
            self.frames["duplicates"].createOrReplaceTempView("duplicates")
        self._make(ok(folded_columns(self.kind), self.chunk_size), params)
        self.say(f"{self.kind}: duplicates found, folding")
        for step in fold_steps(self.kind, SPARK):
            self._make(step, params)
        self.say(f"{self.kind}: folded")
        top = self.spark.sql("SELECT max(ord) AS top FROM checked").collect()[0]["top"]
        last = int(top) // self.chunk_size + 1 if top is not None else 0
        return list(range(1, last + 1))

    def _single_file(self, frame: DataFrame, path: Path) -> None:
        """`frame` as one Parquet file at `path` (Spark writes a folder of parts; DuckDB
        joins them)."""
        parts = path.with_name(path.name + ".parts")
        shutil.rmtree(parts, ignore_errors=True)
        frame.write.mode("overwrite").parquet(str(parts))
        partial = path.with_suffix(".partial")
        con = duckdb.connect()
        try:
            con.execute(f"COPY (SELECT * FROM read_parquet('{_quoted(parts)}/*.parquet')) "
                        f"TO '{_quoted(partial)}' (FORMAT parquet)")
        finally:
            con.close()
        partial.replace(path)
        shutil.rmtree(parts, ignore_errors=True)

    def keep_ids(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._single_file(self.spark.sql("SELECT event_id, day FROM ok"), path)

    def export(self, folder: Path) -> list[Path]:
        """The folded tables (every chunk) as `<kind>_<table>.parquet`, as `Fold.export`."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for table in dict.fromkeys(t for _, t, _ in QUERIES[self.kind]):
            path = folder / f"{self.kind}_{table[2:]}.parquet"
            self._single_file(self.spark.table(table).drop("chunk"), path)
            written.append(path)
        return written


def _spark_schema(spark: SparkSession, schema: pa.Schema) -> str:
    names = {pa.int64(): "BIGINT", pa.int32(): "INT", pa.string(): "STRING"}
    return ", ".join(f"`{f.name}` {names[f.type]}" for f in schema)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
