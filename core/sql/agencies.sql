-- Agencies (copied from the operational store at each publish; the app reads them live).
CREATE TABLE IF NOT EXISTS agencies (
    agency_id   VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL
);
