"""The Spark engine's shared parts: the session (`session`: master, settings, where it works)
and the connected components identity can compute on it (`components`). The fold on Spark
belongs to ingest (`proteus.ingest.sparkfold`), which runs the same SQL as the embedded engine
(`proteus.ingest.foldsql`, `proteus.events.sql.check`) in Spark SQL. PySpark is an optional
dependency (`pip install -e ".[spark]"`).
"""
