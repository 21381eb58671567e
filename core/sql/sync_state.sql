-- Where each entity's sync stands, committed in the same snapshot as the data it describes.
-- `changes_since` is the changelog position the next incremental run starts from.
CREATE TABLE IF NOT EXISTS sync_state (
    entity_id           VARCHAR NOT NULL,
    last_full_sync_at   TIMESTAMPTZ,
    last_sync_at        TIMESTAMPTZ NOT NULL,
    changes_since       TIMESTAMPTZ,
    source              VARCHAR NOT NULL      -- 'pennylane' (over HTTP) or 'files' (direct load)
);
