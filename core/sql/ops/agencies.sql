CREATE TABLE IF NOT EXISTS agencies (
    agency_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    entity_id   TEXT NOT NULL
);
