/**
 * The evidence index's stores (docs/index.md): the embedded SQLite file (src/fs/release-index-sqlite.ts), or a shared
 * PostgreSQL database (`--db postgres://…`) through `pg`, with the same schema, migrations and questions
 * (src/release-index/sql.ts). Many release jobs may write to one PostgreSQL index at once: migrations run under one
 * advisory lock, and each release is written in a transaction under a lock of its bundle digest, so two writers of one
 * bundle queue instead of colliding. A database URL's password never reaches a message.
 */
import { appendAll } from '../core/objects.js';
import { PurlReader } from '../formats/purl.js';
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { resolve } from 'node:path';
import { IndexStoreError, openSqliteIndex, type IndexStore } from '../fs/release-index-sqlite.js';
import { openIndexWriter } from '../fs/index-writer-thread.js';
import { indexQuestion, type QueryOptions } from '../release-index/query.js';
import { indexOrder, shippedAnswers, shippedQuestion, withShipped } from '../release-index/shipped.js';
import {
  INDEX_SCHEMA_VERSION,
  MIGRATIONS,
  PURL_RANGE_PARAMS,
  RELEASE_TABLES,
  statementFor,
  querySql,
  sweepStatements,
  rejectedInsert,
  releaseInserts,
  type Sql,
} from '../release-index/sql.js';

/** Whether `--db` names a PostgreSQL database rather than a file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** `--db` as messages may show it: a file as given, a URL without its password. */
export function shownDb(db: string): string {
  return isPostgresUrl(db) ? shown(db) : db;
}

/** The URL as messages may show it: without its password, nor any query parameter naming one (pg reads both). */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()])
      if (/pass|secret|key|token/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return 'the PostgreSQL URL';
  }
}

/** SQL written with `?` placeholders (sql.ts) as PostgreSQL numbers them. */
const numbered = (text: string): string => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

/**
 * `pg`, loaded when a PostgreSQL index is opened: with NODE_PG_FORCE_NATIVE set (pg's own variable) it requires
 * pg-native as it loads, which evidence does not install; that is said as the index being unreadable (exit 2), in one
 * line, not as a crash. Its CommonJS entry is imported by path: when pg's ES wrapper (esm/index.mjs) fails so, Node
 * rejects the import and then throws the same error again, uncaught.
 */
async function postgresClient(url: string): Promise<typeof pg> {
  try {
    return (await import('pg/lib/index.js')).default;
  } catch (e) {
    const first = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new IndexStoreError('INDEX_UNREADABLE', `${shown(url)}: the PostgreSQL client cannot be loaded: ${first}`, e);
  }
}

/** An arbitrary, fixed key for the advisory lock migrations run under. */
const MIGRATION_LOCK = 7_402_061_127;

