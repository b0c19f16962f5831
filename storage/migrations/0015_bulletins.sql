-- "You said, we did" bulletins: one draft a month, reviewed by an admin (items edited or
-- dropped), then published to the public channel and to subscribers; and who turned them off.

CREATE TABLE bulletins (
    id              INTEGER PRIMARY KEY,
    period          TEXT NOT NULL UNIQUE,           -- the month covered, YYYY-MM
    first_day       TEXT NOT NULL,                  -- YYYY-MM-DD
    last_day        TEXT NOT NULL,                  -- YYYY-MM-DD, included
    status          TEXT NOT NULL DEFAULT 'draft',  -- draft, published
    figures         TEXT NOT NULL DEFAULT '{}',     -- JSON: the headline figures
    created_at      TEXT NOT NULL,
    published_at    TEXT,
    published_by    INTEGER                         -- the admin who published it
);
CREATE INDEX bulletins_published ON bulletins(status, published_at);

-- What a bulletin says: aggregated or public content only. report_ids names the reports
-- behind an issue (to tell their reporters and supporters); it is never published.
CREATE TABLE bulletin_items (
    id              INTEGER PRIMARY KEY,
    bulletin_id     INTEGER NOT NULL REFERENCES bulletins(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,                  -- issue, action, notice
    topic           TEXT,
    office          TEXT,
    traders         INTEGER NOT NULL DEFAULT 0,     -- how many traders raised it
    outcome         TEXT NOT NULL DEFAULT '',       -- what was done, as officers wrote it
    texts           TEXT NOT NULL DEFAULT '{}',     -- JSON {language: text} (a notice's own)
    edited          INTEGER NOT NULL DEFAULT 0,     -- rewritten by an admin for publication
    dropped         INTEGER NOT NULL DEFAULT 0,
    report_ids      TEXT NOT NULL DEFAULT '[]'      -- JSON list of report ids
);
CREATE INDEX bulletin_items_bulletin ON bulletin_items(bulletin_id, position);

-- The monthly bulletin is on for every subscriber; those who turned it off are listed here.
CREATE TABLE bulletin_optouts (
    user_id         INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    at              TEXT NOT NULL
);
