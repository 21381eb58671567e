-- The operational store as it was before versioning (PRAGMA user_version 0): every statement is
-- IF NOT EXISTS, so a store made by that code is adopted as version 1 unchanged.

-- ops_revision
CREATE TABLE IF NOT EXISTS ops_revision (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    revision    INTEGER NOT NULL
);
INSERT OR IGNORE INTO ops_revision (id, revision) VALUES (1, 0);

-- agencies
CREATE TABLE IF NOT EXISTS agencies (
    agency_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    entity_id   TEXT NOT NULL
);

-- users
CREATE TABLE IF NOT EXISTS users (
    email       TEXT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'accounting', 'treasury', 'agency_manager', 'sales_rep')),
    agency_id   TEXT REFERENCES agencies (agency_id),
    active      INTEGER NOT NULL DEFAULT 1
);

-- customer_accounts
CREATE TABLE IF NOT EXISTS customer_accounts (
    entity_id   TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    agency_id   TEXT NOT NULL REFERENCES agencies (agency_id),
    PRIMARY KEY (entity_id, customer_id)
);

-- customer_managers
CREATE TABLE IF NOT EXISTS customer_managers (
    entity_id   TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    email       TEXT NOT NULL REFERENCES users (email),
    is_primary  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, customer_id, email)
);
CREATE INDEX IF NOT EXISTS customer_managers_by_email ON customer_managers (email);

-- invoice_followups
CREATE TABLE IF NOT EXISTS invoice_followups (
    entity_id       TEXT NOT NULL,
    invoice_id      INTEGER NOT NULL,
    internal_status TEXT NOT NULL DEFAULT 'issued'
                    CHECK (internal_status IN ('issued', 'reminded', 'payment_agreement', 'disputed', 'collected')),
    agreement_date  TEXT,            -- ISO date
    updated_at      TEXT NOT NULL,   -- ISO timestamp with offset
    updated_by      TEXT,
    PRIMARY KEY (entity_id, invoice_id)
);

-- sync_runs
CREATE TABLE IF NOT EXISTS sync_runs (
    run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    mode        TEXT NOT NULL,       -- full | incremental | files
    status      TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed')),
    requests    INTEGER,
    records     INTEGER,
    error       TEXT
);
CREATE INDEX IF NOT EXISTS sync_runs_by_entity ON sync_runs (entity_id, run_id);

