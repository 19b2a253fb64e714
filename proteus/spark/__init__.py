"""The Spark engine: the contract's checks, the fold and identity's components on Apache Spark.

The same SQL as the embedded engine (`proteus.ingest.foldsql`, `proteus.events.sql.check`),
run by Spark SQL; PySpark is an optional dependency (`pip install -e ".[spark]"`).
"""
