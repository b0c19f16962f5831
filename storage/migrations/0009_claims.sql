-- One table of claims for everything the bot sends on its own: a send is claimed here, once
-- per (kind, key, recipient), before it goes out, so a restart or a caught-up run never sends
-- it twice. It replaces digest_deliveries (kind 'digest', key the period) and
-- notice_summaries (kind 'notice_summary', key the notice id); what they recorded stays claimed.
ALTER TABLE scheduled_sends RENAME TO claims;

INSERT OR IGNORE INTO claims (kind, key, recipient_id, claimed_at)
    SELECT 'digest', period_key, officer_id, delivered_at FROM digest_deliveries;

INSERT OR IGNORE INTO claims (kind, key, recipient_id, claimed_at)
    SELECT 'notice_summary', CAST(notice_id AS TEXT), recipient_id, claimed_at
    FROM notice_summaries;

DROP TABLE digest_deliveries;
DROP TABLE notice_summaries;
