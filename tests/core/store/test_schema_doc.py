"""docs/schema.md documents every column of every view, with the type the store has,
and its example queries run on a real snapshot."""

import re
from pathlib import Path

from core.store.analytical import open_snapshot
from core.store.schema import TABLES, VIEWS
from tests.conftest import ROOT
from tests.support.stores import seeded_store

DOC = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")


def _documented_columns(view: str) -> dict[str, str]:
    section = DOC.split(f"## View `{view}`", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z_0-9]+)` \| ([A-Z0-9(), \[\]]+) \|", section, flags=re.M))


def test_every_view_column_is_documented_with_its_type(tmp_path: Path):
    paths = seeded_store(tmp_path)
    with open_snapshot(paths) as con:
        for view in VIEWS:
            actual = {
                name: dtype.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")
                for name, dtype in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [view],
                ).fetchall()
            }
            documented = _documented_columns(view)
            assert list(documented) == list(actual), f"{view}: doc and store columns differ"
            for name, dtype in actual.items():
                assert documented[name].replace(" ", "") == dtype.replace(" ", ""), f"{view}.{name}"


def test_every_table_is_described():
    for table in TABLES:
        assert f"`{table}`" in DOC, table


def test_example_queries_run(tmp_path: Path):
    paths = seeded_store(tmp_path)
    queries = re.findall(r"```sql\n(.*?)```", DOC, flags=re.S)
    assert len(queries) >= 3
    with open_snapshot(paths) as con:
        for q in queries:
            con.execute(q).fetchall()
