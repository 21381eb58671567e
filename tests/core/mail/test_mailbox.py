"""Bounces and replies are read from the reminders' mailbox — a maildir (the embedded default)
and a real IMAP server (dovecot) — each under a stable key, without being marked read before
they were processed."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from core.mail.local_server import open_maildir
from core.mail.mailbox import ImapSource, MailboxError, MaildirSource
from tests.support.imap import dovecot

SAMPLES = Path(__file__).parent / "samples"
BOUNCE = (SAMPLES / "dsn_5_1_1_unknown_user.eml").read_bytes()
AWAY = (SAMPLES / "outlook_fr_absence.eml").read_bytes()


def test_maildir_gives_each_message_with_its_key_and_marks_it_read_after(tmp_path: Path) -> None:
    box = open_maildir(tmp_path / "bounces")
    first, second = box.add(BOUNCE), box.add(AWAY)
    source = MaildirSource(tmp_path / "bounces")
    with source:
        read = list(source.read())
    assert {key for _, key, _ in read} == {first, second}
    assert {msg["Subject"] for _, _, msg in read} == {
        "Undelivered Mail Returned to Sender",
        "Réponse automatique\u00a0: Relance : facture F-2026-0412 en retard",
    }
    assert all(name == f"maildir:{tmp_path / 'bounces'}" for name, _, _ in read)

    source.mark_read(first)
    again = mailbox.Maildir(tmp_path / "bounces", factory=None, create=False)
    assert again.get_message(first).get_flags() == "S"
    assert again.get_message(second).get_flags() == ""  # not processed: untouched
    assert [key for _, key, _ in source.read(skip=lambda key: key == first)] == [second]


def test_an_empty_or_missing_maildir_gives_nothing(tmp_path: Path) -> None:
    assert list(MaildirSource(tmp_path / "nowhere").read()) == []


def test_real_imap_server_gives_messages_unseen_until_marked() -> None:
    with dovecot() as imap:
        imap.append(BOUNCE)
        imap.append(AWAY)
        source = ImapSource(imap.host, imap.port, imap.user, imap.password, "INBOX", "none")
        with source:
            read = list(source.read())
            assert imap.seen_uids() == set()  # BODY.PEEK: reading marks nothing
            keys = [key for _, key, _ in read]
            validity = keys[0].split(":")[0]
            assert keys == [f"{validity}:1", f"{validity}:2"]
            assert read[0][0] == f"imap:{imap.host}/INBOX"
            assert read[0][2]["Subject"] == "Undelivered Mail Returned to Sender"
            assert read[1][2]["From"].addresses[0].addr_spec == "s.lefevre@fournil-dupont.example"
            source.mark_read(keys[0])
            assert imap.seen_uids() == {1}
        with source:  # a second run skips what the store says was processed
            assert [key for _, key, _ in source.read(skip=lambda key: key == keys[0])] == [keys[1]]


def test_a_refused_sign_in_says_so_in_french() -> None:
    with dovecot() as imap:
        source = ImapSource(imap.host, imap.port, imap.user, "wrong", "INBOX", "none")
        with pytest.raises(MailboxError, match="Connexion refusée par le serveur IMAP 127.0.0.1"):
            source.__enter__()
