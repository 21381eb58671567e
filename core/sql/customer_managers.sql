-- Customer <-> account manager assignments (several per customer, one primary).
CREATE TABLE IF NOT EXISTS customer_managers (
    entity_id   VARCHAR NOT NULL,
    customer_id BIGINT NOT NULL,
    email       VARCHAR NOT NULL,
    is_primary  BOOLEAN NOT NULL
);
