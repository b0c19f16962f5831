-- Notice forms join the one-open-form-per-user table. A trader who pressed "Comment" and an
-- admin writing a notice get a conversations row, unless a newer form is open (the bot used to
-- guess "newest wins" from these timestamps). The draft notice itself stays in `notices`:
-- nothing an admin was told was saved is lost.
INSERT INTO conversations (user_id, flow, data, updated_at)
SELECT d.user_id, 'comment', CAST(d.notice_id AS TEXT), d.updated_at
FROM notice_comment_drafts d JOIN users u ON u.id = d.user_id
WHERE true
ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, data = excluded.data,
    updated_at = excluded.updated_at
WHERE excluded.updated_at > conversations.updated_at;

INSERT INTO conversations (user_id, flow, data, updated_at)
SELECT n.author_id, 'notice', json_object('notice_id', MAX(n.id), 'resting', json('false')),
    MAX(n.updated_at)
FROM notices n JOIN users u ON u.id = n.author_id
WHERE n.status = 'draft'
GROUP BY n.author_id
ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, data = excluded.data,
    updated_at = excluded.updated_at
WHERE excluded.updated_at > conversations.updated_at;

DROP TABLE notice_comment_drafts;
