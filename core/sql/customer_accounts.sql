-- The agency that handles each customer.
CREATE TABLE IF NOT EXISTS customer_accounts (
    entity_id   VARCHAR NOT NULL,
    customer_id BIGINT NOT NULL,
    agency_id   VARCHAR NOT NULL
);
