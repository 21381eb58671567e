CREATE TABLE IF NOT EXISTS customer_accounts (
    entity_id   TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    agency_id   TEXT NOT NULL REFERENCES agencies (agency_id),
    PRIMARY KEY (entity_id, customer_id)
);
