-- Updates received from Telegram, kept from before they are confirmed (the next getUpdates, or
-- the webhook's 200) until their handlers have run: a process killed meanwhile handles them
-- after its restart, and an update seen twice is handled once (update_id is the key).
-- A handled update keeps only its id and times (its body is cleared), and is pruned later.
CREATE TABLE received_updates (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    handled_at TEXT
);

CREATE INDEX received_updates_unhandled ON received_updates (update_id) WHERE handled_at IS NULL;
