-- Records that broke the contract and were left out of the store, with the reason (see docs/schema.md).
CREATE TABLE IF NOT EXISTS ingest_rejects (
    entity_id   VARCHAR NOT NULL,
    endpoint    VARCHAR NOT NULL,     -- e.g. /customer_invoices
    record_id   VARCHAR,              -- Pennylane id as received (may be missing)
    reason      VARCHAR NOT NULL,
    raw         VARCHAR NOT NULL
);
