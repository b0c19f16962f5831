-- Supporters: a trader who added their voice to a report is named to officers only if they
-- chose so (anonymous otherwise, like reports); the files they sent go with their support.
ALTER TABLE report_voices ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 1;

CREATE TABLE report_voice_attachments (
    voice_id    INTEGER NOT NULL REFERENCES report_voices(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    attachment  TEXT NOT NULL,                      -- the Attachment as JSON (file_id, kind…)
    PRIMARY KEY (voice_id, position)
);
CREATE INDEX report_voices_user ON report_voices(user_id);
