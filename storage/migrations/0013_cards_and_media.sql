-- Officers' cards edited in place, captions, voice notes and locations, the officers' forum.
-- A file keeps the text typed with it (its caption), a voice note its length, a shared
-- location its coordinates (kept as an attachment of kind 'location').
ALTER TABLE report_attachments ADD COLUMN caption TEXT;
ALTER TABLE report_attachments ADD COLUMN duration INTEGER;
ALTER TABLE report_attachments ADD COLUMN latitude REAL;
ALTER TABLE report_attachments ADD COLUMN longitude REAL;

-- The message that shows a report's card in a chat (an officer's private chat, or a topic of
-- the officers' group), edited by each action; and the one prompt message beside it, replaced
-- by the next prompt. An officer's reply to a forwarded file names the file it answers.
CREATE TABLE report_cards (
    chat_id           INTEGER NOT NULL,
    report_id         INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    message_id        INTEGER NOT NULL,
    thread_id         INTEGER,
    prompt_message_id INTEGER,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (chat_id, report_id)
);

-- Files of a report as forwarded to a chat: a reply to one of them quotes which file.
CREATE TABLE report_file_messages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

-- Topic threads of the officers' forum group, one per report topic, created on demand.
CREATE TABLE forum_topics (
    chat_id     INTEGER NOT NULL,
    topic       TEXT NOT NULL,
    thread_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, topic)
);
