import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { recordingQueue } from '../../src/fs/index-writer-thread.js';
import { openSqliteIndex } from '../../src/fs/release-index-sqlite.js';
import { INDEX_SCHEMA_VERSION } from '../../src/release-index/sql.js';
import { indexedRelease } from '../helpers/index-rows.js';
import { runCli } from '../helpers/io.js';
import { threeReleases } from '../helpers/release-bundles.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * `evidence index` makes a release's rows and writes them on a thread of its own (src/fs/index-writer-thread.ts) while
 * the next bundle is verified. Only the compiled module can start the thread, so these run dist/: the store from
 * dist/src/fs/index-writer-thread.js, and the command line from dist/bin/evidence.js, whose index must hold the same
 * rows as the one the inline store (these sources, under the test runner) writes.
 */
const tmp = useTmp();
const THREAD = join(process.cwd(), 'dist', 'src', 'fs', 'index-writer-thread.js');
const LEFTOVERS = join(process.cwd(), 'dist', 'src', 'fs', 'leftovers.js');
const BIN = join(process.cwd(), 'dist', 'bin', 'evidence.js');
const compiled = existsSync(THREAD) && existsSync(BIN);
if (!compiled) console.log(`skipping the index writer thread tests: ${THREAD} or ${BIN} is absent (npm test builds)`);
const AT = '2026-12-01T00:00:00Z';

type Writer = typeof import('../../src/fs/index-writer-thread.js');
const load = async () => (await import(THREAD)) as Writer;

