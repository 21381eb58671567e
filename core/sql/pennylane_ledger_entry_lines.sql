-- Raw Pennylane ledger entry lines on customer accounts (GET /ledger_entry_lines).
-- `lettered_ids` lists every line sharing this line's lettering, itself included:
-- an invoice's line is lettered with the lines that settle it, which date each payment.
CREATE TABLE IF NOT EXISTS pennylane_ledger_entry_lines (
    entity_id               VARCHAR NOT NULL,
    line_id                 BIGINT NOT NULL,
    line_date               DATE NOT NULL,
    debit                   DECIMAL(18, 2) NOT NULL,
    credit                  DECIMAL(18, 2) NOT NULL,
    label                   VARCHAR,
    ledger_account_id       BIGINT,
    ledger_account_number   VARCHAR,
    journal_id              BIGINT,
    ledger_entry_id         BIGINT,
    lettered_ids            BIGINT[] NOT NULL,
    created_at              TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ
);
