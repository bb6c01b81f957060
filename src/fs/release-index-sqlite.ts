/**
 * The evidence index in one SQLite file, no server and no native build (docs/index.md): Node's built-in `node:sqlite`
 * where the runtime has it without a flag (Node 22.13 and later, 24, 26), else SQLite compiled to WebAssembly
 * (`node-sqlite3-wasm`, reading and writing the file through Node's fs). Both write the same file format, so an
 * index made on one Node opens on another (the file keeps a rollback journal, not WAL, which the WebAssembly engine
 * cannot read). One process at a time: the two engines lock the file differently.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { liveOwnersOf, release, temporaryBeside, whenInterrupted } from './leftovers.js';
import { EvidenceError } from '../core/error.js';
import {
  INDEX_SCHEMA_VERSION,
  MIGRATIONS,
  statementFor,
  COMPONENT_ID_BITS,
  sweepStatements,
  RELEASE_TABLES,
  querySql,
  rejectedInsert,
  releaseInserts,
  type IndexQuery,
  type Sql,
} from '../release-index/sql.js';
import { notIndexable, releaseRows, type IndexedRelease, type RecordedRelease } from '../release-index/rows.js';
import type { Manifest } from '../core/manifest.js';
import type { VerifyReport } from '../verifier/report.js';
export type { QueryOptions } from '../release-index/query.js';

/** The most releases, and the longest time, one commit of the index file groups (see `transaction`). */
export const WRITE_BATCH = 100;
export const WRITE_BATCH_MS = 1000;

export class IndexStoreError extends EvidenceError<'INDEX_UNREADABLE' | 'INDEX_TOO_NEW' | 'INDEX_WRITE_FAILED'> {
  constructor(code: IndexStoreError['code'], message: string, cause?: unknown) {
    super('IndexStoreError', code, message, cause);
  }
}

/** What the index stores and answers, whichever database holds it. */
export interface IndexStore {
  /** Which engine: `node:sqlite`, `sqlite-wasm` or `postgresql`. */
  readonly engine: string;
  /** The schema the index is read as: INDEX_SCHEMA_VERSION, or an earlier one opened read-only and not migrated. */
  readonly schema: number;
  /** Whether the bundle (its sha256) is indexed already: it is not fetched again. */
  has(bundleDigest: string): Promise<boolean>;
  put(rows: IndexedRelease, indexedAt: string): Promise<void>;
  /** Makes the rows of what verified (releaseRows) and puts them, both where the store writes (its thread). */
  putVerified?(input: Parameters<typeof releaseRows>[0], indexedAt: string): Promise<RecordedRelease>;
  reject(r: { location: string; source: string; bundleDigest?: string; reason: string }, at: string): Promise<void>;
  /** Drops every row. */
  clear(): Promise<void>;
  /** `--rebuild`'s end: drops the releases not in `keep` and the rejections not seen since `before` (sql.ts). */
  sweep(keep: ReadonlySet<string>, before: string): Promise<void>;
  query(q: IndexQuery & { product?: string }): Promise<Record<string, unknown>[]>;
  rejected(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

type Param = string | number | null;
interface Driver {
  engine: string;
  exec(sql: string): void;
  run(sql: string, params: Param[]): void;
  all(sql: string, params: Param[]): Record<string, unknown>[];
  close(): void;
}

const require = createRequire(import.meta.url);

/** The part of node:sqlite used here (the types for Node 20 do not have it). */
interface NodeSqlite {
  DatabaseSync: new (path: string) => {
    exec(sql: string): void;
    prepare(sql: string): NodeStatement;
    close(): void;
  };
}

interface NodeStatement {
  run(...params: Param[]): unknown;
  all(...params: Param[]): unknown[];
  /** Node 22.16 and later. */
  setReturnArrays?(enabled: boolean): void;
  columns?(): { name: string }[];
}

/**
 * A statement's `all`, its rows made into objects here from the arrays node:sqlite gives: the objects it makes itself
 * (a null prototype, each member set from C++) are in V8's dictionary mode, slow to make and to read. 8,000 rows of 16
 * columns (the SBOM lookup of `query --cve` at 10,000 releases, docs/performance.md): 115 ms as its objects, 46 ms
 * as arrays, the first time in a process. Where the runtime has no arrays, its objects.
 */
function allRows(s: NodeStatement): (params: Param[]) => Record<string, unknown>[] {
  if (typeof s.setReturnArrays !== 'function' || typeof s.columns !== 'function')
    return (params) => s.all(...params) as Record<string, unknown>[];
  const names = s.columns().map((c) => c.name);
  s.setReturnArrays(true);
  return (params) => {
    const rows = s.all(...params) as unknown[][];
    const out = new Array<Record<string, unknown>>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown[];
      const o: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) o[names[i] as string] = row[i];
      out[r] = o;
    }
    return out;
  };
}