describe('recordingQueue', () => {
  it('starts each record without waiting for the last, at most `depth` at once, outcomes in order', async () => {
    const q = recordingQueue(2);
    const running = new Set<number>();
    let most = 0;
    const seen: number[] = [];
    for (let i = 0; i < 6; i++)
      await q.add(
        async () => {
          running.add(i);
          most = Math.max(most, running.size);
          await new Promise((r) => setTimeout(r, 5));
          running.delete(i);
          return i;
        },
        (v) => seen.push(v),
      );
    expect(seen.length).toBeLessThan(6); // add returned before every record was done
    await q.settle();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('throws the first failure from the next add or from settle, never as an unhandled rejection', async () => {
    const q = recordingQueue(1);
    const failure = Object.assign(new Error('disk full'), { code: 'INDEX_WRITE_FAILED' });
    await q.add(
      () => Promise.reject(failure),
      () => undefined,
    );
    await expect(
      q.add(
        () => Promise.resolve(1),
        () => undefined,
      ),
    ).rejects.toBe(failure);
    const r = recordingQueue(2);
    await r.add(
      () => Promise.reject(failure),
      () => undefined,
    );
    await expect(r.settle()).rejects.toBe(failure);
  });
});

describe.skipIf(!compiled)('the index written on its own thread (compiled)', () => {
  it('is threaded, answers as the file it wrote, and has() knows a release put before its write is done', async () => {
    const { CAN_THREAD, openIndexWriter } = await load();
    expect(CAN_THREAD).toBe(true);
    const file = join(await tmp(), 'index.db');
    const store = await openIndexWriter(file, 'sqlite-wasm');
    const a = indexedRelease('1.2.0', '4.17.20');
    const writing = store.put(a, AT);
    expect(await store.has(a.release.bundleDigest)).toBe(true);
    await writing;
    const rows = await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' });
    expect(rows.map((r) => r.version)).toEqual(['1.2.0']);
    await store.close();
    // Reopened (a second run): the release is there, and known without asking the thread's file.
    const again = await openIndexWriter(file, 'sqlite-wasm');
    expect(await again.has(a.release.bundleDigest)).toBe(true);
    await again.clear();
    expect(await again.has(a.release.bundleDigest)).toBe(false);
    await again.close();
    // The file's marker is gone with the run.
    expect(readdirSync(join(file, '..')).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('says what the thread could not do with the store error and its code, and leaves no marker', async () => {
    const { openIndexWriter } = await load();
    const { IndexStoreError } = (await import(
      join(process.cwd(), 'dist', 'src', 'fs', 'release-index-sqlite.js')
    )) as typeof import('../../src/fs/release-index-sqlite.js');
    const dir = await tmp();
    const newer = join(dir, 'newer.db');
    const s = openSqliteIndex(newer, 'sqlite-wasm');
    await s.close();
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
    const db = new Database(newer);
    db.run(`UPDATE index_meta SET value = '${INDEX_SCHEMA_VERSION + 1}' WHERE name = 'schema'`);
    db.close();
    const opening = openIndexWriter(newer, 'sqlite-wasm');
    await expect(opening).rejects.toBeInstanceOf(IndexStoreError);
    await expect(opening).rejects.toMatchObject({ code: 'INDEX_TOO_NEW' });
    // A write SQLite refuses (a release without a product) is INDEX_WRITE_FAILED; the store goes on.
    const file = join(dir, 'index.db');
    const store = await openIndexWriter(file, 'sqlite-wasm');
    const bad = indexedRelease('1.3.0', '4.17.21');
    await expect(
      store.put({ ...bad, release: { ...bad.release, product: null as unknown as string } }, AT),
    ).rejects.toMatchObject({ code: 'INDEX_WRITE_FAILED' });
    await store.put(indexedRelease('1.2.0', '4.17.20'), AT);
    expect(await store.query({ kind: 'license', license: 'WTFPL' })).toHaveLength(1);
    await store.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('a release whose rows cannot be made fails alone: the thread goes on, and what it acknowledged is written', async () => {
    const { openIndexWriter } = await load();
    const file = join(await tmp(), 'index.db');
    const store = await openIndexWriter(file, 'sqlite-wasm');
    const good = indexedRelease('1.2.0', '4.17.20');
    await store.put(good, AT);
    // A report without checks: releaseRows throws on the thread (no real input was found to do so).
    const broken = {
      report: { bundle: { digest: `sha256:${'b'.repeat(64)}` } },
      manifest: { name: 'x', version: '1', created: AT, entries: [], subjects: [] },
      blobs: new Map(),
      location: 'l',
      source: 's',
    } as never;
    await expect(store.putVerified?.(broken, AT)).rejects.toMatchObject({ code: 'INDEX_WRITE_FAILED' });
    expect(await store.has(`sha256:${'b'.repeat(64)}`)).toBe(false);
    await store.put(indexedRelease('1.3.0', '4.17.21'), AT);
    await store.close();
    const again = openSqliteIndex(file, 'sqlite-wasm');
    expect(await again.query({ kind: 'license', license: 'WTFPL' })).toHaveLength(2);
    await again.close();
  });

  it('on SIGINT, the open batch on the thread is committed before the process ends', async () => {
    {
      const dir = await tmp();
      const db = join(dir, 'a.db');
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { openIndexWriter } = await import(${JSON.stringify(THREAD)});
           (await import(${JSON.stringify(LEFTOVERS)})).cleanUpOnSignals();
           const store = await openIndexWriter(${JSON.stringify(db)}, 'sqlite-wasm');
           const rows = JSON.parse(process.argv[1]);
           for (let i = 0; i < 3; i++)
             await store.put({ ...rows, release: { ...rows.release, bundleDigest: 'sha256:' + String(i).padStart(64, '0') } }, '${AT}');
           process.kill(process.pid, 'SIGINT'); await new Promise(() => setTimeout(() => {}, 10_000));`,
          JSON.stringify(indexedRelease('1.2.0', '4.17.20')),
        ],
        { encoding: 'utf8' },
      );
      expect(child.status, child.stderr).toBe(130);
      const store = openSqliteIndex(db, 'sqlite-wasm');
      expect(await store.query({ kind: 'purl', purl: 'pkg:npm/left-pad@1.3.0' })).toHaveLength(3);
      await store.close();
    }
  });

  it('the command line indexes on the thread the same rows as the inline store', async () => {
    const dir = await tmp();
    await threeReleases(dir);
    const args = (db: string) => ['index', 'bundles', '--db', db, '--key', 'key.pub.pem', '--json', '-q'];
    const inline = await runCli(args('inline.db'), { cwd: dir });
    const threaded = await promisify(execFile)(process.execPath, [BIN, ...args('thread.db')], { cwd: dir }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect([inline.code, threaded.code]).toEqual([1, 1]); // 1.4.4 is signed by another key
    const result = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), index: undefined });
    expect(result(threaded.stdout)).toEqual(result(inline.stdout));
    expect(result(threaded.stdout)).toMatchObject({ indexed: 2 });
    const ask = async (db: string, ...q: string[]) => {
      const r = await runCli(['query', '--db', db, '--json', ...q], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { answers: Record<string, unknown>[] }).answers.map((a) => ({
        ...a,
        indexed_at: undefined,
      }));
    };
    for (const q of [
      ['--purl', 'pkg:npm/deep-extend'],
      ['--cve', 'CVE-2018-3750'],
      ['--license', 'MIT'],
      ['--missing', 'scan'],
    ]) {
      const answers = await ask('thread.db', ...q);
      expect(answers.length, q.join(' ')).toBeGreaterThan(0);
      expect(answers).toEqual(await ask('inline.db', ...q));
    }
  }, 120_000);
});
