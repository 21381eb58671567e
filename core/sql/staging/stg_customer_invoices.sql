WITH parsed AS (
    -- parse each record once into a struct of strings; checks and casts below read the struct
    SELECT raw, json_transform(raw, '{
        "id": "VARCHAR", "invoice_number": "VARCHAR", "label": "VARCHAR", "customer": {"id": "VARCHAR"},
        "date": "VARCHAR", "deadline": "VARCHAR", "currency": "VARCHAR", "amount": "VARCHAR", "tax": "VARCHAR",
        "currency_amount": "VARCHAR", "currency_amount_before_tax": "VARCHAR", "exchange_rate": "VARCHAR",
        "remaining_amount_with_tax": "VARCHAR", "paid": "VARCHAR", "status": "VARCHAR", "draft": "VARCHAR",
        "credited_invoice": {"id": "VARCHAR"}, "ledger_entry": {"id": "VARCHAR"}, "e_invoicing": {"status": "VARCHAR"},
        "language": "VARCHAR", "archived_at": "VARCHAR", "created_at": "VARCHAR", "updated_at": "VARCHAR"}') AS j
    FROM (SELECT json AS raw FROM read_ndjson_objects($files))
)
SELECT
    $entity_id                                                   AS entity_id,
    try_cast(j.id AS BIGINT)                                     AS invoice_id,
    j.invoice_number                                             AS invoice_number,
    j.label                                                      AS label,
    try_cast(j.customer.id AS BIGINT)                            AS customer_id,
    try_cast(j.date AS DATE)                                     AS issue_date,
    try_cast(j.deadline AS DATE)                                 AS due_date,
    coalesce(j.currency, 'EUR')                                  AS currency,
    try_cast(trim(j.amount) AS DECIMAL(18, 2))                   AS amount_eur,
    try_cast(trim(j.tax) AS DECIMAL(18, 2))                      AS tax_eur,
    try_cast(trim(j.currency_amount) AS DECIMAL(18, 2))          AS currency_amount,
    try_cast(trim(j.currency_amount_before_tax) AS DECIMAL(18, 2)) AS currency_amount_before_tax,
    try_cast(trim(j.exchange_rate) AS DECIMAL(18, 6))            AS exchange_rate,
    try_cast(trim(j.remaining_amount_with_tax) AS DECIMAL(18, 2)) AS remaining_amount_eur,
    try_cast(j.paid AS BOOLEAN)                                  AS paid,
    j.status                                                     AS pennylane_status,
    coalesce(try_cast(j.draft AS BOOLEAN), j.status = 'draft')   AS draft,
    j.credited_invoice.id IS NOT NULL OR coalesce(j.status = 'credit_note', false) AS is_credit_note,
    try_cast(j.credited_invoice.id AS BIGINT)                    AS credited_invoice_id,
    try_cast(j.ledger_entry.id AS BIGINT)                        AS ledger_entry_id,
    j.e_invoicing.status                                         AS e_invoicing_status,
    j.language                                                   AS language,
    try_cast(j.archived_at AS TIMESTAMPTZ)                       AS archived_at,
    try_cast(j.created_at AS TIMESTAMPTZ)                        AS created_at,
    try_cast(j.updated_at AS TIMESTAMPTZ)                        AS updated_at,
    hash(raw)                                                    AS content_hash,
    j.id                                                         AS record_id,
    CASE
        WHEN try_cast(j.id AS BIGINT) IS NULL THEN 'id manquant ou non entier'
        WHEN j.amount IS NULL THEN 'montant (amount) manquant'
        WHEN NOT encours_decimal_ok(j.amount, 2) THEN 'montant (amount) invalide : « ' || j.amount || ' »'
        WHEN j.currency_amount IS NULL THEN 'montant en devise (currency_amount) manquant'
        WHEN NOT encours_decimal_ok(j.currency_amount, 2)
            THEN 'montant en devise (currency_amount) invalide : « ' || j.currency_amount || ' »'
        WHEN j.remaining_amount_with_tax IS NOT NULL AND NOT encours_decimal_ok(j.remaining_amount_with_tax, 2)
            THEN 'reste dû (remaining_amount_with_tax) invalide : « ' || j.remaining_amount_with_tax || ' »'
        WHEN j.tax IS NOT NULL AND NOT encours_decimal_ok(j.tax, 2) THEN 'TVA (tax) invalide : « ' || j.tax || ' »'
        WHEN j.exchange_rate IS NOT NULL AND NOT encours_decimal_ok(j.exchange_rate, 6)
            THEN 'taux de change (exchange_rate) invalide : « ' || j.exchange_rate || ' »'
        WHEN try_cast(j.customer.id AS BIGINT) IS NULL THEN 'client (customer.id) manquant'
        WHEN j.date IS NOT NULL AND try_cast(j.date AS DATE) IS NULL THEN 'date d''émission invalide : « ' || j.date || ' »'
        WHEN j.deadline IS NOT NULL AND try_cast(j.deadline AS DATE) IS NULL
            THEN 'échéance (deadline) invalide : « ' || j.deadline || ' »'
    END                                                          AS reject_reason,
    -- the record as received, kept only when it is left out (ingest_rejects); the raw tables keep typed columns
    CASE WHEN reject_reason IS NOT NULL THEN raw END             AS rejected_raw
FROM parsed
