-- The export log (issue "Invoice lists and exports", item 5): who exported what, when, with which
-- filters. One row per export, written by core/exports/audit.py in the exporting caller's
-- transaction; only administrators read it (page "Journal des exports").
CREATE TABLE export_log (
    export_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    exported_at  TEXT NOT NULL,     -- ISO timestamp with offset (the caller's `now`)
    email        TEXT NOT NULL,     -- who exported (the signed-in user, or the CLI's --as user)
    role         TEXT NOT NULL,     -- their role at that moment
    list_kind    TEXT NOT NULL,     -- 'invoices', 'customers'
    format       TEXT NOT NULL CHECK (format IN ('pdf', 'csv', 'xlsx')),
    filters_json TEXT NOT NULL,     -- the filters as the list reads them back (JSON object)
    filters_text TEXT NOT NULL,     -- the same in words, as the export printed them
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    source       TEXT NOT NULL CHECK (source IN ('app', 'cli'))
);
CREATE INDEX export_log_by_time ON export_log (exported_at, export_id);
