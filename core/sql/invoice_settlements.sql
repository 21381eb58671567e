-- Per invoice, what its lettering settled: bank payments, credit notes, last payment date.
-- Rebuilt at every publish so the invoices view does not aggregate allocations on each read.
CREATE OR REPLACE TABLE invoice_settlements AS
SELECT entity_id,
       invoice_id,
       CAST(coalesce(sum(amount_eur) FILTER (WHERE kind = 'payment'), 0) AS DECIMAL(18, 2))     AS paid_eur,
       CAST(coalesce(sum(amount_eur) FILTER (WHERE kind = 'credit_note'), 0) AS DECIMAL(18, 2)) AS credited_eur,
       max(settled_on) FILTER (WHERE kind = 'payment')                                         AS last_payment_date
FROM payment_allocations
GROUP BY ALL;
