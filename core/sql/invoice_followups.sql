-- Collectors' work on an invoice: internal status and payment agreement date.
CREATE TABLE IF NOT EXISTS invoice_followups (
    entity_id       VARCHAR NOT NULL,
    invoice_id      BIGINT NOT NULL,
    internal_status VARCHAR NOT NULL,     -- issued | reminded | payment_agreement | disputed | collected
    agreement_date  DATE,
    updated_at      TIMESTAMPTZ NOT NULL,
    updated_by      VARCHAR
);
