"""`PennylaneClient.invoice_file_url`: the invoice's fresh `public_file_url`, None without a file."""

from __future__ import annotations

import httpx
import pytest

from core.pennylane import PennylaneBadResponse, PennylaneClient
from core.pennylane.retry import NO_RETRY


def client_answering(body: dict) -> PennylaneClient:
    def reply(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/customer_invoices/42")
        return httpx.Response(200, json=body)

    return PennylaneClient(
        "https://pennylane.test/api/external/v2", "jeton", transport=httpx.MockTransport(reply), retry=NO_RETRY
    )


def test_the_link_pennylane_gives_now():
    url = "https://app.pennylane.com/public/invoice/pdf?encrypted_id=bzjoVJe"
    assert client_answering({"id": 42, "public_file_url": url}).invoice_file_url(42) == url


def test_no_file_yet_is_none():
    assert client_answering({"id": 42, "public_file_url": None}).invoice_file_url(42) is None
    assert client_answering({"id": 42}).invoice_file_url(42) is None


def test_a_link_that_is_not_a_web_address_is_a_bad_response():
    with pytest.raises(PennylaneBadResponse, match="le lien du PDF n'est pas une adresse web"):
        client_answering({"id": 42, "public_file_url": "javascript:alert(1)"}).invoice_file_url(42)
