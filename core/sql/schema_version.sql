-- The version of the store's table definitions this snapshot was built with (one row). When the
-- code's version (core/store/schema.py SCHEMA_VERSION) differs, the next sync rebuilds from scratch.
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL
);
