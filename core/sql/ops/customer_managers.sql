CREATE TABLE IF NOT EXISTS customer_managers (
    entity_id   TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    email       TEXT NOT NULL REFERENCES users (email),
    is_primary  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, customer_id, email)
);
CREATE INDEX IF NOT EXISTS customer_managers_by_email ON customer_managers (email);
