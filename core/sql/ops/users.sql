CREATE TABLE IF NOT EXISTS users (
    email       TEXT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'accounting', 'treasury', 'agency_manager', 'sales_rep')),
    agency_id   TEXT REFERENCES agencies (agency_id),
    active      INTEGER NOT NULL DEFAULT 1
);
