-- Raw Pennylane customers (GET /customers), one row per (entity, Pennylane id).
-- Staging keeps Pennylane's ids and types the fields Encours reads; a record left out keeps its JSON in ingest_rejects.
CREATE TABLE IF NOT EXISTS pennylane_customers (
    entity_id           VARCHAR NOT NULL,
    customer_id         BIGINT NOT NULL,
    customer_type       VARCHAR,          -- company | individual
    name                VARCHAR NOT NULL,
    emails              VARCHAR[] NOT NULL,
    billing_language    VARCHAR,          -- fr_FR | en_GB | de_DE
    payment_conditions  VARCHAR,
    ledger_account_id   BIGINT,
    reference           VARCHAR,
    external_reference  VARCHAR,
    reg_no              VARCHAR,
    billing_street      VARCHAR,          -- billing_address.address: the street lines, as typed in Pennylane
    billing_postal_code VARCHAR,
    billing_city        VARCHAR,
    country_alpha2      VARCHAR,          -- billing_address.country_alpha2
    created_at          TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ
);
