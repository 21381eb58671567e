"""The invoice PDF link, fetched fresh at click time from the local Pennylane server over real HTTP:
the link opens a PDF of that invoice, expires after 30 minutes, is refused outside the user's
scope, and every failure on Pennylane's side is one French sentence."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core.access.permissions import Forbidden
from core.config import EntityConfig, Secret, Settings
from core.formatting import PARIS
from core.invoices.files import InvoiceFileUnavailable, invoice_file_url
from core.scope import everything, scope_of
from pennylane_local import Dataset
from tests.support.pennylane_server import ALL_SCOPES, serve, write_demo_root
from tests.support.processes import free_port
from tests.support.stores import seeded_store

TOKEN = "jeton-alpha-0123456789abcdef"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def paths(tmp_path):
    return seeded_store(tmp_path)


def alpha(tmp_path: Path, scopes: list[str] | None = None) -> Dataset:
    """The very records the seeded store was published from, as Pennylane serves them."""
    dataset = Dataset.from_dir(tmp_path / "source" / "alpha")
    dataset.me["scopes"] = list(ALL_SCOPES if scopes is None else scopes)
    return dataset


def settings_for(paths, api_url: str, token: str = TOKEN) -> Settings:
    entity = EntityConfig("alpha", "Alpha SAS", Secret(token), api_url=api_url, rate_limited=False)
    return Settings(data_dir=paths.data_dir, entities=(entity,))


def pdf_text(content: bytes, tmp_path: Path) -> str:
    file = tmp_path / "facture.pdf"
    file.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(file), "-"], check=True, capture_output=True, text=True).stdout


def test_a_fresh_link_opens_the_invoice_pdf_then_expires_after_30_minutes(paths, tmp_path):
    clock = Clock(NOW)
    with serve({TOKEN: alpha(tmp_path)}, rate_limit=False, now=clock) as server:
        link = invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 10, now=NOW)
        assert link.invoice_number == "F-2026-000010"
        assert link.expires_at == datetime(2026, 11, 23, 10, 30, tzinfo=PARIS)  # 09:00 UTC + 30 min, in Paris time

        pdf = httpx.get(link.url)  # no token: the link is the key, as with Pennylane's
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        text = pdf_text(pdf.content, tmp_path)
        assert "Facture F-2026-000010" in text and "120,00" in text

        clock.now = NOW + timedelta(minutes=29)
        assert httpx.get(link.url).status_code == 200
        clock.now = NOW + timedelta(minutes=31)
        assert httpx.get(link.url).status_code == 410  # expired: ask Encours for a new one
        again = invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 10, now=clock.now)
        assert again.url != link.url and httpx.get(again.url).status_code == 200


def test_a_tampered_link_is_refused(paths, tmp_path):
    with serve({TOKEN: alpha(tmp_path)}, rate_limit=False, now=Clock(NOW)) as server:
        link = invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 10, now=NOW)
        other = invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 12, now=NOW)
        payload_10, mac_10 = link.url.split("encrypted_id=")[1].split(".")
        payload_12, _ = other.url.split("encrypted_id=")[1].split(".")
        assert httpx.get(link.url.replace(payload_10, payload_12)).status_code == 403
        assert httpx.get(link.url.replace(mac_10, "A" * len(mac_10))).status_code == 403


def test_a_sales_rep_cannot_fetch_an_invoice_outside_their_portfolio(paths, tmp_path):
    with serve({TOKEN: alpha(tmp_path)}, rate_limit=False, now=Clock(NOW)) as server:
        settings = settings_for(paths, server.base_url)
        rep_b = scope_of(paths, "rep.b@verdier.example")  # customers 2 and 3; invoice 10 is customer 1's
        with pytest.raises(Forbidden, match="ne fait pas partie de votre périmètre"):
            invoice_file_url(settings, paths, rep_b, "alpha", 10, now=NOW)
        with pytest.raises(Forbidden):
            invoice_file_url(settings, paths, rep_b, "alpha", 999, now=NOW)  # unknown and out of scope look alike
        assert server.stats.requests["/customer_invoices/10"] == 0  # Pennylane was not even asked
        assert invoice_file_url(settings, paths, rep_b, "alpha", 12, now=NOW).invoice_number == "F-2026-000012"


def test_no_demo_company_and_no_token_is_explained(paths):
    with pytest.raises(InvoiceFileUnavailable, match="aucune société de démonstration"):
        invoice_file_url(Settings(data_dir=paths.data_dir), paths, everything(), "alpha", 10, now=NOW)


def test_pennylane_down_is_a_french_sentence(paths):
    settings = settings_for(paths, f"http://127.0.0.1:{free_port()}/api/external/v2")
    with pytest.raises(InvoiceFileUnavailable, match="^Pennylane ne répond pas pour le moment"):
        invoice_file_url(settings, paths, everything(), "alpha", 10, now=NOW)


def test_a_refused_token_a_missing_scope_and_a_deleted_invoice_are_explained(paths, tmp_path):
    dataset = alpha(tmp_path)
    with serve({TOKEN: dataset}, rate_limit=False, now=Clock(NOW)) as server:
        with pytest.raises(InvoiceFileUnavailable, match=r"refuse le jeton d'API de Alpha SAS \(HTTP 401\)") as err:
            invoice_file_url(
                settings_for(paths, server.base_url, "jeton-revoque"), paths, everything(), "alpha", 10, now=NOW
            )
        assert "jeton-revoque" not in str(err.value)
        dataset.records["customer_invoices"].pop(13)
        with pytest.raises(InvoiceFileUnavailable, match=r"ne connaît plus la facture F-2026-000013 \(HTTP 404\)"):
            invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 13, now=NOW)
    with serve({TOKEN: alpha(tmp_path, scopes=[])}, rate_limit=False, now=Clock(NOW)) as server:
        with pytest.raises(InvoiceFileUnavailable, match=r"n'a pas le droit de lire les factures .*\(HTTP 403\)"):
            invoice_file_url(settings_for(paths, server.base_url), paths, everything(), "alpha", 10, now=NOW)


def test_in_demo_mode_the_link_comes_from_the_local_server_the_scheduler_runs(paths, tmp_path):
    write_demo_root(paths.demo_dir, {"alpha": alpha(tmp_path)})
    (paths.demo_dir / "organisation.json").write_text(
        json.dumps({"entities": [{"entity_id": "alpha", "name": "Alpha SAS"}]})
    )
    with serve(paths.demo_dir, rate_limit=False, now=Clock(NOW)) as server:
        port = int(server.root_url.rsplit(":", 1)[1])
        demo = Settings(data_dir=paths.data_dir, demo_api_port=port)  # no token: the demo company
        link = invoice_file_url(demo, paths, everything(), "alpha", 10, now=NOW)
        assert link.url.startswith(server.root_url + "/public/invoice/pdf?")
        assert httpx.get(link.url).content.startswith(b"%PDF")