/** Each statement's text prepared once, kept for the life of the connection (the same few run for every row). */
function preparedOnce<S>(prepare: (sql: string) => S): { statement: (sql: string) => S; prepared: Map<string, S> } {
  const prepared = new Map<string, S>();
  const statement = (sql: string): S => {
    let s = prepared.get(sql);
    if (s === undefined) prepared.set(sql, (s = prepare(sql)));
    return s;
  };
  return { statement, prepared };
}

/** node:sqlite when the runtime has it without a flag; undefined otherwise. */
function builtin(path: string): Driver | undefined {
  let mod: NodeSqlite;
  try {
    mod = require('node:sqlite') as NodeSqlite;
  } catch {
    return undefined;
  }
  const db = new mod.DatabaseSync(path);
  const { statement } = preparedOnce((sql) => {
    const prepared = db.prepare(sql);
    return { prepared, all: allRows(prepared) };
  });
  return {
    engine: 'node:sqlite',
    exec: (sql) => db.exec(sql),
    run: (sql, params) => void statement(sql).prepared.run(...params),
    all: (sql, params) => statement(sql).all(params),
    close: () => db.close(),
  };
}

function wasm(path: string): Driver {
  const { Database } = require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
  const db = new Database(path);
  const { statement, prepared } = preparedOnce((sql) => db.prepare(sql));
  const finalize = (s: ReturnType<typeof db.prepare>) => {
    try {
      s.finalize();
    } catch {
      // finalize reports the statement's last error again (a write already refused and undone): nothing to undo.
    }
  };
  // A statement that failed cannot be bound again on this engine ("could not reset"): it is dropped, and prepared
  // anew when next run, so that one refused release does not refuse every later one.
  const once =
    <T>(use: (s: ReturnType<typeof db.prepare>, params: Param[]) => T) =>
    (sql: string, params: Param[]): T => {
      const s = statement(sql);
      try {
        return use(s, params);
      } catch (e) {
        prepared.delete(sql);
        finalize(s);
        throw e;
      }
    };
  return {
    engine: 'sqlite-wasm',
    exec: (sql) => db.exec(sql),
    run: once((s, params) => void s.run(params)),
    all: once((s, params) => s.all(params)),
    close: () => {
      for (const s of prepared.values()) finalize(s);
      db.close();
    },
  };
}

/**
 * Opens (creating it if needed) the index file at `path`, on `engine` when given (tests run both), and brings its
 * schema to INDEX_SCHEMA_VERSION. INDEX_TOO_NEW when the file was written by a later schema; INDEX_UNREADABLE when it
 * is not an index.
 */
