/**
 * Debian's PostgreSQL, started by a test on loopback and stopped after (scripts/local-postgres.mjs, which the bench
 * uses too). `{ reason }` when no PostgreSQL is installed: the test says so and skips.
 */
export { startPostgres, type Postgres } from '../../scripts/local-postgres.mjs';
