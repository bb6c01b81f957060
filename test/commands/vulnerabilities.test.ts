import { generateKeyPairSync } from 'node:crypto';
import { access, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Vulnerabilities handled, not just counted (issue 26, docs/vulnerabilities.md), through the CLI: acme-web's Trivy
 * report has a critical finding in deep-extend@0.6.0; its OpenVEX document says the release is not affected. The
 * example vulnerability policy passes with the statement, and fails without it, or with a statement for another
 * version of the package or of the release.
 */
const tmp = useTmp();
const EXAMPLE = join(process.cwd(), 'examples/acme-web');
const POLICY = join(process.cwd(), 'examples/policies/vulnerabilities.yaml');
let key: { privateKey: string; publicKey: string };

beforeAll(() => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  key = {
    privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
});

interface Statement {
  vulnerability: { name: string };
  products: { '@id': string; subcomponents?: { '@id': string }[] }[];
  status: string;
  justification?: string;
  impact_statement?: string;
}

/** A folder with the example's scan, a VEX document changed by `edit` (none when it returns null), a key. */
async function release(edit: (s: Statement) => Statement | null = (s) => s): Promise<string> {
  const dir = await tmp();
  await copyFile(join(EXAMPLE, 'reports/scans/trivy.json'), join(dir, 'trivy.json'));
  await copyFile(join(EXAMPLE, 'dist/acme-web-1.4.2.tgz'), join(dir, 'acme-web-1.4.2.tgz'));
  await copyFile(POLICY, join(dir, 'policy.yaml'));
  const vex = JSON.parse(await readFile(join(EXAMPLE, 'vex/acme-web.openvex.json'), 'utf8')) as {
    statements: Statement[];
  };
  const edited = edit(vex.statements[0] as Statement);
  if (edited) await writeFile(join(dir, 'acme.openvex.json'), JSON.stringify({ ...vex, statements: [edited] }));
  await writeFile(join(dir, 'key.pem'), key.privateKey);
  await writeFile(join(dir, 'key.pub.pem'), key.publicKey);
  const vexArgs = edited ? ['--vex', 'acme.openvex.json'] : [];
  const c = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'acme-web',
      '--version',
      '1.4.2',
      '--scan',
      'trivy.json',
      ...vexArgs,
    ].concat(['--subject', 'acme-web-1.4.2.tgz', '--sign', '--key', 'key.pem', '-q']),
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1796371200' } },
  );
  expect(c.code, c.stderr).toBe(0);
  return dir;
}

const verify = (dir: string, ...extra: string[]) =>
  runCli(['verify', 'b.tar.gz', '--key', 'key.pub.pem', '--policy', 'policy.yaml', ...extra], { cwd: dir });