/** Opens the index in a PostgreSQL database, migrating its schema; INDEX_UNREADABLE when it cannot be reached. */
export async function openPostgresIndex(url: string, timeoutMs = 30_000, reader = false): Promise<IndexStore> {
  const client = new (await postgresClient(url)).Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  try {
    await client.connect();
  } catch (e) {
    throw new IndexStoreError('INDEX_UNREADABLE', `${shown(url)}: cannot be reached: ${(e as Error).message}`, e);
  }
  const run = (s: Sql) => client.query(numbered(s.text), s.params);
  // One connection: its calls run one after another, so a transaction's statements never interleave with another's
  // (callers verify several releases at once; pg would queue their queries into one another's transactions).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const transaction = (lock: string | undefined, statements: () => Promise<Sql[]> | Sql[]) =>
    exclusive(() => inTransaction(lock, statements));
  const inTransaction = async (lock: string | undefined, statements: () => Promise<Sql[]> | Sql[]) => {
    try {
      await client.query('BEGIN');
      if (lock !== undefined) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
      for (const s of await statements()) await run(s);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new IndexStoreError('INDEX_WRITE_FAILED', `${shown(url)}: not written: ${(e as Error).message}`, e);
    }
  };
  // A question the database refuses (a role without SELECT on one table) names the index, with our code.
  const reading = <T>(work: () => Promise<T>): Promise<T> =>
    exclusive(() =>
      work().catch((e: unknown) => {
        throw new IndexStoreError('INDEX_UNREADABLE', `${shown(url)}: cannot be read: ${(e as Error).message}`, e);
      }),
    );
  let schema: number;
  try {
    schema = await migrate(client, url, reader);
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return {
    engine: 'postgresql',
    schema,
    has: (digest) =>
      reading(
        async () =>
          ((await client.query('SELECT 1 FROM releases WHERE bundle_digest = $1', [digest])).rowCount ?? 0) > 0,
      ),
    // Under the bundle's lock, whether it is held already is known for certain: a second writer of it replaces.
    put: (rows, at) =>
      transaction(rows.release.bundleDigest, async () => {
        const d = rows.release.bundleDigest;
        const held = ((await client.query('SELECT 1 FROM releases WHERE bundle_digest = $1', [d])).rowCount ?? 0) > 0;
        return releaseInserts(rows, at, held, 'postgresql');
      }),
    reject: (r, at) => transaction(r.location, () => rejectedInsert(r, at)),
    clear: () =>
      transaction('clear', () =>
        ['releases', ...RELEASE_TABLES, 'rejected'].map((t) => ({ text: `DELETE FROM ${t}`, params: [] })),
      ),
    sweep: (keep, before) =>
      transaction('clear', async () => {
        const rows = (await client.query('SELECT bundle_digest FROM releases')).rows as { bundle_digest: string }[];
        return sweepStatements(
          rows.map((r) => r.bundle_digest),
          keep,
          before,
        );
      }),
    query: (q) => reading(async () => (await run(querySql(q, schema, 'postgresql'))).rows as Record<string, unknown>[]),
    rejected: () =>
      reading(
        async () =>
          (await client.query('SELECT * FROM rejected ORDER BY source, location')).rows as Record<string, unknown>[],
      ),
    close: () => exclusive(() => client.end()),
  };
}

/**
 * As the embedded store's: opened to be read, by a role that may not alter an index of schema 3 or later, it is read as
 * it is (NULL for what later schemas add); opened to be written, it is refused.
 */
async function migrate(client: pg.Client, url: string, reader: boolean): Promise<number> {
  let version = 0;
  let read = false;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const exists = (await client.query("SELECT to_regclass('index_meta') AS t")).rows[0] as { t: unknown };
    if (exists.t !== null) {
      const row = (await client.query("SELECT value FROM index_meta WHERE name = 'schema'")).rows[0] as
        { value: string } | undefined;
      version = Number(row?.value ?? 0);
    }
    read = true;
    if (version > INDEX_SCHEMA_VERSION)
      throw new IndexStoreError(
        'INDEX_TOO_NEW',
        `${shown(url)}: written by schema ${version}; this evidence reads up to ${INDEX_SCHEMA_VERSION} (upgrade evidence)`,
      );
    for (let v = version; v < INDEX_SCHEMA_VERSION; v++) {
      for (const statement of MIGRATIONS[v] ?? []) {
        const text = statementFor(statement, 'postgresql');
        if (text !== undefined) await client.query(text);
      }
      await client.query(
        v === 0
          ? "INSERT INTO index_meta (name, value) VALUES ('schema', $1)"
          : "UPDATE index_meta SET value = $1 WHERE name = 'schema'",
        [String(v + 1)],
      );
    }
    await client.query('COMMIT');
    return INDEX_SCHEMA_VERSION;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (e instanceof IndexStoreError) throw e;
    // 42501: insufficient privilege (a role that may only read); 25006: a read-only transaction (a standby).
    const code = (e as { code?: unknown }).code;
    if (reader && version >= 3 && (code === '42501' || code === '25006')) return version;
    const refused = code === '42501' || code === '25006';
    throw new IndexStoreError(
      'INDEX_UNREADABLE',
      !read && refused
        ? `${shown(url)}: this role may not read the index's schema: ${(e as Error).message}`
        : version === 0
          ? `${shown(url)}: not an index: ${(e as Error).message}`
          : `${shown(url)}: an index of schema ${version}, which cannot be brought to ${INDEX_SCHEMA_VERSION} here: ${(e as Error).message}${
              refused ? ` (its owner brings it up to date by running evidence index on it once)` : ''
            }`,
      e,
    );
  }
}

/** The index `--db` names: a PostgreSQL URL, or a file (relative to `cwd`). */
export function openIndexStore(
  db: string,
  cwd: string,
  o: { existing?: boolean; writer?: boolean } = {},
): Promise<IndexStore> {
  if (isPostgresUrl(db)) return openPostgresIndex(db, undefined, !o.writer);
  const path = resolve(cwd, db);
  // Asked a question, a file that is not there is a mistyped name, never an empty index that answers "nothing".
  if (o.existing && !existsSync(path))
    return Promise.reject(
      new IndexStoreError('INDEX_UNREADABLE', `${db}: no such index file (evidence index makes it)`),
    );
  // `evidence index` writes on a thread of its own while it verifies (fs/index-writer-thread.ts).
  return o.writer ? openIndexWriter(path) : Promise.resolve(openSqliteIndex(path, undefined, false, true));
}

