-- What a printed letter says of the entity that sends it, beyond its name and SIREN (which come
-- from Pennylane): its postal address, the town it is dated from and a contact line. Pennylane's
-- API has no address for the company itself, so an admin enters it ("Plans de relance").

CREATE TABLE entity_letterheads (
    entity_id    TEXT PRIMARY KEY,
    address      TEXT NOT NULL DEFAULT '',      -- the lines under the name, separated by line breaks
    place        TEXT NOT NULL DEFAULT '',      -- "Lyon": the letter is dated "Lyon, le 07/12/2026"
    contact      TEXT NOT NULL DEFAULT '',      -- one line: telephone, e-mail of the collections team
    updated_at   TEXT NOT NULL,                 -- ISO timestamp with offset
    updated_by   TEXT
);
