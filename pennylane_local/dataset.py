"""One company's records, as the local server serves them to that company's token.

A dataset is loaded from the demo generator's files (``me.json`` plus one JSON
Lines file per resource, each line one record in the spec's item shape) and
can be mutated while served; every mutation records changelog events, so an
incremental sync has something real to follow.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.ingestion.demo_source import demo_token
from pennylane_local import lettering, mutations
from pennylane_local.changelog import Changelog
from pennylane_local.pagination import sort_key

log = logging.getLogger(__name__)

Record = dict[str, Any]
RESOURCES = ("customers", "customer_invoices", "ledger_entry_lines")


def _read_jsonl(path: Path) -> list[Record]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


class Dataset:
    """Records by resource and id, with sorted views cached until the next mutation.

    ``clock`` gives the time stamped on mutations; the app sets it to the
    server's ``now`` so changelogs and retention agree. All access goes under
    ``lock`` (the server's event loop and a test thread may both use it).
    """

    def __init__(
        self,
        me: Record,
        customers: Iterable[Record] = (),
        customer_invoices: Iterable[Record] = (),
        ledger_entry_lines: Iterable[Record] = (),
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.me = me
        self.records: dict[str, dict[int, Record]] = {
            "customers": {int(r["id"]): r for r in customers},
            "customer_invoices": {int(r["id"]): r for r in customer_invoices},
            "ledger_entry_lines": {int(r["id"]): r for r in ledger_entry_lines},
        }
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.lock = threading.RLock()
        self.changelog = Changelog()
        for resource, by_id in self.records.items():
            self.changelog.synthesise(resource, by_id.values())
        self._version = 0
        self._views: dict[tuple[str, str], tuple[int, list[Record], list[tuple[Any, ...]]]] = {}

    @classmethod
    def from_dir(cls, entity_dir: str | Path) -> Dataset:
        entity_dir = Path(entity_dir)
        me = json.loads((entity_dir / "me.json").read_text(encoding="utf-8"))
        return cls(me, *(_read_jsonl(entity_dir / f"{r}.jsonl") for r in RESOURCES))

    def to_dir(self, entity_dir: str | Path) -> None:
        """Write the files ``from_dir`` reads (fixtures, snapshots after mutations)."""
        entity_dir = Path(entity_dir)
        entity_dir.mkdir(parents=True, exist_ok=True)
        with self.lock:
            (entity_dir / "me.json").write_text(json.dumps(self.me, ensure_ascii=False, indent=2), encoding="utf-8")
            for resource in RESOURCES:
                lines = (json.dumps(r, ensure_ascii=False) + "\n" for _, r in sorted(self.records[resource].items()))
                (entity_dir / f"{resource}.jsonl").write_text("".join(lines), encoding="utf-8")

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.me.get("scopes") or ())

    def get(self, resource: str, record_id: int) -> Record | None:
        with self.lock:
            return self.records[resource].get(record_id)

    def sorted_view(self, resource: str, field: str) -> tuple[list[Record], list[tuple[Any, ...]]]:
        """Records ascending by ``field`` (ties by id) and their keys; rebuilt only after a mutation."""
        with self.lock:
            cached = self._views.get((resource, field))
            if cached is None or cached[0] != self._version:
                key = sort_key(field)
                ordered = sorted(self.records[resource].values(), key=key)
                cached = (self._version, ordered, [key(r) for r in ordered])
                self._views[(resource, field)] = cached
            return cached[1], cached[2]

    # -- low-level writes, each recording its changelog event ------------------

    def next_id(self, resource: str) -> int:
        with self.lock:
            return max(self.records[resource], default=0) + 1

    def put(self, resource: str, record: Record) -> None:
        """Insert or replace ``record`` and log the event at ``clock()``."""
        with self.lock:
            operation = "update" if int(record["id"]) in self.records[resource] else "insert"
            self.records[resource][int(record["id"])] = record
            self.changelog.record(resource, record, operation, self.clock())
            self._version += 1

    def put_silently(self, resource: str, record: Record) -> None:
        """Replace ``record`` with no changelog event: how some servers update a record as a
        side effect of another one's change (see ``lettering.py``)."""
        with self.lock:
            self.records[resource][int(record["id"])] = record
            self._version += 1

    def delete(self, resource: str, record_id: int) -> Record:
        with self.lock:
            record = self.records[resource].pop(record_id)
            self.changelog.record(resource, record, "delete", self.clock())
            self._version += 1
            return record

    # -- business mutations (see mutations.py) --------------------------------

    def update_invoices(
        self,
        count: int | None = None,
        *,
        ids: Iterable[int] | None = None,
        label: str | None = None,
        amount: Decimal | str | None = None,
    ) -> list[int]:
        return mutations.update_invoices(self, count, ids=ids, label=label, amount=amount)

    def mark_paid(
        self, invoice_id: int, *, paid_on: date | None = None, amount: Decimal | str | None = None
    ) -> list[int]:
        return mutations.mark_paid(self, invoice_id, paid_on=paid_on, amount=amount)

    def reletter(self, line_id: int, with_line: int | None = None) -> list[int]:
        return lettering.reletter(self, line_id, with_line)

    def delete_draft_invoices(self, customer_id: int) -> list[int]:
        return mutations.delete_draft_invoices(self, customer_id)

    def add_invoice(
        self,
        customer_id: int,
        *,
        amount: Decimal | str,
        issued_on: date,
        deadline: date,
        label: str | None = None,
        draft: bool = False,
    ) -> Record:
        return mutations.add_invoice(
            self, customer_id, amount=amount, issued_on=issued_on, deadline=deadline, label=label, draft=draft
        )


def load_data(path: str | Path) -> dict[str, Dataset]:
    """Datasets by token from a demo root (``organisation.json`` + one dir per entity) or one entity dir."""
    path = Path(path)
    if (path / "organisation.json").exists():
        organisation = json.loads((path / "organisation.json").read_text(encoding="utf-8"))
        entity_ids = [str(e["entity_id"]) for e in organisation.get("entities", [])]
    elif (path / "me.json").exists():
        return {demo_token(path.parent, path.name): Dataset.from_dir(path)}
    else:
        raise FileNotFoundError(f"{path} holds neither organisation.json nor me.json")
    datasets = {demo_token(path, eid): Dataset.from_dir(path / eid) for eid in entity_ids}
    log.info("Loaded %d Pennylane datasets from %s", len(datasets), path)
    return datasets
