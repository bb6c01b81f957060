import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditOptions } from '../../src/commands/audit.js';
import { collect } from '../../src/commands/collect.js';
import { renderAudit } from '../../src/present/render-audit.js';
import { sign } from '../../src/commands/sign.js';
import {
  validateOscalAssessmentResults,
  oscalAssessmentResultsSchema,
  type OscalAssessmentResultsDocument,
  type OscalResult,
} from '../../src/formats/oscal.js';
import { drawSample } from '../../src/verifier/period.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { fixture } from '../helpers/tmp.js';
import { runCli } from '../helpers/io.js';

/**
 * evidence audit against a GitHub with 24 releases of acme/web: signed and
 * passing, signed with failing tests (some before a waiver expired inside
 * the period, some after), unsigned, tampered, without evidence, a draft,
 * and one before the period. Every bundle is collected and key-signed here.
 */

const PASSING = fixture('junit/gradle-TEST-demo.StringsTest.junit.xml');
const FAILING = fixture('junit/jest.junit.xml');
type Kind = 'good' | 'failing' | 'unsigned' | 'tampered' | 'none' | 'draft';
/** Tag, publication day, what it is. The period is 2026-01-01 … 2026-06-30. */
const PLAN: [string, string, Kind][] = [
  ['v0.9.0', '2025-12-15', 'good'], // before the period
  ...Array.from({ length: 10 }, (_, i): [string, string, Kind] => [
    `v1.${i}.0`,
    `2026-01-${String(5 + i * 2).padStart(2, '0')}`,
    'good',
  ]),
  ['v1.10.0', '2026-02-02', 'failing'], // waived: the waiver runs to 2026-03-15
  ['v1.11.0', '2026-02-20', 'good'],
  ['v1.12.0', '2026-03-02', 'failing'], // waived
  ['v1.13.0', '2026-03-20', 'failing'], // after the waiver expired
  ['v1.14.0', '2026-04-01', 'good'],
  ['v1.15.0', '2026-04-10', 'unsigned'],
  ['v1.16.0', '2026-04-20', 'failing'], // after expiry
  ['v1.17.0', '2026-05-01', 'tampered'],
  ['v1.18.0', '2026-05-10', 'good'],
  ['v1.19.0', '2026-05-20', 'none'],
  ['v1.20.0', '2026-06-01', 'unsigned'],
  ['v1.21.0', '2026-06-10', 'good'],
  ['v1.22.0', '2026-06-20', 'draft'],
];

const POLICY = `version: 1
require:
  - kind: junit
    controls: [SOC2-CC8.1, ISO27001-A.8.29]
  - kind: sbom
    controls: [SSDF-PS.3.2, CRA-I.P2.1]
rules:
  - name: tests-green
    expr: junit.all(j, j.tests > 0 && j.failed == 0 && j.errored == 0)
    controls: [SOC2-CC8.1, ISO27001-A.8.29, SSDF-PW.8]
  - name: no-critical
    expr: sarif.all(s, s.severities.critical == 0)
    controls: [SSDF-RV.1]
waivers:
  - rule: tests-green
    reason: flaky suite quarantined, ACME-77
    expires: 2026-03-15
`;