export function openSqliteIndex(
  path: string,
  engine?: 'node:sqlite' | 'sqlite-wasm',
  onThread = false,
  /** Opened to be read (query, cra): an index of an earlier schema it may not write is read as it is (migrate). */
  reader = false,
): IndexStore & { flush(): void; digests(): string[] } {
  // On the writer thread (index-writer-thread.ts) the main thread holds the file and relays the signals.
  const owner = onThread ? () => undefined : holdIndex(path);
  let driver: Driver;
  try {
    driver = (engine !== 'sqlite-wasm' ? builtin(path) : undefined) ?? wasm(path);
    if (engine === 'node:sqlite' && driver.engine !== 'node:sqlite')
      throw new Error('node:sqlite is not available on this Node');
    // A rollback journal, not WAL: the WebAssembly engine cannot open a file in WAL mode, and the file must open on
    // every supported Node whichever engine wrote it.
    // A writer or reader of another process holding the file is waited for, up to 5 s, before a write is refused.
    driver.exec('PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000');
  } catch (e) {
    owner();
    throw new IndexStoreError('INDEX_UNREADABLE', `${path}: cannot be opened as an index: ${(e as Error).message}`, e);
  }
  let schema: number;
  try {
    schema = migrate(driver, path, reader);
  } catch (e) {
    driver.close();
    owner();
    throw e;
  }
  // Writes are grouped: one transaction holds up to WRITE_BATCH releases or WRITE_BATCH_MS of work, each release in a
  // savepoint of its own (a failed one is undone alone). A commit syncs the file, and syncing per release cost more
  // than verifying it. A run killed mid-batch leaves the file as of the last commit: the releases after it are not in
  // the index, and the next run indexes them (nothing is half-written; rollback journal).
  let open: { since: number; writes: number; timer: NodeJS.Timeout } | undefined;
  // The batch is open until COMMIT succeeds: a commit refused (the file busy past the busy timeout) leaves it open, to
  // be committed again, never closed as if written.
  const commit = () => {
    if (!open) return;
    try {
      driver.exec('COMMIT');
    } catch (e) {
      throw new IndexStoreError(
        'INDEX_WRITE_FAILED',
        `${path}: the last ${open.writes} releases are not written yet: ${(e as Error).message}`,
        e,
      );
    }
    clearTimeout(open.timer);
    open = undefined;
  };
  // A batch is committed a second after it opens even when no release follows (a slow download), and on SIGINT,
  // SIGTERM or SIGHUP before the process ends: only SIGKILL loses it.
  const commitQuietly = () => {
    try {
      commit();
    } catch {
      // Left open: the next write or close commits it, or says it could not.
    }
  };
  const unlisten = onThread ? () => undefined : whenInterrupted(commitQuietly);
  const transaction = (statements: Sql[], alone = false) => {
    try {
      if (!open) {
        driver.exec('BEGIN IMMEDIATE');
        open = { since: Date.now(), writes: 0, timer: setTimeout(commitQuietly, WRITE_BATCH_MS).unref() };
      }
    } catch (e) {
      throw new IndexStoreError('INDEX_WRITE_FAILED', `${path}: not written: ${(e as Error).message}`, e);
    }
    try {
      driver.exec('SAVEPOINT one_release');
      for (const s of statements) driver.run(s.text, s.params);
      driver.exec('RELEASE one_release');
    } catch (e) {
      try {
        driver.exec('ROLLBACK TO one_release');
        driver.exec('RELEASE one_release');
      } catch {
        // SQLite rolled the whole transaction back itself (an I/O or memory error): the batch is gone, and said so.
        const lost = open?.writes ?? 0;
        if (open) clearTimeout(open.timer);
        open = undefined;
        throw new IndexStoreError(
          'INDEX_WRITE_FAILED',
          `${path}: not written, with the ${lost} releases before it in this batch: ${(e as Error).message}`,
          e,
        );
      }
      throw new IndexStoreError('INDEX_WRITE_FAILED', `${path}: not written: ${(e as Error).message}`, e);
    }
    open.writes++;
    if (alone || open.writes >= WRITE_BATCH || Date.now() - open.since >= WRITE_BATCH_MS) commit();
  };
  const digests = () => driver.all('SELECT bundle_digest FROM releases', []).map((r) => String(r.bundle_digest));
  return {
    engine: driver.engine,
    schema,
    flush: commitQuietly,
    digests,
    has: (digest) => promised(() => driver.all('SELECT 1 FROM releases WHERE bundle_digest = ?', [digest]).length > 0),
    put: (rows, at) =>
      promised(() => {
        // A component's id holds its place in the release's list in COMPONENT_ID_BITS (sql.ts).
        if (rows.components.length >= 2 ** COMPONENT_ID_BITS)
          throw new IndexStoreError(
            'INDEX_WRITE_FAILED',
            `${path}: ${rows.release.location} not written: its SBOMs list ${rows.components.length} components, and a release of this index holds fewer than ${2 ** COMPONENT_ID_BITS}`,
          );
        const held =
          driver.all('SELECT 1 FROM releases WHERE bundle_digest = ?', [rows.release.bundleDigest]).length > 0;
        transaction(releaseInserts(rows, at, held, 'sqlite'));
      }),
    reject: (r, at) => promised(() => transaction(rejectedInsert(r, at))),
    clear: () =>
      promised(() =>
        transaction(
          ['releases', ...RELEASE_TABLES, 'rejected'].map((t) => ({ text: `DELETE FROM ${t}`, params: [] })),
          true,
        ),
      ),
    sweep: (keep, before) => promised(() => transaction(sweepStatements(digests(), keep, before), true)),
    query: (q) => {
      const s = querySql(q, schema);
      return Promise.resolve(driver.all(s.text, s.params));
    },
    rejected: () => Promise.resolve(driver.all('SELECT * FROM rejected ORDER BY source, location', [])),
    close: () =>
      promised(() => {
        try {
          commit();
        } finally {
          unlisten();
          if (open) clearTimeout(open.timer);
          driver.close();
          owner();
        }
      }),
  };
}

/** The synchronous engines' work as a promise: what it throws, rejected (a caller's `.catch` sees it). */
function promised<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * Marks the index as this run's (an empty `.NAME.PID.RANDOM.partial` beside it, removed on close or signal), after
 * sweeping the lock the WebAssembly engine leaves when its run is killed: a `NAME.lock` folder that would refuse every
 * later run ("database is locked"). It is removed only when no live run has marked the index; the rollback journal
 * beside it is kept, and the next open rolls back what the killed run had not committed. Returns the unmarking.
 */
