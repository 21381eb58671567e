# Encours — the two commands: `make run` and `make test` (each installs what it needs into .venv).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench browser clean-data

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## Start Encours: demo company when no Pennylane token is configured, then the app (port 8501) and the scheduler.
run: install
	$(PY) -m jobs.run

## Headless Chromium for the browser tests, poppler-utils (pdftotext, pdftoppm) for the PDF export's, dovecot-imapd for the mailbox tests' IMAP server (Debian's packages; installed once).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	@command -v pdftotext >/dev/null 2>&1 || \
	  { echo "installing Debian's poppler-utils for the PDF export tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils) >/dev/null; }
	@command -v dovecot >/dev/null 2>&1 || \
	  { echo "installing Debian's dovecot-imapd for the mailbox (IMAP) tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd) >/dev/null; }

lint: install
	$(PY) -m ruff check app.py serve.py pages ui core jobs demo pennylane_local tests bench
	$(PY) -m ruff format --check app.py serve.py pages ui core jobs demo pennylane_local tests bench
	$(PY) -m mypy core jobs ui demo pennylane_local

## The whole suite: lint, types, tests (unit, store, ingestion, app, browser). Two workers for
## everything that does not measure time; then, alone, the browser tests and the pace tests.
test: install browser lint
	$(PY) -m pytest -q -n 2 -m "not browser and not serial"
	$(PY) -m pytest -q -m "browser or serial"

## Benchmarks (1M-invoice stores); writes bench/results.json.
bench: install
	$(PY) -m bench.run

clean-data:
	rm -rf data/encours.duckdb data/operations.sqlite* data/work data/demo