let dir: string;
let gh: FakeGitHub;
let base: AuditOptions;
/** Each release's signed or unsigned bytes, by tag. */
const made = new Map<string, { bundle: Buffer; sigstore?: Buffer }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-audit-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(dir, 'policy.yaml'), POLICY);
  gh = await startFakeGitHub();
  gh.public = true;
  for (const [tag, day, kind] of PLAN) {
    const version = tag.slice(1);
    const name = `acme-web-${version}`;
    const epoch = String(Date.parse(`${day}T09:00:00Z`) / 1000);
    const release = gh.addRelease(tag, { draft: kind === 'draft', publishedAt: `${day}T10:00:00Z` });
    if (kind === 'none') continue;
    const { output } = await collect({
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: epoch },
      output: `${name}.tar.gz`,
      name: 'acme-web',
      version,
      sbom: [fixture('sbom/npm-sbom.cdx.json')],
      sarif: [fixture('sarif/eslint.sarif')],
      junit: [kind === 'failing' ? FAILING : PASSING],
    });
    if (kind === 'unsigned') {
      const bytes = await readFile(output);
      made.set(tag, { bundle: bytes });
      gh.addAsset(release, `${name}.tar.gz`, bytes);
      continue;
    }
    const signed = await sign({ cwd: dir, bundle: output, key: join(dir, 'key.pem'), noStandard: true });
    let bundle: Buffer = await readFile(signed.bundle);
    const sigstore = await readFile(signed.sigstoreBundle);
    // Tampered: the release carries the bundle of another version beside this one's signature.
    if (kind === 'tampered') bundle = Buffer.from((made.get('v1.0.0') as { bundle: Buffer }).bundle);
    made.set(tag, { bundle, sigstore });
    gh.addAsset(release, `${name}.tar.gz`, bundle);
    gh.addAsset(release, `${name}.sigstore.json`, sigstore);
  }
  base = {
    cwd: dir,
    repo: 'acme/web',
    apiUrl: gh.apiUrl,
    since: '2026-01-01',
    until: '2026-06-30',
    key: [join(dir, 'key.pub.pem')],
    policy: 'policy.yaml',
    retry: { retries: 0 },
  };
}, 120_000);

