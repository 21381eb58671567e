-- encours: foreign_keys off
-- The collector workspace (issue 11): internal workflow per invoice with its audit trail, notes,
-- calls, payment promises and the list of dispute reasons.
-- invoice_followups is rebuilt (SQLite cannot widen a CHECK): on hold and legal join the
-- statuses, each status keeps its own fields, and `version` numbers every write on the invoice
-- (optimistic concurrency: a write based on another version is refused, core/collections).
CREATE TABLE invoice_followups_new (
    entity_id            TEXT NOT NULL,
    invoice_id           INTEGER NOT NULL,
    internal_status      TEXT NOT NULL DEFAULT 'issued'
                         CHECK (internal_status IN ('issued', 'reminded', 'payment_agreement', 'disputed',
                                                    'on_hold', 'legal', 'collected')),
    agreement_date       TEXT,            -- ISO date, payment_agreement only
    updated_at           TEXT NOT NULL,   -- ISO timestamp with offset
    updated_by           TEXT,
    customer_id          INTEGER,         -- the invoice's customer when the row was written
    dispute_reason       TEXT,            -- dispute_reasons.reason_id, disputed only
    dispute_expected_end TEXT,            -- ISO date, disputed only
    on_hold_until        TEXT,            -- ISO date, on_hold only
    legal_date           TEXT,            -- ISO date the invoice went to litigation, legal only
    version              INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (entity_id, invoice_id)
);
INSERT INTO invoice_followups_new (entity_id, invoice_id, internal_status, agreement_date, updated_at, updated_by)
SELECT entity_id, invoice_id, internal_status, agreement_date, updated_at, updated_by FROM invoice_followups;
DROP TABLE invoice_followups;
ALTER TABLE invoice_followups_new RENAME TO invoice_followups;

-- The reasons a collector picks from when recording a dispute (admin-editable later).
CREATE TABLE dispute_reasons (
    reason_id   TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO dispute_reasons (reason_id, label, position) VALUES
    ('price', 'Désaccord sur le prix ou la remise', 1),
    ('quantity', 'Quantité livrée contestée', 2),
    ('quality', 'Défaut de qualité ou non-conformité', 3),
    ('not_received', 'Marchandise ou prestation non reçue', 4),
    ('billing_error', 'Erreur de facturation (adresse, TVA, référence)', 5),
    ('missing_order', 'Bon de commande manquant ou erroné', 6),
    ('duplicate', 'Facture en double', 7),
    ('other', 'Autre motif', 8);

-- Every write on an invoice's follow-up, append-only: who, when, from, to, comment, fields set.
CREATE TABLE invoice_status_changes (
    change_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    TEXT NOT NULL,
    invoice_id   INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL,
    changed_at   TEXT NOT NULL,              -- ISO timestamp with offset (the caller's `now`)
    changed_by   TEXT NOT NULL,              -- e-mail
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    fields_json  TEXT NOT NULL DEFAULT '{}', -- the fields set, e.g. {"agreement_date": "2026-12-10"}
    version      INTEGER NOT NULL            -- the follow-up's version this change produced
);
CREATE INDEX invoice_status_changes_by_invoice ON invoice_status_changes (entity_id, invoice_id, change_id);
CREATE INDEX invoice_status_changes_by_customer ON invoice_status_changes (entity_id, customer_id, changed_at);
CREATE TRIGGER invoice_status_changes_no_update BEFORE UPDATE ON invoice_status_changes
BEGIN
    SELECT RAISE(ABORT, 'le journal des statuts ne se modifie pas');
END;
CREATE TRIGGER invoice_status_changes_no_delete BEFORE DELETE ON invoice_status_changes
BEGIN
    SELECT RAISE(ABORT, 'le journal des statuts ne se supprime pas');
END;

-- What a collector wrote about a customer or one of its invoices.
CREATE TABLE collection_notes (
    note_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    invoice_id   INTEGER,                    -- NULL: about the customer as a whole
    written_at   TEXT NOT NULL,
    written_by   TEXT NOT NULL,
    body         TEXT NOT NULL CHECK (length(trim(body)) > 0)
);
CREATE INDEX collection_notes_by_customer ON collection_notes (entity_id, customer_id, written_at);

-- Logged calls: who was called, what came of it.
CREATE TABLE collection_calls (
    call_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    invoice_id   INTEGER,
    called_at    TEXT NOT NULL,
    called_by    TEXT NOT NULL,
    contact      TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('promised', 'disputed', 'no_answer', 'wrong_number', 'other')),
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX collection_calls_by_customer ON collection_calls (entity_id, customer_id, called_at);

-- Payment promises. Whether one is kept is computed from Pennylane's payments at read time
-- (core/collections/promises.py), never stored.
CREATE TABLE payment_promises (
    promise_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id    TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    invoice_id   INTEGER NOT NULL,
    amount_eur   TEXT NOT NULL,              -- decimal as text ("1234.50"), never a float
    promised_for TEXT NOT NULL,              -- ISO date
    source       TEXT NOT NULL CHECK (source IN ('call', 'email', 'other')),
    call_id      INTEGER REFERENCES collection_calls (call_id),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX payment_promises_by_customer ON payment_promises (entity_id, customer_id, created_at);
CREATE INDEX payment_promises_by_invoice ON payment_promises (entity_id, invoice_id);
