-- Digest tallies: report counts (and sentiment sums) by kind, topic, office, language,
-- urgency, and by topic and status, kind and status, topic and office, per UTC day and per UTC
-- hour. Triggers keep them in the transaction of every write to reports (filing, status change,
-- reopen, correction, erasure), so a digest reads days, not reports; the hours serve a period
-- whose bounds are not UTC midnights (a time zone) and the reports-per-day chart.

CREATE TABLE digest_days (
    dimension       TEXT NOT NULL,      -- kind, topic, office, language, urgency, or a pair:
                                        -- topic_status, kind_status, topic_office
    span            TEXT NOT NULL,      -- UTC day: 2026-11-28
    a               TEXT NOT NULL,      -- the value ('' for none: no topic, office or urgency)
    b               TEXT NOT NULL,      -- the pair's second value ('' for a single dimension)
    reports         INTEGER NOT NULL,
    sentiment_sum   REAL NOT NULL,      -- topic rows only (0 elsewhere)
    sentiment_count INTEGER NOT NULL,   -- topic rows only: reports with a sentiment
    PRIMARY KEY (dimension, span, a, b)
) WITHOUT ROWID;

CREATE TABLE digest_hours (
    dimension       TEXT NOT NULL,      -- kind, topic, office, language, urgency, or a pair:
                                        -- topic_status, kind_status, topic_office
    span            TEXT NOT NULL,      -- UTC hour: 2026-11-28T21
    a               TEXT NOT NULL,      -- the value ('' for none: no topic, office or urgency)
    b               TEXT NOT NULL,      -- the pair's second value ('' for a single dimension)
    reports         INTEGER NOT NULL,
    sentiment_sum   REAL NOT NULL,      -- topic rows only (0 elsewhere)
    sentiment_count INTEGER NOT NULL,   -- topic rows only: reports with a sentiment
    PRIMARY KEY (dimension, span, a, b)
) WITHOUT ROWID;

