-- One row per ingestion run and entity: the app shows the last success and the last error.
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
