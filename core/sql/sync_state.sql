-- Where each entity's sync stands, committed in the same snapshot as the data it describes.
-- `changes_since` is the changelog position, in the server's time (latest processed_at seen, or the
-- server's Date at the last full sync); the next incremental run reads from it less an overlap.
CREATE TABLE IF NOT EXISTS sync_state (
    entity_id           VARCHAR NOT NULL,
    last_full_sync_at   TIMESTAMPTZ,
    last_sync_at        TIMESTAMPTZ NOT NULL,
    changes_since       TIMESTAMPTZ,
    source              VARCHAR NOT NULL      -- 'pennylane' (over HTTP) or 'files' (direct load)
);
