-- Sign-ins at the company's identity provider (OpenID Connect) that have opened an Encours
-- session (issue "Access and organisation"). Streamlit keeps the provider's identity in every
-- open tab until that tab reconnects, even after `st.logout()` in another one: each provider
-- sign-in may therefore open one session, once. Once that session ends (sign-out, expiry,
-- inactivity, deactivation), a tab still holding the same sign-in is sent back to the provider.
CREATE TABLE oidc_sign_ins (
    sign_in_key  TEXT PRIMARY KEY,   -- SHA-256 of the ID token's issuer, subject, authentication time and nonce
    email        TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    opened_at    TEXT NOT NULL       -- rows older than a session's lifetime are purged: such sign-ins are refused as expired
);
