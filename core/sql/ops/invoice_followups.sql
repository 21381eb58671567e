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
