-- The organisation's history (issue "Access and organisation", item 3): who changed what, when.
-- One row per change to agencies, users or portfolios, written in the same transaction as the
-- change itself, so a change without its row (or a row without its change) cannot exist.
CREATE TABLE organisation_changes (
    change_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    changed_at  TEXT NOT NULL,   -- ISO timestamp with offset (the caller's `now`)
    changed_by  TEXT NOT NULL,   -- e-mail of the acting admin
    kind        TEXT NOT NULL,   -- agency_added, user_created, assignment_added, … (core/organisation/history.py)
    subject     TEXT NOT NULL,   -- what changed: an agency id, an e-mail, "entity/customer_id"
    detail      TEXT NOT NULL    -- the change in French, as the history tab shows it
);
CREATE INDEX organisation_changes_by_time ON organisation_changes (changed_at, change_id);
CREATE INDEX organisation_changes_by_subject ON organisation_changes (subject);
