-- 0003: functions whose bodies mention destructive SQL. Defining a function
-- runs none of it, so none of this counts.
CREATE OR REPLACE FUNCTION purge_user(uid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders;
    DROP TABLE IF EXISTS tmp_purge;
    EXECUTE 'TRUNCATE ' || quote_ident('user_' || uid);
END;
$$;

CREATE FUNCTION archive_orders() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    -- a $$ inside this body does not end it (only the same tag does)
    INSERT INTO orders_archive SELECT OLD.*;
    DELETE FROM orders_staging;
    RETURN OLD;
END;
$body$;

CREATE TRIGGER orders_archive BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION archive_orders();

SELECT 'DROP SCHEMA audit CASCADE' AS not_a_statement, "TRUNCATE" FROM (SELECT 1 AS "TRUNCATE") AS t;

-- A DO block runs at once: the DROP in it is destructive.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'tmp_import') THEN
        DROP TABLE tmp_import;
    END IF;
END
$$;
