-- 0002: clean-up that destroys data.
DELETE FROM sessions WHERE expires_at < now();

DELETE FROM audit_log;

ALTER TABLE users
    DROP COLUMN legacy_flag;

ALTER TABLE orders ALTER COLUMN note DROP DEFAULT, ALTER COLUMN total DROP NOT NULL;

ALTER TABLE IF EXISTS ONLY public.orders
    ADD COLUMN currency char(3),
    DROP CONSTRAINT orders_total_check;

TRUNCATE TABLE import_batches RESTART IDENTITY;

DROP TABLE IF EXISTS old_invoices CASCADE;

DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx;
