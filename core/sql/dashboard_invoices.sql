-- Per receivable invoice (not_due, overdue or paid), what the dashboard adds up (docs/metrics.md):
-- its amount net of credit notes and what is still open, with and without tax, by due date.
-- Rebuilt at every publish WITHOUT the collectors' agreement dates and disputes: those live in
-- the operational store and core/dashboard applies them at read time, so a change shows at the
-- next page run. Sorted by due date: a period's weeks read only their own row groups.
CREATE OR REPLACE TABLE dashboard_invoices AS
WITH receivables AS (
    SELECT entity_id, customer_id, invoice_id, invoice_number, issue_date, due_date,
           amount_eur - credited_amount_eur                              AS net_ttc,
           open_amount_eur                                               AS open_ttc,
           -- share of the amount before tax; an invoice without a known tax counts as untaxed
           CASE WHEN amount_eur = 0 OR tax_eur IS NULL THEN 1
                ELSE (amount_eur - tax_eur) / amount_eur END             AS ht_ratio
    FROM invoices
    WHERE status IN ('not_due', 'overdue', 'paid')
)
SELECT k.customer_key,
       r.entity_id,
       r.customer_id,
       r.invoice_id,
       r.invoice_number,
       r.issue_date,
       r.due_date,
       CAST(net_ttc AS DECIMAL(18, 2))                    AS net_ttc,
       CAST(round(net_ttc * ht_ratio, 2) AS DECIMAL(18, 2)) AS net_ht,
       CAST(open_ttc AS DECIMAL(18, 2))                   AS open_ttc,
       CAST(round(open_ttc * ht_ratio, 2) AS DECIMAL(18, 2)) AS open_ht,
       CAST(ht_ratio AS DECIMAL(12, 9))                   AS ht_ratio
FROM receivables AS r
JOIN dashboard_customers AS k USING (entity_id, customer_id)
ORDER BY due_date, customer_key;
