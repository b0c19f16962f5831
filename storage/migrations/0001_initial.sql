-- Users: their Telegram profile, preferences, business profile and onboarding progress.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,          -- Telegram user id
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT,
    username            TEXT,
    language            TEXT NOT NULL DEFAULT 'en',
    business_role       TEXT,                          -- trader, broker, forwarder, other
    organisation        TEXT,
    business_size       TEXT,                          -- micro, small, medium, large, undisclosed
    women_led           TEXT,                          -- yes, no, undisclosed
    staff_role          TEXT,                          -- NULL, officer, admin
    onboarding_step     TEXT,                          -- NULL once onboarding is complete
    privacy_accepted_at TEXT,
    notices_enabled     INTEGER NOT NULL DEFAULT 1,
    blocked_bot         INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
