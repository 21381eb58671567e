"""The generator's contract: deterministic bytes, the promised files, sizes and ordering."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from demo.generator import DEMO_SEED, generate
from tests.demo.conftest import ENTITY_IDS, SMALL, TODAY, Demo

FILES = ("me.json", "customers.jsonl", "customer_invoices.jsonl", "ledger_entry_lines.jsonl")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_inputs_give_byte_identical_files(small_demo: Demo, tmp_path: Path) -> None:
    again = generate(tmp_path, today=TODAY, invoices=SMALL)
    assert again == small_demo.returned
    assert _tree(tmp_path) == _tree(small_demo.root)


def test_seed_and_today_change_the_data(tmp_path: Path, small_demo: Demo) -> None:
    other_seed = tmp_path / "seed"
    generate(other_seed, today=TODAY, invoices=SMALL, seed=DEMO_SEED + 1)
    later = tmp_path / "today"
    generate(later, today=date(2026, 12, 1), invoices=SMALL)
    name = "verdier-conseil/customer_invoices.jsonl"
    reference = (small_demo.root / name).read_bytes()
    assert (other_seed / name).read_bytes() != reference
    assert (later / name).read_bytes() != reference


def test_regenerating_in_place_overwrites_and_leaves_no_spool(small_demo: Demo, tmp_path: Path) -> None:
    generate(tmp_path, today=TODAY, invoices=SMALL, seed=DEMO_SEED + 7)
    generate(tmp_path, today=TODAY, invoices=SMALL)
    assert _tree(tmp_path) == _tree(small_demo.root)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["manifest.json", "organisation.json", *ENTITY_IDS])


def test_layout_and_manifest(demo: Demo) -> None:
    for entity_id in ENTITY_IDS:
        assert sorted(p.name for p in (demo.root / entity_id).iterdir()) == sorted(FILES)
    manifest = demo.manifest
    assert manifest == demo.returned
    assert list(manifest) == ["seed", "today", "invoices_requested", "counts", "generator_version"]
    assert manifest["seed"] == DEMO_SEED and manifest["today"] == TODAY.isoformat()
    assert manifest["generator_version"] == 1
    for entity_id, entity in demo.entities.items():
        assert manifest["counts"][entity_id] == {
            "customers": len(entity.customers),
            "customer_invoices": len(entity.invoices),
            "ledger_entry_lines": len(entity.lines),
        }


def test_sizes_follow_the_request(demo: Demo) -> None:
    requested = demo.manifest["invoices_requested"]
    counts = demo.manifest["counts"]
    customers = sum(c["customers"] for c in counts.values())
    invoices = sum(c["customer_invoices"] for c in counts.values())
    lines = sum(c["ledger_entry_lines"] for c in counts.values())
    assert customers == max(800, requested // 37)
    assert 0.97 * requested <= invoices <= 1.03 * requested
    assert 1.5 * invoices <= lines <= 2.2 * invoices
    shares = [counts[e]["customers"] / customers for e in ENTITY_IDS]
    assert shares[0] > shares[1] > shares[2] > 0.1  # uneven: 45 / 35 / 20 %


def test_files_are_compact_utf8_sorted_by_id(demo: Demo) -> None:
    for entity_id in ENTITY_IDS:
        for name in FILES[1:]:
            raw = (demo.root / entity_id / name).read_bytes()
            assert b"\r" not in raw and raw.endswith(b"\n")
            text = raw.decode("utf-8")
            ids = []
            for line in text.splitlines():
                record = json.loads(line)
                assert line == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                ids.append(record["id"])
            assert ids == sorted(set(ids)), name
    assert "Lefèvre" in (demo.root / "organisation.json").read_text(encoding="utf-8")


def test_ids_are_unique_across_the_group(demo: Demo) -> None:
    for resource in ("customers", "invoices", "lines"):
        ids = [r["id"] for r in demo.all(resource)]
        assert len(ids) == len(set(ids)), resource
        assert all(100_000 <= i < 1_000_000_000 for i in ids), resource
    entries = [r["ledger_entry"]["id"] for r in demo.all("invoices")]
    assert len(entries) == len(set(entries))


def test_ids_grow_with_time(demo: Demo) -> None:
    for entity in demo.entities.values():
        dates = [r["date"] for r in entity.invoices]
        assert dates == sorted(dates)
        assert [r["date"] for r in entity.lines] == sorted(r["date"] for r in entity.lines)
        created = [r["created_at"][:10] for r in entity.customers]
        assert created == sorted(created)
