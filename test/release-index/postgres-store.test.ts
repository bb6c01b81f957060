import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresIndex } from '../../src/transport/release-index-store.js';
import { INDEX_SCHEMA_VERSION } from '../../src/release-index/sql.js';
import type { IndexedRelease } from '../../src/release-index/rows.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';
import { indexedRelease, undoSchema6 } from '../helpers/index-rows.js';

const tmp = useTmp();

/** The shared index on Debian's PostgreSQL, started on loopback: the same questions, and writers at once. */
let pg: Postgres | undefined;
let skipped = '';

beforeAll(async () => {
  const started = await startPostgres();
  if ('reason' in started) {
    skipped = started.reason;
    console.log(`PostgreSQL index tests skipped: ${skipped}`);
  } else pg = started;
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

function release(version: number, purl: string): IndexedRelease {
  const digest = `sha256:${String(version).padStart(64, '0')}`;
  return {
    release: {
      bundleDigest: digest,
      location: `/bundles/web-${version}.tar.gz`,
      source: '/bundles',
      product: 'web',
      version: `1.0.${version}`,
      created: `2026-10-${String((version % 28) + 1).padStart(2, '0')}T00:00:00Z`,
      signer: 'key abc',
      policy: 'none',
      componentsRead: true,
      findingsRead: true,
      componentsWithoutPurl: 0,
      componentsWithoutLicense: 0,
    },
    subjects: [{ name: `web-${version}.tgz`, digest: `sha256:${String(version).padStart(64, 'e')}` }],
    components: [
      { purl, packageKey: 'npm//lodash', name: 'lodash', version: purl.split('@')[1] ?? '', licenses: ['MIT'] },
    ],
    findings: [
      {
        id: 'CVE-2021-23337',
        ids: ['cve-2021-23337', 'ghsa-35jh-r3h4-6jhm'],
        purl,
        severity: 'high',
        status: 'affected',
        justification: '',
        fixVersions: ['4.17.21'],
        statusFrom: 'vex/a.json',
        statusAuthor: '',
        statusAt: '',
        conflicts: '',
        conflictsTotal: 0,
        impactStatement: '',
        actionStatement: 'upgrade',
        knownExploited: true,
      },
    ],
    kinds: [{ kind: 'sbom', count: 1, empty: 0 }],
    controls: [],
  };
}

describe('the shared index on PostgreSQL', () => {
  const run = (name: string, fn: () => Promise<void>) =>
    it(
      name,
      async () => {
        if (!pg) return console.log(`skipped (${skipped}): ${name}`);
        await fn();
      },
      60_000,
    );

  run('answers the questions the embedded index does, and many writers at once lose nothing', async () => {
    const url = (pg as Postgres).url;
    // Four writers at once, each its own connection, two of them writing the same releases.
    const writers = await Promise.all([0, 1, 2, 3].map(() => openPostgresIndex(url)));
    await Promise.all(
      writers.map(async (w, k) => {
        for (let v = 0; v < 20; v++)
          await w.put(release(k < 2 ? v : 20 * k + v, `pkg:npm/lodash@4.17.${v % 3}`), 'now');
      }),
    );
    await Promise.all(writers.map((w) => w.close()));
    const store = await openPostgresIndex(url);
    try {
      const all = await store.query({ kind: 'missing', evidenceKind: 'junit' });
      expect(all).toHaveLength(60); // 20 shared by two writers, and 20 each of the other two
      // A count is a number on PostgreSQL too (its SUM is a bigint, which its client gives as text).
      expect(all[0]?.hollow).toBe(0);
      expect(await store.has(release(0, '').release.bundleDigest)).toBe(true);
      const cve = await store.query({ kind: 'cve', id: 'GHSA-35JH-R3H4-6JHM' });
      expect(cve).toHaveLength(60);
      expect(cve[0]).toMatchObject({ product: 'web', status: 'affected' });
      // v % 3 == 1 for 7 of each writer's 20, in three distinct sets of releases.
      expect(await store.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.1' })).toHaveLength(21);
      expect(await store.query({ kind: 'purl', purl: 'pkg:npm/lodash', packageKey: 'npm//lodash' })).toHaveLength(60);
      expect(await store.query({ kind: 'license', license: 'MIT' })).toHaveLength(60);
      // The components a vulnerability's findings name, with whether each release's scans could speak (a number here
      // too); every finding is its own scan's, so no release ships one its scan did not report.
      const components = await store.query({ kind: 'components', packageKeys: ['npm//lodash'] });
      expect(components).toHaveLength(60);
      expect(components[0]).toMatchObject({ package_key: 'npm//lodash', findings_read: 1 });
      expect(Number(components[0]?.scanned)).toBe(0);
      const { shippedRows } = await import('../../src/transport/release-index-store.js');
      expect(await shippedRows(store, 'CVE-2021-23337')).toEqual([]);
      const bare = release(99, 'pkg:npm/lodash@4.17.1');
      await store.put({ ...bare, findings: [] }, 'now');
      expect((await shippedRows(store, 'CVE-2021-23337')).map((r) => [r.version, r.scan])).toEqual([
        ['1.0.99', 'not-scanned'],
      ]);
      await store.reject({ location: '/bundles/bad.tar.gz', source: '/bundles', reason: 'did not verify' }, 'now');
      expect((await store.rejected()).map((r) => r.location)).toEqual(['/bundles/bad.tar.gz']);
      await store.clear();
      expect(await store.query({ kind: 'missing', evidenceKind: 'junit' })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  run('evidence index and evidence query on --db postgres://… through the CLI, its password never shown', async () => {
    const dir = await tmp();
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    await writeFile(join(dir, 'key.pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const sbom = join(process.cwd(), 'examples/acme-web/sbom/acme-web.cdx.json');
    const c = await runCli(
      [
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'acme-web',
        '--version',
        '1.4.2',
        '--sbom',
        sbom,
        '--sign',
        '--key',
        'key.pem',
        '-q',
      ],
      { cwd: dir },
    );
    expect(c.code, c.stderr).toBe(0);
    // Trust authentication ignores the password; the output must not show it.
    const db = (pg as Postgres).url.replace('postgres@', 'postgres:s3cret@');
    const indexed = await runCli(['index', 'b.tar.gz', '--db', db, '--key', 'key.pub.pem', '-q'], { cwd: dir });
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stdout).toContain('(postgresql): 1 indexed');
    expect(indexed.stdout + indexed.stderr).not.toContain('s3cret');
    const q = await runCli(['query', '--db', db, '--purl', 'pkg:npm/deep-extend@0.6.0', '--json'], { cwd: dir });
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { answers: unknown[] }).answers).toMatchObject([
      { product: 'acme-web', version: '1.4.2' },
    ]);
    // The answer names the database it came from, without the password.
    expect((JSON.parse(q.stdout) as { index: unknown }).index).toMatchObject({
      engine: 'postgresql',
      schema: INDEX_SCHEMA_VERSION,
    });
    expect(q.stdout).not.toContain('s3cret');
  });

  run('a database that cannot be reached is named without its password', async () => {
    await expect(openPostgresIndex('postgres://me:secret@127.0.0.1:1/x', 2000)).rejects.toMatchObject({
      code: 'INDEX_UNREADABLE',
      message: expect.not.stringContaining('secret') as unknown,
    });
  });
});

describe('an index of schema 3 on PostgreSQL, asked by a role that may only read it', () => {
  it('is read as it is (the signature columns NULL), not migrated; written, it is refused; its owner migrates it', async () => {
    if (!pg) return console.log(`skipped (${skipped}): the read-only role`);
    const { default: postgres } = await import('pg');
    const admin = new postgres.Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE schema3');
    await admin.end();
    const ownerUrl = pg.url.replace(/\/postgres$/, '/schema3');
    const analystUrl = ownerUrl.replace('postgres@', 'analyst@');
    const owner = await openPostgresIndex(ownerUrl);
    await owner.put(indexedRelease('1.2.0', '4.17.20'), '2026-12-01T00:00:00Z');
    await owner.close();
    // Back to schema 3, as an earlier evidence wrote it, and a role that may read every table and nothing more.
    const db = new postgres.Client({ connectionString: ownerUrl });
    await db.connect();
    const schemaOf = async () =>
      ((await db.query("SELECT value FROM index_meta WHERE name = 'schema'")).rows[0] as { value: string }).value;
    try {
      for (const statement of undoSchema6()) await db.query(statement);
      await db.query(`ALTER TABLE releases DROP COLUMN signature_location, DROP COLUMN signature_digest;
        UPDATE index_meta SET value = '3' WHERE name = 'schema';
        CREATE ROLE analyst LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst`);
      const reader = await openPostgresIndex(analystUrl, undefined, true);
      try {
        // What a pass showed (schema 7) was not recorded either: NULL, never a pass that showed evidence.
        expect(await reader.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' })).toMatchObject([
          { version: '1.2.0', signature_location: null, signature_digest: null, policy: 'pass', policy_shows: null },
        ]);
      } finally {
        await reader.close();
      }
      // Through the command line too, which opens a question's index to be read.
      const asked = await runCli(['query', '--db', analystUrl, '--missing', 'junit', '--json'], { cwd: process.cwd() });
      expect(asked.code, asked.stderr).toBe(0);
      // The answer says it was read as schema 3: what later schemas record is not recorded there.
      expect(JSON.parse(asked.stdout)).toMatchObject({
        answers: [{ version: '1.2.0', signature_digest: null }],
        index: { engine: 'postgresql', schema: 3, current: INDEX_SCHEMA_VERSION },
      });
      const text = await runCli(['query', '--db', analystUrl, '--missing', 'junit'], { cwd: process.cwd() });
      expect(text.stdout).toMatch(/schema 3, read as it is \(not migrated\)/);
      expect(await schemaOf()).toBe('3');
      // To be written, the same role is refused at once, naming both schemas.
      const writing = await openPostgresIndex(analystUrl).then(
        () => 'opened',
        (e: unknown) => e as { code: string; message: string },
      );
      expect(writing).toMatchObject({ code: 'INDEX_UNREADABLE' });
      expect((writing as { message: string }).message).toMatch(
        new RegExp(`schema 3, which cannot be brought to ${INDEX_SCHEMA_VERSION}`),
      );
      expect(await schemaOf()).toBe('3');
      // Its owner migrates it on the next open.
      const again = await openPostgresIndex(ownerUrl);
      try {
        expect(await again.query({ kind: 'missing', evidenceKind: 'junit' })).toMatchObject([
          { version: '1.2.0', signature_digest: null, policy: 'pass', policy_shows: null },
        ]);
        // A release indexed now keeps what its pass showed.
        const nothing = indexedRelease('1.3.0', '4.17.21');
        await again.put({ ...nothing, release: { ...nothing.release, policyShows: 'nothing' } }, 'now');
        expect(
          (await again.query({ kind: 'control', control: 'SSDF-RV.1.2' })).map((r) => [r.version, r.policy_shows]),
        ).toEqual([
          ['1.2.0', null],
          ['1.3.0', 'nothing'],
        ]);
      } finally {
        await again.close();
      }
      expect(await schemaOf()).toBe(String(INDEX_SCHEMA_VERSION));
      // A role that may not read one table is told so with our code and the database's name, not PostgreSQL's 42501.
      await db.query('REVOKE SELECT ON components FROM analyst');
      const partial = await openPostgresIndex(analystUrl, undefined, true);
      try {
        const refused = await partial.query({ kind: 'purl', purl: 'pkg:npm/lodash@4.17.20' }).then(
          () => 'answered',
          (e: unknown) => e as { code: string; message: string },
        );
        expect(refused).toMatchObject({ code: 'INDEX_UNREADABLE' });
        expect((refused as { message: string }).message).toMatch(/schema3: cannot be read: permission denied/);
      } finally {
        await partial.close();
      }
      // Nor the schema's own table: not "not an index", but what it is.
      await db.query('REVOKE SELECT ON index_meta FROM analyst');
      const blind = await openPostgresIndex(analystUrl, undefined, true).then(
        () => 'opened',
        (e: unknown) => e as { code: string; message: string },
      );
      expect(blind).toMatchObject({ code: 'INDEX_UNREADABLE' });
      expect((blind as { message: string }).message).toMatch(/this role may not read the index's schema/);
    } finally {
      await db.end();
    }
  }, 60_000);
});

describe('a package at one version on PostgreSQL under a linguistic collation', () => {
  it('is the range of purls that start with it, compared as bytes, read from the (package, purl) index', async () => {
    if (!pg) return console.log(`skipped (${skipped}): the linguistic collation`);
    const { default: postgres } = await import('pg');
    const admin = new postgres.Client({ connectionString: pg.url });
    await admin.connect();
    try {
      // ICU's English collation ignores punctuation at first: a range of it is no prefix of bytes.
      await admin.query(
        "CREATE DATABASE linguistic TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
      );
    } catch (e) {
      await admin.end();
      return console.log(`skipped: this PostgreSQL cannot make a database of ICU's en-US collation: ${String(e)}`);
    }
    await admin.end();
    const url = pg.url.replace(/\/postgres$/, '/linguistic');
    const store = await openPostgresIndex(url);
    try {
      // A version ending in 9, whose range ends at `:`: ICU sorts `:` before `9`, as bytes do not.
      const at = ['4.17.19', '4.17.199', '4.17.1', '4.17.19?arch=arm64', '4.17.19#dist', '4.17.2', '4.17.1-0'];
      for (const [i, v] of at.entries()) await store.put(release(i, `pkg:npm/lodash@${v}`), 'now');
      const asked = {
        kind: 'components',
        packageKeys: ['npm//lodash'],
        purlPrefixes: ['pkg:npm/lodash@4.17.19'],
      } as const;
      expect((await store.query(asked)).map((r) => r.purl)).toEqual([
        'pkg:npm/lodash@4.17.19',
        'pkg:npm/lodash@4.17.199',
        'pkg:npm/lodash@4.17.19?arch=arm64',
        'pkg:npm/lodash@4.17.19#dist',
      ]);
      const { querySql } = await import('../../src/release-index/sql.js');
      const s = querySql(asked, INDEX_SCHEMA_VERSION, 'postgresql');
      const db = new postgres.Client({ connectionString: url });
      await db.connect();
      try {
        await db.query('SET enable_seqscan = off');
        let n = 0;
        const plan = (await db.query(`EXPLAIN ${s.text.replace(/\?/g, () => `$${++n}`)}`, s.params)).rows
          .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
          .join('\n');
        expect(plan).toMatch(/components_package_purl/);
      } finally {
        await db.end();
      }
    } finally {
      await store.close();
    }
  });
});
