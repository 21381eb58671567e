-- Reminder plans and their sending (issue 12). A plan is a ladder of levels an admin edits; each
-- customer follows one plan. The engine (core/reminders) decides what is due; every message it
-- decides goes through `reminder_queue` (written before sending, marked after: a crash neither
-- loses nor duplicates a message) and every level it sends an invoice is recorded once in
-- `reminder_invoice_levels`, whose primary key is what makes "never the same level twice" hold.

CREATE TABLE reminder_plans (
    plan_id      TEXT PRIMARY KEY,              -- 'fr', 'eu_en', 'world_en', 'key_accounts', 'bad_payers', or an admin's
    label        TEXT NOT NULL,
    language     TEXT NOT NULL CHECK (language IN ('fr', 'en')),  -- the plan's default language (customer's own wins)
    description  TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1,
    version      INTEGER NOT NULL DEFAULT 1,    -- optimistic concurrency for the admin's edits
    updated_at   TEXT NOT NULL,                 -- ISO timestamp with offset
    updated_by   TEXT
);

-- The ladder. `code` is stable across edits (the history is keyed on it, not on the position).
CREATE TABLE reminder_plan_levels (
    plan_id             TEXT NOT NULL REFERENCES reminder_plans (plan_id) ON DELETE CASCADE,
    position            INTEGER NOT NULL CHECK (position >= 1),
    code                TEXT NOT NULL,          -- 'courtesy', 'reminder_1', 'formal_notice', 'agreement_before'…
    label               TEXT NOT NULL,          -- French, for the screens
    anchor              TEXT NOT NULL CHECK (anchor IN ('due_date', 'agreement_date', 'previous_reminder')),
    offset_days         INTEGER NOT NULL,       -- negative = before the anchor (courtesy notice before the due date)
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'letter')),
    tone                TEXT NOT NULL CHECK (tone IN ('courtesy', 'friendly', 'firm', 'formal_notice', 'agreement')),
    needs_validation    INTEGER NOT NULL DEFAULT 0,
    cc_account_manager  INTEGER NOT NULL DEFAULT 0,
    min_open_amount     TEXT NOT NULL DEFAULT '0',  -- decimal euros as text: below it the level is not sent
    penalty_block       INTEGER NOT NULL DEFAULT 0, -- adds the L441-10 penalties, €40 indemnity and deadline
    payment_deadline_days INTEGER,              -- formal notice: days given to pay from the sending date
    PRIMARY KEY (plan_id, position),
    UNIQUE (plan_id, code)
);

-- A level's message per language: Jinja2 sources, seeded from core/mail/templates/reminders/.
CREATE TABLE reminder_level_templates (
    plan_id   TEXT NOT NULL,
    code      TEXT NOT NULL,
    language  TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (plan_id, code, language),
    FOREIGN KEY (plan_id, code) REFERENCES reminder_plan_levels (plan_id, code) ON DELETE CASCADE ON UPDATE CASCADE
);

-- A customer's plan when it is not the default for its language and country.
CREATE TABLE customer_reminder_plans (
    entity_id    TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    plan_id      TEXT REFERENCES reminder_plans (plan_id),  -- NULL = no automatic reminders for this customer
    updated_at   TEXT NOT NULL,
    updated_by   TEXT,
    PRIMARY KEY (entity_id, customer_id)
);

-- The ECB main refinancing rate that applies for a half-year (Code de commerce L441-10: the rate
-- in force on 1 January for the first half, on 1 July for the second), entered by an admin.
CREATE TABLE penalty_rates (
    period_start  TEXT PRIMARY KEY CHECK (substr(period_start, 6) IN ('01-01', '07-01')),
    ecb_rate      TEXT NOT NULL,                -- percent as decimal text, e.g. '2.15'
    source        TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    updated_by    TEXT
);

-- Settings an admin changes without a deploy (sending window, stale-data age, dry run…): JSON values.
CREATE TABLE reminder_settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,                  -- JSON
    updated_at  TEXT NOT NULL,
    updated_by  TEXT
);

