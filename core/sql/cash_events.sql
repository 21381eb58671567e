-- Cash expected and cash collected, one row per event, for weekly expected-vs-collected views.
-- expected: each receivable once, on its agreement date if set, else its due date, for its amount
--           net of credit notes; collected: each bank payment allocated to an invoice, on its date.
CREATE OR REPLACE VIEW cash_events AS
WITH events AS (
    SELECT 'expected' AS event_kind, i.entity_id, i.customer_id, i.invoice_id,
           i.expected_date AS event_date,
           CAST(i.amount_eur - i.credited_amount_eur AS DECIMAL(18, 2)) AS amount_eur
    FROM invoices AS i
    WHERE i.status IN ('not_due', 'overdue', 'paid')
    UNION ALL
    SELECT 'collected', p.entity_id, i.customer_id, p.invoice_id, p.settled_on, p.amount_eur
    FROM payment_allocations AS p
    JOIN pennylane_customer_invoices AS i USING (entity_id, invoice_id)
    WHERE p.kind = 'payment'
)
SELECT e.event_kind,
       e.entity_id,
       e.customer_id,
       e.invoice_id,
       e.event_date,
       CAST(date_trunc('week', e.event_date) AS DATE)    AS week_start,
       isoyear(e.event_date)                            AS iso_year,
       weekofyear(e.event_date)                         AS iso_week,
       e.amount_eur,
       c.agency_id,
       c.primary_manager_email
FROM events AS e
LEFT JOIN customers AS c USING (entity_id, customer_id);
