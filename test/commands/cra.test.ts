import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { EXAMPLE, keyPair, release } from '../helpers/release-bundles.js';

/**
 * evidence cra notify and evidence cra file through the CLI, over an index of three releases: 1.4.2 scanned with the
 * VEX document (CVE-2018-3750 not affected), 1.4.3 scanned without it (found, no disposition), 1.4.4 not scanned,
 * with the same SBOM (deep-extend 0.6.0, which the findings name). Each draft says what the index holds and no more: a
 * release without a scan is unknown, not unaffected, unless its SBOM lists what a finding names.
 */
let dir: string;
afterAll(() => rm(dir, { recursive: true, force: true }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-cra-test-'));
  await mkdir(join(dir, 'bundles'));
  await keyPair(dir, 'key');
  await copyFile(join(EXAMPLE, 'vex/acme-web.openvex.json'), join(dir, 'vex.json'));
  await release(dir, '1.4.2', 'key', true);
  await writeFile(
    join(dir, 'empty.json'),
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'urn:e',
      author: 'a',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [],
    }),
  );
  await copyFile(join(dir, 'empty.json'), join(dir, 'vex.json'));
  await release(dir, '1.4.3', 'key', true);
  await release(dir, '1.4.4', 'key', false);
  const index = await runCli(['index', 'bundles', '--db', 'evidence.db', '--key', 'key.pub.pem', '-q'], { cwd: dir });
  expect(index.code, index.stderr).toBe(0);
}, 120_000);

