-- Raw Pennylane customer invoices (GET /customer_invoices), credit notes included.
-- Amounts are DECIMAL, never float: `*_eur` columns are Pennylane's `amount`/`tax`/`remaining_amount_with_tax`
-- (EUR), `currency_*` columns the invoice currency.
CREATE TABLE IF NOT EXISTS pennylane_customer_invoices (
    entity_id                   VARCHAR NOT NULL,
    invoice_id                  BIGINT NOT NULL,
    invoice_number              VARCHAR,
    label                       VARCHAR,
    customer_id                 BIGINT,
    issue_date                  DATE,
    due_date                    DATE,
    currency                    VARCHAR NOT NULL,
    amount_eur                  DECIMAL(18, 2) NOT NULL,
    tax_eur                     DECIMAL(18, 2),
    currency_amount             DECIMAL(18, 2) NOT NULL,
    currency_amount_before_tax  DECIMAL(18, 2),
    exchange_rate               DECIMAL(18, 6),
    remaining_amount_eur        DECIMAL(18, 2),   -- NULL when Pennylane does not give it
    paid                        BOOLEAN,
    pennylane_status            VARCHAR,
    draft                       BOOLEAN NOT NULL,
    is_credit_note              BOOLEAN NOT NULL,
    credited_invoice_id         BIGINT,
    ledger_entry_id             BIGINT,
    e_invoicing_status          VARCHAR,
    language                    VARCHAR,
    archived_at                 TIMESTAMPTZ,
    created_at                  TIMESTAMPTZ,
    updated_at                  TIMESTAMPTZ
);
