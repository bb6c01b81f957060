import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg_ from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audit, type AuditResult } from '../../../src/commands/audit.js';
import { collect } from '../../../src/commands/collect.js';
import { indexReleases, queryReleases } from '../../../src/commands/release-index.js';
import { sign } from '../../../src/commands/sign.js';
import { MAX_OFFERED_CANDIDATES, MAX_OFFERED_STATEMENTS } from '../../../src/transport/github/release-attestations.js';
import { ReleasesClient } from '../../../src/transport/github/releases.js';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { readMembers, writeMembers } from '../../helpers/members.js';
import { startPostgres, type Postgres } from '../../helpers/postgres.js';

/**
 * The GitHub source (audit --repo, index github:OWNER/REPO) when a release lists its bundle and no Sigstore bundle
 * beside it: the signature is looked for in GitHub's attestations API (the fake GitHub files each attestation under
 * its statement's subject digests, as GitHub does), under the sha256 of the bundle's manifest.json, and whatever the
 * API returns is only offered to the verifier. The bundles here carry no signature of their own: only the API's can
 * make them verify.
 */

const EXAMPLE = join(process.cwd(), 'examples/acme-web');
let dir: string;
let pg: Postgres | { reason: string };
let gh: FakeGitHub;

/** A release's unsigned bundle, and the Sigstore bundles (NAME.sigstore.jsonl's lines) each key signed it with. */
interface Made {
  bundle: Buffer;
  /** sha256:<hex> of its manifest.json: what the evidence statement names, and GitHub files it under. */
  manifest: string;
  lines: Record<'key' | 'other', unknown[]>;
  /** The same bundle signed in place by `key` (it carries its own signature). */
  signedInPlace: Buffer;
  /** The same bundle signed in place by `other`, a signer the audit does not accept. */
  signedByOther: Buffer;
}
const made = new Map<string, Made>();

