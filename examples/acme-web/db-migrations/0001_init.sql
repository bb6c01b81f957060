-- 0001: initial schema.
-- Nothing here is destructive: DROP TABLE and TRUNCATE only appear in comments.
/* A block comment that mentions DELETE FROM users; and DROP SCHEMA public;
   /* nested: DROP DATABASE app; */ still inside the outer comment */

CREATE TABLE users (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    "drop"      boolean NOT NULL DEFAULT false,  -- a column literally named drop
    legacy_flag boolean,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id       bigserial PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note     text DEFAULT 'DROP TABLE users; -- not SQL, just text',
    total    numeric(12, 2) NOT NULL
);

CREATE TEMPORARY TABLE import_scratch (line text) ON COMMIT DROP;

INSERT INTO users (email) VALUES ('o''brien@example.com'), (E'it\'s; DELETE FROM users');

COMMENT ON TABLE orders IS 'Rows are never removed; TRUNCATE orders is forbidden.';
