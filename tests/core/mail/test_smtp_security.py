"""STARTTLS, TLS from the start and SMTP sign-in, against a real aiosmtpd server with a
self-signed certificate (made by the `openssl` CLI for 127.0.0.1); the client trusts it through
the server's injectable `tls_context`, as it would trust a company's own CA."""

import shutil
import ssl
import subprocess
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.config import Secret
from core.mail.local_server import serving
from core.mail.received import received_messages
from core.mail.smtp import MailAuthFailed, MailServerUnavailable, SmtpServer, send
from tests.support.processes import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _trusting(certificate):
    return ssl.create_default_context(cafile=str(certificate[0]))


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"relances", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def _message():
    msg = EmailMessage()
    msg["From"] = "relances@verdier.example"
    msg["To"] = "compta1@client.example"
    msg["Subject"] = "Relance"
    msg.set_content("Montant total restant dû : 1\u202f234,56\u00a0€\n")
    return msg


def _send(server):
    return send(_message(), server, envelope_from="relances@verdier.example", recipients=["compta1@client.example"])


def _starttls(tmp_path, certificate):
    return serving(
        tmp_path / "maildir",
        port=free_port(),
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=_authenticator,
    )


def test_starttls_then_sign_in_delivers(tmp_path, certificate):
    with _starttls(tmp_path, certificate) as controller:
        server = SmtpServer(
            "127.0.0.1", controller.port, "starttls", "relances", Secret("s3cret"), tls_context=_trusting(certificate)
        )
        assert _send(server).accepted == ("compta1@client.example",)
    (received,) = received_messages(tmp_path / "maildir")
    assert received.subject == "Relance"


def test_a_wrong_password_is_a_french_error_that_never_shows_it(tmp_path, certificate):
    with _starttls(tmp_path, certificate) as controller:
        server = SmtpServer(
            "127.0.0.1", controller.port, "starttls", "relances", Secret("wrong-pw"), tls_context=_trusting(certificate)
        )
        with pytest.raises(MailAuthFailed, match="a refusé l'identification") as caught:
            _send(server)
    assert "wrong-pw" not in str(caught.value) and "wrong-pw" not in repr(server)
    assert received_messages(tmp_path / "maildir") == []


def test_an_untrusted_certificate_stops_before_anything_is_sent(tmp_path, certificate):
    with _starttls(tmp_path, certificate) as controller:
        server = SmtpServer("127.0.0.1", controller.port, "starttls", "relances", Secret("s3cret"), timeout_s=10)
        with pytest.raises(MailServerUnavailable, match="échec de la négociation TLS"):
            _send(server)
    assert received_messages(tmp_path / "maildir") == []


def test_tls_from_the_start_delivers(tmp_path, certificate):
    port = free_port()
    with serving(tmp_path / "maildir", port=port, ssl_context=_server_context(certificate)):
        server = SmtpServer("127.0.0.1", port, "tls", tls_context=_trusting(certificate))
        assert _send(server).accepted == ("compta1@client.example",)
    assert len(received_messages(tmp_path / "maildir")) == 1