/**
 * The releases in scope (`product`) that ship a component a finding of `vulnerability` names, their own scans not
 * reporting it (release-index/shipped.ts). The findings are those of every product: a package another product's
 * scan found it in is the same package at the same version. `findings`: the `cve` question's answers over every product,
 * when the caller has them already (they are asked for otherwise).
 */
export async function shippedRows(
  store: IndexStore,
  vulnerability: string,
  product?: string,
  findings?: readonly Record<string, unknown>[],
) {
  findings ??= await store.query({ kind: 'cve', id: vulnerability });
  const question = shippedQuestion(findings, product);
  if (!question) return [];
  // Asked in parts of at most SHIPPED_PARAMS_AT_ONCE parameters (SQLite binds 999): each package with its versions
  // (a version binds PURL_RANGE_PARAMS: its package and the two ends of its range of purls).
  const purls = new PurlReader();
  const byKey = new Map<string, string[]>(question.packageKeys.map((k) => [k, []]));
  for (const prefix of question.purlPrefixes ?? []) byKey.get(purls.packageKey(prefix) ?? '')?.push(prefix);
  const parts: { packageKeys: string[]; purlPrefixes: string[] }[] = [];
  // A package named at more versions than one part binds is asked in several parts, each with the package again.
  const most = Math.floor((SHIPPED_PARAMS_AT_ONCE - 1) / PURL_RANGE_PARAMS);
  const pieces = [...byKey].flatMap(([key, all]): [string, string[]][] =>
    all.length <= most
      ? [[key, all]]
      : Array.from({ length: Math.ceil(all.length / most) }, (_, i) => [key, all.slice(i * most, (i + 1) * most)]),
  );
  for (const [key, prefixes] of pieces) {
    const last = parts.at(-1);
    const size = (x: (typeof parts)[number]): number =>
      x.packageKeys.length + PURL_RANGE_PARAMS * x.purlPrefixes.length;
    if (last && size(last) + 1 + PURL_RANGE_PARAMS * prefixes.length <= SHIPPED_PARAMS_AT_ONCE) {
      last.packageKeys.push(key);
      appendAll(last.purlPrefixes, prefixes);
    } else parts.push({ packageKeys: [key], purlPrefixes: [...prefixes] });
  }
  const components: Record<string, unknown>[] = [];
  for (const part of parts)
    appendAll(
      components,
      await store.query({
        ...question,
        packageKeys: part.packageKeys,
        ...(question.purlPrefixes ? { purlPrefixes: part.purlPrefixes } : {}),
      }),
    );
  // Several questions: their rows in one order again, the SQL's (product, created, version).
  if (parts.length > 1) components.sort(indexOrder);
  return shippedAnswers(findings, components);
}

/** How many parameters one query of shippedRows binds (packages and their versions), with room for the product's. */
export const SHIPPED_PARAMS_AT_ONCE = 500;

/** evidence query: one question (release-index/query.ts) to the index, every answer naming its release and bundle. */
export async function queryIndex(db: string, cwd: string, options: QueryOptions) {
  const question = indexQuestion(options);
  const store = await openIndexStore(db, cwd, { existing: true });
  try {
    const { product } = question;
    const scope = product === undefined ? {} : { product };
    // A release whose SBOM lists a component a finding of the vulnerability names answers too, though its scan did not.
    const found = await store.query(question);
    // The findings of every product name the packages: those asked for already when no product narrowed them.
    const rows =
      question.kind === 'cve'
        ? withShipped(found, await shippedRows(store, question.id, product, product === undefined ? found : undefined))
        : found;
    // What the answers cannot speak for: releases whose evidence could not answer, and bundles that did not verify.
    // A release that answered (it ships the component, say) is not listed as unable to, whatever else it lacks.
    const answered = new Set(rows.map((r) => r.bundle_digest));
    const unanswered = (await store.query({ kind: 'unanswered', of: question, ...scope })).filter(
      (r) => !answered.has(r.bundle_digest),
    );
    const releases = Number((await store.query({ kind: 'count', ...scope }))[0]?.n ?? 0);
    const rejected = (await store.rejected()).map((r) => ({ location: r.location, reason: r.reason }));
    const index = { db: shownDb(db), engine: store.engine, schema: store.schema, current: INDEX_SCHEMA_VERSION };
    return { question, rows, releases, unanswered, rejected, index };
  } finally {
    await store.close();
  }
}