async function make(version: string): Promise<Made> {
  const name = `web-${version}.tar.gz`;
  await collect({
    cwd: dir,
    env: { SOURCE_DATE_EPOCH: String(1796371200 + Number(version.split('.')[1]) * 86400) },
    output: name,
    name: 'web',
    version,
    sbom: [join(EXAMPLE, 'sbom/acme-web.cdx.json')],
  });
  const lines = {} as Made['lines'];
  const inPlace: Record<string, Buffer> = {};
  for (const k of ['key', 'other'] as const) {
    const copy = `web-${version}-${k}.tar.gz`;
    await copyFile(join(dir, name), join(dir, copy));
    // Standard statements too: with no release subjects they name manifest.json, so GitHub files them beside ours.
    const signed = await sign({ cwd: dir, bundle: copy, key: join(dir, `${k}.pem`) });
    lines[k] = (await readFile(signed.sigstoreJsonl, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as unknown);
    inPlace[k] = await readFile(signed.bundle);
  }
  const payload = (lines.key[0] as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
  const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
    subject: { name: string; digest: { sha256: string } }[];
  };
  const manifest = `sha256:${statement.subject[0]?.digest.sha256 ?? ''}`;
  const [signedInPlace, signedByOther] = [inPlace.key as Buffer, inPlace.other as Buffer];
  return { bundle: await readFile(join(dir, name)), manifest, lines, signedInPlace, signedByOther };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-attestations-api-'));
  for (const k of ['key', 'other']) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, `${k}.pem`), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, `${k}.pub.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) made.set(v, await make(v));
  pg = await startPostgres();
  if ('reason' in pg) console.warn(`skipping the PostgreSQL runs of the attestations API test: ${pg.reason}`);
}, 240_000);

afterAll(async () => {
  if (pg && !('reason' in pg)) await pg.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.stop();
});

let databases = 0;
/** The stores to run on: a fresh embedded file, and a fresh PostgreSQL database where it runs here. */
async function stores(): Promise<string[]> {
  const name = `attestations_api_${++databases}`;
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

/** A published release with only the bundle `bytes` as its evidence (no NAME.sigstore.json asset). */
function release(version: string, bytes: Buffer): void {
  const r = gh.addRelease(`v${version}`, { publishedAt: `2026-12-0${1 + Number(version.split('.')[1])}T10:00:00Z` });
  gh.addAsset(r, `web-${version}.evidence.tar.gz`, bytes);
}

/** Records Sigstore bundles in the fake's attestations API, as `attach --attestations-api` does. */
async function record(bundles: unknown[]): Promise<void> {
  const client = new ReleasesClient({ owner: gh.owner, repo: gh.repo, token: gh.token, apiUrl: gh.apiUrl });
  for (const b of bundles) await client.createAttestation(b);
}

const auditRepo = (cache: string, env: Record<string, string> = { GITHUB_TOKEN: gh.token }): Promise<AuditResult> =>
  audit({
    cwd: dir,
    env,
    repo: `${gh.owner}/${gh.repo}`,
    apiUrl: gh.apiUrl,
    since: '2026-12-01',
    until: '2026-12-31',
    key: [join(dir, 'key.pub.pem')],
    cache: join(dir, cache),
    concurrency: 1,
    retry: { retries: 0 },
  });

const indexRepo = (db: string, cache: string) =>
  indexReleases({
    cwd: dir,
    env: { GITHUB_TOKEN: gh.token },
    db,
    sources: [`github:${gh.owner}/${gh.repo}`],
    key: [join(dir, 'key.pub.pem')],
    apiUrl: gh.apiUrl,
    cache: join(dir, cache),
    concurrency: 1,
    retry: { retries: 0 },
  });

const member = (r: AuditResult, id: string) => r.summary.members.find((m) => m.id === id);
const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** The API's path for a digest, as octokit sends it (the colon escaped or not). */
const apiPath = (digest: string): RegExp => new RegExp(`/attestations/sha256(?::|%3A)${digest.slice(7)}$`, 'i');
const apiAsked = (digest: string): number =>
  gh.received.filter((x) => x.method === 'GET' && apiPath(digest).test(x.path.split('?')[0] ?? '')).length;

/** `attestation` with its DSSE statement changed by `extra` (so its signature no longer verifies). */
function restated(attestation: unknown, extra: object): unknown {
  const a = attestation as { dsseEnvelope: { payload: string } };
  const statement = JSON.parse(Buffer.from(a.dsseEnvelope.payload, 'base64').toString('utf8')) as object;
  const payload = Buffer.from(JSON.stringify({ ...statement, ...extra })).toString('base64');
  return { ...a, dsseEnvelope: { ...a.dsseEnvelope, payload } };
}
/** `n` byte-distinct copies of one attestation (one statement, one signature), as an attacker may record them. */
const copies = (attestation: unknown, n: number): unknown[] =>
  Array.from({ length: n }, (_, i) => ({ ...(attestation as object), [`x${i}`]: i }));
const answer = (bundles: unknown[]) => ({
  status: 200,
  body: { attestations: bundles.map((bundle) => ({ bundle, repository_id: 1 })) },
});

describe('the GitHub source reads a signature from the attestations API', () => {
  it('verifies and indexes a release whose only signature is in the API, and says where it was read', async () => {
    const m = made.get('1.0.0') as Made;
    release('1.0.0', m.bundle);
    // Every line of NAME.sigstore.jsonl, twice (attach run again): one evidence statement, offered once.
    await record([...m.lines.key, ...m.lines.key]);
    gh.public = true;

    const anonymous = await auditRepo('cache-audit', {});
    expect(member(anonymous, 'v1.0.0')).toMatchObject({
      status: 'holds',
      evidence: {
        state: 'found',
        bundle: { digest: sha256(m.bundle) },
        attestation: {
          name: `attestations/${m.manifest}`,
          url: `${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/attestations/${m.manifest}`,
          digest: sha256(Buffer.from(JSON.stringify(m.lines.key[0]))),
        },
      },
    });
    // Asked under the manifest's digest: GitHub files our statement there, never under the bundle file's digest.
    expect(apiAsked(m.manifest)).toBe(1);
    expect(apiAsked(sha256(m.bundle))).toBe(0);

    for (const db of await stores()) {
      const run = await indexRepo(db, `cache-index-${db.startsWith('postgres') ? 'pg' : 'file'}`);
      expect({ indexed: run.indexed, rejected: run.rejected, unavailable: run.unavailable }).toEqual({
        indexed: 1,
        rejected: [],
        unavailable: [],
      });
      const rows = (await queryReleases(db, dir, { digest: sha256(m.bundle) })).rows;
      expect(rows.map((r) => [r.version, r.bundle_digest])).toEqual([['1.0.0', sha256(m.bundle)]]);
      // The row names the signature that verified it, the bundle alone does not: the API's URL and its sha256.
      expect(rows[0]).toMatchObject({
        signature_location: `${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/attestations/${m.manifest}`,
        signature_digest: sha256(Buffer.from(JSON.stringify(m.lines.key[0]))),
      });
    }
  }, 120_000);

  it('does not verify with an attestation of another signer or another manifest; a forged one hides no genuine one', async () => {
    const [a, b, c] = ['1.0.0', '1.1.0', '1.2.0'].map((v) => made.get(v) as Made) as [Made, Made, Made];
    release('1.0.0', a.bundle); // only another signer's attestation
    release('1.1.0', b.bundle); // the API answers with 1.0.0's genuine attestation: another manifest
    release('1.2.0', c.bundle); // another signer's first, then the genuine one
    await record(a.lines.other);
    await record(c.lines.other);
    await record(c.lines.key);
    gh.inject('GET', apiPath(b.manifest), {
      status: 200,
      body: { attestations: [{ bundle: a.lines.key[0], repository_id: 1 }] },
    });

    const r = await auditRepo('cache-forged');
    expect(member(r, 'v1.0.0')).toMatchObject({
      status: 'not-authentic',
      evidence: { attestation: { url: expect.stringMatching(new RegExp(`/attestations/${a.manifest}$`)) as string } },
    });
    // A statement about another manifest is dropped before it is verified: nothing was offered for this one.
    expect(member(r, 'v1.1.0')).toMatchObject({ status: 'unsigned', evidence: { state: 'unsigned' } });
    expect(member(r, 'v1.1.0')?.evidence.attestation).toBeUndefined();
    expect(member(r, 'v1.2.0')?.status).toBe('holds');

    for (const db of await stores()) {
      gh.inject('GET', apiPath(b.manifest), {
        status: 200,
        body: { attestations: [{ bundle: a.lines.key[0], repository_id: 1 }] },
      });
      const run = await indexRepo(db, `cache-forged-${db.startsWith('postgres') ? 'pg' : 'file'}`);
      expect(run.indexed).toBe(1);
      expect(run.rejected.map((x) => x.location).sort()).toEqual([
        expect.stringContaining('web-1.0.0'),
        expect.stringContaining('web-1.1.0'),
      ]);
      // Neither is indexed as fact: 1.0.0 for the signature the API offered, 1.1.0 as unsigned.
      for (const x of run.rejected)
        expect(x.reason.includes('SIGNATURE_MISSING')).toBe(x.location.includes('web-1.1.0'));
      expect((await queryReleases(db, dir, { digest: sha256(a.bundle) })).rows).toEqual([]);
      expect((await queryReleases(db, dir, { digest: sha256(c.bundle) })).rows).toHaveLength(1);
    }
  }, 120_000);

  it('indexes a release signed by a Sigstore bundle asset with the asset named as its signature', async () => {
    const m = made.get('1.0.0') as Made;
    release('1.0.0', m.bundle);
    const sigstore = Buffer.from(JSON.stringify(m.lines.key[0]));
    const r = gh.releases.find((x) => x.tag === 'v1.0.0') as Parameters<FakeGitHub['addAsset']>[0];
    gh.addAsset(r, 'web-1.0.0.evidence.sigstore.json', sigstore);
    for (const db of await stores()) {
      const run = await indexRepo(db, `cache-asset-${db.startsWith('postgres') ? 'pg' : 'file'}`);
      expect(run.indexed).toBe(1);
      const rows = (await queryReleases(db, dir, { digest: sha256(m.bundle) })).rows;
      expect(rows[0]).toMatchObject({
        signature_location: expect.stringMatching(
          /\/releases\/download\/v1\.0\.0\/web-1\.0\.0\.evidence\.sigstore\.json$/,
        ),
        signature_digest: sha256(sigstore),
      });
    }
    // The asset is the signature: the API is never asked.
    expect(apiAsked(m.manifest)).toBe(0);
    // An asset GitHub lists without a web (http or https) URL is named by its release and name, never by the download cache's path.
    const asset = r.assets.find((a) => a.name.endsWith('.sigstore.json'));
    if (asset) asset.downloadUrl = 'ftp://mirror.example/web-1.0.0.evidence.sigstore.json';
    const [db] = await stores();
    expect((await indexRepo(db as string, 'cache-asset-nourl')).indexed).toBe(1);
    const [row] = (await queryReleases(db as string, dir, { digest: sha256(m.bundle) })).rows;
    expect(row?.signature_location).toBe('v1.0.0: web-1.0.0.evidence.sigstore.json');
  }, 120_000);

  it('a bundle a folder holds unsigned and GitHub signs through its API is indexed by the API, once', async () => {
    const m = made.get('1.0.0') as Made;
    release('1.0.0', m.bundle);
    await record([m.lines.key[0]]);
    await mkdir(join(dir, 'unsigned'), { recursive: true });
    await writeFile(join(dir, 'unsigned', 'web-1.0.0.tar.gz'), m.bundle);
    for (const db of await stores()) {
      // The folder's copy first: rejected there (no signature), then verified again from GitHub, which gives one.
      const run = await indexReleases({
        cwd: dir,
        env: { GITHUB_TOKEN: gh.token },
        db,
        sources: [join(dir, 'unsigned'), `github:${gh.owner}/${gh.repo}`],
        key: [join(dir, 'key.pub.pem')],
        apiUrl: gh.apiUrl,
        cache: join(dir, `cache-both-${db.startsWith('postgres') ? 'pg' : 'file'}`),
        concurrency: 1,
        retry: { retries: 0 },
      });
      expect({ indexed: run.indexed, rejected: run.rejected.map((r) => r.location) }).toEqual({
        indexed: 1,
        rejected: [join(dir, 'unsigned', 'web-1.0.0.tar.gz')],
      });
      const rows = (await queryReleases(db, dir, { digest: sha256(m.bundle) })).rows;
      expect(rows).toMatchObject([{ signature_location: expect.stringContaining(`/attestations/${m.manifest}`) }]);
    }
  }, 120_000);

  it("keeps a bundle's own signature when the API offers only a forged one", async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.signedInPlace);
    await record(a.lines.other);
    const r = await auditRepo('cache-own');
    // Its own signature verified: the API is not asked at all.
    expect(apiAsked(a.manifest)).toBe(0);
    expect(member(r, 'v1.0.0')?.status).toBe('holds');
    // The signature that verified is the bundle's own: no attestation from the API is named.
    expect(member(r, 'v1.0.0')?.evidence.attestation).toBeUndefined();
  }, 120_000);

  it('lists a release as unsigned when the API has no attestation for it (404)', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.bundle);
    const r = await auditRepo('cache-none');
    expect(apiAsked(a.manifest)).toBe(1);
    expect(member(r, 'v1.0.0')).toMatchObject({ status: 'unsigned', evidence: { state: 'unsigned' } });
    expect(member(r, 'v1.0.0')?.evidence.attestation).toBeUndefined();
  }, 120_000);

  it('tries at most MAX_OFFERED_STATEMENTS distinct evidence statements, and says so', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.bundle);
    // Nine distinct statements naming this manifest: each would cost a verification of the whole bundle.
    const many = Array.from({ length: MAX_OFFERED_STATEMENTS + 1 }, (_, i) => restated(a.lines.other[0], { x: i }));
    gh.inject('GET', apiPath(a.manifest), answer(many));
    const r = await auditRepo('cache-many');
    expect(member(r, 'v1.0.0')).toMatchObject({
      status: 'unavailable',
      evidence: { state: 'unavailable', code: 'GITHUB_RESPONSE_INVALID' },
    });
  }, 120_000);

  it('leaves a release unavailable when the API fails for it, and reads the others', async () => {
    const [a, b] = ['1.0.0', '1.1.0'].map((v) => made.get(v) as Made) as [Made, Made];
    release('1.0.0', a.bundle);
    release('1.1.0', b.bundle);
    await record([...a.lines.key, ...b.lines.key]);
    const fail = () =>
      gh.inject('GET', apiPath(b.manifest), {
        status: 500,
        body: { message: 'Internal Server Error' },
      });

    fail();
    const r = await auditRepo('cache-500');
    expect(member(r, 'v1.0.0')?.status).toBe('holds');
    expect(member(r, 'v1.1.0')).toMatchObject({
      status: 'unavailable',
      evidence: { state: 'unavailable', code: 'GITHUB_REQUEST_FAILED' },
    });

    for (const db of await stores()) {
      fail();
      const cache = `cache-500-${db.startsWith('postgres') ? 'pg' : 'file'}`;
      const run = await indexRepo(db, cache);
      expect(run.indexed).toBe(1);
      expect(run.rejected).toEqual([]);
      expect(run.unavailable.map((x) => [x.location, x.reason.split(':')[0]])).toEqual([
        [expect.stringContaining('v1.1.0'), 'GITHUB_REQUEST_FAILED'],
      ]);
      // The next run reads what it lacks.
      const again = await indexRepo(db, cache);
      expect({ indexed: again.indexed, unchanged: again.unchanged, unavailable: again.unavailable }).toEqual({
        indexed: 1,
        unchanged: 1,
        unavailable: [],
      });
    }
  }, 120_000);
});

describe("the bundle's own signature is verified before the attestations API is asked", () => {
  it('a release whose own signature verifies holds whatever the API would answer (not asked)', async () => {
    const [a, b] = ['1.0.0', '1.1.0'].map((v) => made.get(v) as Made) as [Made, Made];
    release('1.0.0', a.signedInPlace);
    release('1.1.0', b.signedInPlace);
    gh.inject('GET', apiPath(a.manifest), { status: 500, body: { message: 'Internal Server Error' } });
    gh.inject('GET', apiPath(b.manifest), answer(copies(b.lines.other[0], MAX_OFFERED_CANDIDATES + 1)));
    const r = await auditRepo('cache-own-first');
    expect([member(r, 'v1.0.0')?.status, member(r, 'v1.1.0')?.status]).toEqual(['holds', 'holds']);
    expect(apiAsked(a.manifest) + apiAsked(b.manifest)).toBe(0);
  }, 120_000);

  it('a bundle whose bytes do not match its manifest is not authentic, never unavailable because the API fails', async () => {
    const a = made.get('1.0.0') as Made;
    const file = join(dir, 'tampered.tar.gz');
    await writeFile(file, a.signedInPlace);
    const members = await readMembers(file);
    const blob = members.find((x) => x.name.startsWith('blobs/')) as { body: Buffer };
    blob.body = Buffer.concat([blob.body, Buffer.from(' ')]);
    await writeMembers(file, members);
    release('1.0.0', await readFile(file));
    gh.inject('GET', apiPath(a.manifest), { status: 503, body: { message: 'Service Unavailable' } });
    const r = await auditRepo('cache-tampered');
    expect(member(r, 'v1.0.0')?.status).toBe('not-authentic');
    expect(r.summary.verdict).toBe('not-authentic');
    expect(apiAsked(a.manifest)).toBe(0);
  }, 120_000);

  it('an own signature that is not authentic: the API failing leaves the release unavailable, a 404 not authentic', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.signedByOther);
    gh.inject('GET', apiPath(a.manifest), { status: 500, body: { message: 'Internal Server Error' } });
    expect(member(await auditRepo('cache-other-500'), 'v1.0.0')).toMatchObject({
      status: 'unavailable',
      evidence: { state: 'unavailable', code: 'GITHUB_REQUEST_FAILED' },
    });
    expect(member(await auditRepo('cache-other-404'), 'v1.0.0')?.status).toBe('not-authentic');
    expect(apiAsked(a.manifest)).toBe(2);
  }, 120_000);

  it('an answer nested too deep leaves that release unavailable and the audit reads the others', async () => {
    const [a, b] = ['1.0.0', '1.1.0'].map((v) => made.get(v) as Made) as [Made, Made];
    release('1.0.0', a.bundle);
    release('1.1.0', b.bundle);
    await record(a.lines.key);
    const depth = 200_000;
    const body = `{"attestations":[{"bundle":${'['.repeat(depth)}${']'.repeat(depth)},"repository_id":1}]}`;
    gh.inject('GET', apiPath(b.manifest), { status: 200, body, headers: { 'content-type': 'application/json' } });
    const r = await auditRepo('cache-deep');
    expect(member(r, 'v1.0.0')?.status).toBe('holds');
    expect(member(r, 'v1.1.0')).toMatchObject({ status: 'unavailable', evidence: { code: 'GITHUB_RESPONSE_INVALID' } });
  }, 120_000);
});

describe('what the attestations API offers is screened before it is verified', () => {
  it('nine signatures of one statement (a release job run again) are one statement: verified, not refused', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.bundle);
    const again: unknown[] = [];
    for (let i = 0; i < MAX_OFFERED_STATEMENTS + 1; i++) {
      const copy = `again-${i}.tar.gz`;
      await writeFile(join(dir, copy), a.bundle);
      const signed = await sign({ cwd: dir, bundle: copy, key: join(dir, 'key.pem') });
      again.push(JSON.parse((await readFile(signed.sigstoreJsonl, 'utf8')).split('\n')[0] as string));
    }
    await record(again);
    expect(member(await auditRepo('cache-again'), 'v1.0.0')?.status).toBe('holds');
  }, 240_000);

  it('copies of a forged attestation count once as a statement, and at most MAX_OFFERED_CANDIDATES are verified', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.bundle);
    // Junk with the right predicate type but naming nothing of this bundle is dropped, and counts for nothing.
    const junk = Array.from({ length: MAX_OFFERED_CANDIDATES }, (_, i) =>
      restated(a.lines.other[0], { subject: [{ name: 'manifest.json', digest: { sha256: String(i).repeat(64) } }] }),
    );
    gh.inject('GET', apiPath(a.manifest), answer([...junk, ...copies(a.lines.other[0], MAX_OFFERED_STATEMENTS + 1)]));
    expect(member(await auditRepo('cache-copies'), 'v1.0.0')?.status).toBe('not-authentic');
    gh.inject('GET', apiPath(a.manifest), answer(copies(a.lines.other[0], MAX_OFFERED_CANDIDATES + 1)));
    expect(member(await auditRepo('cache-too-many'), 'v1.0.0')).toMatchObject({
      status: 'unavailable',
      evidence: { state: 'unavailable', code: 'GITHUB_RESPONSE_INVALID' },
    });
  }, 120_000);
});

describe('an attestation the API returns that holds no Sigstore bundle is a failed verification of the release', () => {
  const url = (m: Made) => `${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/attestations/${m.manifest}`;
  /** The API answers for `m`'s manifest with these bundles, in this order. */
  const answering = (m: Made, bundles: unknown[]) => {
    for (const [i, bundle] of bundles.entries())
      gh.attestations.push({ id: gh.attestations.length + i + 1, bundle, digests: [m.manifest] });
  };

  it('beside a genuine one, alone, or a media type that is none: not authentic, named; the index rejects each', async () => {
    const [a, b, c] = ['1.0.0', '1.1.0', '1.2.0'].map((v) => made.get(v) as Made) as [Made, Made, Made];
    release('1.0.0', a.bundle); // JSON that is no bundle, first, then the genuine ones
    release('1.1.0', b.bundle); // only a string
    release('1.2.0', c.bundle); // the genuine one, but for the media type that says it is a Sigstore bundle
    answering(a, [{ hello: 'world' }, ...a.lines.key]);
    answering(b, ['not a bundle']);
    answering(c, [{ ...(c.lines.key[0] as object), mediaType: 'application/json' }, ...c.lines.key.slice(1)]);

    const r = await auditRepo('cache-malformed');
    for (const [id, m, of] of [
      ['v1.0.0', a, a.lines.key.length + 1],
      ['v1.1.0', b, 1],
      ['v1.2.0', c, c.lines.key.length],
    ] as const) {
      // Never dropped as another's statement (1.0.0 held on the genuine one; 1.1.0 was unsigned), nor unavailable.
      expect(member(r, id), id).toMatchObject({
        status: 'not-authentic',
        evidence: { state: 'found', code: 'ATTESTATION_MALFORMED' },
      });
      expect(member(r, id)?.evidence.message, id).toContain(`attestation 1 of ${of} from ${url(m)}`);
    }
    expect(r.summary.verdict).toBe('not-authentic');

    for (const db of await stores()) {
      const run = await indexRepo(db, `cache-malformed-${db.startsWith('postgres') ? 'pg' : 'file'}`);
      expect(run.indexed).toBe(0);
      expect(run.unavailable).toEqual([]);
      expect(run.rejected.map((x) => x.reason.split(':')[0])).toEqual(Array(3).fill('ATTESTATION_MALFORMED'));
      expect((await queryReleases(db, dir, { digest: sha256(a.bundle) })).rows).toEqual([]);
    }
  }, 120_000);

  it("said beside why the bundle's own signature did not do; an integer past 2^53 is judged, not the answer refused", async () => {
    const [a, b] = ['1.0.0', '1.1.0'].map((v) => made.get(v) as Made) as [Made, Made];
    release('1.0.0', a.signedByOther);
    release('1.1.0', b.bundle);
    answering(a, [...a.lines.key, { hello: 'world' }]);
    const big = '123456789012345678901234567890';
    gh.inject('GET', apiPath(b.manifest), {
      status: 200,
      body: `{"attestations":[{"bundle":${JSON.stringify(b.lines.key[0])},"repository_id":1},{"bundle":{"n":${big}},"repository_id":1}]}`,
      headers: { 'content-type': 'application/json' },
    });
    const r = await auditRepo('cache-malformed-own');
    expect(member(r, 'v1.0.0')).toMatchObject({ status: 'not-authentic', evidence: { code: 'ATTESTATION_MALFORMED' } });
    expect(member(r, 'v1.0.0')?.evidence.message).toMatch(/its own signature is not authentic \([A-Z_]+\), and /);
    expect(member(r, 'v1.0.0')?.evidence.message).toContain(`attestation ${a.lines.key.length + 1} of`);
    // Was unavailable (GITHUB_RESPONSE_INVALID, exit 2): one attestation GitHub delivered that is no bundle.
    expect(member(r, 'v1.1.0')).toMatchObject({ status: 'not-authentic', evidence: { code: 'ATTESTATION_MALFORMED' } });
    expect(member(r, 'v1.1.0')?.evidence.message).toContain(`attestation 2 of 2 from ${url(b)}`);
  }, 120_000);

  it('a Sigstore bundle asset that is none is not authentic and rejected too (the API is not asked)', async () => {
    const a = made.get('1.0.0') as Made;
    release('1.0.0', a.bundle);
    const r0 = gh.releases.find((x) => x.tag === 'v1.0.0') as Parameters<FakeGitHub['addAsset']>[0];
    gh.addAsset(r0, 'web-1.0.0.evidence.sigstore.json', '{"hello":"world"}');
    expect(member(await auditRepo('cache-malformed-asset'), 'v1.0.0')).toMatchObject({
      status: 'not-authentic',
      evidence: { code: 'ATTESTATION_MALFORMED' },
    });
    const [db] = await stores();
    const run = await indexRepo(db as string, 'cache-malformed-asset-index');
    // Recorded as the verification's error (it names the download cache's copy: see docs/index.md).
    expect(run.rejected.map((x) => /\bATTESTATION_MALFORMED\b/.test(x.reason))).toEqual([true]);
    expect(apiAsked(a.manifest)).toBe(0);
  }, 120_000);
});
