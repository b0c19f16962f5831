-- Consultation meetings: the meetings, users' answers, action items agreed at them, and the
-- scheduled sends (invitations, changes, reminders, agenda packs, action-item reminders,
-- outcomes) with one row per recipient, claimed before sending, so each goes out once.

CREATE TABLE meetings (
    id              INTEGER PRIMARY KEY,
    series_id       INTEGER REFERENCES meetings(id) ON DELETE SET NULL,  -- first of a series
    title           TEXT NOT NULL,
    starts_at       TEXT NOT NULL,                  -- ISO 8601 UTC
    ends_at         TEXT NOT NULL,
    zone            TEXT NOT NULL,                  -- IANA zone of its wall-clock time
    place           TEXT,
    link            TEXT,
    agenda          TEXT NOT NULL DEFAULT '',
    audience        TEXT NOT NULL DEFAULT 'everyone',   -- everyone, role:trader, ...
    recurrence      TEXT,                           -- RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU
    status          TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled, cancelled, held
    sequence        INTEGER NOT NULL DEFAULT 0,     -- bumped on every change (.ics SEQUENCE)
    created_by      INTEGER NOT NULL,
    minutes         TEXT,
    attendance      INTEGER,
    organisations   TEXT NOT NULL DEFAULT '[]',     -- JSON list of names
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX meetings_starts ON meetings(status, starts_at);

CREATE TABLE meeting_rsvps (
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer          TEXT NOT NULL,                  -- attend, maybe, cannot
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
) WITHOUT ROWID;
CREATE INDEX meeting_rsvps_user ON meeting_rsvps(user_id);

CREATE TABLE action_items (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    what            TEXT NOT NULL,
    owner_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    due_on          TEXT NOT NULL,                  -- a date, YYYY-MM-DD
    recorded_by     INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    done_by         INTEGER,
    outcome         TEXT
);
CREATE INDEX action_items_open ON action_items(done_at, due_on);

-- The reports an action item answers: their reporters are told when it is done.
CREATE TABLE action_item_reports (
    action_id       INTEGER NOT NULL REFERENCES action_items(id) ON DELETE CASCADE,
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, report_id)
) WITHOUT ROWID;

-- One row per scheduled send; due_at is ISO 8601 UTC. action_id 0: not about an action item.
CREATE TABLE meeting_jobs (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    action_id       INTEGER NOT NULL DEFAULT 0,
    kind            TEXT NOT NULL,      -- invite, change, cancel, reminder, agenda, next, ...
    lead            INTEGER NOT NULL DEFAULT 0,     -- seconds before; changes: the sequence
    priority        INTEGER NOT NULL,               -- lower first when several are due
    due_at          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',    -- pending, done, missed, skipped
    detail          TEXT NOT NULL DEFAULT '{}',     -- JSON
    finished_at     TEXT,
    UNIQUE (meeting_id, action_id, kind, lead)
);
CREATE INDEX meeting_jobs_due ON meeting_jobs(state, due_at);

-- Claimed before a message is sent: (job, user) is unique, so nobody gets a job twice, even
-- after a crash. outcome: claimed (and never confirmed, if the bot died sending), sent,
-- blocked, failed, missed. Erasing a user erases their rows.
CREATE TABLE meeting_deliveries (
    job_id          INTEGER NOT NULL REFERENCES meeting_jobs(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outcome         TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (job_id, user_id)
) WITHOUT ROWID;
