-- Each invoice with what its lettering settled and what is still open: the part of the
-- `invoices` view that neither "today" nor the collectors' work changes, computed once per publish
-- so a list over a million invoices does not join them with their settlements at every read.
CREATE OR REPLACE TABLE invoice_facts AS
SELECT i.*,
       k.customer_key,                                     -- joins `customers` on one integer (renumbered per publish)
       -- number and label lower-cased once, for the lists' search (lower() over a million labels costs ~70 ms a query)
       lower(coalesce(i.invoice_number, '') || chr(31) || coalesce(i.label, '')) AS search_text,
       CAST(coalesce(s.paid_eur, 0) AS DECIMAL(18, 2))      AS paid_amount_eur,
       CAST(coalesce(s.credited_eur, 0) AS DECIMAL(18, 2))  AS credited_amount_eur,
       s.last_payment_date,
       CASE
           WHEN i.draft OR i.is_credit_note THEN CAST(0 AS DECIMAL(18, 2))
           ELSE CAST(greatest(coalesce(i.remaining_amount_eur,
                                       i.amount_eur - coalesce(s.paid_eur, 0) - coalesce(s.credited_eur, 0)),
                              0) AS DECIMAL(18, 2))
       END                                                  AS open_amount_eur
FROM pennylane_customer_invoices AS i
LEFT JOIN invoice_settlements AS s USING (entity_id, invoice_id)
LEFT JOIN dashboard_customers AS k USING (entity_id, customer_id);