interface Report {
  ok: boolean;
  verdict: string;
  checks: { id: string; ok: boolean; code?: string }[];
  policy?: { rules: { name: string; status: string; reads: { kind: string; count: number }[] }[] };
  assessment: {
    evidence: {
      findings: { code: string; message: string }[];
      vulnerabilities?: { summary: { statuses: Record<string, number>; open: Record<string, number> } };
    };
  };
  standard?: { predicateType: string }[];
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const rule = (r: Report, name: string) => r.policy?.rules.find((x) => x.name === name)?.status;

describe('vulnerabilities handled: scans, VEX in, policy, reports (CLI)', () => {
  it('a critical finding a valid not_affected statement covers passes the example policy, and every report says why', async () => {
    const dir = await release();
    const r = await verify(dir, '--json');
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(rule(report, 'critical-handled')).toBe('pass');
    expect(report.checks.find((c) => c.id === 'vulnerabilities')).toMatchObject({ ok: true });
    const v = report.assessment.evidence.vulnerabilities?.summary;
    expect(v?.statuses).toMatchObject({ not_affected: 1, none: 1 });
    expect(v?.open).toMatchObject({ critical: 0, medium: 1 });
    // The critical is no concern; nothing is claimed about the open medium beyond what it is.
    expect(report.assessment.evidence.findings.map((f) => f.code)).not.toContain('FINDINGS_CRITICAL');
    // The OpenVEX document is signed as a standard statement beside the others.
    expect(report.standard?.map((s) => s.predicateType)).toContain('https://openvex.dev/ns');
    const text = await verify(dir);
    expect(text.stdout).toContain(
      'not affected: CVE-2018-3750 (critical) in pkg:npm/deep-extend@0.6.0: vulnerable code not in execute path',
    );
    expect(text.stdout).toMatch(/1 critical not affected \(vulnerable code not in execute path\)/);
    const md = await verify(dir, '--format', 'markdown');
    expect(md.stdout).toContain('## Vulnerabilities');
    expect(md.stdout).toMatch(
      /\| `CVE-2018-3750` \| critical \| `pkg:npm\/deep-extend@0\.6\.0` \| vulnerable code not in execute path \|/,
    );
    const html = await verify(dir, '--format', 'html');
    expect(html.stdout).toContain('Not affected, per VEX');
    expect(html.stdout).toContain('<code>CVE-2018-3750</code>');
  });

  it('a rule about known exploitation reads the KEV catalog: without --kev it records that none was read', async () => {
    const dir = await release();
    const report = JSON.parse((await verify(dir, '--json')).stdout) as Report;
    const kev = report.policy?.rules.find((r) => r.name === 'known-exploited-handled');
    expect(kev?.reads).toContainEqual({ kind: 'kev', count: 0 });
    // The critical rule does not read it.
    expect(report.policy?.rules.find((r) => r.name === 'critical-handled')?.reads.map((x) => x.kind)).toEqual([
      'vulns',
    ]);
  });

  it.each([
    ['no VEX statement', () => null],
    [
      'a statement for another version of the package',
      (s: Statement) => ({
        ...s,
        products: [{ '@id': 'pkg:generic/acme-web@1.4.2', subcomponents: [{ '@id': 'pkg:npm/deep-extend@0.5.0' }] }],
      }),
    ],
    [
      'a statement for another version of the release',
      (s: Statement) => ({
        ...s,
        products: [{ '@id': 'pkg:generic/acme-web@1.4.1', subcomponents: [{ '@id': 'pkg:npm/deep-extend@0.6.0' }] }],
      }),
    ],
    ['a statement about another vulnerability', (s: Statement) => ({ ...s, vulnerability: { name: 'CVE-2099-0001' } })],
  ])('the same finding with %s fails it (exit 3), and the report shows the critical open', async (_, edit) => {
    const dir = await release(edit);
    const r = await verify(dir, '--json');
    expect(r.code, r.stdout).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('policy-failed');
    expect(rule(report, 'critical-handled')).toBe('fail');
    expect(report.assessment.evidence.vulnerabilities?.summary.open.critical).toBe(1);
    expect(report.assessment.evidence.findings.map((f) => f.code)).toContain('FINDINGS_CRITICAL');
  });

  it('diff shows the disposition that changed between two releases', async () => {
    const without = await release(() => null);
    const dir = await release();
    await copyFile(join(without, 'b.tar.gz'), join(dir, 'old.tar.gz'));
    const d = await runCli(['diff', 'old.tar.gz', 'b.tar.gz'], { cwd: dir });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('1 disposition changed');
    expect(d.stdout).toContain('~ CVE-2018-3750 in pkg:npm/deep-extend@0.6.0: none → not affected');
  });

  it('bad input: VEX with no scan, a file that is no scan report, an invalid VEX statement (exit 2, named)', async () => {
    const dir = await release();
    const base = ['collect', '-o', 'x.tar.gz', '--name', 'a', '--version', '1', '--force'];
    const noScan = await runCli([...base, '--vex', 'acme.openvex.json'], { cwd: dir });
    expect(noScan.code).toBe(2);
    expect(noScan.stderr).toContain('[VULNERABILITIES_INPUT_MISSING]');
    await writeFile(join(dir, 'other.json'), JSON.stringify({ hello: 'world' }));
    const unknown = await runCli([...base, '--scan', 'other.json'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('[SCAN_UNKNOWN_FORMAT]');
    expect(unknown.stderr).toContain('other.json');
    const vex = JSON.parse(await readFile(join(dir, 'acme.openvex.json'), 'utf8')) as { statements: Statement[] };
    const bare: Statement = { ...(vex.statements[0] as Statement) };
    delete bare.justification;
    delete bare.impact_statement;
    await writeFile(join(dir, 'bad.openvex.json'), JSON.stringify({ ...vex, statements: [bare] }));
    const bad = await runCli([...base, '--scan', 'trivy.json', '--vex', 'bad.openvex.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[VEX_INVALID]');
    expect(bad.stderr).toContain('bad.openvex.json');
    expect(bad.stderr).toMatch(/statements(\.0|\[0\])/);
  });

  it('a --product that is no purl is refused (exit 2, named): it would silently match no statement', async () => {
    const dir = await release();
    const base = ['collect', '-o', 'x.tar.gz', '--name', 'a', '--version', '1', '--force', '--scan', 'trivy.json'];
    const bad = await runCli([...base, '--product', 'pkg:'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[PRODUCT_INVALID]');
    expect(bad.stderr).toContain('"pkg:"');
    expect(await exists(join(dir, 'x.tar.gz'))).toBe(false);
  });

  it('reports and rules see who stated a disposition, contradicting statements, and the purls the release was matched as', async () => {
    const dir = await release();
    const text = await verify(dir);
    expect(text.stdout).toMatch(
      /vulnerable code not in execute path; [^\n]*\(stated by [^\n]+ in vex\/acme\.openvex\.json\)/,
    );
    expect(text.stdout).toContain('VEX matched against the release as pkg:generic/acme-web@1.4.2');
    await writeFile(
      join(dir, 'policy.yaml'),
      [
        'version: 1',
        'rules:',
        '  - name: stated-by-acme-uncontested',
        "    expr: vulns.all(v, v.status == 'none' || (v.statusAuthor != '' && v.statusFrom == 'vex/acme.openvex.json' && v.conflicts.size() == 0))",
        '',
      ].join('\n'),
    );
    const r = await verify(dir, '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(rule(JSON.parse(r.stdout) as Report, 'stated-by-acme-uncontested')).toBe('pass');
  });

  it('the bundle keeps the scan and VEX byte for byte, and the findings and OpenVEX documents it made', async () => {
    const dir = await release();
    const i = await runCli(['inspect', 'b.tar.gz', '--json'], { cwd: dir });
    const manifest = JSON.parse(i.stdout) as { entries: { path: string; kind: string }[] };
    expect(manifest.entries.map((e) => [e.kind, e.path]).sort()).toEqual([
      ['openvex', 'openvex/release.openvex.json'],
      ['scan', 'scan/trivy.json'],
      ['vex', 'vex/acme.openvex.json'],
      ['vulnerabilities', 'vulnerabilities/findings.json'],
    ]);
  });

  it('tens of thousands of findings, half reported by two scanners: one finding each, checked again by verify', async () => {
    const dir = await tmp();
    const n = 20_000;
    const pkg = (i: number) => ({ name: `pkg-${i % 2000}`, version: `1.${Math.floor(i / 2000)}.0` });
    const id = (i: number) => `CVE-2025-${String(10000 + i)}`;
    const grype = {
      matches: Array.from({ length: n }, (_, i) => ({
        vulnerability: {
          id: id(i),
          severity: ['Critical', 'High', 'Medium', 'Low'][i % 4],
          fix: { versions: [], state: '' },
        },
        relatedVulnerabilities: [],
        artifact: {
          name: pkg(i).name,
          version: pkg(i).version,
          type: 'npm',
          purl: `pkg:npm/${pkg(i).name}@${pkg(i).version}`,
          locations: [],
        },
      })),
      source: { type: 'directory', target: '.' },
      descriptor: { name: 'grype', version: '0.87.0' },
    };
    const trivy = {
      SchemaVersion: 2,
      ArtifactName: '.',
      ArtifactType: 'repository',
      Results: [
        {
          Target: 'package-lock.json',
          Class: 'lang-pkgs',
          Type: 'npm',
          Vulnerabilities: Array.from({ length: n / 2 }, (_, i) => ({
            VulnerabilityID: id(i),
            PkgName: pkg(i).name,
            PkgIdentifier: { PURL: `pkg:npm/${pkg(i).name}@${pkg(i).version}` },
            InstalledVersion: pkg(i).version,
            Severity: 'CRITICAL',
          })),
        },
      ],
    };
    await writeFile(join(dir, 'grype.json'), JSON.stringify(grype));
    await writeFile(join(dir, 'trivy.json'), JSON.stringify(trivy));
    const c = await runCli(
      [
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'big',
        '--version',
        '1',
        '--scan',
        'grype.json',
        '--scan',
        'trivy.json',
        '-q',
      ],
      { cwd: dir },
    );
    expect(c.code, c.stderr).toBe(0);
    const v = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--json'], { cwd: dir });
    expect(v.code, v.stdout).toBe(0);
    const report = JSON.parse(v.stdout) as Report;
    expect(report.checks.find((x) => x.id === 'vulnerabilities')).toMatchObject({ ok: true });
    const summary = report.assessment.evidence.vulnerabilities?.summary as unknown as {
      findings: number;
      severities: Record<string, number>;
    };
    expect(summary.findings).toBe(n);
    // Trivy says critical for the first half: the worst severity any scanner gave wins.
    expect(summary.severities.critical).toBe(n / 2 + n / 8);
  }, 120_000);
});
