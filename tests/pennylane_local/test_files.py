"""The local server's invoice files: `GET /customer_invoices/{id}` gives a fresh, spec-valid
`public_file_url` pointing back at the server, which serves that invoice's PDF without a token."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.support.openapi import validate_response
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve


def test_each_read_gives_a_fresh_link_to_a_pdf_of_that_invoice():
    clock = [NOW]
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: clock[0]) as server:
        api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
        invoice = api.get("/customer_invoices/10").json()
        validate_response(invoice, "/customer_invoices/{id}")
        url = invoice["public_file_url"]
        assert url.startswith(server.root_url + "/public/invoice/pdf?encrypted_id=")
        pdf = httpx.get(url)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert invoice["invoice_number"].encode() in pdf.headers["content-disposition"].encode()
        clock[0] = NOW + timedelta(minutes=1)
        assert api.get("/customer_invoices/10").json()["public_file_url"] != url  # signed anew at every read
        clock[0] = NOW + timedelta(minutes=30)
        refused = httpx.get(url)
        assert refused.status_code == 410 and refused.json()["error"].startswith("Gone")


def test_drafts_have_no_file_and_a_link_from_another_server_is_refused():
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as one:
        api = httpx.Client(base_url=one.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
        draft = api.get("/customer_invoices/4").json()
        assert draft["draft"] is True and draft["public_file_url"] is None
        url = api.get("/customer_invoices/10").json()["public_file_url"]
        with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as other:
            assert httpx.get(url.replace(one.root_url, other.root_url)).status_code == 403  # its own secret
        assert httpx.get(one.root_url + "/public/invoice/pdf?encrypted_id=bzjoVJe").status_code == 403
