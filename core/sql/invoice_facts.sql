-- Each invoice with what its lettering settled and what is still open: the part of the
-- `invoices` view that neither "today" nor the collectors' work changes, computed once per publish
-- so a list over a million invoices does not join them with their settlements at every read.
CREATE OR REPLACE TEMP VIEW invoice_facts_rows AS
SELECT i.*,
       k.customer_key,                                     -- joins `customers` on one integer (renumbered per publish)
       CAST(coalesce(s.paid_eur, 0) AS DECIMAL(18, 2))      AS paid_amount_eur,
       CAST(coalesce(s.credited_eur, 0) AS DECIMAL(18, 2))  AS credited_amount_eur,
       s.last_payment_date,
       CASE
           WHEN i.draft OR i.is_credit_note THEN CAST(0 AS DECIMAL(18, 2))
           ELSE CAST(greatest(coalesce(i.remaining_amount_eur,
                                       i.amount_eur - coalesce(s.paid_eur, 0) - coalesce(s.credited_eur, 0)),
                              0) AS DECIMAL(18, 2))
       END                                                  AS open_amount_eur,
       -- the lists' search: number, label and customer name without case nor accents, folded once
       -- per publish (folding a million labels costs ~0.4 s a query), separated by U+001F
       strip_accents(lower(concat_ws(chr(31), coalesce(i.invoice_number, ''), coalesce(i.label, ''),
                                     coalesce(c.name, ''))))  AS search_text
FROM pennylane_customer_invoices AS i
LEFT JOIN invoice_settlements AS s USING (entity_id, invoice_id)
LEFT JOIN dashboard_customers AS k USING (entity_id, customer_id)
LEFT JOIN pennylane_customers AS c USING (entity_id, customer_id);

-- Created empty first so `search_text` can be stored uncompressed: the search scans it over every
-- invoice, and decompressing a million FSST-compressed strings took 3/4 of that scan (45 ms → 19 ms).
CREATE OR REPLACE TABLE invoice_facts AS FROM invoice_facts_rows LIMIT 0;
ALTER TABLE invoice_facts DROP COLUMN search_text;
ALTER TABLE invoice_facts ADD COLUMN search_text VARCHAR USING COMPRESSION uncompressed;
INSERT INTO invoice_facts BY NAME FROM invoice_facts_rows;
DROP VIEW invoice_facts_rows;
