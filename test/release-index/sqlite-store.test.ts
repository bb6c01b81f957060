import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITE_BATCH, openSqliteIndex } from '../../src/fs/release-index-sqlite.js';
import { INDEX_SCHEMA_VERSION, MIGRATIONS, querySql, statementFor } from '../../src/release-index/sql.js';
import {
  indexedRelease as release,
  undoSchema6,
  undoSchema7,
  undoSchema8,
  undoSchema9,
} from '../helpers/index-rows.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

const engines = ['sqlite-wasm', 'node:sqlite'] as const;
let builtin = true;
try {
  (await import('node:module')).createRequire(import.meta.url)('node:sqlite');
} catch {
  builtin = false;
  console.log(`node:sqlite is not in Node ${process.version}: only the WebAssembly engine is tested on it`);
}

/**
 * An index file holding release 1.2.0 as an earlier schema wrote it: written by this one, then taken back by `undo`
 * (run by the WebAssembly engine, which drops columns on any Node) and marked as of `version`.
 */
async function indexOfSchema(file: string, engine: (typeof engines)[number], version: number, undo: string[]) {
  const store = openSqliteIndex(file, engine);
  await store.put(release('1.2.0', '4.17.20'), '2026-12-02T00:00:00Z');
  await store.close();
  const { createRequire } = await import('node:module');
  const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
  const db = new Database(file);
  // Schema 9's tables are SQLite's own (PostgreSQL's are as at 8): undone first for any earlier version.
  for (const statement of [...(version < 9 ? undoSchema9() : []), ...undo]) db.run(statement);
  db.run(`UPDATE index_meta SET value = '${version}' WHERE name = 'schema'`);
  db.close();
}

