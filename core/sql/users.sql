-- People using Encours and their role: admin, accounting, treasury, agency_manager, sales_rep.
-- Agency managers and sales reps (account managers) belong to an agency.
CREATE TABLE IF NOT EXISTS users (
    email       VARCHAR NOT NULL,
    full_name   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    agency_id   VARCHAR,
    active      BOOLEAN NOT NULL
);
