-- A small integer key per customer, so the dashboard's aggregates join the user's customers on
-- one integer instead of (entity_id, customer_id). Renumbered at every publish: not for keeping.
CREATE OR REPLACE TABLE dashboard_customers AS
SELECT CAST(row_number() OVER (ORDER BY entity_id, customer_id) AS INTEGER) AS customer_key,
       entity_id,
       customer_id
FROM pennylane_customers;
