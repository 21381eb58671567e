-- What the lettering could not explain, per entity, rebuilt at every publish so a hole never goes
-- unnoticed: invoices Pennylane says are paid with no settlement found in the lettering (so no
-- payment date), and ledger lines lettered with lines that were never fetched.
CREATE OR REPLACE TABLE ingest_gaps AS
WITH settled AS (
    SELECT DISTINCT entity_id, invoice_id FROM payment_allocations
),
invoice_gaps AS (
    SELECT i.entity_id,
           count(*) FILTER (WHERE NOT i.draft)                                  AS invoices,
           count(*) FILTER (WHERE NOT i.draft AND NOT i.is_credit_note AND i.amount_eur > 0
                              AND (i.paid OR i.pennylane_status = 'paid')
                              AND s.invoice_id IS NULL)                         AS paid_without_date
    FROM pennylane_customer_invoices AS i
    LEFT JOIN settled AS s USING (entity_id, invoice_id)
    GROUP BY i.entity_id
),
line_counts AS (
    SELECT entity_id, count(*) AS ledger_lines FROM pennylane_ledger_entry_lines GROUP BY entity_id
),
lettered AS (
    SELECT entity_id, line_id, unnest(lettered_ids) AS other_id FROM pennylane_ledger_entry_lines
),
line_gaps AS (
    SELECT l.entity_id, count(DISTINCT l.line_id) AS lettered_to_missing
    FROM lettered AS l
    ANTI JOIN pennylane_ledger_entry_lines AS m ON m.entity_id = l.entity_id AND m.line_id = l.other_id
    GROUP BY l.entity_id
)
SELECT e.entity_id,
       coalesce(i.invoices, 0)              AS invoices,
       coalesce(i.paid_without_date, 0)     AS paid_without_date,
       coalesce(c.ledger_lines, 0)          AS ledger_lines,
       coalesce(g.lettered_to_missing, 0)   AS lettered_to_missing
FROM entities AS e
LEFT JOIN invoice_gaps AS i USING (entity_id)
LEFT JOIN line_counts AS c USING (entity_id)
LEFT JOIN line_gaps AS g USING (entity_id)
ORDER BY e.entity_id;
