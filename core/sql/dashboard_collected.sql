-- Cash collected: bank payments allocated to invoices (payment_allocations), per customer, payment
-- date and the due date of the invoice paid, with and without tax (the invoice's share before
-- tax). Sorted by payment date: a week's cash reads only its own row groups.
CREATE OR REPLACE TABLE dashboard_collected AS
SELECT k.customer_key,
       p.entity_id,
       i.customer_id,
       p.settled_on,
       i.due_date,
       CAST(sum(p.amount_eur) AS DECIMAL(18, 2))                                  AS amount_ttc,
       CAST(sum(round(p.amount_eur * coalesce(d.ht_ratio, 1), 2)) AS DECIMAL(18, 2)) AS amount_ht
FROM payment_allocations AS p
JOIN pennylane_customer_invoices AS i ON i.entity_id = p.entity_id AND i.invoice_id = p.invoice_id
JOIN dashboard_customers AS k ON k.entity_id = i.entity_id AND k.customer_id = i.customer_id
LEFT JOIN dashboard_invoices AS d ON d.entity_id = p.entity_id AND d.invoice_id = p.invoice_id
WHERE p.kind = 'payment'
GROUP BY ALL
ORDER BY p.settled_on, k.customer_key;
