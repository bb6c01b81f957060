DROP MATERIALIZED VIEW IF EXISTS reporting.daily_sales;

CREATE MATERIALIZED VIEW reporting.daily_sales AS
SELECT date_trunc('day', created_at) AS day, sum(total) AS total
FROM orders
GROUP BY 1;

WITH stale AS (
    DELETE FROM reporting.snapshots
    RETURNING id
)
SELECT count(*) FROM stale;

DELETE FROM reporting.snapshots s
USING (SELECT id FROM reporting.runs WHERE failed) r
WHERE s.run_id = r.id;

DELETE FROM reporting.scratch
USING (SELECT id FROM reporting.runs WHERE failed) r
-- no WHERE of its own: the one above is inside the subquery
RETURNING reporting.scratch.id
