"""House rules a reviewer would otherwise check by hand."""

import ast
import re

from tests.conftest import ROOT

PY_DIRS = ("core", "jobs")


def _files(*dirs):
    for d in dirs:
        yield from (ROOT / d).rglob("*.py")


def test_core_and_jobs_never_import_streamlit():
    offenders = []
    for path in _files(*PY_DIRS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_sql_is_built_with_f_strings():
    pattern = re.compile(r"(execute|sql|query|executemany)\(\s*f[\"']")
    offenders = [str(p.relative_to(ROOT)) for p in _files("core", "jobs", "pages") if pattern.search(p.read_text())]
    offenders += ["app.py"] if pattern.search((ROOT / "app.py").read_text()) else []
    assert offenders == []


def test_every_relation_has_its_sql_file():
    from core.store.schema import DERIVED, SQL_DIR, TABLES

    for name in (*TABLES, *DERIVED):
        assert (SQL_DIR / f"{name}.sql").exists(), name
