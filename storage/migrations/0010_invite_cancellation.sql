-- Invites can be cancelled (by an admin from /team, or when their maker loses the right to
-- invite): a cancelled invite never makes anyone staff. Outstanding invites are listed by maker.
ALTER TABLE invites ADD COLUMN cancelled_at TEXT;
ALTER TABLE invites ADD COLUMN cancelled_by INTEGER;
CREATE INDEX invites_outstanding ON invites(expires_at) WHERE used_by IS NULL AND cancelled_at IS NULL;
