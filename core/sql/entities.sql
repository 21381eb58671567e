-- Legal entities: one Pennylane company each, as configured and as GET /me describes it.
CREATE TABLE IF NOT EXISTS entities (
    entity_id               VARCHAR NOT NULL,
    name                    VARCHAR NOT NULL,
    pennylane_company_id    BIGINT,
    pennylane_company_name  VARCHAR,
    reg_no                  VARCHAR
);