export function holdIndex(path: string): () => void {
  const marker = temporaryBeside(path);
  try {
    writeFileSync(marker, '');
  } catch {
    // A folder this run cannot write (an index opened to be queried): unmarked, and no lock is swept.
    release(marker);
    return () => undefined;
  }
  if (liveOwnersOf(path).length === 0) rmSync(`${path}.lock`, { recursive: true, force: true });
  return () => {
    rmSync(marker, { force: true });
    release(marker);
  };
}

/**
 * Brings the file to INDEX_SCHEMA_VERSION; the schema it is read as. Opened to be read, a file this process may not
 * write (an auditor's copy) is read as the schema it has, from 3 on: what a later schema adds reads as NULL (querySql).
 * Opened to be written, one that cannot be brought to INDEX_SCHEMA_VERSION is refused, saying so.
 */
function migrate(driver: Driver, path: string, reader: boolean): number {
  const tables = driver.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'index_meta'", []);
  let version = 0;
  if (tables.length) {
    const row = driver.all("SELECT value FROM index_meta WHERE name = 'schema'", [])[0];
    version = Number(row?.value ?? 0);
    if (!Number.isInteger(version) || version < 1)
      throw new IndexStoreError('INDEX_UNREADABLE', `${path}: an index_meta table without a schema version`);
  } else if (driver.all("SELECT name FROM sqlite_master WHERE type = 'table'", []).length) {
    throw new IndexStoreError('INDEX_UNREADABLE', `${path}: a SQLite database, but not an evidence index`);
  }
  if (version > INDEX_SCHEMA_VERSION)
    throw new IndexStoreError(
      'INDEX_TOO_NEW',
      `${path}: written by schema ${version}; this evidence reads up to ${INDEX_SCHEMA_VERSION} (upgrade evidence)`,
    );
  for (let v = version; v < INDEX_SCHEMA_VERSION; v++) {
    try {
      driver.exec('BEGIN IMMEDIATE');
      for (const statement of MIGRATIONS[v] ?? []) {
        const text = statementFor(statement, 'sqlite');
        if (text !== undefined) driver.exec(text);
      }
      driver.run(
        v === 0
          ? "INSERT INTO index_meta (name, value) VALUES ('schema', ?)"
          : "UPDATE index_meta SET value = ? WHERE name = 'schema'",
        [String(v + 1)],
      );
      driver.exec('COMMIT');
    } catch (e) {
      try {
        driver.exec('ROLLBACK');
      } catch {
        // No transaction was open (BEGIN itself was refused).
      }
      const readOnly = /readonly|read-only/i.test((e as Error).message);
      if (reader && v >= 3 && readOnly) return v;
      throw new IndexStoreError(
        'INDEX_UNREADABLE',
        `${path}: an index of schema ${v}, which cannot be brought to ${INDEX_SCHEMA_VERSION} here: ${(e as Error).message}`,
        e,
      );
    }
  }
  return INDEX_SCHEMA_VERSION;
}

type Verified = { report: VerifyReport; manifest?: Manifest } | EvidenceError<string>;

/** Why a verification is not indexed as fact (recordVerification rejects it); undefined when it is indexed. */
export function rejectionOf(verified: Verified): string | undefined {
  if (verified instanceof EvidenceError) return `could not be verified: ${verified.code}: ${verified.message}`;
  return notIndexable(verified.report) ?? (verified.manifest ? undefined : 'no manifest could be read');
}

/**
 * Stores what one verification found: the release's rows when it verified as signed evidence, else the bundle as
 * rejected with the reason (never indexed as fact), also when its verification could not start (an unreadable file).
 */
export async function recordVerification(
  store: IndexStore,
  verified: Verified,
  blobs: ReadonlyMap<string, Buffer>,
  where: { location: string; source: string; digest: string; signatureUrl?: (path: string) => string | undefined },
  at: string,
): Promise<{ rows: RecordedRelease; reason?: undefined } | { rows?: undefined; reason: string }> {
  const { location, source, digest } = where;
  const reason = rejectionOf(verified);
  // rejectionOf says why whenever one of these holds; the checks narrow the type.
  if (reason !== undefined || verified instanceof EvidenceError || !verified.manifest) {
    await store.reject({ location, source, bundleDigest: digest, reason: reason ?? '' }, at);
    return { reason: reason ?? '' };
  }
  // Where a signature the source gave was read (its URL), not the path verify read it from.
  const used = verified.report.signature?.attestation?.uri;
  const signatureAt = used === undefined ? undefined : where.signatureUrl?.(used);
  const { report, manifest } = verified;
  const input = { report, manifest, blobs, location, source, ...(signatureAt ? { signatureAt } : {}) };
  if (store.putVerified) return { rows: await store.putVerified(input, at) };
  const rows = releaseRows(input);
  await store.put(rows, at);
  return { rows };
}
