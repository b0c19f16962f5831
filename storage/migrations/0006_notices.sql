-- Notices: admins' broadcasts of regulation changes and consultations on drafts; the delivery
-- queue (one row per recipient and message, claimed before each send so nobody gets a copy
-- twice); comments on drafts; and the topics and offices each user subscribed to.

-- A notice from its draft (status 'draft', one per admin, `step` is the question asked) to sent.
CREATE TABLE notices (
    id                  INTEGER PRIMARY KEY,
    author_id           INTEGER NOT NULL,               -- the admin who wrote it
    status              TEXT NOT NULL DEFAULT 'draft',  -- draft, scheduled, sending, sent, cancelled
    step                TEXT,                           -- while a draft: the question asked
    variant_language    TEXT,                           -- while a draft: the language being written
    texts               TEXT NOT NULL DEFAULT '{}',     -- JSON {language: Telegram HTML}
    document            TEXT,                           -- JSON {file_id, file_name, mime_type}
    audience            TEXT NOT NULL DEFAULT '{}',     -- JSON {roles, topics, offices, languages}
    comment_seconds     INTEGER,                        -- comment period; NULL: not a consultation
    send_at             TEXT,                           -- chosen time (UTC); NULL: at once
    chat_id             INTEGER,                        -- the admin's chat: progress and report
    progress_message_id INTEGER,
    total               INTEGER NOT NULL DEFAULT 0,     -- recipients when sending started
    transient_errors    INTEGER NOT NULL DEFAULT 0,     -- sends retried after a network/5xx error
    rate_limited        INTEGER NOT NULL DEFAULT 0,     -- 429 answers (all sending paused)
    comment_until       TEXT,                           -- set when sending starts
    remind_at           TEXT,
    confirmed_at        TEXT,
    started_at          TEXT,
    finished_at         TEXT,
    reminders_queued_at TEXT,
    summary_at          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX notices_status ON notices(status, send_at);
CREATE INDEX notices_author ON notices(author_id, status);

-- The persistent queue. state: pending -> sending (claimed, committed before the API call)
-- -> sent | blocked | failed | pending again (retry); a row found 'sending' at start was
-- claimed by a process that died: it becomes 'unconfirmed' and is never sent again.
CREATE TABLE notice_deliveries (
    notice_id       INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,                  -- notice, reminder
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    language        TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try_at     TEXT NOT NULL,
    message_id      INTEGER,
    error           TEXT,
    acknowledged_at TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (notice_id, kind, user_id)
) WITHOUT ROWID;
CREATE INDEX notice_deliveries_due ON notice_deliveries(state, next_try_at);
CREATE INDEX notice_deliveries_user ON notice_deliveries(user_id);

-- Comments on a draft, sorted like reports when stored; they stay, anonymised, if the user
-- erases their data.
CREATE TABLE notice_comments (
    id              INTEGER PRIMARY KEY,
    notice_id       INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body            TEXT NOT NULL,
    language        TEXT NOT NULL,                  -- the commenter's language
    kind            TEXT,
    topic           TEXT,
    urgency         TEXT,
    sentiment       REAL,
    confidence      REAL,
    text_language   TEXT,
    business_role   TEXT,                           -- copied for the summary, never the name
    organisation    TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX notice_comments_notice ON notice_comments(notice_id, user_id);

-- A user who pressed "Comment": their next message is the comment.
CREATE TABLE notice_comment_drafts (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    updated_at  TEXT NOT NULL
);

-- /subscribe: no row of a kind means every topic (or office).
CREATE TABLE notice_subscriptions (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                      -- topic, office
    code        TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, code)
) WITHOUT ROWID;

-- A consultation's summary, claimed per admin or officer before it is sent: once each.
CREATE TABLE notice_summaries (
    notice_id       INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    recipient_id    INTEGER NOT NULL,
    claimed_at      TEXT NOT NULL,
    PRIMARY KEY (notice_id, recipient_id)
);
