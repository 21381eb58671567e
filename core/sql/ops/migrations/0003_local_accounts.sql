-- encours: foreign_keys off
-- Local accounts and the management role (issue "Access and organisation").
-- users is rebuilt to widen its role list (SQLite cannot alter a CHECK): the runner turns
-- foreign keys off for this file and checks them all before committing.
CREATE TABLE users_new (
    email       TEXT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    role        TEXT NOT NULL
                CHECK (role IN ('admin', 'management', 'accounting', 'treasury', 'agency_manager', 'sales_rep')),
    agency_id   TEXT REFERENCES agencies (agency_id),
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO users_new (email, full_name, role, agency_id, active)
SELECT email, full_name, role, agency_id, active FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- One row per local account: the argon2id hash, never the password.
CREATE TABLE user_credentials (
    email            TEXT PRIMARY KEY REFERENCES users (email) ON DELETE CASCADE,
    password_hash    TEXT NOT NULL,
    must_change      INTEGER NOT NULL DEFAULT 1,   -- a one-time password from an admin
    failed_attempts  INTEGER NOT NULL DEFAULT 0,   -- consecutive, reset by a successful sign-in
    locked_until     TEXT,                         -- ISO timestamp; refused until then, even with the right password
    changed_at       TEXT NOT NULL
);

-- Open sessions. The browser's cookie holds a random token; only its SHA-256 is stored, so a
-- copy of this file opens no session. Sign-out, a password change or deactivation delete rows.
CREATE TABLE user_sessions (
    token_hash    TEXT PRIMARY KEY,
    email         TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    method        TEXT NOT NULL CHECK (method IN ('password', 'oidc', 'demo')),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX user_sessions_by_email ON user_sessions (email);
