-- Digests: the status history of reports (written by follow-up; filled by demo-data), the
-- record of scheduled digests sent (each period to each officer once, across restarts), and
-- indexes for the digest's aggregate queries.

CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    status      TEXT NOT NULL,                  -- the status the report moved to
    at          TEXT NOT NULL                   -- when, ISO 8601 UTC
);
CREATE INDEX report_events_report ON report_events(report_id, status, at);

CREATE TABLE digest_deliveries (
    id              INTEGER PRIMARY KEY,
    period_key      TEXT NOT NULL,              -- e.g. 2026-W47, 2026-11
    officer_id      INTEGER NOT NULL,
    delivered_at    TEXT NOT NULL,
    UNIQUE (period_key, officer_id)
);

-- Covers the digest's scans of a period (its GROUP BY, and reporters' profiles and statuses):
-- they read this index alone, never the wide table rows.
CREATE INDEX reports_digest ON reports(
    created_at, kind, topic, office, language, urgency, status, sentiment, reporter_id
);