describe.each(engines)('the embedded index on %s', (engine) => {
  const run = engine === 'node:sqlite' && !builtin ? it.skip : it;

  run('stores releases and answers each kind of question, naming the bundle behind every answer', async () => {
    const file = join(await tmp(), 'index.db');
    const store = openSqliteIndex(file, engine);
    expect(store.engine).toBe(engine);
    await store.put(release('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
    await store.put(release('1.3.0', '4.17.21'), '2026-12-01T00:00:00Z');
    expect(await store.has(release('1.2.0', '4.17.20').release.bundleDigest)).toBe(true);
    expect(await store.has(`sha256:${'9'.repeat(64)}`)).toBe(false);
    const versions = (rows: Record<string, unknown>[]) => rows.map((r) => r.version);

    expect(versions(await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' }))).toEqual(['1.2.0']);
    // Through the package's index (what `evidence query --purl` asks), the same answer.
    const within = { kind: 'purl', purl: 'pkg:npm/lodash@4.17.20', within: 'npm//lodash' } as const;
    expect(versions(await store.query(within))).toEqual(['1.2.0']);
    expect(versions(await store.query({ ...within, within: 'npm//left-pad' }))).toEqual([]);
    const across = await store.query({ kind: 'purl', purl: 'pkg:npm/lodash', packageKey: 'npm//lodash' });
    expect(across.map((r) => [r.version, r.component_version])).toEqual([
      ['1.2.0', '4.17.20'],
      ['1.3.0', '4.17.21'],
    ]);
    // A CVE by any of its ids, with each release's disposition.
    const cve = await store.query({ kind: 'cve', id: 'GHSA-35JH-R3H4-6JHM' });
    expect(cve.map((r) => [r.version, r.status, r.bundle_digest])).toEqual([
      ['1.2.0', 'affected', release('1.2.0', '').release.bundleDigest],
      ['1.3.0', 'not_affected', release('1.3.0', '').release.bundleDigest],
    ]);
    expect(versions(await store.query({ kind: 'digest', digest: `sha256:${'e'.repeat(63)}3` }))).toEqual(['1.3.0']);
    expect(versions(await store.query({ kind: 'digest', digest: release('1.2.0', '').release.bundleDigest }))).toEqual([
      '1.2.0',
    ]);
    expect(versions(await store.query({ kind: 'license', license: 'WTFPL' }))).toEqual(['1.2.0', '1.3.0']);
    expect(versions(await store.query({ kind: 'missing', evidenceKind: 'junit' }))).toEqual(['1.2.0']);
    expect(
      versions(await store.query({ kind: 'control', control: 'SSDF-RV.1.2', since: '2026-03-01T00:00:00Z' })),
    ).toEqual(['1.3.0']);
    expect(await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20', product: 'other' })).toEqual([]);
    await store.close();
  });

  run('a release SQLite refuses is INDEX_WRITE_FAILED, undone alone: the next is written', async () => {
    const store = openSqliteIndex(join(await tmp(), 'index.db'), engine);
    const bad = release('1.3.0', '4.17.21');
    const refused = { ...bad, release: { ...bad.release, product: null as unknown as string } };
    await expect(store.put(refused, '2026-12-01T00:00:00Z')).rejects.toMatchObject({ code: 'INDEX_WRITE_FAILED' });
    // The same statements again (the wasm engine's failed statement could not be bound again, and refused them all).
    await store.put(release('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
    expect(await store.query({ kind: 'license', license: 'WTFPL' })).toHaveLength(1);
    expect(await store.has(bad.release.bundleDigest)).toBe(false);
    await store.close();
  });

  run(
    'indexing a bundle again replaces its rows; a rejected bundle is listed, never indexed; clear empties it',
    async () => {
      const file = join(await tmp(), 'index.db');
      const store = openSqliteIndex(file, engine);
      await store.put(release('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
      await store.put(release('1.2.0', '4.17.20'), '2026-12-02T00:00:00Z');
      expect(await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' })).toHaveLength(1);
      await store.reject(
        {
          location: 'oci://registry.example/acme/web:1.9.0',
          source: 'oci://registry.example/acme/web',
          reason: 'did not verify',
        },
        '2026-12-02T00:00:00Z',
      );
      expect((await store.rejected()).map((r) => r.location)).toEqual(['oci://registry.example/acme/web:1.9.0']);
      await store.close();
      // The file keeps it all: opened again (on the other engine where there is one), the same answers.
      const again = openSqliteIndex(file);
      expect(await again.query({ kind: 'missing', evidenceKind: 'junit' })).toHaveLength(1);
      await again.clear();
      expect(await again.query({ kind: 'missing', evidenceKind: 'junit' })).toEqual([]);
      expect(await again.rejected()).toEqual([]);
      await again.close();
    },
  );

  run('a release that cannot be written is undone alone; the releases written before it stay', async () => {
    const file = join(await tmp(), 'index.db');
    const store = openSqliteIndex(file, engine);
    await store.put(release('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
    const broken = release('1.3.0', '4.17.21');
    broken.components = [{ ...broken.components[0]!, name: null as unknown as string }];
    await expect(store.put(broken, '2026-12-01T00:00:00Z')).rejects.toMatchObject({ code: 'INDEX_WRITE_FAILED' });
    await store.put(release('1.4.0', '4.17.21'), '2026-12-01T00:00:00Z');
    await store.close();
    const again = openSqliteIndex(file, engine);
    const rows = await again.query({ kind: 'purl', purl: 'pkg:npm/left-pad@1.3.0' });
    expect(rows.map((r) => r.version)).toEqual(['1.2.0', '1.4.0']);
    expect(await again.has(broken.release.bundleDigest)).toBe(false);
    await again.close();
  });

  // Writes are committed in groups (WRITE_BATCH releases or a second): a run killed between commits leaves the file
  // as of its last commit, whole releases only, and it opens.
  const dist = join(process.cwd(), 'dist', 'src', 'fs', 'release-index-sqlite.js');
  const killed = existsSync(dist) ? run : it.skip;
  if (!existsSync(dist))
    console.log(`skipping the killed-run index test: ${dist} is absent (npm test builds it first)`);
  killed('a run killed with SIGKILL leaves whole releases, as of the last commit', async () => {
    const file = join(await tmp(), 'index.db');
    const script = `
      const { openSqliteIndex } = await import(${JSON.stringify(dist)});
      const store = openSqliteIndex(${JSON.stringify(file)}, ${JSON.stringify(engine)});
      const rows = JSON.parse(process.argv[1]);
      for (let i = 0; i < ${WRITE_BATCH + 5}; i++)
        await store.put({ ...rows, release: { ...rows.release, bundleDigest: 'sha256:' + String(i).padStart(64, '0') } }, '2026-12-01T00:00:00Z');
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify(release('1.2.0', '4.17.20'))],
      {
        encoding: 'utf8',
      },
    );
    expect(child.signal).toBe('SIGKILL');
    const store = openSqliteIndex(file, engine);
    const held = await store.query({ kind: 'purl', purl: 'pkg:npm/left-pad@1.3.0' });
    // The first WRITE_BATCH were committed; the rest were not, and are not there in part either.
    expect(held.length).toBeGreaterThanOrEqual(WRITE_BATCH);
    expect(held.length).toBeLessThan(WRITE_BATCH + 5);
    const lodash = await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' });
    expect(lodash.length).toBe(held.length);
    await store.close();
  });

  killed(
    'on SIGINT the open batch is committed before the process ends; a second after it opens, it is committed',
    async () => {
      const dir = await tmp();
      const leftovers = join(process.cwd(), 'dist', 'src', 'fs', 'leftovers.js');
      const child = (file: string, end: string) =>
        spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `
          const { openSqliteIndex } = await import(${JSON.stringify(dist)});
          (await import(${JSON.stringify(leftovers)})).cleanUpOnSignals();
          const store = openSqliteIndex(${JSON.stringify(file)}, ${JSON.stringify(engine)});
          const rows = JSON.parse(process.argv[1]);
          for (let i = 0; i < 3; i++)
            await store.put({ ...rows, release: { ...rows.release, bundleDigest: 'sha256:' + String(i).padStart(64, '0') } }, '2026-12-01T00:00:00Z');
          ${end}`,
            JSON.stringify(release('1.2.0', '4.17.20')),
          ],
          { encoding: 'utf8' },
        );
      const held = async (file: string) => {
        const store = openSqliteIndex(file, engine);
        const rows = await store.query({ kind: 'purl', purl: 'pkg:npm/left-pad@1.3.0' });
        await store.close();
        return rows.length;
      };
      // Interrupted at once: committed on the signal (128 + 2).
      const interrupted = child(
        join(dir, 'a.db'),
        "process.kill(process.pid, 'SIGINT'); await new Promise(() => setTimeout(() => {}, 10_000));",
      );
      expect(interrupted.status).toBe(130);
      expect(await held(join(dir, 'a.db'))).toBe(3);
      // Idle past a second, then killed: the timer committed the batch.
      const idle = child(
        join(dir, 'b.db'),
        "await new Promise((r) => setTimeout(r, 1_500)); process.kill(process.pid, 'SIGKILL');",
      );
      expect(idle.signal).toBe('SIGKILL');
      expect(await held(join(dir, 'b.db'))).toBe(3);
    },
  );

  run('refuses a file that is no index, and an index of a later schema', async () => {
    const dir = await tmp();
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'not a database at all, just some text that is long enough '.repeat(20));
    expect(() => openSqliteIndex(text, engine)).toThrow(expect.objectContaining({ code: 'INDEX_UNREADABLE' }));
    const newer = join(dir, 'newer.db');
    const store = openSqliteIndex(newer, engine);
    await store.close();
    const { createRequire } = await import('node:module');
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
    const db = new Database(newer);
    db.run("UPDATE index_meta SET value = '99' WHERE name = 'schema'");
    db.close();
    expect(() => openSqliteIndex(newer, engine)).toThrow(expect.objectContaining({ code: 'INDEX_TOO_NEW' }));
    const other = join(dir, 'other.db');
    const odb = new Database(other);
    odb.exec('CREATE TABLE t (x)');
    odb.close();
    expect(() => openSqliteIndex(other, engine)).toThrow(expect.objectContaining({ code: 'INDEX_UNREADABLE' }));
  });

  run('migrates an index of schema 1: its findings keep NULL for what schema 1 did not record', async () => {
    const dir = await tmp();
    const file = join(dir, 'v1.db');
    const { createRequire } = await import('node:module');
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
    const db = new Database(file);
    for (const statement of MIGRATIONS[0] ?? []) db.exec(statementFor(statement, 'sqlite') ?? '');
    db.run("INSERT INTO index_meta (name, value) VALUES ('schema', '1')");
    db.run(
      "INSERT INTO findings (bundle_digest, finding_id, purl, severity, status, justification, fix_versions, status_from) VALUES ('sha256:old', 'CVE-1', 'pkg:npm/a@1', 'high', 'affected', '', '', '')",
    );
    db.close();
    const store = openSqliteIndex(file, engine);
    await store.put(release('1.2.0', '4.17.20'), '2026-12-02T00:00:00Z');
    const rows = await store.query({ kind: 'vulnerability', id: 'CVE-2021-23337' });
    expect(rows.map((r) => [r.action_statement, r.known_exploited])).toEqual([['upgrade to 4.17.21', 0]]);
    await store.close();
    const again = new Database(file);
    expect(again.all("SELECT value FROM index_meta WHERE name = 'schema'")).toEqual([
      { value: String(INDEX_SCHEMA_VERSION) },
    ]);
    expect(
      again.all("SELECT action_statement, known_exploited FROM findings WHERE bundle_digest = 'sha256:old'"),
    ).toEqual([{ action_statement: null, known_exploited: null }]);
    again.close();
  });

  run('names the releases in scope that cannot answer a question, and why', async () => {
    const store = openSqliteIndex(join(await tmp(), 'u.db'), engine);
    const scanned = release('1.2.0', '4.17.20');
    await store.put({ ...scanned, kinds: [...scanned.kinds, { kind: 'vulnerabilities', count: 1, empty: 0 }] }, 'now');
    const bare = release('1.3.0', '4.17.21');
    await store.put(
      {
        ...bare,
        release: { ...bare.release, policy: 'none', findingsRead: false },
        components: [],
        findings: [],
        controls: [],
        kinds: [{ kind: 'junit', count: 1, empty: 0 }],
      },
      'now',
    );
    const unanswered = async (of: Parameters<typeof store.query>[0]) =>
      (await store.query({ kind: 'unanswered', of })).map((r) => [r.version, r.why]);
    expect(await unanswered({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' })).toEqual([['1.3.0', 'no SBOM']]);
    expect(await unanswered({ kind: 'cve', id: 'CVE-2021-23337' })).toEqual([['1.3.0', 'no vulnerability scan']]);
    expect(await unanswered({ kind: 'control', control: 'SSDF-RV.1.2' })).toEqual([
      ['1.3.0', 'no policy was applied when it was indexed'],
    ]);
    expect(await unanswered({ kind: 'missing', evidenceKind: 'junit' })).toEqual([]);
    expect(await store.query({ kind: 'count', product: 'acme-web' })).toEqual([{ n: 2 }]);
    await store.close();
  });

  run(
    'answers no more than the evidence: entries that hold nothing, components without a purl, licence terms, signing dates',
    async () => {
      const file = join(await tmp(), 's6.db');
      const store = openSqliteIndex(file, engine);
      const a = release('1.2.0', '4.17.20');
      await store.put(
        {
          ...a,
          // Its only JUnit report holds no test; its SBOM names one component without a purl; lodash is dual-licensed.
          release: {
            ...a.release,
            componentsWithoutPurl: 1,
            componentsWithoutLicense: 1,
            signedAt: '2026-07-02T00:00:00Z',
          },
          components: [
            { ...a.components[0]!, licenses: ['MIT', 'GPL-3.0-only'], expressions: ['MIT OR GPL-3.0-only'] },
            { purl: 'name:vendored@1', packageKey: 'name:vendored', name: 'vendored', version: '1', licenses: [] },
          ],
          kinds: [...a.kinds, { kind: 'junit', count: 1, empty: 1 }],
        },
        'now',
      );
      const b = release('1.3.0', '4.17.21');
      // Back-dated by its signer: created in March, signed (a verified timestamp) in August.
      await store.put(
        { ...b, release: { ...b.release, created: '2026-03-01T00:00:00Z', signedAt: '2026-08-01T00:00:00.000Z' } },
        'now',
      );
      const versions = async (q: Parameters<typeof store.query>[0]) => (await store.query(q)).map((r) => r.version);
      // A test report without tests is not test evidence: 1.2.0 lacks it, and the answer says it has one that is empty.
      expect(await store.query({ kind: 'missing', evidenceKind: 'junit' })).toMatchObject([
        { version: '1.2.0', hollow: 1 },
      ]);
      expect(await store.query({ kind: 'unanswered', of: { kind: 'missing', evidenceKind: 'junit' } })).toEqual([]);
      // A purl question cannot see a component without a purl: the release is listed as unable to answer, and why.
      expect(
        (await store.query({ kind: 'unanswered', of: { kind: 'purl', purl: 'pkg:npm/vendored@1' } })).map((r) => [
          r.version,
          r.why,
        ]),
      ).toEqual([['1.2.0', '1 of its components have no purl that reads, so a purl cannot find them']]);
      // SPDX licence ids are matched whatever their case, with the expression the licence is a term of.
      expect(await store.query({ kind: 'license', license: 'gpl-3.0-ONLY' })).toMatchObject([
        { version: '1.2.0', license: 'GPL-3.0-only', expression: 'MIT OR GPL-3.0-only' },
      ]);
      expect(await versions({ kind: 'license', license: 'mit' })).toEqual(['1.2.0', '1.3.0']);
      expect((await store.query({ kind: 'license', license: 'WTFPL' }))[0]).toMatchObject({ expression: '' });
      // A component that names no licence could be under any: the release cannot say it ships no Apache-2.0 code.
      expect(
        (await store.query({ kind: 'unanswered', of: { kind: 'license', license: 'Apache-2.0' } })).map((r) => [
          r.version,
          r.why,
        ]),
      ).toEqual([
        [
          '1.2.0',
          '1 of its components name no licence id, or an expression that does not read, so a licence cannot find them',
        ],
      ]);
      // A period is placed by the verified signing time, not the manifest's created (which the signer writes).
      expect(await versions({ kind: 'control', control: 'SSDF-RV.1.2', until: '2026-06-30T23:59:59Z' })).toEqual([]);
      expect(await versions({ kind: 'control', control: 'SSDF-RV.1.2', since: '2026-07-15T00:00:00Z' })).toEqual([
        '1.3.0',
      ]);
      // Placed to the second, whatever the precision the time was kept with; and said to be verified-time dated.
      expect(
        await store.query({ kind: 'control', control: 'SSDF-RV.1.2', since: '2026-08-01T00:00:00Z' }),
      ).toMatchObject([{ version: '1.3.0', dated_by: 'verified-time' }]);
      // Who stated a status, and when, are kept with the finding.
      expect((await store.query({ kind: 'cve', id: 'CVE-2021-23337' }))[0]).toMatchObject({
        status_author: 'Acme PSIRT',
        status_at: '2026-02-01T00:00:00Z',
        conflicts: '',
        conflicts_total: 0,
      });
      await store.close();
    },
  );

  run('a release whose SBOMs list no component, or dated only by its signer, is said to be so', async () => {
    const store = openSqliteIndex(join(await tmp(), 'h.db'), engine);
    const a = release('1.2.0', '4.17.20');
    // Its only SBOM lists no component, and no time was verified for its signature.
    await store.put(
      {
        ...a,
        release: { ...a.release, signedAt: undefined },
        components: [],
        kinds: [{ kind: 'sbom', count: 1, empty: 1 }],
      },
      'now',
    );
    await store.put(release('1.3.0', '4.17.21'), 'now');
    const unanswered = async (of: Parameters<typeof store.query>[0]) =>
      (await store.query({ kind: 'unanswered', of })).map((r) => [r.version, r.why]);
    // Absent from the answers, and listed as unable to answer: not read as "does not ship it".
    expect(await unanswered({ kind: 'purl', purl: 'pkg:npm/log4j@2.14.1' })).toEqual([
      ['1.2.0', 'its SBOMs list no components'],
    ]);
    expect(await unanswered({ kind: 'license', license: 'GPL-3.0-only' })).toEqual([
      ['1.2.0', 'its SBOMs list no components'],
    ]);
    expect(
      (await store.query({ kind: 'control', control: 'SSDF-RV.1.2' })).map((r) => [r.version, r.dated_by]),
    ).toEqual([
      ['1.2.0', 'signer'],
      ['1.3.0', 'verified-time'],
    ]);
    await store.close();
  });

  run(
    'migrates an index of schema 5: what 6 records reads as not recorded, and licences are found whatever their case',
    async () => {
      const file = join(await tmp(), 'v5.db');
      await indexOfSchema(file, engine, 5, undoSchema6());
      const again = openSqliteIndex(file, engine);
      expect(again.schema).toBe(INDEX_SCHEMA_VERSION);
      expect((await again.query({ kind: 'cve', id: 'CVE-2021-23337' }))[0]).toMatchObject({
        status_author: null,
        conflicts_total: null,
      });
      expect(await again.query({ kind: 'license', license: 'mit' })).toMatchObject([
        { version: '1.2.0', license: 'MIT' },
      ]);
      // Whether its entries hold anything, and whether its components all have a purl, were not recorded: said, not guessed.
      expect(
        (await again.query({ kind: 'unanswered', of: { kind: 'missing', evidenceKind: 'sbom' } })).map((r) => r.why),
      ).toEqual(['not recorded whether its entries of this kind hold anything (indexed before schema 6: rebuild)']);
      expect(
        (await again.query({ kind: 'unanswered', of: { kind: 'purl', purl: 'pkg:npm/x@1' } })).map((r) => r.why),
      ).toEqual([
        'not recorded whether its SBOMs list components that all have a purl (indexed before schema 6: rebuild)',
      ]);
      await again.close();
    },
  );

  run(
    'keeps what a policy that passed showed; a pass indexed before schema 7 reads as not recorded, never as shown',
    async () => {
      const file = join(await tmp(), 'v6.db');
      await indexOfSchema(file, engine, 6, undoSchema7());
      const again = openSqliteIndex(file, engine);
      expect(again.schema).toBe(INDEX_SCHEMA_VERSION);
      const nothing = release('1.3.0', '4.17.21');
      await again.put({ ...nothing, release: { ...nothing.release, policyShows: 'nothing' } }, 'now');
      const failed = release('1.4.0', '4.17.21');
      await again.put({ ...failed, release: { ...failed.release, policy: 'fail' } }, 'now');
      expect(
        (await again.query({ kind: 'control', control: 'SSDF-RV.1.2' })).map((r) => [
          r.version,
          r.policy,
          r.policy_shows,
        ]),
      ).toEqual([
        ['1.2.0', 'pass', null],
        ['1.3.0', 'pass', 'nothing'],
        ['1.4.0', 'fail', null],
      ]);
      await again.close();
    },
  );

  run(
    "migrates control rows of schema 4, one check's status each, to not-recorded: never a control's pass",
    async () => {
      const dir = await tmp();
      const file = join(dir, 'v4.db');
      // What schema 4 wrote: the rule's status as the control's, its cross-check left out.
      await indexOfSchema(file, engine, 4, [
        "UPDATE controls SET check_name = 'critical-handled', status = 'pass'",
        ...undoSchema6(),
      ]);
      const again = openSqliteIndex(file, engine);
      expect(await again.query({ kind: 'control', control: 'SSDF-RV.1.2' })).toMatchObject([
        { version: '1.2.0', check_name: 'critical-handled: pass', status: 'not-recorded' },
      ]);
      // A release indexed now has verify's verdict.
      await again.put(release('1.3.0', '4.17.21'), '2026-12-03T00:00:00Z');
      expect(
        (await again.query({ kind: 'control', control: 'SSDF-RV.1.2' })).map((r) => [r.version, r.status]),
      ).toEqual([
        ['1.2.0', 'not-recorded'],
        ['1.3.0', 'held'],
      ]);
      await again.close();
    },
  );

  run(
    'migrates an index of schema 7 to 8, and reads a package at one version as a range of its (package, purl) index',
    async () => {
      const file = join(await tmp(), 'v7.db');
      await indexOfSchema(file, engine, 7, undoSchema8());
      const store = openSqliteIndex(file, engine);
      expect(store.schema).toBe(INDEX_SCHEMA_VERSION);
      // 1.2.0 ships lodash 4.17.20. The same version with qualifiers or a subpath starts with the prefix, and so does
      // 4.17.201 (shipped.ts compares the versions exactly afterwards); 4.17.2 and 4.17.21 do not.
      const lodash = ['4.17.201', '4.17.2', '4.17.20?arch=arm64', '4.17.20#dist', '4.17.21'];
      for (const [i, at] of lodash.entries()) {
        const one = release(`1.${i + 3}.0`, '4.17.21');
        const components = [
          { purl: `pkg:npm/lodash@${at}`, packageKey: 'npm//lodash', name: 'lodash', version: at, licenses: [] },
        ];
        await store.put({ ...one, components }, 'now');
      }
      const asked = {
        kind: 'components',
        packageKeys: ['npm//lodash'],
        purlPrefixes: ['pkg:npm/lodash@4.17.20'],
      } as const;
      expect((await store.query(asked)).map((r) => [r.version, r.purl])).toEqual([
        ['1.2.0', 'pkg:npm/lodash@4.17.20'],
        ['1.3.0', 'pkg:npm/lodash@4.17.201'],
        ['1.5.0', 'pkg:npm/lodash@4.17.20?arch=arm64'],
        ['1.6.0', 'pkg:npm/lodash@4.17.20#dist'],
      ]);
      await store.close();
      // The plan searches that index for the range; it never scans the components.
      const { createRequire } = await import('node:module');
      const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
      const db = new Database(file);
      const s = querySql(asked);
      const plan = db.all(`EXPLAIN QUERY PLAN ${s.text}`, s.params).map((r) => String(r.detail as string));
      db.close();
      // Migrated on to 9: the index alone names each component's release (its id), no component row read for it.
      expect(plan).toContainEqual(
        expect.stringMatching(
          /USING COVERING INDEX components_package_purl \(package_key=\? AND purl>\? AND purl<\?\)/,
        ),
      );
      expect(plan).toContainEqual(expect.stringMatching(/^SEARCH r USING INDEX releases_seq \(seq=\?\)/));
      expect(plan.filter((d) => /^SCAN c\b/.test(d))).toEqual([]);
    },
  );

  run(
    "migrates an index of schema 8 to 9: each component's id names its release, through VACUUM and a release indexed again",
    async () => {
      const file = join(await tmp(), 'v8.db');
      await indexOfSchema(file, engine, 8, []);
      const store = openSqliteIndex(file, engine);
      expect(store.schema).toBe(INDEX_SCHEMA_VERSION);
      const lodash = { kind: 'purl', purl: 'pkg:npm/lodash', packageKey: 'npm//lodash' } as const;
      const asked = {
        kind: 'components',
        packageKeys: ['npm//lodash'],
        purlPrefixes: ['pkg:npm/lodash@4.17.2'],
      } as const;
      const answers = async () => ({
        purl: (await store.query(lodash)).map((r) => [r.version, r.bundle_digest, r.purl]),
        shipped: (await store.query(asked)).map((r) => [r.version, r.bundle_digest, r.purl]),
        exact: (await store.query({ kind: 'purl', purl: 'pkg:npm/left-pad@1.3.0' })).map((r) => r.version),
      });
      // The release of schema 8 (1.2.0, numbered 1 by the migration), two indexed after it, and 1.2.0 indexed again:
      // it is numbered anew, and its components with it.
      await store.put(release('1.3.0', '4.17.21'), 'now');
      await store.put(release('1.4.0', '4.17.21'), 'now');
      await store.put(release('1.2.0', '4.17.20'), 'now');
      const expected = {
        purl: [
          ['1.2.0', release('1.2.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.20'],
          ['1.3.0', release('1.3.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.21'],
          ['1.4.0', release('1.4.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.21'],
        ],
        shipped: [
          ['1.2.0', release('1.2.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.20'],
          ['1.3.0', release('1.3.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.21'],
          ['1.4.0', release('1.4.0', '').release.bundleDigest, 'pkg:npm/lodash@4.17.21'],
        ],
        exact: ['1.2.0', '1.3.0', '1.4.0'],
      };
      expect(await answers()).toEqual(expected);
      await store.close();
      const { createRequire } = await import('node:module');
      const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
      const db = new Database(file);
      // Each component's id is its release's number and its place in the release's list.
      const ids = db.all(
        'SELECT r.version, c.id - (r.seq << 24) AS place, c.purl FROM components c JOIN releases r ON r.bundle_digest = c.bundle_digest ORDER BY c.id',
      );
      expect(ids.map((r) => [r.version, r.place, r.purl])).toEqual(
        ['1.3.0', '1.4.0', '1.2.0'].flatMap((v) =>
          release(v, v === '1.2.0' ? '4.17.20' : '4.17.21').components.map((c, i) => [v, i, c.purl]),
        ),
      );
      // VACUUM renumbers implicit rowids; the explicit ids and numbers hold.
      db.exec('DELETE FROM releases WHERE version = ?'.replace('?', "'1.3.0'"));
      db.exec('VACUUM');
      db.close();
      const again = openSqliteIndex(file, engine);
      await again.put(release('1.3.0', '4.17.21'), 'now');
      const after = {
        purl: (await again.query(lodash)).map((r) => [r.version, r.bundle_digest, r.purl]),
        shipped: (await again.query(asked)).map((r) => [r.version, r.bundle_digest, r.purl]),
      };
      expect(after).toEqual({ purl: expected.purl, shipped: expected.shipped });
      await again.close();
    },
  );

  run('refuses a release of 2^24 components or more: its components could not be numbered', async () => {
    const store = openSqliteIndex(join(await tmp(), 'big.db'), engine);
    const huge = release('1.2.0', '4.17.20');
    await expect(store.put({ ...huge, components: new Array(2 ** 24) }, 'now')).rejects.toMatchObject({
      code: 'INDEX_WRITE_FAILED',
    });
    expect(await store.query({ kind: 'count' })).toEqual([{ n: 0 }]);
    await store.close();
  });
});

describe('a release that answered', () => {
  it('is not listed as unable to answer, though another SBOM of its bundle was not read', async () => {
    const { queryIndex } = await import('../../src/transport/release-index-store.js');
    const dir = await tmp();
    const store = openSqliteIndex(join(dir, 'a.db'));
    const partly = release('1.2.0', '4.17.20');
    await store.put({ ...partly, release: { ...partly.release, componentsRead: false } }, 'now');
    const unread = release('1.3.0', '4.17.21');
    await store.put({ ...unread, components: [], release: { ...unread.release, componentsRead: false } }, 'now');
    await store.close();
    const answer = await queryIndex('a.db', dir, { purl: 'pkg:npm/lodash@4.17.20' });
    expect(answer.rows.map((r) => r.version)).toEqual(['1.2.0']);
    expect(answer.unanswered.map((r) => [r.version, r.why])).toEqual([['1.3.0', 'an SBOM of its bundle was not read']]);
  });
});

describe('a purl with a version and no qualifiers', () => {
  it('finds the components of that version whatever their qualifiers (log4j-core@2.14.1 is the SBOM’s ?type=jar)', async () => {
    const { queryIndex } = await import('../../src/transport/release-index-store.js');
    const dir = await tmp();
    const store = openSqliteIndex(join(dir, 'a.db'));
    const base = release('1.2.0', '4.17.20');
    const jar = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar';
    const key = 'maven/org.apache.logging.log4j/log4j-core';
    await store.put(
      {
        ...base,
        components: [
          { purl: jar, packageKey: key, name: 'log4j-core', version: '2.14.1', licenses: [] },
          {
            purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.10',
            packageKey: key,
            name: 'log4j-core',
            version: '2.14.10',
            licenses: [],
          },
        ],
      },
      'now',
    );
    await store.close();
    const ask = async (purl: string) => (await queryIndex('a.db', dir, { purl })).rows.map((r) => r.purl);
    expect(await ask('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual([jar]);
    // Qualifiers given are matched exactly; a longer version is another version.
    expect(await ask('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=pom')).toEqual([]);
    expect(await ask(jar)).toEqual([jar]);
  });
});

describe('a release whose SBOM lists a component a finding of the vulnerability names', () => {
  it('answers --cve and stands in cra notify as shipping it, though its own scan did not report it', async () => {
    const { queryIndex } = await import('../../src/transport/release-index-store.js');
    const { craNotify } = await import('../../src/commands/cra.js');
    const dir = await tmp();
    const store = openSqliteIndex(join(dir, 'a.db'));
    // 1.2.0's scan reports CVE-2021-23337 in lodash 4.17.20 (affected). 1.3.0 and 1.4.0 ship that lodash too: 1.3.0's
    // scan is empty, 1.4.0 has none. 1.5.0 ships a vendored lodash without a purl, and has no scan.
    const scanned = release('1.2.0', '4.17.20');
    await store.put({ ...scanned, kinds: [...scanned.kinds, { kind: 'vulnerabilities', count: 1, empty: 0 }] }, 'now');
    const empty = release('1.3.0', '4.17.20');
    await store.put(
      { ...empty, findings: [], kinds: [...empty.kinds, { kind: 'vulnerabilities', count: 1, empty: 0 }] },
      'now',
    );
    await store.put({ ...release('1.4.0', '4.17.20'), findings: [] }, 'now');
    const vendored = release('1.5.0', '4.17.20');
    await store.put(
      {
        ...vendored,
        release: { ...vendored.release, componentsWithoutPurl: 1 },
        components: [
          { purl: 'name:lodash@4.17.20', packageKey: 'name:lodash', name: 'lodash', version: '4.17.20', licenses: [] },
        ],
        findings: [],
      },
      'now',
    );
    await store.close();
    const answer = await queryIndex('a.db', dir, { cve: 'GHSA-35jh-r3h4-6jhm' });
    expect(answer.rows.map((r) => [r.version, r.found_by, r.scan ?? r.status])).toEqual([
      ['1.2.0', 'scan', 'affected'],
      ['1.3.0', 'sbom', 'not-reported'],
      ['1.4.0', 'sbom', 'not-scanned'],
    ]);
    // No purl to compare: it could not answer, and says why.
    expect(answer.unanswered.map((r) => [r.version, r.why])).toEqual([['1.5.0', 'no vulnerability scan']]);
    const draft = await craNotify({ cwd: dir, db: 'a.db', vulnerability: 'CVE-2021-23337' });
    expect(draft.releases.map((r) => [r.version, r.assessment])).toEqual([
      ['1.2.0', 'affected'],
      ['1.3.0', 'ships_named_component'],
      ['1.4.0', 'ships_named_component'],
      ['1.5.0', 'not_scanned'],
    ]);
    // Narrowed to a product, the findings of every product still name the package.
    const again = openSqliteIndex(join(dir, 'a.db'));
    const other = release('2.0.0', '4.17.20');
    await again.put(
      {
        ...other,
        release: { ...other.release, product: 'other', bundleDigest: `sha256:${'f'.repeat(64)}` },
        findings: [],
      },
      'now',
    );
    await again.close();
    const narrowed = await queryIndex('a.db', dir, { cve: 'CVE-2021-23337', product: 'other' });
    expect(narrowed.rows.map((r) => [r.product, r.found_by, r.named_by])).toEqual([
      ['other', 'sbom', 'acme-web 1.2.0'],
    ]);
  });
});