-- One row per message the engine decided (one per customer per run), from the decision to the end.
--   needs_validation → ready (approved) → sending → sent | failed
--   ready/needs_validation → skipped (by a person) | cancelled (paid, disputed… at the re-check)
--   channel 'letter': to_print → printed
CREATE TABLE reminder_queue (
    queue_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id       TEXT NOT NULL,
    customer_id     INTEGER NOT NULL,
    plan_id         TEXT NOT NULL,
    code            TEXT NOT NULL,              -- the message's level: the most overdue invoice's
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'letter')),
    language        TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    state           TEXT NOT NULL CHECK (state IN ('needs_validation', 'ready', 'sending', 'sent', 'failed',
                                                   'skipped', 'cancelled', 'to_print', 'printed')),
    scheduled_for   TEXT NOT NULL,              -- ISO timestamp with offset: the sending window it goes out in
    reason          TEXT,                       -- French: why it waits, why it was cancelled or failed
    subject         TEXT NOT NULL,              -- rendered when queued; editable while it waits for validation
    body            TEXT NOT NULL,
    to_addresses    TEXT NOT NULL,              -- JSON list
    cc_addresses    TEXT NOT NULL DEFAULT '[]', -- JSON list
    total_due       TEXT NOT NULL,              -- decimal euros as text
    message_id      INTEGER REFERENCES messages (message_id),  -- the message row, once sending started
    dry_run         INTEGER NOT NULL DEFAULT 0, -- written by a dry run: never sent
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    decided_by      TEXT,                       -- who approved, skipped, postponed or edited it
    decided_at      TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reminder_queue_by_state ON reminder_queue (state, scheduled_for);
CREATE INDEX reminder_queue_by_customer ON reminder_queue (entity_id, customer_id, created_at);

-- The invoices a queued message lists, each at its own level, with the balance it reminds.
CREATE TABLE reminder_queue_invoices (
    queue_id     INTEGER NOT NULL REFERENCES reminder_queue (queue_id) ON DELETE CASCADE,
    entity_id    TEXT NOT NULL,
    invoice_id   INTEGER NOT NULL,
    code         TEXT NOT NULL,
    cycle        TEXT NOT NULL DEFAULT '',
    amount_due   TEXT NOT NULL,                 -- decimal euros as text: open amount net of payments and credit notes
    days_late    INTEGER NOT NULL,
    PRIMARY KEY (queue_id, invoice_id)
);

-- Each level an invoice was given, once: the primary key refuses a second. `cycle` is '' for
-- levels anchored on the due date, and the agreement date for the agreement cadence (a new
-- agreement starts a new cycle). A cancelled or failed decision frees the level again
-- (state 'released'); a skipped one keeps it (a person said no).
CREATE TABLE reminder_invoice_levels (
    entity_id    TEXT NOT NULL,
    invoice_id   INTEGER NOT NULL,
    plan_id      TEXT NOT NULL,
    code         TEXT NOT NULL,
    cycle        TEXT NOT NULL DEFAULT '',
    queue_id     INTEGER NOT NULL REFERENCES reminder_queue (queue_id),
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'skipped', 'released')),
    decided_at   TEXT NOT NULL,
    sent_at      TEXT,                          -- anchor of the next 'previous_reminder' level
    PRIMARY KEY (entity_id, invoice_id, plan_id, code, cycle)
);

-- What came back to the reminders' mailbox (bounces, out-of-office replies, replies), each read once.
CREATE TABLE mailbox_events (
    event_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT NOT NULL,                -- 'imap:HOST/FOLDER' or 'maildir:PATH'
    source_key    TEXT NOT NULL,                -- IMAP 'UIDVALIDITY:UID' or the maildir key
    received_at   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('hard_bounce', 'soft_bounce', 'auto_reply', 'reply', 'unknown')),
    message_id    INTEGER REFERENCES messages (message_id),  -- the reminder it answers, when found
    address       TEXT,                         -- the failed or away address
    status_code   TEXT,                         -- DSN status, e.g. '5.1.1'
    return_date   TEXT,                         -- ISO date an away person says they are back (a hint)
    subject       TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    UNIQUE (source, source_key)
);
CREATE INDEX mailbox_events_by_message ON mailbox_events (message_id);

-- Addresses a hard bounce proved wrong: no automatic e-mail goes to them until someone clears it.
CREATE TABLE invalid_addresses (
    address      TEXT PRIMARY KEY COLLATE NOCASE,
    reason       TEXT NOT NULL,
    event_id     INTEGER REFERENCES mailbox_events (event_id),
    detected_at  TEXT NOT NULL,
    cleared_at   TEXT,
    cleared_by   TEXT
);
