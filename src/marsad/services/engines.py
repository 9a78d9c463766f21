"""Where linkage runs: each engine gives Splink a database API, registered by name.

`duckdb` runs in-process (the default, one laptop); `spark` runs the same model on a local
Apache Spark session (past one machine, the same code on a cluster). A new engine is a context
manager yielding a Splink database API, registered in ENGINES; `marsad link --engine` offers it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from marsad.errors import InputError

DUCKDB_MEMORY_LIMIT = "4GB"
"""What DuckDB may hold in memory before it spills to its temporary folder. Its default, 80% of
the machine's memory, let scoring a million records' blocked pairs grow to 18 GB until the
system killed the run; Python's own frames come on top of this."""


@contextmanager
def duckdb_backend() -> Iterator[Any]:
    """In-process DuckDB, spilling to a private temporary folder."""
    import duckdb
    from splink import DuckDBAPI

    # DuckDB spills to ".tmp" in the working directory by default: names of the dead in
    # a folder the user never asked for, left behind if the run is killed.
    with tempfile.TemporaryDirectory(prefix="marsad-duckdb-") as spill:
        connection = duckdb.connect(
            config={"temp_directory": spill, "memory_limit": DUCKDB_MEMORY_LIMIT}
        )
        # Its progress bar goes to the terminal, over the CLI's own stage line.
        connection.execute("SET enable_progress_bar = false")
        try:
            yield DuckDBAPI(connection=connection)
        finally:
            connection.close()


@contextmanager
def spark_backend() -> Iterator[Any]:
    """A local Apache Spark session sized for one machine: one partition per core, no web UI,
    quiet logs, bound to the loopback address. Splink's string-similarity functions
    (Jaro-Winkler, Damerau-Levenshtein) are Scala UDFs in a jar shipped with Splink, put on the
    classpath here."""
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise InputError("the spark engine needs Java 17 or later: install it or set JAVA_HOME")
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    partitions = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="marsad-spark-") as checkpoints:
        session = (
            SparkSession.builder.master("local[*]")
            .appName("marsad-link")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "ERROR")
            .config("spark.sql.execution.arrow.pyspark.enabled", "false")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        session.sparkContext.setCheckpointDir(checkpoints)
        try:
            yield SparkAPI(spark_session=session, num_partitions_on_repartition=partitions)
        finally:
            session.stop()


ENGINES: dict[str, Callable[[], AbstractContextManager[Any]]] = {
    "duckdb": duckdb_backend,
    "spark": spark_backend,
}
"""Every linkage engine by name, the default first."""
