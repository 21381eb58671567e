"""A real IMAP server for the mailbox tests: Debian's dovecot (`dovecot-imapd`, installed by
`make browser`) started in the foreground on 127.0.0.1 with a configuration in a temp folder
(STACK-NOTES: no systemd, uid 65534 for the mail — dovecot refuses uid 0 at SELECT — and the
maildir left for dovecot to create, a root-made 0700 one being unreadable to it)."""

from __future__ import annotations

import imaplib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import free_port

USER, PASSWORD = "relances", "secret"
MAIL_UID = 65534

_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/home/%u
}}
"""


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver `raw` into `folder` (as a delivery agent would: unseen)."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            imap.login(self.user, self.password)
            typ, data = imap.append(folder, "", None, raw)
            assert typ == "OK", data
        finally:
            imap.logout()

    def seen_uids(self, folder: str = "INBOX") -> set[int]:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            imap.login(self.user, self.password)
            imap.select(folder, readonly=True)
            _, data = imap.uid("SEARCH", "SEEN")
            return {int(u) for u in (data[0] or b"").split()}
        finally:
            imap.logout()


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if not found:
        pytest.skip("dovecot n'est pas installé (Debian dovecot-imapd : make browser) : test IMAP réel impossible")
    return found


@contextmanager
def dovecot() -> Iterator[Imap]:
    """dovecot serving IMAP on a free port of 127.0.0.1 until the block ends. Its folder is a
    fresh one in the system temp dir, not pytest's `tmp_path`: dovecot's own users must be able
    to walk down to its files, and pytest's folders are 0700."""
    binary = dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="encours-dovecot-"))
    try:
        with _serving(binary, root) as imap:
            yield imap
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _serving(binary: str, root: Path) -> Iterator[Imap]:
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(exist_ok=True)
    if os.geteuid() == 0:
        for sub in ("mail", "home"):
            os.chown(root / sub, MAIL_UID, MAIL_UID)
    root.chmod(0o755)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_CONF.format(root=root, port=port, uid=MAIL_UID if os.geteuid() == 0 else os.geteuid()))
    proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(port, proc, root)
        yield Imap("127.0.0.1", port, USER, PASSWORD)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(port: int, proc: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(
                f"dovecot exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''} {log}"
            )
        try:
            imaplib.IMAP4("127.0.0.1", port, timeout=2).logout()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"dovecot not listening on 127.0.0.1:{port}")
