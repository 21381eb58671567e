"""`python -m jobs.ingest` as the scheduler and people run it: exit codes, messages without
tokens, one run at a time, and kill -9 at random moments never publishing a partial store."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.ingestion.demo_source import demo_token, ensure_token
from core.store.analytical import open_snapshot
from core.store.lock import ingestion_lock
from pennylane_local import Quirks
from tests.conftest import ROOT
from tests.jobs.conftest import seeded
from tests.jobs.sync_helpers import checksums
from tests.support.pennylane_server import serve

SECRET = "pl-live-0123456789abcdef-SECRET"


def _env(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENNYLANE_", "ENCOURS_"))}
    return {**env, "ENCOURS_DATA_DIR": str(data_dir), **extra}


def _ingest(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "jobs.ingest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


@pytest.fixture
def demo_store(tmp_path, demo_dir):
    """A data directory in demo mode (no token), its demo company served on a known port."""
    paths = seeded(tmp_path / "data", demo_dir)
    shutil.copytree(demo_dir, paths.demo_dir)
    with serve(paths.demo_dir, rate_limit=False) as server:
        port = server.root_url.rsplit(":", 1)[1]
        yield paths, _env(paths.data_dir, ENCOURS_DEMO_API_PORT=port), server


def _entities_file(tmp_path, url, token=SECRET):
    path = tmp_path / "entities.toml"
    path.write_text(
        f'[[entities]]\nentity_id = "verdier-conseil"\nname = "Verdier Conseil SAS"\ntoken = "{token}"\nurl = "{url}"\n'
    )
    return path


def test_the_demo_syncs_over_http_and_exits_zero(demo_store):
    paths, env, server = demo_store
    done = _ingest(env)
    assert done.returncode == 0, done.stderr
    assert server.stats.requests  # it went over HTTP
    assert paths.published.exists()


def test_a_wrong_token_is_named_without_printing_it(tmp_path, demo_dir):
    with serve(demo_dir, rate_limit=False) as server:
        env = _env(tmp_path / "data", ENCOURS_ENTITIES=str(_entities_file(tmp_path, server.base_url)))
        done = _ingest(env)
    assert done.returncode == 1
    assert "verdier-conseil" in done.stderr and "jeton" in done.stderr.lower()
    assert SECRET not in done.stderr + done.stdout


def test_a_missing_scope_is_named_without_printing_the_token(tmp_path, demo_dir):
    with serve(demo_dir, rate_limit=False) as server:
        server.faults.add(kind="missing_scope", path_prefix="/customer_invoices")
        token = "demo-token-verdier-conseil"
        env = _env(tmp_path / "data", ENCOURS_ENTITIES=str(_entities_file(tmp_path, server.base_url, token)))
        done = _ingest(env)
    assert done.returncode == 1
    assert "customer_invoices:readonly" in done.stderr
    assert token not in done.stderr + done.stdout


def test_a_second_run_says_one_is_running_or_waits_when_asked(demo_store):
    paths, env, _ = demo_store
    with ingestion_lock(paths.ingest_lock):
        busy = _ingest(env)
        assert busy.returncode == 3 and "déjà en cours" in busy.stderr
        waiting = subprocess.Popen([sys.executable, "-m", "jobs.ingest", "--wait"], cwd=ROOT, env=env)
        time.sleep(2)
        assert waiting.poll() is None  # queued behind the lock holder
    assert waiting.wait(timeout=120) == 0


@pytest.mark.slow
def test_kill_9_at_random_moments_never_publishes_a_partial_store(demo_store):
    paths, env, _ = demo_store
    assert _ingest(env).returncode == 0
    whole = checksums(paths)
    rng = random.Random(20261122)
    for _ in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "jobs.ingest", "--full"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.5, 3.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert checksums(paths) == whole  # the same data: any published snapshot must be the whole one
    done = _ingest(env)
    assert done.returncode == 0, done.stderr
    assert checksums(paths) == whole
    assert not list(paths.work_dir.glob("build-*")) and not any(paths.staging_dir.glob("*"))


def test_progress_is_plain_log_lines_off_a_terminal(demo_store):
    _, env, _ = demo_store
    done = _ingest(env, "--full")
    assert done.returncode == 0
    assert "factures — " in done.stderr and "enregistrements" in done.stderr and "req/s" in done.stderr


def test_progress_is_a_live_bar_on_a_terminal(demo_store):
    import pty

    _, env, _ = demo_store
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs.ingest", "--full"], cwd=ROOT, env={**env, "COLUMNS": "160"},
        stdin=secondary, stdout=secondary, stderr=secondary,
    )  # fmt: skip
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=120) == 0
    text = output.decode("utf-8", "replace")
    assert "verdier-conseil · factures" in text and "req/s" in text and "━" in text


# -- `--check`: connection, /me and one request per resource; no sync ------------------------


def test_check_reports_each_entity_in_french_and_syncs_nothing(demo_store):
    paths, env, server = demo_store
    done = _ingest(env, "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("connexion : ok") == 3 and "/customer_invoices : lecture autorisée" in done.stdout
    assert "Toutes les sociétés répondent." in done.stdout
    assert not paths.published.exists()
    assert set(server.stats.requests) == {"/me", "/customers", "/customer_invoices", "/ledger_entry_lines"}
    assert "demo-token" not in done.stdout + done.stderr


def test_check_fails_when_the_server_refuses_a_resource(demo_store):
    _, env, server = demo_store
    server.faults.add(kind="missing_scope", path_prefix="/ledger_entry_lines", token="demo-token-verdier-formation")
    done = _ingest(env, "--check")
    assert done.returncode == 1
    assert "ledger_entries:readonly" in done.stdout and "Vérification en échec pour : verdier-formation." in done.stdout


def test_check_only_warns_about_scopes_spelled_otherwise(tmp_path, demo_dir):
    paths = seeded(tmp_path / "data", demo_dir)
    shutil.copytree(demo_dir, paths.demo_dir)
    with serve(paths.demo_dir, rate_limit=False, quirks=Quirks(scopes_spelling="upper")) as server:
        env = _env(paths.data_dir, ENCOURS_DEMO_API_PORT=server.root_url.rsplit(":", 1)[1])
        done = _ingest(env, "--check")
        synced = _ingest(env)
    assert done.returncode == 0, done.stdout
    assert "avertissement : GET /me ne mentionne pas le droit « customer_invoices:readonly »" in done.stdout
    assert synced.returncode == 0, synced.stderr  # the server answered every request: the sync runs
    assert "ne mentionne pas le droit" in synced.stderr  # and says so in its log


# -- demo mode never swaps its data source -----------------------------------------------------

BUSY_ME = {
    "a /me slower than 2 s": dict(kind="slow", delay=2.5, count=2),
    "503 on /me": dict(kind="server_error", status=503, count=3),
    "429 on /me": dict(kind="rate_limit", retry_after=1, count=2),
}


def _label_served_only_by(server) -> tuple[int, str]:
    """Change one invoice on the running server only: the files on disk never had this label."""
    invoice_id = server.dataset("demo-token-verdier-conseil").update_invoices(1, label="vue sur ce serveur seulement")[
        0
    ]
    return invoice_id, "vue sur ce serveur seulement"


@pytest.mark.parametrize("fault", BUSY_ME.values(), ids=BUSY_ME.keys())
def test_a_busy_demo_server_is_waited_for_and_its_data_synced(demo_store, fault):
    paths, env, server = demo_store
    invoice_id, label = _label_served_only_by(server)
    server.faults.add(path_prefix="/me", **fault)
    done = _ingest(env)
    assert done.returncode == 0, done.stderr
    with open_snapshot(paths) as con:
        assert con.execute(
            "SELECT label FROM invoices WHERE entity_id = 'verdier-conseil' AND invoice_id = ?", [invoice_id]
        ).fetchone() == (label,)


def test_a_demo_server_that_stays_busy_fails_the_sync_clearly(demo_store):
    paths, env, server = demo_store
    server.faults.add(kind="rate_limit", retry_after=600, path_prefix="/me")
    done = _ingest(env)
    assert done.returncode == 1
    assert "HTTP 429" in done.stderr
    assert not paths.published.exists()  # nothing read from anywhere else


def test_a_server_serving_another_demo_directory_is_refused(tmp_path, demo_dir):
    paths = seeded(tmp_path / "data", demo_dir)
    shutil.copytree(demo_dir, paths.demo_dir)
    ensure_token(paths.demo_dir)
    with serve(paths.demo_dir, rate_limit=False) as ours:
        assert _ingest(_env(paths.data_dir, ENCOURS_DEMO_API_PORT=ours.root_url.rsplit(":", 1)[1])).returncode == 0
    published = checksums(paths)
    other = Path(shutil.copytree(demo_dir, tmp_path / "other-checkout" / "demo"))
    ensure_token(other)
    with serve(other, rate_limit=False) as theirs:
        theirs.dataset(demo_token(other, "verdier-conseil")).update_invoices(5, label="données de l'autre installation")
        done = _ingest(_env(paths.data_dir, ENCOURS_DEMO_API_PORT=theirs.root_url.rsplit(":", 1)[1]))
        assert set(theirs.stats.requests) == {"/me"}  # the probe only: nothing was read
    assert done.returncode == 1
    assert "une autre installation utilise ce port" in done.stderr
    assert checksums(paths) == published
