"""Files named by URL (s3a://, abfss://, gs://, hdfs://, file://) on the Spark engine.

Spark's Hadoop filesystems list them (a folder URL expands as a local folder does, with
`proteus.ingest.files.is_data`), and the executors get their bytes through Spark's
`binaryFile` source: to describe them (`describe_urls`: size, sha256, gzip and start checks,
with `proteus.ingest.files.describe` and `check_start` on the bytes) and to read them into
rows (`proteus.ingest.sparkfold`). A filesystem's jars and credentials are Spark settings
(`--spark-conf`, docs/spark.md).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proteus.errors import InputError
from proteus.events import ContractError
from proteus.ingest.files import DataFile, Url, check_start, describe, is_data

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _one_line(exc: BaseException) -> str:
    text = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    cause = next((line for line in text if "Exception:" in line), text[0] if text else "")
    return cause.split("Exception: ", 1)[-1][:300]


def _filesystem(spark: SparkSession, url: str) -> tuple[Any, Any]:
    """(Hadoop FileSystem, qualified Hadoop Path) of a URL; one-line InputError when the
    filesystem cannot be reached or is not on the classpath."""
    from py4j.protocol import Py4JJavaError

    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(url)
    try:
        fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        return fs, fs.makeQualified(path)
    except Py4JJavaError as exc:
        raise InputError(f"{url}: {_one_line(exc)} (a filesystem's jars and credentials "
                         "are Spark settings: --spark-conf, docs/spark.md)") from None


def list_urls(spark: SparkSession, urls: list[str]) -> list[Url]:
    """The files of `urls`: a file URL as it is, a folder URL's data files below it."""
    from py4j.protocol import Py4JJavaError

    found: list[Url] = []
    for url in urls:
        fs, path = _filesystem(spark, url)
        try:
            if not fs.exists(path):
                raise InputError(f"{url}: no such file or folder")
            if not fs.getFileStatus(path).isDirectory():
                found.append(Url(url))
                continue
            base = path.toString().rstrip("/") + "/"
            listing = fs.listFiles(path, True)
            while listing.hasNext():
                below = listing.next().getPath().toString()[len(base):]
                if is_data(below.split("/")):
                    found.append(Url(url.rstrip("/") + "/" + below))
        except Py4JJavaError as exc:
            raise InputError(f"{url}: {_one_line(exc)}") from None
    return found


def qualified(spark: SparkSession, url: str) -> str:
    """The URL as Spark's file sources name it (`file:///a` is `file:/a`)."""
    return str(_filesystem(spark, url)[1].toString())


def contents(spark: SparkSession, urls: list[str]) -> DataFrame:
    """`url`, `content` (the file's bytes) of each URL, read by the executors."""
    pairs = [(u, qualified(spark, u)) for u in urls]
    names = spark.createDataFrame(pairs, "url STRING, q STRING")
    read = spark.read.format("binaryFile").load([q for _, q in pairs])
    return names.join(read.select(read["path"].alias("q"), "content"), "q").drop("q")


def describe_urls(spark: SparkSession, files: list[Url]) -> list[DataFile | str]:
    """Each file described as `describe` describes a local one (or its one-line error),
    on the executors."""
    if not files:
        return []
    frame = contents(spark, [f.url for f in files])
    rows = {row[0]: row for row in frame.rdd.mapPartitions(_describe_rows).collect()}
    out: list[DataFile | str] = []
    for url in files:
        _, size, sha256, kind, error, start_error = rows.get(
            url.url, (url.url, 0, "", "", f"{url.name}: not read", None))
        out.append(error if error else DataFile(path=url, kind=kind, size=size, sha256=sha256,
                                                start_error=start_error))
    return out


def _describe_rows(rows: Iterable[Any]) -> Iterator[tuple[str, int, str, str, str | None,
                                                          str | None]]:
    """A Spark task: (url, size, sha256, kind, error, start error) of each file's bytes."""
    for row in rows:
        with local_copy(Url(row["url"]), bytes(row["content"])) as path:
            try:
                data = describe(path)
            except ContractError as exc:
                yield row["url"], 0, "", "", str(exc), None
                continue
            try:
                check_start(data)
                start_error = None
            except ContractError as exc:
                start_error = str(exc)
            yield row["url"], data.size, data.sha256, data.kind, None, start_error


@contextmanager
def local_copy(url: Url, content: bytes) -> Iterator[Path]:
    """The bytes as a local file of the URL's name (the readers know a file's format by its
    name), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="proteus-url-"))
    try:
        path = folder / url.name
        path.write_bytes(content)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fetch(spark: SparkSession, url: Url, folder: Path) -> Path:
    """A URL's file copied into `folder` on the driver (the catalog, folded there)."""
    fs, path = _filesystem(spark, url.url)
    target = (folder / url.name).resolve()
    local = _filesystem(spark, target.as_uri())[1]
    fs.copyToLocalFile(False, path, local, True)
    return target
