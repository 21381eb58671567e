"""Payment allocations do not depend on whether a line's lettering lists the line itself."""

import shutil

import duckdb

from core.formatting import paris_now
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.store.paths import StorePaths
from core.store.schema import sql_text
from tests.support.pennylane_server import sample_dataset, write_demo_root

_ALLOCATIONS = "SELECT * FROM payment_allocations ORDER BY ALL"


def test_lettering_without_the_lines_own_id_gives_the_same_allocations(tmp_path):
    write_demo_root(tmp_path / "demo", {"acme": sample_dataset()})
    paths = StorePaths(tmp_path / "data").ensure()
    batch = batch_from_directory(tmp_path / "demo" / "acme", "acme", "ACME")
    publish_batches(paths, [batch], now=paris_now(), source="files")
    copy = shutil.copy(paths.published, tmp_path / "others-only.duckdb")
    with duckdb.connect(copy) as con:
        with_own_ids = con.execute(_ALLOCATIONS).fetchall()
        con.execute(
            "UPDATE pennylane_ledger_entry_lines SET lettered_ids = list_filter(lettered_ids, lambda i: i <> line_id)"
        )
        assert con.execute("SELECT count(*) FROM pennylane_ledger_entry_lines WHERE len(lettered_ids) > 0").fetchone()[
            0
        ]
        con.execute(sql_text("payment_allocations"))
        others_only = con.execute(_ALLOCATIONS).fetchall()
    assert len(with_own_ids) > 10
    assert others_only == with_own_ids