INSERT INTO digest_days (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
SELECT 'kind', substr(created_at, 1, 10), kind, '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic', substr(created_at, 1, 10), COALESCE(topic, ''), '', COUNT(*), TOTAL(sentiment), COUNT(sentiment)
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'office', substr(created_at, 1, 10), COALESCE(office, ''), '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'language', substr(created_at, 1, 10), language, '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'urgency', substr(created_at, 1, 10), COALESCE(urgency, ''), '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic_status', substr(created_at, 1, 10), COALESCE(topic, ''), status, COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'kind_status', substr(created_at, 1, 10), kind, status, COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic_office', substr(created_at, 1, 10), COALESCE(topic, ''), COALESCE(office, ''), COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4;

INSERT INTO digest_hours (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
SELECT 'kind', substr(created_at, 1, 13), kind, '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic', substr(created_at, 1, 13), COALESCE(topic, ''), '', COUNT(*), TOTAL(sentiment), COUNT(sentiment)
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'office', substr(created_at, 1, 13), COALESCE(office, ''), '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'language', substr(created_at, 1, 13), language, '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'urgency', substr(created_at, 1, 13), COALESCE(urgency, ''), '', COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic_status', substr(created_at, 1, 13), COALESCE(topic, ''), status, COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'kind_status', substr(created_at, 1, 13), kind, status, COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4
UNION ALL
SELECT 'topic_office', substr(created_at, 1, 13), COALESCE(topic, ''), COALESCE(office, ''), COUNT(*), 0, 0
FROM reports GROUP BY 2, 3, 4;

CREATE TRIGGER reports_tally_insert AFTER INSERT ON reports BEGIN
    INSERT INTO digest_days (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(NEW.created_at, 1, 10), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, NEW.kind AS a, '' AS b, 1 AS reports, 0 AS total, 0 AS counted
        UNION ALL
        SELECT 'topic', COALESCE(NEW.topic, ''), '', 1, COALESCE(NEW.sentiment, 0), (NEW.sentiment IS NOT NULL)
        UNION ALL
        SELECT 'office', COALESCE(NEW.office, ''), '', 1, 0, 0
        UNION ALL
        SELECT 'language', NEW.language, '', 1, 0, 0
        UNION ALL
        SELECT 'urgency', COALESCE(NEW.urgency, ''), '', 1, 0, 0
        UNION ALL
        SELECT 'topic_status', COALESCE(NEW.topic, ''), NEW.status, 1, 0, 0
        UNION ALL
        SELECT 'kind_status', NEW.kind, NEW.status, 1, 0, 0
        UNION ALL
        SELECT 'topic_office', COALESCE(NEW.topic, ''), COALESCE(NEW.office, ''), 1, 0, 0
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
    INSERT INTO digest_hours (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(NEW.created_at, 1, 13), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, NEW.kind AS a, '' AS b, 1 AS reports, 0 AS total, 0 AS counted
        UNION ALL
        SELECT 'topic', COALESCE(NEW.topic, ''), '', 1, COALESCE(NEW.sentiment, 0), (NEW.sentiment IS NOT NULL)
        UNION ALL
        SELECT 'office', COALESCE(NEW.office, ''), '', 1, 0, 0
        UNION ALL
        SELECT 'language', NEW.language, '', 1, 0, 0
        UNION ALL
        SELECT 'urgency', COALESCE(NEW.urgency, ''), '', 1, 0, 0
        UNION ALL
        SELECT 'topic_status', COALESCE(NEW.topic, ''), NEW.status, 1, 0, 0
        UNION ALL
        SELECT 'kind_status', NEW.kind, NEW.status, 1, 0, 0
        UNION ALL
        SELECT 'topic_office', COALESCE(NEW.topic, ''), COALESCE(NEW.office, ''), 1, 0, 0
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
END;

CREATE TRIGGER reports_tally_delete AFTER DELETE ON reports BEGIN
    INSERT INTO digest_days (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(OLD.created_at, 1, 10), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, OLD.kind AS a, '' AS b, -1 AS reports, 0 AS total, 0 AS counted
        UNION ALL
        SELECT 'topic', COALESCE(OLD.topic, ''), '', -1, -COALESCE(OLD.sentiment, 0), -(OLD.sentiment IS NOT NULL)
        UNION ALL
        SELECT 'office', COALESCE(OLD.office, ''), '', -1, 0, 0
        UNION ALL
        SELECT 'language', OLD.language, '', -1, 0, 0
        UNION ALL
        SELECT 'urgency', COALESCE(OLD.urgency, ''), '', -1, 0, 0
        UNION ALL
        SELECT 'topic_status', COALESCE(OLD.topic, ''), OLD.status, -1, 0, 0
        UNION ALL
        SELECT 'kind_status', OLD.kind, OLD.status, -1, 0, 0
        UNION ALL
        SELECT 'topic_office', COALESCE(OLD.topic, ''), COALESCE(OLD.office, ''), -1, 0, 0
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
    INSERT INTO digest_hours (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(OLD.created_at, 1, 13), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, OLD.kind AS a, '' AS b, -1 AS reports, 0 AS total, 0 AS counted
        UNION ALL
        SELECT 'topic', COALESCE(OLD.topic, ''), '', -1, -COALESCE(OLD.sentiment, 0), -(OLD.sentiment IS NOT NULL)
        UNION ALL
        SELECT 'office', COALESCE(OLD.office, ''), '', -1, 0, 0
        UNION ALL
        SELECT 'language', OLD.language, '', -1, 0, 0
        UNION ALL
        SELECT 'urgency', COALESCE(OLD.urgency, ''), '', -1, 0, 0
        UNION ALL
        SELECT 'topic_status', COALESCE(OLD.topic, ''), OLD.status, -1, 0, 0
        UNION ALL
        SELECT 'kind_status', OLD.kind, OLD.status, -1, 0, 0
        UNION ALL
        SELECT 'topic_office', COALESCE(OLD.topic, ''), COALESCE(OLD.office, ''), -1, 0, 0
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
END;

CREATE TRIGGER reports_tally_update AFTER UPDATE OF kind, topic, office, language, urgency, status, sentiment, created_at
ON reports BEGIN
    INSERT INTO digest_days (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(OLD.created_at, 1, 10), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, OLD.kind AS a, '' AS b, -1 AS reports, 0 AS total, 0 AS counted
            WHERE OLD.kind IS NOT NEW.kind OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic', COALESCE(OLD.topic, ''), '', -1, -COALESCE(OLD.sentiment, 0), -(OLD.sentiment IS NOT NULL)
            WHERE OLD.topic IS NOT NEW.topic OR OLD.sentiment IS NOT NEW.sentiment OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'office', COALESCE(OLD.office, ''), '', -1, 0, 0
            WHERE OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'language', OLD.language, '', -1, 0, 0
            WHERE OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'urgency', COALESCE(OLD.urgency, ''), '', -1, 0, 0
            WHERE OLD.urgency IS NOT NEW.urgency OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_status', COALESCE(OLD.topic, ''), OLD.status, -1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'kind_status', OLD.kind, OLD.status, -1, 0, 0
            WHERE OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_office', COALESCE(OLD.topic, ''), COALESCE(OLD.office, ''), -1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
    INSERT INTO digest_hours (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(OLD.created_at, 1, 13), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, OLD.kind AS a, '' AS b, -1 AS reports, 0 AS total, 0 AS counted
            WHERE OLD.kind IS NOT NEW.kind OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic', COALESCE(OLD.topic, ''), '', -1, -COALESCE(OLD.sentiment, 0), -(OLD.sentiment IS NOT NULL)
            WHERE OLD.topic IS NOT NEW.topic OR OLD.sentiment IS NOT NEW.sentiment OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'office', COALESCE(OLD.office, ''), '', -1, 0, 0
            WHERE OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'language', OLD.language, '', -1, 0, 0
            WHERE OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'urgency', COALESCE(OLD.urgency, ''), '', -1, 0, 0
            WHERE OLD.urgency IS NOT NEW.urgency OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_status', COALESCE(OLD.topic, ''), OLD.status, -1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'kind_status', OLD.kind, OLD.status, -1, 0, 0
            WHERE OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_office', COALESCE(OLD.topic, ''), COALESCE(OLD.office, ''), -1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
    INSERT INTO digest_days (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(NEW.created_at, 1, 10), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, NEW.kind AS a, '' AS b, 1 AS reports, 0 AS total, 0 AS counted
            WHERE OLD.kind IS NOT NEW.kind OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic', COALESCE(NEW.topic, ''), '', 1, COALESCE(NEW.sentiment, 0), (NEW.sentiment IS NOT NULL)
            WHERE OLD.topic IS NOT NEW.topic OR OLD.sentiment IS NOT NEW.sentiment OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'office', COALESCE(NEW.office, ''), '', 1, 0, 0
            WHERE OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'language', NEW.language, '', 1, 0, 0
            WHERE OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'urgency', COALESCE(NEW.urgency, ''), '', 1, 0, 0
            WHERE OLD.urgency IS NOT NEW.urgency OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_status', COALESCE(NEW.topic, ''), NEW.status, 1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'kind_status', NEW.kind, NEW.status, 1, 0, 0
            WHERE OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_office', COALESCE(NEW.topic, ''), COALESCE(NEW.office, ''), 1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
    INSERT INTO digest_hours (dimension, span, a, b, reports, sentiment_sum, sentiment_count)
    SELECT dimension, substr(NEW.created_at, 1, 13), a, b, reports, total, counted FROM (
        SELECT 'kind' AS dimension, NEW.kind AS a, '' AS b, 1 AS reports, 0 AS total, 0 AS counted
            WHERE OLD.kind IS NOT NEW.kind OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic', COALESCE(NEW.topic, ''), '', 1, COALESCE(NEW.sentiment, 0), (NEW.sentiment IS NOT NULL)
            WHERE OLD.topic IS NOT NEW.topic OR OLD.sentiment IS NOT NEW.sentiment OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'office', COALESCE(NEW.office, ''), '', 1, 0, 0
            WHERE OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'language', NEW.language, '', 1, 0, 0
            WHERE OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'urgency', COALESCE(NEW.urgency, ''), '', 1, 0, 0
            WHERE OLD.urgency IS NOT NEW.urgency OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_status', COALESCE(NEW.topic, ''), NEW.status, 1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'kind_status', NEW.kind, NEW.status, 1, 0, 0
            WHERE OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
        UNION ALL
        SELECT 'topic_office', COALESCE(NEW.topic, ''), COALESCE(NEW.office, ''), 1, 0, 0
            WHERE OLD.topic IS NOT NEW.topic OR OLD.office IS NOT NEW.office OR OLD.created_at IS NOT NEW.created_at
    ) WHERE true
    ON CONFLICT (dimension, span, a, b) DO UPDATE SET
        reports = reports + excluded.reports,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum,
        sentiment_count = sentiment_count + excluded.sentiment_count;
END;

-- The backlog (open reports by age and urgency) reads this index alone, not the table.
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports(status, created_at, urgency);
