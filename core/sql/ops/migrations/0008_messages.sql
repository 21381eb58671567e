-- E-mails sent to customers (issue "Collector workspace", items 4-5; reused by the automatic
-- reminders of issue 12): the outbox and the history in one table. A row is written with state
-- 'sending' BEFORE the SMTP conversation, then marked 'sent', 'partly_sent' (some recipients
-- refused) or 'failed' with a French reason: a message is never marked sent when it was not, and
-- a row left 'sending' by a crash says "unknown", never "delivered".
CREATE TABLE messages (
    message_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    token            TEXT NOT NULL UNIQUE,      -- random; in the Message-ID, and the VERP return path later (bounces)
    header_message_id TEXT NOT NULL UNIQUE,     -- the Message-ID header, <token.encours@domain>
    kind             TEXT NOT NULL CHECK (kind IN ('manual', 'automatic')),
    entity_id        TEXT NOT NULL,
    customer_id      INTEGER NOT NULL,
    sender_email     TEXT NOT NULL,             -- the signed-in user who sent it (Reply-To); 'systeme' for automatic ones
    sender_name      TEXT NOT NULL,
    from_address     TEXT NOT NULL,             -- the From header as sent
    envelope_from    TEXT NOT NULL,             -- SMTP MAIL FROM (where bounces return)
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,             -- plain text, as sent
    language         TEXT NOT NULL,             -- 'fr' | 'en': the template chosen
    state            TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'partly_sent', 'failed')),
    error            TEXT,                      -- French reason when failed or partly sent
    created_at       TEXT NOT NULL,             -- ISO timestamp with offset (the caller's `now`), before sending
    sent_at          TEXT,                      -- when the server accepted it
    delivery_status  TEXT,                      -- later (issue 12): 'bounced', 'deferred', 'auto_reply'…; NULL = nothing heard back
    delivery_detail  TEXT,
    delivery_at      TEXT
);
CREATE INDEX messages_by_customer ON messages (entity_id, customer_id, created_at);
CREATE INDEX messages_by_state ON messages (state, created_at);

-- Who it went to, one row per address: the server may refuse some and accept others.
CREATE TABLE message_recipients (
    message_id  INTEGER NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('to', 'cc')),
    address     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused')),
    smtp_reply  TEXT,                           -- the server's refusal (code and text) when refused
    PRIMARY KEY (message_id, address)
);

-- The invoices a message is about (several for one customer), with their number as sent.
CREATE TABLE message_invoices (
    message_id      INTEGER NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    entity_id       TEXT NOT NULL,
    invoice_id      INTEGER NOT NULL,
    invoice_number  TEXT,
    amount_due      TEXT NOT NULL,              -- decimal as text, the open amount when sent
    PRIMARY KEY (message_id, invoice_id)
);
CREATE INDEX message_invoices_by_invoice ON message_invoices (entity_id, invoice_id);
