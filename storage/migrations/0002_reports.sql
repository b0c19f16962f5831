-- Reports, their attachments and threads, reference counters, and open conversations (drafts).

CREATE TABLE reference_counters (
    year    INTEGER PRIMARY KEY,
    last    INTEGER NOT NULL
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    reporter_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    draft_key       TEXT NOT NULL UNIQUE,          -- makes a repeated submit harmless
    kind            TEXT NOT NULL,                  -- issue, suggestion, question
    description     TEXT NOT NULL,
    topic           TEXT,                           -- taxonomy code; NULL until sorted
    topic_source    TEXT,                           -- reporter, classifier, officer
    office          TEXT,                           -- office code, 'other' or 'none'
    office_other    TEXT,
    incident_date   TEXT,
    language        TEXT NOT NULL,
    anonymous       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'new',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX reports_reporter ON reports(reporter_id, created_at);
CREATE INDEX reports_status ON reports(status, created_at);
CREATE INDEX reports_created ON reports(created_at);

CREATE TABLE report_attachments (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,                  -- photo, document
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    file_name       TEXT,
    mime_type       TEXT,
    file_size       INTEGER,
    width           INTEGER,
    height          INTEGER
);
CREATE INDEX report_attachments_report ON report_attachments(report_id, position);

CREATE TABLE report_messages (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    author          TEXT NOT NULL,                  -- reporter, officer, system
    author_id       INTEGER,                        -- officer id; never shown for reporters
    body            TEXT NOT NULL,
    attachment      TEXT,                           -- JSON of an Attachment, if any
    created_at      TEXT NOT NULL
);
CREATE INDEX report_messages_report ON report_messages(report_id, id);

-- One open guided conversation per user (a report draft, adding information): survives restarts.
CREATE TABLE conversations (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX conversations_updated ON conversations(updated_at);
