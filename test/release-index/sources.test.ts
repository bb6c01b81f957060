import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg_ from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/commands/collect.js';
import { push } from '../../src/commands/oci.js';
import { indexReleases, queryReleases } from '../../src/commands/release-index.js';
import { sign } from '../../src/commands/sign.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { runCli } from '../helpers/io.js';

/**
 * evidence index over the sources releases live in: the tags of a repository of Debian's docker-registry, and a
 * GitHub repository's releases on the fake GitHub; on the embedded file and, where Debian's PostgreSQL is installed,
 * on PostgreSQL. Hostile rows: a bundle signed by another key and one that is not a bundle (rejected, never indexed),
 * the same bundle under two releases (indexed once), and a source that fails mid-way (listed as not fetched, exit 2)
 * and is resumed by the next run, which fetches only what it lacks.
 */
if (registrySkipReason) console.warn(`skipping the OCI part of the index sources test: ${registrySkipReason}`);

const EXAMPLE = join(process.cwd(), 'examples/acme-web');
let dir: string;
let registry: RunningRegistry | undefined;
let gh: FakeGitHub;
let pg: Postgres | { reason: string };
const bundles = new Map<string, Buffer>();

async function release(version: string, key: string): Promise<Buffer> {
  const name = `web-${version}.tar.gz`;
  await collect({
    cwd: dir,
    env: { SOURCE_DATE_EPOCH: String(1796371200 + Number(version.split('.')[1]) * 86400) },
    output: name,
    name: 'web',
    version,
    sbom: [join(EXAMPLE, 'sbom/acme-web.cdx.json')],
    scan: [join(EXAMPLE, 'reports/scans/trivy.json')],
  });
  await sign({ cwd: dir, bundle: name, key: join(dir, `${key}.pem`), noStandard: true });
  return readFile(join(dir, name));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-index-sources-'));
  for (const k of ['key', 'other']) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, `${k}.pem`), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, `${k}.pub.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) bundles.set(v, await release(v, 'key'));
  bundles.set('1.3.0', await release('1.3.0', 'other'));
  gh = await startFakeGitHub();
  gh.digests = true;
  pg = await startPostgres();
  if ('reason' in pg) console.warn(`skipping the PostgreSQL runs of the index sources test: ${pg.reason}`);
  if (registrySkipReason) return;
  registry = await startRegistry();
  for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0'])
    await push({
      cwd: dir,
      bundle: `web-${v}.tar.gz`,
      reference: `oci://${registry.host}/acme/web-evidence:${v}`,
      registry: { plainHttp: true },
    });
}, 240_000);

