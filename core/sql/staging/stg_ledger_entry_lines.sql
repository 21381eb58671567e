WITH parsed AS (
    -- parse each record once into a struct of strings; checks and casts below read the struct
    SELECT raw, json_transform(raw, '{
        "id": "VARCHAR", "date": "VARCHAR", "debit": "VARCHAR", "credit": "VARCHAR", "label": "VARCHAR",
        "ledger_account": {"id": "VARCHAR", "number": "VARCHAR"}, "journal": {"id": "VARCHAR"},
        "ledger_entry": {"id": "VARCHAR"}, "lettered_ledger_entry_lines": {"ids": ["VARCHAR"]},
        "created_at": "VARCHAR", "updated_at": "VARCHAR"}') AS j
    FROM (SELECT json AS raw FROM read_ndjson_objects($files))
),
lettering AS (
    SELECT *, coalesce(try_cast(j.lettered_ledger_entry_lines.ids AS BIGINT[]), [])::BIGINT[] AS lettered FROM parsed
)
SELECT
    $entity_id                                                   AS entity_id,
    try_cast(j.id AS BIGINT)                                     AS line_id,
    try_cast(j.date AS DATE)                                     AS line_date,
    try_cast(trim(j.debit) AS DECIMAL(18, 2))                    AS debit,
    try_cast(trim(j.credit) AS DECIMAL(18, 2))                   AS credit,
    j.label                                                      AS label,
    try_cast(j.ledger_account.id AS BIGINT)                      AS ledger_account_id,
    j.ledger_account.number                                      AS ledger_account_number,
    try_cast(j.journal.id AS BIGINT)                             AS journal_id,
    try_cast(j.ledger_entry.id AS BIGINT)                        AS ledger_entry_id,
    -- the group, the line's own id included even where the server lists only the other lines
    CASE WHEN len(lettered) = 0 OR list_contains(lettered, try_cast(j.id AS BIGINT)) THEN lettered
         ELSE list_sort(list_append(lettered, try_cast(j.id AS BIGINT))) END AS lettered_ids,
    try_cast(j.created_at AS TIMESTAMPTZ)                        AS created_at,
    try_cast(j.updated_at AS TIMESTAMPTZ)                        AS updated_at,
    hash(raw)                                                    AS content_hash,
    j.id                                                         AS record_id,
    CASE
        WHEN try_cast(j.id AS BIGINT) IS NULL THEN 'id manquant ou non entier'
        WHEN try_cast(j.date AS DATE) IS NULL THEN 'date manquante ou invalide'
        WHEN NOT encours_decimal_ok(j.debit, 2) THEN 'débit invalide : « ' || coalesce(j.debit, 'absent') || ' »'
        WHEN NOT encours_decimal_ok(j.credit, 2) THEN 'crédit invalide : « ' || coalesce(j.credit, 'absent') || ' »'
        WHEN j.lettered_ledger_entry_lines.ids IS NOT NULL AND try_cast(j.lettered_ledger_entry_lines.ids AS BIGINT[]) IS NULL
            THEN 'lettrage (lettered_ledger_entry_lines.ids) invalide'
    END                                                          AS reject_reason,
    -- the record as received, kept only when it is left out (ingest_rejects); the raw tables keep typed columns
    CASE WHEN reject_reason IS NOT NULL THEN raw END             AS rejected_raw
FROM lettering
