-- Customers as the pages use them: name, contact e-mails, entity, agency and account managers.
CREATE OR REPLACE VIEW customers AS
WITH managers AS (
    SELECT m.entity_id, m.customer_id,
           list(m.email ORDER BY NOT m.is_primary, m.email)            AS account_manager_emails,
           any_value(m.email) FILTER (WHERE m.is_primary)               AS primary_manager_email,
           any_value(u.full_name) FILTER (WHERE m.is_primary)           AS primary_manager_name
    FROM customer_managers AS m
    LEFT JOIN users AS u ON u.email = m.email
    GROUP BY ALL
)
SELECT c.entity_id,
       k.customer_key,               -- an integer per customer, renumbered at every publish: for joins, not for keeping
       e.name                        AS entity_name,
       c.customer_id,
       c.name                        AS customer_name,
       c.customer_type,
       c.emails,
       c.billing_language,
       c.payment_conditions,
       c.reference,
       c.billing_street,
       c.billing_postal_code,
       c.billing_city,
       c.country_alpha2,
       a.agency_id,
       ag.name                       AS agency_name,
       mg.primary_manager_email,
       mg.primary_manager_name,
       coalesce(mg.account_manager_emails, [])::VARCHAR[] AS account_manager_emails
FROM pennylane_customers AS c
JOIN dashboard_customers AS k ON k.entity_id = c.entity_id AND k.customer_id = c.customer_id
LEFT JOIN entities AS e ON e.entity_id = c.entity_id
LEFT JOIN customer_accounts AS a ON a.entity_id = c.entity_id AND a.customer_id = c.customer_id
LEFT JOIN agencies AS ag ON ag.agency_id = a.agency_id
LEFT JOIN managers AS mg ON mg.entity_id = c.entity_id AND mg.customer_id = c.customer_id;
