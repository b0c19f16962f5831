-- Sorting: what the classifier said of each report, officers' corrections, and traders'
-- "add my voice" on an open report about the same thing (recurring issues).

ALTER TABLE reports ADD COLUMN urgency TEXT;           -- high, normal, low
ALTER TABLE reports ADD COLUMN sentiment REAL;         -- -1 .. 1
ALTER TABLE reports ADD COLUMN auto_kind TEXT;         -- the classifier's kind
ALTER TABLE reports ADD COLUMN auto_topic TEXT;        -- the classifier's topic
ALTER TABLE reports ADD COLUMN confidence REAL;        -- the classifier's confidence
ALTER TABLE reports ADD COLUMN text_language TEXT;     -- language detected in the text
ALTER TABLE reports ADD COLUMN keywords TEXT;          -- word stems, to spot recurring issues
CREATE INDEX reports_topic_office ON reports(topic, office, status, created_at);

CREATE TABLE sorting_corrections (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    officer_id  INTEGER,
    text        TEXT NOT NULL,
    language    TEXT,
    kind        TEXT,
    topic       TEXT,
    urgency     TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE report_voices (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    comment     TEXT,
    language    TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (report_id, user_id)
);
CREATE INDEX report_voices_report ON report_voices(report_id);
