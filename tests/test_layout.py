"""House rules a reviewer would otherwise check by hand."""

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PY_DIRS = ("core", "jobs")


def _files(*dirs):
    for d in dirs:
        yield from (ROOT / d).rglob("*.py")


def _importers(dirs, *packages):
    """Files under `dirs` that import any of `packages` (or their submodules)."""
    offenders = []
    for path in _files(*dirs):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            if any(n == p or n.startswith(p + ".") for n in names for p in packages):
                offenders.append(str(path.relative_to(ROOT)))
    return offenders


def test_core_and_jobs_never_import_streamlit():
    assert _importers(PY_DIRS + ("demo", "pennylane_local"), "streamlit") == []


def test_core_and_jobs_never_import_the_streamlit_helpers():
    assert _importers(PY_DIRS + ("demo", "pennylane_local"), "ui") == []


FRONT = ("pages", "ui")
"""With app.py and serve.py: the Streamlit side, which reads data only through core's feature functions."""


def _front_files():
    yield from _files(*FRONT)
    yield ROOT / "app.py"
    yield ROOT / "serve.py"


def _imported_names(path):
    """(module, name) of every import in `path`; name is None for `import module`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name, None) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield from ((node.module or "", a.name) for a in node.names)


STORE_NAMES_THE_FRONT_MAY_USE = {("core.store.analytical", "StoreNotPublished"), ("core.store.paths", "StorePaths")}


def test_pages_read_data_only_through_core_feature_functions():
    """No connection, no session, no snapshot opened by a page: the scoped read session in core is the only way."""
    offenders = []
    for path in _front_files():
        for module, name in _imported_names(path):
            low_level = module.split(".")[0] in ("duckdb", "sqlite3", "pyarrow") or module.startswith("core.store")
            if low_level and (module, name) not in STORE_NAMES_THE_FRONT_MAY_USE:
                offenders.append(f"{path.relative_to(ROOT)}: {module}.{name or ''}")
    assert offenders == []


def test_only_the_read_session_and_the_ingestion_open_the_snapshot():
    """Feature modules of core (home, dashboard, lists…) read through core.store.reading.read_session."""
    allowed = {"core/store/analytical.py", "core/store/reading.py", "core/ingestion/state.py"}
    users = {str(p.relative_to(ROOT)) for p in _files("core") if "open_snapshot" in p.read_text(encoding="utf-8")}
    assert users <= allowed, users - allowed


def test_core_reaches_the_demo_and_the_local_server_only_over_http():
    """They are neighbours, not tenants: core/ never imports them (jobs/ may start them)."""
    assert _importers(("core",), "demo", "pennylane_local") == []


def test_no_sql_is_built_with_f_strings():
    pattern = re.compile(r"(execute|sql|query|executemany)\(\s*f[\"']")
    offenders = [
        str(p.relative_to(ROOT)) for p in _files("core", "jobs", "pages", "ui") if pattern.search(p.read_text())
    ]
    offenders += ["app.py"] if pattern.search((ROOT / "app.py").read_text()) else []
    assert offenders == []


def test_every_relation_has_its_sql_file():
    from core.store.schema import DERIVED, SQL_DIR, TABLES

    for name in (*TABLES, *DERIVED):
        assert (SQL_DIR / f"{name}.sql").exists(), name


def test_the_suite_needs_nothing_outside_the_project():
    """A clone of the project alone passes `make test`: nothing reads the shared folder beside it (vendor into tests/fixtures/)."""
    pattern = re.compile(r"""\.\./shared|["']shared["']|parent\s*/\s*["']shared""")
    files = [*_files("tests", "bench", "core", "jobs"), ROOT / "Makefile", ROOT / ".ci" / "run"]
    offenders = [str(p.relative_to(ROOT)) for p in files if p != Path(__file__) and pattern.search(p.read_text())]
    assert offenders == []


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`((?:ENCOURS|PENNYLANE)_[A-Z_]+)`", readme.split("## Configuration", 1)[1]))
    dirs = [d for d in ("core", "jobs", "pages", "ui", "demo", "pennylane_local") if (ROOT / d).exists()]
    sources = [*_files(*dirs), ROOT / "app.py"]
    read = {m for p in sources for m in re.findall(r"[\"']((?:ENCOURS|PENNYLANE)_[A-Z_]+)[\"']", p.read_text())}
    assert read - documented == set()
