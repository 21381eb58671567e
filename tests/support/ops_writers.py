"""A busy writer of the operational store, as a separate OS process (the app, the scheduler):
`python -m tests.support.ops_writers --data DIR --writer-id W --stop-file F --out OUT.json`.

Until the stop file appears, each step writes, in ONE transaction, an agency, a user of that
agency and an invoice follow-up, all numbered with the step: a consistent copy of the store
holds, per writer, the same steps in the three tables, and no gap. The summary lists the
committed steps and every error met.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from core.store import operations
from core.store.paths import StorePaths

NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


def write_step(ops, writer: str, step: int) -> None:  # type: ignore[no-untyped-def]
    agency = f"{writer}-{step}"
    with operations.transaction(ops):
        ops.execute("INSERT INTO agencies (agency_id, name, entity_id) VALUES (?, ?, ?)", (agency, agency, writer))
        ops.execute(
            "INSERT INTO users (email, full_name, role, agency_id, active) VALUES (?, ?, 'sales_rep', ?, 1)",
            (f"{agency}@ecriture.example", f"Rédacteur {agency}", agency),
        )
        ops.execute(
            "INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, agreement_date, updated_at,"
            " updated_by) VALUES (?, ?, 'payment_agreement', '2026-12-01', ?, ?)",
            (writer, step, NOW.isoformat(), f"{agency}@ecriture.example"),
        )


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--writer-id", required=True)
    p.add_argument("--stop-file", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    paths = StorePaths(a.data)
    written: list[int] = []
    errors: list[str] = []
    step = 0
    with operations.session(paths) as ops:
        while not a.stop_file.exists():
            try:
                write_step(ops, a.writer_id, step)
                written.append(step)
            except Exception:  # noqa: BLE001 - the test counts every error of any kind
                errors.append(traceback.format_exc(limit=3))
            step += 1
    a.out.write_text(json.dumps({"written": written, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