describe('evidence cra notify', () => {
  it('drafts each release\u2019s standing from its evidence, unknown where its bundle holds no scan', async () => {
    const r = await runCli(['cra', 'notify', 'CVE-2018-3750', '--db', 'evidence.db', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as {
      draft: boolean;
      notice: string;
      summary: { byAssessment: Record<string, number>; exposedSince?: string; fixVersions: string[] };
      releases: { version: string; assessment: string; bundle: { digest: string; location: string } }[];
    };
    expect(d.draft).toBe(true);
    expect(d.notice).toMatch(/not legal advice/);
    expect(d.releases.map((x) => [x.version, x.assessment])).toEqual([
      ['1.4.2', 'not_affected'],
      ['1.4.3', 'no_disposition'],
      // It holds no scan, but its SBOM lists deep-extend 0.6.0, which the others' findings name: never unknown.
      ['1.4.4', 'ships_named_component'],
    ]);
    expect(d.summary.byAssessment).toMatchObject({
      not_affected: 1,
      no_disposition: 1,
      ships_named_component: 1,
      not_scanned: 0,
      affected: 0,
    });
    expect(d.summary.exposedSince).toBe('2026-12-07T08:00:00Z'); // 1.4.3's creation
    expect(d.releases[0]?.bundle.location).toBe(join(dir, 'bundles/acme-web-1.4.2.evidence.tar.gz'));
    expect(d.releases[0]?.bundle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const md = await runCli(['cra', 'notify', 'CVE-2018-3750', '--db', 'evidence.db', '--product', 'acme-web'], {
      cwd: dir,
    });
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^# DRAFT: CRA Article 14/);
    expect(md.stdout).toContain('- [ ] 14(2)(a) early warning, within 24 hours');
    expect(md.stdout).toContain('unknown: its bundle holds no scan');
    expect(md.stdout).toContain(
      '- Its SBOM lists `pkg:npm/deep-extend@0.6.0`, the package and version a finding of it names (in the scans of acme-web 1.4.2; acme-web 1.4.3); its bundle holds no vulnerability scan.',
    );
    expect(md.stdout).toContain('justification `vulnerable_code_not_in_execute_path`');

    const none = await runCli(['cra', 'notify', 'CVE-1999-0001', '--db', 'evidence.db', '--json'], { cwd: dir });
    const n = JSON.parse(none.stdout) as { releases: { assessment: string }[] };
    expect(n.releases.map((x) => x.assessment)).toEqual(['not_found_by_scans', 'not_found_by_scans', 'not_scanned']);
  });
});

describe('evidence query and evidence cra on an index file that is not there', () => {
  it('exit 2 (INDEX_UNREADABLE), never an empty answer, and make no file', async () => {
    const q = await runCli(['query', '--db', 'evidnce.db', '--cve', 'CVE-2021-44228'], { cwd: dir });
    const n = await runCli(['cra', 'notify', 'CVE-2021-44228', '--db', 'evidnce.db'], { cwd: dir });
    expect([q.code, q.stdout, n.code]).toEqual([2, '', 2]);
    expect(q.stderr).toContain('INDEX_UNREADABLE');
    expect(await readdir(dir)).not.toContain('evidnce.db');
  });
});

describe('evidence index --rebuild', () => {
  it('drops what the sources no longer hold only after every source answered', async () => {
    const index = (...args: string[]) =>
      runCli(['index', ...args, '--db', 'rebuild.db', '--key', 'key.pub.pem', '--json', '-q'], { cwd: dir });
    expect((await index('bundles')).code).toBe(0);
    // An unreachable source: nothing is dropped.
    const failed = await index(
      '--rebuild',
      'oci://127.0.0.1:1/acme/evidence',
      '--plain-http',
      '--timeout',
      '2',
      'bundles',
    );
    expect(failed.code).toBe(2);
    const versions = async () => {
      const q = await runCli(['query', '--db', 'rebuild.db', '--missing', 'junit', '--json'], { cwd: dir });
      return (JSON.parse(q.stdout) as { answers: { version: string }[] }).answers.map((a) => a.version);
    };
    expect(await versions()).toEqual(['1.4.2', '1.4.3', '1.4.4']);
    // Every source answered: what they no longer hold is dropped.
    await mkdir(join(dir, 'only'));
    await copyFile(join(dir, 'bundles/acme-web-1.4.3.evidence.tar.gz'), join(dir, 'only/b.tar.gz'));
    const rebuilt = await index('--rebuild', 'only');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect((JSON.parse(rebuilt.stdout) as { swept: boolean }).swept).toBe(true);
    expect(await versions()).toEqual(['1.4.3']);
  });
});

describe('evidence query --format csv', () => {
  it('neutralises a cell a spreadsheet would run as a formula', async () => {
    const { renderQueryAnswers } = await import('../../src/present/index-query.js');
    const csv = renderQueryAnswers('csv', {
      question: {},
      rows: [{ product: '=HYPERLINK("http://evil.example")', version: '-1', location: 'a', count: -3 }],
    });
    expect(csv.split('\n')[1]).toBe(`"'=HYPERLINK(""http://evil.example"")",'-1,,a,,,,,,,-3,yes,`);
    // NULL (not recorded) and an empty text read apart, as PostgreSQL's COPY reads them.
    const both = renderQueryAnswers('csv', {
      question: {},
      rows: [{ product: 'p', version: '1', signed_at: null, justification: '' }],
    });
    expect(both.split('\n')).toEqual([
      'product,version,bundle_digest,location,created,signed_at,signer,indexed_at,policy,policy_shows,justification,answered,why',
      'p,1,,,,,,,,,"",yes,',
      '',
    ]);
  });
});

describe('evidence cra file', () => {
  it('assembles the technical documentation of a release from its verified bundle, by the points of Annex VII', async () => {
    const r = await runCli(
      ['cra', 'file', 'acme-web', '1.4.2', '--db', 'evidence.db', '--key', 'key.pub.pem', '-o', 'dossier'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const readme = await readFile(join(dir, 'dossier/README.md'), 'utf8');
    expect(readme).toMatch(/^# DRAFT: technical documentation \(CRA Annex VII\) of acme-web 1\.4\.2/);
    // The policy was not checked here, and the folder says so beside the verification it did.
    expect(readme).toMatch(
      /\n- Policy: not evaluated when this folder was made\. (When the release was indexed, it (passed|failed)|No policy was applied)/,
    );
    const point2b = readme.slice(readme.indexOf('### 2(b)'), readme.indexOf('### 2(c)'));
    expect(point2b).toMatch(/\(evidence\/sbom\/[^)]+\) \(sbom\)/);
    expect(point2b).toMatch(/\(vulnerabilities\)/);
    expect(point2b).toContain('- [ ] Still to add: the coordinated vulnerability disclosure policy');
    expect(readme.slice(readme.indexOf('### 3.'), readme.indexOf('### 4.'))).toContain('- [ ] To complete');
    const copied = await readFile(join(dir, 'dossier/bundle/acme-web-1.4.2.evidence.tar.gz'));
    const original = await readFile(join(dir, 'bundles/acme-web-1.4.2.evidence.tar.gz'));
    expect(createHash('sha256').update(copied).digest('hex')).toBe(createHash('sha256').update(original).digest('hex'));
    const report = JSON.parse(await readFile(join(dir, 'dossier/verification.json'), 'utf8')) as { verdict: string };
    expect(report.verdict).toBe('verified');
    expect((await readdir(join(dir, 'dossier/evidence'))).length).toBeGreaterThan(0);
    // extract's record names the bundle where the folder keeps it, never the private copy it verified.
    const record = JSON.parse(await readFile(join(dir, 'dossier/evidence/EXTRACTED-FROM.json'), 'utf8'));
    expect(record.bundle.path).toBe('../bundle/acme-web-1.4.2.evidence.tar.gz');
    expect(record.authenticity).toMatchObject({ status: 'authentic', method: 'key', signatureChecked: true });
  });

  it('refuses a release not indexed, a bundle that is not the indexed one, and a folder in the way (exit 2)', async () => {
    const cra = (...args: string[]) =>
      runCli(['cra', 'file', ...args, '--db', 'evidence.db', '--key', 'key.pub.pem'], { cwd: dir });
    const missing = await cra('acme-web', '9.9.9', '-o', 'x');
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('CRA_RELEASE_NOT_INDEXED')]);
    const other = await cra('acme-web', '1.4.2', '-o', 'y', '--bundle', 'bundles/acme-web-1.4.3.evidence.tar.gz');
    expect([other.code, other.stderr]).toEqual([2, expect.stringContaining('CRA_BUNDLE_MISMATCH')]);
    await mkdir(join(dir, 'busy'));
    await writeFile(join(dir, 'busy/file'), 'x');
    const busy = await cra('acme-web', '1.4.2', '-o', 'busy');
    expect([busy.code, busy.stderr]).toEqual([2, expect.stringContaining('CRA_INPUT_INVALID')]);
    expect(await readdir(dir)).not.toContain('x');
    expect(await readdir(dir)).not.toContain('y');
  });
});
