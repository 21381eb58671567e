WITH parsed AS (
    -- parse each record once into a struct of strings; checks and casts below read the struct
    SELECT raw, json_transform(raw, '{
        "id": "VARCHAR", "customer_type": "VARCHAR", "name": "VARCHAR", "first_name": "VARCHAR",
        "last_name": "VARCHAR", "emails": ["VARCHAR"], "billing_language": "VARCHAR",
        "payment_conditions": "VARCHAR", "ledger_account": {"id": "VARCHAR"}, "reference": "VARCHAR",
        "external_reference": "VARCHAR", "reg_no": "VARCHAR", "billing_address": {"address": "VARCHAR", "postal_code": "VARCHAR", "city": "VARCHAR", "country_alpha2": "VARCHAR"},
        "created_at": "VARCHAR", "updated_at": "VARCHAR"}') AS j
    FROM (SELECT json AS raw FROM read_ndjson_objects($files))
)
SELECT
    $entity_id                                                   AS entity_id,
    try_cast(j.id AS BIGINT)                                     AS customer_id,
    j.customer_type                                              AS customer_type,
    coalesce(nullif(trim(j.name), ''), nullif(trim(concat_ws(' ', j.first_name, j.last_name)), '')) AS name,
    coalesce(j.emails, [])::VARCHAR[]                            AS emails,
    j.billing_language                                           AS billing_language,
    j.payment_conditions                                         AS payment_conditions,
    try_cast(j.ledger_account.id AS BIGINT)                      AS ledger_account_id,
    j.reference                                                  AS reference,
    j.external_reference                                         AS external_reference,
    j.reg_no                                                     AS reg_no,
    nullif(trim(j.billing_address.address), '')                  AS billing_street,
    nullif(trim(j.billing_address.postal_code), '')              AS billing_postal_code,
    nullif(trim(j.billing_address.city), '')                     AS billing_city,
    j.billing_address.country_alpha2                             AS country_alpha2,
    try_cast(j.created_at AS TIMESTAMPTZ)                        AS created_at,
    try_cast(j.updated_at AS TIMESTAMPTZ)                        AS updated_at,
    hash(raw)                                                    AS content_hash,
    j.id                                                         AS record_id,
    CASE
        WHEN try_cast(j.id AS BIGINT) IS NULL THEN 'id manquant ou non entier'
        WHEN coalesce(nullif(trim(j.name), ''), nullif(trim(concat_ws(' ', j.first_name, j.last_name)), '')) IS NULL
            THEN 'nom manquant'
    END                                                          AS reject_reason,
    -- the record as received, kept only when it is left out (ingest_rejects); the raw tables keep typed columns
    CASE WHEN reject_reason IS NOT NULL THEN raw END             AS rejected_raw
FROM parsed
