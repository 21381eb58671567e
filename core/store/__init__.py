"""The store: a published DuckDB snapshot (analytical, written by the ingestion alone)
and an operational SQLite store (people's and the scheduler's writes). See docs/architecture.md."""
