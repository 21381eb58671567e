"""The home page (through app.py): freshness, counts per entity, the user's scope."""

from tests.support.apptest import app_on
from tests.support.stores import seeded_store


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_home_shows_entities_counts_and_freshness(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert "Alpha SAS" in " ".join(m.value for m in at.markdown)
    metrics = _metrics(at)
    assert metrics["Clients"] == "3"
    assert metrics["Encours"] == "50\u00a0€"
    assert any("Données au 22/11/2026" in c.value for c in at.sidebar.caption)


def test_a_sales_rep_sees_only_their_portfolio(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    at = app_on(monkeypatch, paths, as_user="rep.a@verdier.example").run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Clients"] == "2"
    assert metrics["Encours"] == "20\u00a0€"


def test_home_says_when_nothing_is_published_yet(tmp_path, monkeypatch):
    from core.store import operations
    from core.store.paths import StorePaths
    from tests.support.stores import ORGANISATION

    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert any("première synchronisation" in i.value for i in at.info)


def test_home_shows_the_error_of_a_failed_sync_and_the_sync_time_once(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from core.store import operations

    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops:
        ok = operations.start_sync_run(ops, "alpha", "full", datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
        operations.finish_sync_run(ops, ok, datetime(2026, 11, 22, 8, 1, tzinfo=UTC))
        bad = operations.start_sync_run(ops, "alpha", "incremental", datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
        operations.finish_sync_run(
            ops, bad, datetime(2026, 11, 22, 9, 0, tzinfo=UTC), error="Jeton Pennylane refusé (401)"
        )
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert any("Jeton Pennylane refusé (401)" in e.value for e in at.error)
    times = [c.value for c in at.main.caption if "22/11/2026 à" in c.value]
    assert times == ["Données synchronisées le 22/11/2026 à 12:00"]  # once, not "réussie … · publiées du …"


def test_real_data_is_never_shown_without_a_signed_in_user(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    at = app_on(monkeypatch, paths, as_user=None)
    monkeypatch.setenv("PENNYLANE_API_TOKEN", "pl-live-token")
    at.run()
    assert not at.exception
    assert not at.metric and not at.sidebar.selectbox
    assert [t.value for t in at.title] == ["Connexion à Encours"]
    assert not [b for b in at.button if b.key and b.key.startswith("signin.demo.")]  # real data: no "try as"


def test_records_left_out_by_the_sync_are_flagged_on_the_home_page(tmp_path, monkeypatch):
    import json

    from core.ingestion.batches import batch_from_directory
    from core.ingestion.runs import publish_batches
    from tests.support import records as r
    from tests.support.stores import NOW, small_entity

    paths = seeded_store(tmp_path)
    entity = small_entity(tmp_path / "bad")
    invoices = [json.loads(x) for x in (entity / "customer_invoices.jsonl").read_text().splitlines()]
    r.write_jsonl(entity / "customer_invoices.jsonl", [*invoices, r.invoice(99, 1, "abc")])
    batch = batch_from_directory(entity, "alpha", "Alpha SAS")
    publish_batches(paths, [batch], now=NOW, source="files", max_rejected_share=0.5)  # 1 of 6: under this threshold
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert any("1 enregistrement(s) Pennylane écarté(s)" in w.value for w in at.warning)
    assert "« abc »" in at.dataframe[0].value.to_string()


def test_an_empty_data_directory_shows_a_french_message_and_creates_nothing(tmp_path, monkeypatch):
    from core.store.paths import StorePaths

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    at = app_on(monkeypatch, StorePaths(data_dir), as_user=None).run()
    assert not at.exception
    assert any("pas encore initialisé" in i.value and "make run" in i.value for i in at.info)
    assert not at.metric and not at.sidebar.selectbox
    assert list(data_dir.iterdir()) == []


def test_factures_says_what_it_leaves_out(tmp_path, monkeypatch):
    """The seeded entity has 3 receivables, a cancelled invoice and a credit note."""
    paths = seeded_store(tmp_path)
    at = app_on(monkeypatch, paths).run()
    assert _metrics(at)["Factures"] == "3"
    assert any(
        "hors avoirs, brouillons, factures annulées ou archivées" in c.value and "2 pièce(s)" in c.value
        for c in at.main.caption
    )
