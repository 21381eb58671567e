"""Order-independent checksums of every table of a snapshot: two loads of the same data
must give the same store, whatever path the records took (files or HTTP)."""

from __future__ import annotations

import duckdb

_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_catalog = current_database() ORDER BY 1"


def table_checksums(con: duckdb.DuckDBPyConnection, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """{table: md5 of its sorted row hashes, with its row count}."""
    out = {}
    for (name,) in con.execute(_TABLES).fetchall():
        if name in exclude:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        row = con.execute(
            "SELECT count(*), md5(coalesce(string_agg(h, ',' ORDER BY h), '')) FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM "  # noqa: S608 - table names come from the catalog
            + quoted
            + " AS t)"
        ).fetchone()
        assert row is not None
        out[name] = f"{row[0]}:{row[1]}"
    return out
