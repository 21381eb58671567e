-- A counter bumped by every write transaction, so caches of joined data know when to refresh.
CREATE TABLE IF NOT EXISTS ops_revision (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    revision    INTEGER NOT NULL
);
INSERT OR IGNORE INTO ops_revision (id, revision) VALUES (1, 0);
