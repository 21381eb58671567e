-- The receivable invoices still open (open amount > 0), by due date: receivables, overdue,
-- aging and the gap are read from these few rows instead of every invoice.
CREATE OR REPLACE TABLE dashboard_open AS
SELECT customer_key, entity_id, customer_id, invoice_id, invoice_number, due_date, open_ttc, open_ht
FROM dashboard_invoices
WHERE open_ttc > 0
ORDER BY due_date, customer_key;
