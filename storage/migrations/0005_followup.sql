-- Follow-up: who handles a report and how it ended, internal notes (apart from the thread the
-- reporter reads), invite links for staff, the audit log, "Is it fixed?" surveys, and claims
-- that make scheduled sends happen at most once across restarts.

ALTER TABLE reports ADD COLUMN assigned_to INTEGER;    -- the officer's user id
ALTER TABLE reports ADD COLUMN duplicate_of INTEGER REFERENCES reports(id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN reason TEXT;            -- why it was rejected
CREATE INDEX reports_assigned ON reports(assigned_to, status);

-- Officers' internal notes: never in report_messages, so never in the reporter's thread.
CREATE TABLE report_notes (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL,                   -- the officer
    body        TEXT NOT NULL,
    after_message INTEGER NOT NULL DEFAULT 0,       -- the last thread message when written
    created_at  TEXT NOT NULL
);
CREATE INDEX report_notes_report ON report_notes(report_id, id);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    token       TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,                      -- officer, admin
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

-- Every status change, assignment, reply, note, correction, role change and refusal.
-- A reporter's own steps are stored with actor 'reporter' and no actor_id.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER REFERENCES reports(id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,                      -- staff, reporter, user, system
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',         -- JSON
    at          TEXT NOT NULL
);
CREATE INDEX audit_log_report ON audit_log(report_id, id);
CREATE INDEX audit_log_at ON audit_log(at);

-- One survey per resolution: a report reopened and resolved again is asked again.
CREATE TABLE satisfaction (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    asked_at    TEXT NOT NULL,
    reasked_at  TEXT,                               -- set once, before the reminder is sent
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    fixed       INTEGER,                            -- 1 fixed, 0 not fixed
    comment     TEXT,
    answered_at TEXT
);
CREATE INDEX satisfaction_report ON satisfaction(report_id, id);
CREATE INDEX satisfaction_pending ON satisfaction(answered_at, reasked_at, asked_at);

-- A row claimed before a scheduled message is sent: each (kind, key, recipient) goes out once.
CREATE TABLE scheduled_sends (
    kind            TEXT NOT NULL,                  -- e.g. overdue_summary
    key             TEXT NOT NULL,                  -- e.g. the day, 2026-11-30
    recipient_id    INTEGER NOT NULL,
    claimed_at      TEXT NOT NULL,
    PRIMARY KEY (kind, key, recipient_id)
);