afterAll(async () => {
  await gh?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const storageGets = (): number => gh.received.filter((r) => r.origin === 'storage' && r.method === 'GET').length;

describe('evidence audit over GitHub releases', () => {
  it('lists the whole population of the period and classifies every release', async () => {
    const r = await audit({ ...base, cache: 'cache-classify' });
    const s = r.summary;
    const standing = Object.fromEntries(s.members.map((m) => [m.id, m.status]));
    // v0.9.0 is before the period and v1.22.0 is a draft: neither is a release of the period.
    expect(Object.keys(standing)).toHaveLength(22);
    expect(standing['v0.9.0']).toBeUndefined();
    expect(standing['v1.22.0']).toBeUndefined();
    expect(standing['v1.0.0']).toBe('holds');
    expect(standing['v1.10.0']).toBe('holds'); // failing tests, waived
    expect(standing['v1.12.0']).toBe('holds');
    expect(standing['v1.13.0']).toBe('policy-failed'); // the waiver had expired
    expect(standing['v1.16.0']).toBe('policy-failed');
    expect(standing['v1.15.0']).toBe('unsigned');
    expect(standing['v1.20.0']).toBe('unsigned');
    expect(standing['v1.17.0']).toBe('not-authentic');
    expect(standing['v1.19.0']).toBe('missing');
    expect(s.counts).toMatchObject({
      population: 22,
      examined: 22,
      holds: 16,
      'policy-failed': 2,
      unsigned: 2,
      'not-authentic': 1,
      missing: 1,
    });
    expect(s.verdict).toBe('not-authentic');
    // In publication order.
    expect(s.members.map((m) => m.published)).toEqual([...s.members.map((m) => m.published)].sort());
    // The three answers stay apart: a waived release holds, yet its evidence still says its tests failed.
    const waived = s.members.find((m) => m.id === 'v1.10.0');
    expect(waived?.report?.assessment?.evidence.findings.map((f) => f.code)).toContain('TESTS_FAILED');
    // The tampered release: its signature is not about the bundle it carries.
    const tampered = s.members.find((m) => m.id === 'v1.17.0');
    expect(tampered?.report?.checks.some((c) => !c.ok && !c.skipped && c.id === 'statement')).toBe(true);
  });

  it('reports the waivers used, and the one that expired inside the period, with the releases it no longer covered', async () => {
    const r = await audit({ ...base, cache: 'cache-waivers' });
    expect(r.summary.waivers).toEqual([
      {
        rule: 'tests-green',
        reason: 'flaky suite quarantined, ACME-77',
        expires: '2026-03-15',
        waivedIn: ['v1.10.0', 'v1.12.0'],
        failedAfterExpiryIn: ['v1.13.0', 'v1.16.0'],
        expiredInPeriod: true,
      },
    ]);
  });

  it('maps the policy to controls: what evidence covers each, and in how many releases it held', async () => {
    const r = await audit({ ...base, cache: 'cache-controls' });
    const cc81 = r.summary.controls.find((c) => c.id === 'SOC2-CC8.1');
    // CC8.1 rests on change approvals too, which no release carries: partly shown where its tests passed, never held.
    expect(cc81).toMatchObject({
      catalog: 'soc2',
      kinds: ['junit'],
      held: 0,
      waived: 0,
      partlyShown: 16,
      failed: 2,
      failedIn: ['v1.13.0', 'v1.16.0'],
      notEvaluated: 4,
    });
    expect(cc81?.missing.map((m) => m.what).join('\n')).toMatch(/approval of each change/);
    expect(cc81?.title).toMatch(/^Changes are authorised/);
    const ps32 = r.summary.controls.find((c) => c.id === 'SSDF-PS.3.2');
    expect(ps32).toMatchObject({ held: 18, failed: 0, notEvaluated: 4 });
    expect(ps32?.title).toContain('task PS.3.2');
    // Catalog order: SOC 2, ISO 27001, SSDF, then CRA.
    expect(r.summary.controls.map((c) => c.id)).toEqual([
      'SOC2-CC8.1',
      'ISO27001-A.8.29',
      'SSDF-PS.3.2',
      'SSDF-PW.8',
      'SSDF-RV.1',
      'CRA-I.P2.1',
    ]);
  });

  it('exits by the worst standing: 0 when every release holds, 3 when one fails the policy, 1 when one is not authentic', async () => {
    const cache = 'cache-exits';
    expect((await audit({ ...base, cache, since: '2026-01-01', until: '2026-03-10' })).summary.verdict).toBe('holds');
    expect((await audit({ ...base, cache, since: '2026-01-01', until: '2026-04-05' })).summary.verdict).toBe(
      'policy-failed',
    );
    expect((await audit({ ...base, cache, since: '2026-04-15', until: '2026-05-05' })).summary.verdict).toBe(
      'not-authentic',
    );
    // Without the policy, the release with failing tests (after its waiver) holds: authentic is all that was asked.
    expect(
      (await audit({ ...base, cache, policy: undefined, since: '2026-03-16', until: '2026-04-05' })).summary.verdict,
    ).toBe('holds');
  });

  it('draws a reproducible sample, the same whatever the order, and examines only it', async () => {
    const r = await audit({ ...base, cache: 'cache-sample', sample: 5, seed: 'Q1-Q2-2026' });
    const examined = r.summary.members.filter((m) => m.sampled).map((m) => m.id);
    expect(examined).toHaveLength(5);
    const ids = r.summary.members.map((m) => m.id);
    expect(new Set(examined)).toEqual(drawSample([...ids].reverse(), 5, 'Q1-Q2-2026'));
    expect(drawSample(ids, 5, 'another seed')).not.toEqual(drawSample(ids, 5, 'Q1-Q2-2026'));
    expect(r.summary.counts['not-examined']).toBe(17);
    expect(
      r.summary.members.filter((m) => !m.sampled).every((m) => m.status === 'not-examined' && m.report === undefined),
    ).toBe(true);
  });

  it('resumes after being killed: what was downloaded whole is not downloaded again', async () => {
    const bin = join(process.cwd(), 'dist', 'bin', 'evidence.js');
    if (!existsSync(bin)) {
      console.warn('skipped: dist/bin/evidence.js is absent (run npm run build); npm test builds it first');
      return;
    }
    const cache = join(dir, 'cache-resume');
    const args = [
      bin,
      'audit',
      '--repo',
      'acme/web',
      '--api-url',
      gh.apiUrl,
      '--since',
      '2026-01-01',
      '--until',
      '2026-06-30',
      '--key',
      'key.pub.pem',
      '--policy',
      'policy.yaml',
      '--cache',
      cache,
      '--concurrency',
      '1',
      '--json',
    ];
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    const killed = new Promise<number | null>((done) => {
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (/\[6\/22\]/.test(err)) child.kill('SIGKILL');
      });
      child.on('close', (code) => done(code));
    });
    expect(await killed, err).toBeNull(); // killed, not finished
    const cached = await readdir(join(cache, 'sha256'));
    expect(cached.filter((f) => /^[0-9a-f]{64}$/.test(f)).length).toBeGreaterThanOrEqual(6);
    // Nothing half-written stays under a digest: every file there hashes to its name (the cache checks on use, too).
    const before = storageGets();
    const r = await audit({ ...base, cache });
    const downloads = storageGets() - before;
    const all = new Set(
      [...made.values()].flatMap((m) =>
        [m.bundle, ...(m.sigstore ? [m.sigstore] : [])].map((b) => b.toString('base64')),
      ),
    );
    // Whole audit again: only what was not cached is fetched.
    expect(downloads).toBeLessThan(all.size);
    const again = storageGets();
    await audit({ ...base, cache });
    expect(storageGets() - again).toBe(0);
    expect(r.summary.counts.holds).toBe(16);
  }, 60_000);

  it('writes OSCAL assessment results that validate, with findings per control and evidence by digest', async () => {
    const r = await audit({ ...base, cache: 'cache-oscal' });
    const text = renderAudit('oscal', r);
    const doc = JSON.parse(text) as OscalAssessmentResultsDocument;
    expect(validateOscalAssessmentResults(doc)).toEqual({ ok: true });
    // Round trip: parsed by the schema and written again, the same document.
    expect(oscalAssessmentResultsSchema.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
    const ar = doc['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.1.3');
    const result = ar.results[0] as OscalResult;
    const findings = Object.fromEntries((result.findings ?? []).map((f) => [f.target['target-id'], f]));
    expect(findings['SOC2-CC8.1']?.target.status.state).toBe('not-satisfied');
    expect(findings['SOC2-CC8.1']?.['related-risks']).toHaveLength(1);
    expect(
      result['reviewed-controls']['control-selections'][0]?.['include-controls']?.map((c) => c['control-id']),
    ).toContain('ISO27001-A.8.29');
    const resources = new Map((ar['back-matter']?.resources ?? []).map((x) => [`#${x.uuid}`, x]));
    // Each examined release's observation points at its bundle and its attestation by SHA-256.
    const obs = result.observations?.find((o) => o.title?.startsWith('Release v1.3.0'));
    const evidence = obs?.['relevant-evidence'] ?? [];
    const hashes = evidence.flatMap((e) => resources.get(e.href ?? '')?.rlinks?.[0]?.hashes?.[0]?.value ?? []);
    const v13 = made.get('v1.3.0') as { bundle: Buffer; sigstore: Buffer };
    const { createHash } = await import('node:crypto');
    expect(hashes).toContain(createHash('sha256').update(v13.bundle).digest('hex'));
    expect(hashes).toContain(createHash('sha256').update(v13.sigstore).digest('hex'));
    // and at the JUnit blob the controls read, by digest, and at the release page.
    expect(evidence.some((e) => /junit/.test(e.description ?? '') && resources.has(e.href ?? ''))).toBe(true);
    expect(evidence.some((e) => e.href?.endsWith('/releases/tag/v1.3.0'))).toBe(true);
    // Deterministic: the same audit, the same document.
    expect(renderAudit('oscal', r)).toBe(text);
  });

  it('from the command line: exit 0, 3 and 1 by the worst release, each report format, and no token anywhere', async () => {
    const token = gh.token;
    const env = { GITHUB_TOKEN: token };
    const args = (since: string, until: string, ...more: string[]): string[] => [
      'audit',
      '--repo',
      'acme/web',
      '--api-url',
      gh.apiUrl,
      '--since',
      since,
      '--until',
      until,
      '--key',
      'key.pub.pem',
      '--policy',
      'policy.yaml',
      '--cache',
      'cache-cli',
      '-q',
      ...more,
    ];
    const ok = await runCli(args('2026-01-01', '2026-03-10'), { cwd: dir, env });
    expect(ok.code).toBe(0);
    // Two of its releases held with some check reading no evidence: said with the pass, never folded into it.
    expect(ok.stdout).toMatch(
      /^EVERY RELEASE HOLDS \(2 PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE\): GitHub releases of acme\/web/,
    );
    const policy = await runCli(args('2026-01-01', '2026-04-05', '--format', 'markdown'), { cwd: dir, env });
    expect(policy.code).toBe(3);
    expect(policy.stdout).toContain('**POLICY FAILED.**');
    expect(policy.stdout).toContain('| `v1.13.0` |');
    const bad = await runCli(args('2026-01-01', '2026-06-30', '--json'), { cwd: dir, env });
    expect(bad.code).toBe(1);
    const json = JSON.parse(bad.stdout) as { kind: string; summary: { counts: Record<string, number> } };
    expect(json).toMatchObject({ kind: 'evidence-audit', summary: { counts: { population: 22, 'not-authentic': 1 } } });
    const html = await runCli(args('2026-01-01', '2026-06-30', '--format', 'html', '-o', 'period.html'), {
      cwd: dir,
      env,
    });
    expect(html.code).toBe(1);
    expect(await readFile(join(dir, 'period.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    for (const out of [ok, policy, bad, html]) expect(out.stdout + out.stderr).not.toContain(token);
    expect(await readFile(join(dir, 'period.html'), 'utf8')).not.toContain(token);
    // A usage error is 2, naming what is wrong.
    const usage = await runCli(['audit', '--since', '2026-01-01', '--until', '2026-02-01', '--key', 'key.pub.pem'], {
      cwd: dir,
      env,
    });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--repo');
  });

  it('a release whose download fails is unavailable (exit 2: the audit is incomplete), not a verdict on it', async () => {
    const v = gh.releases.find((r) => r.tag === 'v1.3.0');
    const asset = v?.assets.find((a) => a.name.endsWith('.tar.gz'));
    gh.inject('GET', new RegExp(`/releases/assets/${asset?.id}$`), { status: 502, body: { message: 'Bad Gateway' } });
    const r = await audit({ ...base, cache: 'cache-unavailable', since: '2026-01-01', until: '2026-01-31' });
    expect(r.summary.members.find((m) => m.id === 'v1.3.0')).toMatchObject({
      status: 'unavailable',
      evidence: { state: 'unavailable' },
    });
    expect(r.summary.verdict).toBe('incomplete');
  });

  it('treats the listing as hostile: a release list that is not one stops the audit with exit-2 code', async () => {
    gh.inject('GET', /\/releases$/, { status: 200, body: [{ id: 'not a number', tag_name: 7 }] });
    const e = await audit({ ...base, cache: 'cache-hostile' }).then(
      () => undefined,
      (x: { code?: string }) => x,
    );
    expect(e?.code).toBe('GITHUB_RESPONSE_INVALID');
  });

  it('a key-signed release audited against a signer identity alone is not authentic: not signed by the signer pinned', async () => {
    const identity = {
      certificateIdentity: 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.0.0',
      certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
    };
    const r = await audit({ ...base, key: undefined, identity, until: '2026-01-06', cache: 'cache-kind' });
    const member = r.summary.members.find((m) => m.id === 'v1.0.0');
    // Verified and found signed by another kind of signer than pinned (exit 1), not refused as input (exit 2).
    expect(member?.status).toBe('not-authentic');
    expect(member?.reason).toMatch(/\(SIGNER_KIND_MISMATCH\): not signed by the signer pinned \(signed with a key/);
    expect(member?.report?.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code)).toEqual([
      'SIGNER_KIND_MISMATCH',
    ]);
    expect(r.summary.verdict).toBe('not-authentic');
  });

  it('refuses what an audit cannot do, before any request, exit 2 codes', async () => {
    const codeOf = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'none',
        (e: { code?: string }) => e.code ?? 'none',
      );
    expect(await codeOf(audit({ ...base, key: undefined }))).toBe('IDENTITY_POLICY_REQUIRED');
    expect(await codeOf(audit({ ...base, since: '2026-07-01' }))).toBe('INVALID_OPTION');
    expect(await codeOf(audit({ ...base, since: 'last year' }))).toBe('INVALID_OPTION');
    expect(await codeOf(audit({ ...base, since: '2026-02-30' }))).toBe('INVALID_OPTION');
    for (const until of [
      '2026-02-29',
      '2026-06-31',
      '2026-13-01',
      '2026-06-30T24:00:00Z',
      '2026-06-30T23:59:60Z',
      '2026-06-30T12:00:00+24:00',
      '2026-06-30T12:00Z',
    ]) {
      expect(await codeOf(audit({ ...base, until }))).toBe('INVALID_OPTION');
    }
    expect(await codeOf(audit({ ...base, since: '1800-01-01' }))).toBe('INVALID_OPTION');
    expect(await codeOf(audit({ ...base, sample: 3 }))).toBe('INVALID_OPTION');
    expect(await codeOf(audit({ ...base, oci: 'oci://127.0.0.1:9/acme/web' }))).toBe('INVALID_OPTION');
    await writeFile(join(dir, 'typo.yaml'), POLICY.replace('SOC2-CC8.1, ISO', 'SOC2-CC8.9, ISO'));
    expect(await codeOf(audit({ ...base, policy: 'typo.yaml' }))).toBe('POLICY_INVALID');
  });
});

describe('evidence audit against a hostile or careless release history', () => {
  let other: FakeGitHub;
  beforeAll(async () => {
    other = await startFakeGitHub();
    other.public = true;
  });
  afterAll(async () => {
    await other?.stop();
  });
  const opts = (more: Partial<AuditOptions> = {}): AuditOptions => ({
    ...base,
    apiUrl: other.apiUrl,
    cache: `cache-hostile-${Math.random().toString(36).slice(2)}`,
    ...more,
  });
  const asset = (tag: string, name: string, bytes: Buffer | string, day = '2026-02-10') => {
    const r = other.releases.find((x) => x.tag === tag) ?? other.addRelease(tag, { publishedAt: `${day}T10:00:00Z` });
    return other.addAsset(r, name, bytes);
  };

  it("a release carrying another release's signed bundle is not that release's evidence (RELEASE_MISMATCH, not authentic)", async () => {
    const v10 = made.get('v1.0.0') as { bundle: Buffer; sigstore: Buffer };
    asset('v9.0.0', 'acme-web-9.0.0.tar.gz', v10.bundle);
    asset('v9.0.0', 'acme-web-9.0.0.sigstore.json', v10.sigstore);
    const r = await audit(opts());
    expect(r.summary.members.find((m) => m.id === 'v9.0.0')).toMatchObject({
      status: 'not-authentic',
      evidence: { code: 'RELEASE_MISMATCH', conflict: true },
    });
    // The signature itself verified: the report says so, and what the bundle says is kept out of trends.
    expect(r.summary.members.find((m) => m.id === 'v9.0.0')?.report?.assessment?.authenticity.status).toBe('authentic');
    expect(r.summary.trends.map((t) => t.id)).not.toContain('v9.0.0');
  });

  it('two releases of one version (v1.3.0 and 1.3.0) are one member: one bundle never counts twice; different bundles are ambiguous', async () => {
    const v13 = made.get('v1.3.0') as { bundle: Buffer; sigstore: Buffer };
    for (const tag of ['v1.3.0', '1.3.0']) {
      asset(tag, 'acme-web-1.3.0.tar.gz', v13.bundle, '2026-02-11');
      asset(tag, 'acme-web-1.3.0.sigstore.json', v13.sigstore, '2026-02-11');
    }
    const r = await audit(opts({ since: '2026-02-11', until: '2026-02-11' }));
    expect(r.summary.members.map((m) => [m.id, m.tags, m.status])).toEqual([['1.3.0', ['1.3.0', 'v1.3.0'], 'holds']]);
    expect(r.summary.counts.population).toBe(1);
    const v14 = made.get('v1.4.0') as { bundle: Buffer; sigstore: Buffer };
    asset('v1.4.0', 'acme-web-1.4.0.tar.gz', v14.bundle, '2026-02-12');
    asset('v1.4.0', 'acme-web-1.4.0.sigstore.json', v14.sigstore, '2026-02-12');
    asset('1.4.0', 'acme-web-1.4.0.tar.gz', v13.bundle, '2026-02-12');
    const twice = await audit(opts({ since: '2026-02-12', until: '2026-02-12' }));
    expect(twice.summary.members.map((m) => [m.id, m.status, m.evidence.state])).toEqual([
      ['1.4.0', 'missing', 'ambiguous'],
    ]);
  });

  it('a bundle of another product with the same version and signing key does not make a release hold', async () => {
    const v15 = made.get('v1.5.0') as { bundle: Buffer; sigstore: Buffer };
    asset('v1.5.0', 'acme-web-1.5.0.tar.gz', v15.bundle, '2026-02-13');
    asset('v1.5.0', 'acme-web-1.5.0.sigstore.json', v15.sigstore, '2026-02-13');
    const pinned = await audit(opts({ since: '2026-02-13', until: '2026-02-13', product: 'acme-api' }));
    expect(pinned.summary.members[0]).toMatchObject({
      status: 'not-authentic',
      evidence: { code: 'PRODUCT_MISMATCH', conflict: true },
    });
    expect(pinned.summary.product).toMatchObject({ name: 'acme-api', pinned: true, names: [] });
    const own = await audit(opts({ since: '2026-02-13', until: '2026-02-13', product: 'acme-web' }));
    expect(own.summary.members[0]?.status).toBe('holds');
    // Unpinned, the period holds to the one product its bundles name.
    expect((await audit(opts({ since: '2026-02-13', until: '2026-02-13' }))).summary.product).toEqual({
      name: 'acme-web',
      pinned: false,
      names: ['acme-web'],
    });
  });

  it('one unreadable or unverifiable release does not stop the audit: it is not authentic, named with its file', async () => {
    const v11 = made.get('v1.1.0') as { bundle: Buffer; sigstore: Buffer };
    asset('v1.1.0', 'acme-web-1.1.0.tar.gz', v11.bundle);
    const at = (v: string) => `https://github.example/acme/web/releases/download/v${v}/acme-web-${v}.sigstore.json`;
    asset('v1.1.0', 'acme-web-1.1.0.sigstore.json', 'not json').downloadUrl = at('1.1.0');
    // JSON, but no Sigstore bundle.
    const v16 = made.get('v1.6.0') as { bundle: Buffer };
    asset('v1.6.0', 'acme-web-1.6.0.tar.gz', v16.bundle, '2026-02-14');
    asset('v1.6.0', 'acme-web-1.6.0.sigstore.json', '{}', '2026-02-14').downloadUrl = at('1.6.0');
    const cache = `cache-malformed-${Math.random().toString(36).slice(2)}`;
    const r = await audit(opts({ since: '2026-02-01', until: '2026-02-28', cache }));
    const m = r.summary.members.find((x) => x.id === 'v1.1.0');
    expect(m).toMatchObject({ status: 'not-authentic', evidence: { code: 'ATTESTATION_UNREADABLE' } });
    expect(m?.reason).toMatch(/^v1\.1\.0: acme-web-1\.1\.0\.tar\.gz: /);
    const malformed = r.summary.members.find((x) => x.id === 'v1.6.0');
    expect(malformed).toMatchObject({ status: 'not-authentic', evidence: { code: 'ATTESTATION_MALFORMED' } });
    // Each names the asset where GitHub lists it (an auditor can find it), never the download cache's file.
    expect(m?.reason).toContain(`${at('1.1.0')}: `);
    expect(malformed?.reason).toContain(`${at('1.6.0')}: `);
    for (const x of [m, malformed]) expect(x?.reason).not.toContain(cache);
    expect(r.summary.verdict).toBe('not-authentic');
  });

  it('several bundles in a release are ambiguous, whichever has a signature beside it: the uploader does not choose', async () => {
    const v12 = made.get('v1.2.0') as { bundle: Buffer; sigstore: Buffer };
    const v20 = made.get('v1.20.0') as { bundle: Buffer };
    asset('v1.2.0', 'acme-web-1.2.0.tar.gz', v20.bundle, '2026-03-10');
    asset('v1.2.0', 'old.tar.gz', v12.bundle);
    asset('v1.2.0', 'old.sigstore.json', v12.sigstore);
    const r = await audit(opts({ since: '2026-03-01', until: '2026-03-31' }));
    expect(r.summary.members.find((x) => x.id === 'v1.2.0')).toMatchObject({
      status: 'missing',
      evidence: { state: 'ambiguous' },
    });
    const named = await audit(opts({ since: '2026-03-01', until: '2026-03-31', name: 'old' }));
    // Named, the old bundle is read, and it is v1.2.0's: the tag and the version agree.
    expect(named.summary.members.find((x) => x.id === 'v1.2.0')?.status).toBe('holds');
  });

  it('waivers apply as of the signed manifest when the listing says the release is older: back-dating brings no lapsed waiver back', async () => {
    // v1.13.0 failed its tests after the waiver expired (2026-03-15); published here as if on 2026-03-01.
    const v113 = made.get('v1.13.0') as { bundle: Buffer; sigstore: Buffer };
    asset('v1.13.0', 'acme-web-1.13.0.tar.gz', v113.bundle, '2026-03-01');
    asset('v1.13.0', 'acme-web-1.13.0.sigstore.json', v113.sigstore);
    const r = await audit(opts({ since: '2026-02-25', until: '2026-03-05' }));
    const m = r.summary.members.find((x) => x.id === 'v1.13.0');
    expect(m?.status).toBe('policy-failed');
    expect(m?.report?.policy?.evaluatedAt).toBe('2026-03-20T09:00:00.000Z');
  });

  it('refuses two releases with one tag, and an empty period is not a pass', async () => {
    const empty = await audit(opts({ since: '2030-01-01', until: '2030-12-31' }));
    expect(empty.summary).toMatchObject({ verdict: 'empty', counts: { population: 0 } });
    other.addRelease('v9.0.0', { publishedAt: '2026-02-11T10:00:00Z' });
    const e = await audit(opts()).then(
      () => undefined,
      (x: { code?: string }) => x,
    );
    expect(e?.code).toBe('GITHUB_RESPONSE_INVALID');
  });
});

describe('the period report does not overstate a sample', () => {
  it('says every examined release holds, with how many of how many, never that every release does', async () => {
    const r = await audit({
      ...base,
      cache: 'cache-sample-words',
      since: '2026-01-01',
      until: '2026-01-31',
      sample: 2,
      seed: 's',
    });
    expect(r.summary.verdict).toBe('holds');
    expect(renderAudit('text', r)).toMatch(/^EVERY EXAMINED RELEASE HOLDS \(2 of \d+, a sample\)/);
    expect(renderAudit('html', r)).toContain('EVERY EXAMINED RELEASE HOLDS');
  });
});

const CHROMIUM = '/usr/bin/chromium';
const OUT = new URL('../../test-output/', import.meta.url).pathname;
if (!existsSync(CHROMIUM))
  console.warn(
    `test/commands/audit.test.ts: skipping the browser test: ${CHROMIUM} does not exist (install Debian's chromium package)`,
  );

describe.skipIf(!existsSync(CHROMIUM))('the HTML period report in headless Chromium', () => {
  it('renders with its standing strip and trend charts, loads nothing, and is kept as a screenshot', async () => {
    const r = await audit({ ...base, cache: 'cache-html' });
    const page_ = renderAudit('html', r);
    await mkdir(OUT, { recursive: true });
    const file = join(dir, 'audit.html');
    await writeFile(file, page_);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const network: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        network.push(url);
        return route.abort();
      });
      await page.goto(`file://${file}`);
      expect(network).toEqual([]);
      expect(await page.locator('#verdict-word').textContent()).toBe('RELEASES WITHOUT AUTHENTIC EVIDENCE');
      // One row per release of the period, and its standing in words (never colour alone).
      expect(await page.locator('table.releases tbody tr').count()).toBe(22);
      expect(await page.locator('tr.standing-policy-failed').count()).toBe(2);
      // The standing strip: one cell per release; the trend charts for tests and findings drawn with a point per
      // release.
      expect(await page.locator('#standing svg rect').count()).toBe(22);
      const charts = page.locator('#trends svg');
      expect(await charts.count()).toBeGreaterThanOrEqual(2);
      const points = await page.locator('#trends svg').first().locator('g.series[data-series="tests"] circle').count();
      expect(points).toBe(r.summary.trends.length);
      const box = await charts.first().boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(300);
      expect(await page.locator('#controls tbody tr').count()).toBe(6);
      await page.screenshot({ path: join(OUT, 'audit-period-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
