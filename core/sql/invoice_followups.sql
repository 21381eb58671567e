-- Collectors' work on an invoice: internal status and its fields, as in the operational store
-- (migration 0007). `collected` is shown by the invoices view when Pennylane has the invoice paid.
CREATE TABLE IF NOT EXISTS invoice_followups (
    entity_id            VARCHAR NOT NULL,
    invoice_id           BIGINT NOT NULL,
    internal_status      VARCHAR NOT NULL,  -- issued | reminded | payment_agreement | disputed | on_hold | legal | collected
    agreement_date       DATE,
    updated_at           TIMESTAMPTZ NOT NULL,
    updated_by           VARCHAR,
    customer_id          BIGINT,
    dispute_reason       VARCHAR,
    dispute_expected_end DATE,
    on_hold_until        DATE,
    legal_date           DATE,
    version              BIGINT NOT NULL
);
