-- How each settling ledger line (bank payment or credit note) is allocated to the invoices it is
-- lettered with, rebuilt at every publish. Within one lettering group, invoices (by due date) are
-- settled first-in first-out by the group's credits (by date): the overlap of their cumulative
-- amounts is the amount allocated, dated by the credit line.
-- A group is named by its smallest line id, the line's own id included: some Pennylane-compatible
-- servers list in `lettered_ids` only the *other* lines of the group, and both shapes must name
-- a group alike.
CREATE OR REPLACE TABLE payment_allocations AS
WITH invoice_lines AS (
    SELECT i.entity_id, i.invoice_id, i.due_date, i.issue_date,
           list_min(list_append(l.lettered_ids, l.line_id)) AS lettering,
           l.debit - l.credit AS due_amount
    FROM pennylane_customer_invoices AS i
    JOIN pennylane_customers AS c
      ON c.entity_id = i.entity_id AND c.customer_id = i.customer_id
    JOIN pennylane_ledger_entry_lines AS l
      ON l.entity_id = i.entity_id AND l.ledger_entry_id = i.ledger_entry_id
     AND l.ledger_account_id = c.ledger_account_id
    WHERE NOT i.is_credit_note AND NOT i.draft
      AND len(l.lettered_ids) > 0 AND l.debit > l.credit
),
credit_lines AS (
    SELECT l.entity_id, l.line_id, l.line_date,
           list_min(list_append(l.lettered_ids, l.line_id)) AS lettering,
           l.credit - l.debit AS credit_amount,
           CASE WHEN cn.invoice_id IS NULL THEN 'payment' ELSE 'credit_note' END AS kind
    FROM pennylane_ledger_entry_lines AS l
    LEFT JOIN pennylane_customer_invoices AS cn
      ON cn.entity_id = l.entity_id AND cn.ledger_entry_id = l.ledger_entry_id AND cn.is_credit_note
    WHERE len(l.lettered_ids) > 0 AND l.credit > l.debit
),
invoice_ranges AS (
    SELECT *, sum(due_amount) OVER w AS upper_bound
    FROM invoice_lines
    WINDOW w AS (PARTITION BY entity_id, lettering ORDER BY due_date, issue_date, invoice_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
credit_ranges AS (
    SELECT *, sum(credit_amount) OVER w AS upper_bound
    FROM credit_lines
    WINDOW w AS (PARTITION BY entity_id, lettering ORDER BY kind DESC, line_date, line_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT i.entity_id,
       i.invoice_id,
       c.line_id                                   AS ledger_line_id,
       c.kind,
       c.line_date                                 AS settled_on,
       CAST(least(i.upper_bound, c.upper_bound)
            - greatest(i.upper_bound - i.due_amount, c.upper_bound - c.credit_amount)
            AS DECIMAL(18, 2))                     AS amount_eur
FROM invoice_ranges AS i
JOIN credit_ranges AS c
  ON c.entity_id = i.entity_id AND c.lettering = i.lettering
WHERE least(i.upper_bound, c.upper_bound)
      > greatest(i.upper_bound - i.due_amount, c.upper_bound - c.credit_amount)
ORDER BY i.entity_id, i.invoice_id, c.line_date, c.line_id;
