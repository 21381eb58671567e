"""`python -m jobs.mailserver`, the embedded SMTP server `make run` starts: as a real process on a
free port, it keeps what it receives in the maildir, and stops cleanly on SIGTERM."""

import os
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage

from core.mail.received import received_messages
from tests.conftest import ROOT
from tests.support.processes import free_port


def _wait_smtp(port, proc, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the mail server exited"
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
                client.noop()
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(port)


def test_the_mail_server_stores_each_message_in_the_maildir(tmp_path):
    port = free_port()
    env = {**os.environ, "ENCOURS_DATA_DIR": str(tmp_path / "data"), "ENCOURS_SMTP_PORT": str(port)}
    env.pop("ENCOURS_SMTP_HOST", None)
    proc = subprocess.Popen([sys.executable, "-m", "jobs.mailserver"], cwd=ROOT, env=env)
    try:
        _wait_smtp(port, proc)
        msg = EmailMessage()
        msg["From"] = "relances@verdier.example"
        msg["To"] = "compta1@client.example"
        msg["Subject"] = "Relance : facture F-2026-000020 – 1\u202f234,56\u00a0€ restant dû"
        msg.set_content("Montant total restant dû : 1\u202f234,56\u00a0€\n")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(msg)
        (received,) = received_messages(tmp_path / "data" / "maildir")
        assert received.to == "compta1@client.example" and received.envelope_to == "compta1@client.example"
        assert received.subject == msg["Subject"]
        assert received.body == "Montant total restant dû : 1\u202f234,56\u00a0€\n"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_a_port_already_taken_is_said_and_exits_1(tmp_path):
    port = free_port()
    env = {**os.environ, "ENCOURS_DATA_DIR": str(tmp_path / "data"), "ENCOURS_SMTP_PORT": str(port)}
    first = subprocess.Popen([sys.executable, "-m", "jobs.mailserver"], cwd=ROOT, env=env)
    try:
        _wait_smtp(port, first)
        second = subprocess.run(
            [sys.executable, "-m", "jobs.mailserver"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1
        assert "ne peut pas écouter" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=20)
