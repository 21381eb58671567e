-- Customers whose due reminder the last pass could not write (a missing ECB rate for a formal
-- notice, a template an admin removed), with the French reason: the validation page shows them,
-- so the admin learns what to fix without reading the scheduler's log. Replaced by every pass:
-- a customer leaves the table the pass its reminder is written.

CREATE TABLE reminder_holds (
    entity_id    TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    reason       TEXT NOT NULL,                 -- French, as the page shows it
    since        TEXT NOT NULL,                 -- ISO timestamp with offset: the first pass that held it
    last_seen    TEXT NOT NULL,                 -- the last pass that held it
    PRIMARY KEY (entity_id, customer_id)
);