afterAll(async () => {
  await registry?.stop();
  await gh?.stop();
  if (pg && !('reason' in pg)) await pg.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The stores to run on: the embedded file, and PostgreSQL where it runs here (a fresh database each). */
async function stores(name: string): Promise<string[]> {
  const out = [join(dir, `${name}.db`)];
  if (pg && !('reason' in pg)) {
    const client = new pg_.Client({ connectionString: pg.url });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    out.push(pg.url.replace(/\/[^/]*$/, `/${name}`));
  }
  return out;
}

describe.skipIf(registrySkipReason !== undefined)('evidence index oci://… (docker-registry)', () => {
  it('indexes the tags whose bundles verify, rejects the others, and fetches nothing it holds on the next run', async () => {
    for (const db of await stores('oci')) {
      const source = `oci://${registry?.host}/acme/web-evidence`;
      const run = () =>
        indexReleases({
          cwd: dir,
          db,
          sources: [source],
          key: [join(dir, 'key.pub.pem')],
          registry: { plainHttp: true },
          cache: join(dir, 'oci-cache'),
          retry: { retries: 0 },
        });
      const first = await run();
      expect(first.indexed).toBe(3);
      expect(first.rejected).toHaveLength(1);
      expect(first.rejected[0]?.reason).toMatch(/^did not verify/);
      expect(first.rejected[0]?.location).toMatch(
        new RegExp(`^${source.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@sha256:`),
      );
      expect(first.unavailable).toEqual([]);

      // The next run knows three bundles by the layer digests the registry lists: none is downloaded again.
      await rm(join(dir, 'oci-cache'), { recursive: true, force: true });
      const again = await run();
      expect({ indexed: again.indexed, unchanged: again.unchanged }).toEqual({ indexed: 0, unchanged: 3 });
      expect(again.rejected).toHaveLength(1);

      const answer = await queryReleases(db, dir, { purl: 'pkg:npm/deep-extend@0.6.0' });
      expect(answer.rows.map((a) => a.version)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
      expect(answer.rows[0]?.location).toMatch(/^oci:\/\/.*@sha256:[0-9a-f]{64}$/);
    }
  });

  it("lists a tag whose bundle verified but is another release's evidence: that release has none of its own", async () => {
    // 1.4.0 carries 1.0.0's authentic bundle: indexed as 1.0.0 (what it names), and 1.4.0 said to have no evidence.
    const source = `oci://${registry?.host}/acme/web-foreign`;
    for (const tag of ['1.0.0', '1.4.0'])
      await push({
        cwd: dir,
        bundle: 'web-1.0.0.tar.gz',
        reference: `${source}:${tag}`,
        registry: { plainHttp: true },
      });
    const run = await indexReleases({
      cwd: dir,
      db: join(dir, 'foreign.db'),
      sources: [source],
      key: [join(dir, 'key.pub.pem')],
      registry: { plainHttp: true },
      cache: join(dir, 'oci-cache-foreign'),
      retry: { retries: 0 },
    });
    expect(run.indexed).toBe(1);
    expect(run.rejected).toEqual([]);
    expect(run.foreign).toHaveLength(1);
    expect(run.foreign[0]?.reason).toMatch(/^RELEASE_MISMATCH: /);
    expect(run.foreign[0]?.release).toBe('1.4.0');
    expect(run.foreign[0]?.location).toMatch(/@sha256:[0-9a-f]{64}$/);
  });
});

describe('evidence index github:OWNER/REPO (the fake GitHub)', () => {
  it('indexes releases whose bundles verify, lists a failed download as not fetched, and resumes', async () => {
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) {
      const r = gh.addRelease(`v${v}`, { publishedAt: `2026-12-0${1 + Number(v.split('.')[1])}T10:00:00Z` });
      gh.addAsset(r, `web-${v}.evidence.tar.gz`, bundles.get(v) as Buffer);
    }
    // The same bundle again under another release: one bundle, indexed once.
    gh.addAsset(gh.addRelease('v1.0.0-again'), 'web-1.0.0.evidence.tar.gz', bundles.get('1.0.0') as Buffer);
    // A release whose asset is not a bundle.
    gh.addAsset(gh.addRelease('v1.4.0'), 'web-1.4.0.evidence.tar.gz', 'not a bundle at all');
    for (const db of await stores('github')) {
      const run = () =>
        indexReleases({
          cwd: dir,
          env: { GITHUB_TOKEN: gh.token },
          db,
          sources: [`github:${gh.owner}/${gh.repo}`],
          key: [join(dir, 'key.pub.pem')],
          apiUrl: gh.apiUrl,
          cache: join(dir, `gh-cache-${db.startsWith('postgres') ? 'pg' : 'file'}`),
          concurrency: 1,
          retry: { retries: 0 },
        });
      // The source fails mid-way: 1.2.0's download answers 500.
      const asset = gh.releases.find((r) => r.tag === 'v1.2.0')?.assets[0];
      gh.inject('GET', new RegExp(`/releases/assets/${asset?.id}$`), { status: 500 });
      const r1 = await run();
      expect(r1.indexed).toBe(2);
      expect(r1.unchanged).toBe(1); // 1.0.0 again: GitHub lists its digest, indexed a moment before
      expect(r1.rejected.map((x) => x.location).sort()).toEqual([
        expect.stringContaining('web-1.3.0'),
        expect.stringContaining('web-1.4.0'),
      ]);
      expect(r1.unavailable.map((x) => x.location)).toEqual([expect.stringContaining('v1.2.0')]);

      // The next run fetches what it lacks and nothing it holds.
      const before = gh.received.length;
      const r2 = await run();
      expect({ indexed: r2.indexed, unchanged: r2.unchanged, unavailable: r2.unavailable }).toEqual({
        indexed: 1,
        unchanged: 3,
        unavailable: [],
      });
      const downloads = gh.received.slice(before).filter((x) => /\/releases\/assets\/\d+$/.test(x.path));
      // 1.2.0 only: the rejected two are verified again from the download cache (a rejection is never trusted).
      expect(downloads.map((x) => x.path)).toEqual([expect.stringMatching(new RegExp(`/assets/${asset?.id}$`))]);
      expect(r2.rejected).toHaveLength(2);

      const cve = await runCli(['query', '--db', db, '--cve', 'CVE-2022-25883', '--json'], { cwd: dir });
      expect(cve.code, cve.stderr).toBe(0);
      const rows = (JSON.parse(cve.stdout) as { answers: { version: string }[] }).answers;
      expect(rows.map((a) => a.version)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    }
  });

  it('rejects a release whose NAME.sigstore.json is not JSON or no Sigstore bundle, naming the asset, not the cache', async () => {
    const other = await startFakeGitHub();
    try {
      other.digests = true;
      const urls = new Map<string, string>();
      for (const [v, sigstore] of [
        ['1.0.0', 'not json'],
        ['1.1.0', '{}'],
      ] as const) {
        const r = other.addRelease(`v${v}`, { publishedAt: '2026-12-01T10:00:00Z' });
        other.addAsset(r, `web-${v}.evidence.tar.gz`, bundles.get(v) as Buffer);
        const url = `https://github.example/acme/web/releases/download/v${v}/web-${v}.evidence.sigstore.json`;
        other.addAsset(r, `web-${v}.evidence.sigstore.json`, sigstore).downloadUrl = url;
        urls.set(v, url);
      }
      const cache = join(dir, 'gh-cache-malformed');
      const run = await indexReleases({
        sources: [`github:${other.owner}/${other.repo}`],
        apiUrl: other.apiUrl,
        env: { GITHUB_TOKEN: other.token },
        key: [join(dir, 'key.pub.pem')],
        cwd: dir,
        db: join(dir, 'malformed.db'),
        cache,
        retry: { retries: 0 },
      });
      expect(run.indexed).toBe(0);
      const reasons = [...run.rejected].sort((a, b) => a.location.localeCompare(b.location)).map((x) => x.reason);
      expect(reasons).toEqual([
        expect.stringContaining('ATTESTATION_UNREADABLE: '),
        expect.stringContaining('ATTESTATION_MALFORMED: '),
      ]);
      expect(reasons[0]).toContain(`${urls.get('1.0.0')}: `);
      expect(reasons[1]).toContain(`${urls.get('1.1.0')}: `);
      for (const reason of reasons) expect(reason).not.toContain(cache);
    } finally {
      await other.stop();
    }
  });
});
