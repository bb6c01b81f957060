import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/errors.js';
import type { Finding } from '../../src/formats/findings.js';
import { MAX_SCAN_FINDINGS, detectScanFormat, parseKevCatalog, parseScanReport } from '../../src/formats/scanners.js';
import { osvPurl } from '../../src/formats/scanners-osv.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/scanners');
const SHARED = join(process.cwd(), '../shared/scanner-outputs');
const REAL = ['grype-dir.json', 'trivy-npm.json', 'trivy-pnpm.json', 'trivy-gomod-after-vex.json'];
const realMissing = REAL.filter((f) => !existsSync(join(SHARED, f)));
if (realMissing.length > 0) {
  console.warn(
    `scanners.test.ts: the real scanner outputs are skipped: ${SHARED} lacks ${realMissing.join(', ')} ` +
      '(copies of Grype\u2019s and Trivy\u2019s own golden files, see its ORIGIN.md)',
  );
}

function fixture(name: string) {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

function real(name: string) {
  return JSON.parse(readFileSync(join(SHARED, name), 'utf8'));
}

/** The FormatError `fn` throws (fails the test when it throws nothing or something else). */
function failure(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

function byId(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.id === id);
}

/** A Grype match as Grype's JSON presenter writes one, with only the fields a test changes given. */
function grypeMatch(id: string, name: string, version: string, more: { severity?: string; path?: string } = {}) {
  return {
    vulnerability: {
      id,
      severity: more.severity ?? 'High',
      cvss: [],
      fix: { versions: [] as string[], state: 'not-fixed' },
    },
    relatedVulnerabilities: [] as { id: string }[],
    artifact: {
      name,
      version,
      type: 'npm',
      purl: `pkg:npm/${name}@${version}`,
      locations: [{ path: more.path ?? '/app/package-lock.json' }],
    },
  };
}

function grypeReport(matches: unknown[]) {
  return { matches, descriptor: { name: 'grype', version: '0.74.0' } };
}

describe('detectScanFormat', () => {
  it('recognises each format from its content', () => {
    expect(detectScanFormat(fixture('osv-scanner.json'))).toBe('osv-scanner');
    expect(detectScanFormat(fixture('npm-audit.json'))).toBe('npm-audit');
    expect(detectScanFormat(fixture('zap.json'))).toBe('zap');
    expect(detectScanFormat(grypeReport([]))).toBe('grype');
    expect(detectScanFormat({ SchemaVersion: 2, ArtifactName: 'app' })).toBe('trivy');
    // npm 6's format is npm audit's, recognised so that it can be refused by name.
    expect(detectScanFormat(fixture('npm6-audit.json'))).toBe('npm-audit');
  });

  it('recognises Grype matches without a descriptor by their shape', () => {
    expect(detectScanFormat({ matches: [grypeMatch('CVE-2021-23337', 'lodash', '4.17.20')] })).toBe('grype');
    expect(detectScanFormat({ matches: [{ id: 'x' }] })).toBeUndefined();
  });

  it('recognises nothing else', () => {
    expect(detectScanFormat(fixture('unknown-format.json'))).toBeUndefined();
    expect(detectScanFormat({ version: '2.1.0', runs: [] })).toBeUndefined();
    expect(detectScanFormat(null)).toBeUndefined();
    expect(detectScanFormat([])).toBeUndefined();
    expect(detectScanFormat('grype')).toBeUndefined();
    expect(detectScanFormat({ site: [{ alerts: [] }] })).toBeUndefined(); // no @version / @generated
    expect(detectScanFormat({ results: [] })).toBeUndefined(); // no source/packages, no OSV-Scanner config
  });
});

describe.skipIf(realMissing.length > 0)('real outputs of the scanners\u2019 own test suites', () => {
  it('Grype (dir scan): two matches, Negligible/Low/Critical mapped, empty purl left out, KEV flag read', () => {
    const report = parseScanReport(real('grype-dir.json'), 'grype-dir.json');
    expect(report.format).toBe('grype');
    expect(report.scanner).toEqual({ name: 'grype', version: '[not provided]' });
    expect(report.findings.map((f) => [f.id, f.severity, f.purl])).toEqual([
      ['CVE-1999-0001', 'low', undefined],
      ['CVE-1999-0002', 'critical', 'pkg:deb/package-2@2.2.2'],
    ]);
    const [first, second] = report.findings as [Finding, Finding];
    expect(first.package).toEqual({ name: 'package-1', version: '1.1.1', ecosystem: 'rpm' });
    expect(first.fixVersions).toEqual(['1.2.1', '2.1.3', '3.4.0']);
    expect(first.cvss).toEqual([
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:H', score: 8.2, source: 'nvd' },
    ]);
    expect(first.location).toBe('/foo/bar/somefile-1.txt');
    expect(first.knownExploited).toBeUndefined();
    expect(second.knownExploited).toBe(true);
    expect(second.fixVersions).toEqual([]);
  });

  it('Trivy (npm): the jquery finding without aliases, three CVSS ratings and CWE', () => {
    const json = real('trivy-npm.json');
    const report = parseScanReport(json, 'trivy-npm.json');
    expect(report.format).toBe('trivy');
    expect(report.scanner).toEqual({ name: 'trivy', version: 'dev' });
    expect(report.findings).toHaveLength(1);
    const [f] = report.findings as [Finding];
    expect(f).toMatchObject({
      id: 'CVE-2019-11358',
      // References cite the GHSA page among many others; a reference says nothing of identity: no alias.
      aliases: [],
      purl: 'pkg:npm/jquery@3.3.9',
      package: { name: 'jquery', version: '3.3.9', ecosystem: 'npm' },
      severity: 'medium',
      fixVersions: ['3.4.0'],
      cwes: ['CWE-79'],
      location: 'package-lock.json',
    });
    expect(f.title).toBe(json.Results[0].Vulnerabilities[0].Title);
    expect(f.cvss).toEqual([
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1, source: 'nvd' },
      { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', score: 4.3, source: 'nvd' },
      { version: '3.0', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L', score: 5.6, source: 'redhat' },
    ]);
  });

  it('Trivy (pnpm): two findings sorted by id, CRITICAL and MEDIUM', () => {
    const report = parseScanReport(real('trivy-pnpm.json'), 'trivy-pnpm.json');
    expect(report.findings.map((f) => [f.id, f.severity, f.purl, f.aliases, f.location])).toEqual([
      ['CVE-2019-10744', 'critical', 'pkg:npm/lodash@4.17.4', [], 'pnpm-lock.yaml'],
      ['CVE-2019-11358', 'medium', 'pkg:npm/jquery@3.3.9', [], 'pnpm-lock.yaml'],
    ]);
  });

  it('Trivy (gomod after VEX): the same advisory in one package in three go.mod files is one finding', () => {
    const json = real('trivy-gomod-after-vex.json');
    const listed = json.Results.flatMap((r: { Vulnerabilities: unknown[] }) => r.Vulnerabilities);
    expect(listed).toHaveLength(4);
    const report = parseScanReport(json, 'trivy-gomod-after-vex.json');
    expect(report.findings.map((f) => [f.id, f.purl, f.severity])).toEqual([
      ['CVE-2021-38561', 'pkg:golang/golang.org/x/text@v0.3.6', 'unknown'],
      ['GMS-2022-20', 'pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible', 'unknown'],
    ]);
    const gms = report.findings[1] as Finding;
    expect(gms.aliases).toEqual([]); // VendorIDs names GHSA-qq97-vm5h-rrhg: a vendor's advisory, not an alias
    expect(gms.fixVersions).toEqual(['v2.8.0']);
    expect(gms.location).toBe('go.mod'); // the first target that lists it
    expect(report.findings[0]?.fixVersions).toEqual(['0.3.7']);
    expect(report.findings[0]?.title).toBeUndefined();
  });

  it('Trivy\u2019s CycloneDX output is not one of the reports read', () => {
    const name = 'trivy-npm.cdx.json';
    if (!existsSync(join(SHARED, name))) return;
    expect(failure(() => parseScanReport(real(name), name)).code).toBe('SCAN_UNKNOWN_FORMAT');
  });
});

describe('OSV-Scanner', () => {
  const report = parseScanReport(fixture('osv-scanner.json'), 'osv-scanner.json');

  it('gives one finding per vulnerability and package, sorted by id', () => {
    expect(report.format).toBe('osv-scanner');
    expect(report.scanner).toEqual({ name: 'osv-scanner' });
    expect(report.findings.map((f) => f.id)).toEqual([
      'GHSA-35jh-r3h4-6jhm',
      'GHSA-67hx-6x53-jw92',
      'GHSA-jfh8-c2jp-5v3q',
      'GO-2023-1988',
      'PYSEC-2023-74',
    ]);
  });

  it('takes GHSA\u2019s severity, CWEs, summary, aliases and the source path', () => {
    const [lodash] = byId(report.findings, 'GHSA-35jh-r3h4-6jhm');
    expect(lodash).toEqual({
      id: 'GHSA-35jh-r3h4-6jhm',
      aliases: ['CVE-2021-23337'],
      purl: 'pkg:npm/lodash@4.17.20',
      package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
      severity: 'high',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
      fixVersions: ['4.17.21'],
      cwes: ['CWE-77', 'CWE-94'],
      title: 'Command Injection in lodash',
      // Listed again under /src/worker/package-lock.json: same id and purl, one finding, the first location.
      location: '/src/app/package-lock.json',
    });
  });

  it('falls back to the group\u2019s max_severity when the record states none, and to unknown', () => {
    expect(byId(report.findings, 'GHSA-67hx-6x53-jw92')[0]?.severity).toBe('critical'); // 9.3
    expect(byId(report.findings, 'PYSEC-2023-74')[0]?.severity).toBe('medium'); // 6.1
    expect(byId(report.findings, 'GO-2023-1988')[0]?.severity).toBe('unknown'); // ""
  });

  it('builds purls from the ecosystem, and fix versions from the ranges of this package only', () => {
    const babel = byId(report.findings, 'GHSA-67hx-6x53-jw92')[0];
    expect(babel?.purl).toBe('pkg:npm/%40babel/traverse@7.22.5');
    expect(babel?.fixVersions).toEqual(['7.23.2', '8.0.0-alpha.4']); // not babel-traverse's
    const log4j = byId(report.findings, 'GHSA-jfh8-c2jp-5v3q')[0];
    expect(log4j?.purl).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(log4j?.fixVersions).toEqual(['2.15.0', '2.3.1', '2.12.2']); // not pax-logging's 1.11.11
    expect(log4j?.severity).toBe('critical');
    const requests = byId(report.findings, 'PYSEC-2023-74')[0];
    expect(requests?.purl).toBe('pkg:pypi/requests@2.28.0'); // PyPI names normalised by the purl type
    expect(requests?.fixVersions).toEqual(['2.31.0']); // "Requests" is PyPI\u2019s "requests"
    expect(requests?.aliases).toEqual(['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q']);
    expect(byId(report.findings, 'GO-2023-1988')[0]?.purl).toBe('pkg:golang/golang.org/x/net@0.7.0');
  });

  it('a package with license findings only gives no finding', () => {
    expect(report.findings.some((f) => f.package?.name === 'left-pad')).toBe(false);
  });

  it('maps each ecosystem to its purl type, and others to none', () => {
    expect(osvPurl('crates.io', 'regex', '1.3.1')).toBe('pkg:cargo/regex@1.3.1');
    expect(osvPurl('RubyGems', 'rails', '7.0.0')).toBe('pkg:gem/rails@7.0.0');
    expect(osvPurl('NuGet', 'Newtonsoft.Json', '12.0.1')).toBe('pkg:nuget/Newtonsoft.Json@12.0.1');
    expect(osvPurl('Packagist', 'symfony/http-kernel', '5.4.0')).toBe('pkg:composer/symfony/http-kernel@5.4.0');
    expect(osvPurl('Pub', 'http', '0.13.0')).toBe('pkg:pub/http@0.13.0');
    expect(osvPurl('Hex', 'plug', '1.14.0')).toBe('pkg:hex/plug@1.14.0');
    expect(osvPurl('Go', 'stdlib', '1.20.1')).toBe('pkg:golang/stdlib@1.20.1');
    expect(osvPurl('Debian', 'openssl', '3.0.11-1')).toBeUndefined();
    expect(osvPurl('Maven', 'log4j-core', '2.14.1')).toBeUndefined(); // not group:artifact
    expect(osvPurl('npm', 'lodash', undefined)).toBeUndefined(); // a purl of a finding needs its version
  });

  it('reads a numeric CVSS score in severity[] before the group\u2019s', () => {
    const json = fixture('osv-scanner.json');
    const pkg = json.results[2].packages[0]; // golang.org/x/net
    pkg.vulnerabilities[0].severity = [{ type: 'CVSS_V3', score: '7.5' }];
    pkg.groups[0].max_severity = '3.1';
    const f = byId(parseScanReport(json, 'osv.json').findings, 'GO-2023-1988')[0];
    expect(f?.severity).toBe('high');
    expect(f?.cvss).toEqual([]); // a score without a vector states no CVSS version
  });
});

describe('npm audit (npm 7+)', () => {
  const report = parseScanReport(fixture('npm-audit.json'), 'npm-audit.json');

  it('gives one finding per advisory (via object), none for a via that names another package', () => {
    expect(report.format).toBe('npm-audit');
    expect(report.scanner).toEqual({ name: 'npm audit' });
    expect(report.findings.map((f) => [f.id, f.package?.name, f.severity])).toEqual([
      ['GHSA-c2qf-rxjj-qqgw', 'semver', 'medium'],
      ['GHSA-gxpj-cx7g-858c', 'debug', 'low'],
      ['GHSA-vh95-rmgr-6w4m', 'minimist', 'medium'],
      ['GHSA-xvch-5gv4-984h', 'minimist', 'critical'],
    ]);
    expect(report.findings.some((f) => f.package?.name === 'mkdirp')).toBe(false);
  });

  it('names the package without a version or purl (npm audit reports ranges)', () => {
    for (const f of report.findings) {
      expect(f.purl).toBeUndefined();
      expect(f.package).toEqual({ name: f.package?.name, ecosystem: 'npm' });
      expect(f.aliases).toEqual([]);
    }
  });

  it('keeps CVSS with a score, CWEs and the title; a fix version only when the fix is this package', () => {
    const [critical] = byId(report.findings, 'GHSA-xvch-5gv4-984h');
    expect(critical?.cvss).toEqual([
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
    ]);
    expect(critical?.cwes).toEqual(['CWE-1321']);
    expect(critical?.title).toBe('Prototype Pollution in minimist');
    expect(critical?.fixVersions).toEqual([]); // fixAvailable installs mkdirp 0.5.6, not a minimist version
    const [debug] = byId(report.findings, 'GHSA-gxpj-cx7g-858c');
    expect(debug?.cvss).toEqual([]); // score 0
    expect(debug?.fixVersions).toEqual(['2.6.9']);
    expect(byId(report.findings, 'GHSA-c2qf-rxjj-qqgw')[0]?.fixVersions).toEqual([]); // fixAvailable: true
  });

  it('maps info to low, and reads severities in any case', () => {
    const json = fixture('npm-audit.json');
    json.vulnerabilities.debug.via[0].severity = 'info';
    json.vulnerabilities.semver.via[0].severity = 'HIGH';
    const findings = parseScanReport(json, 'npm.json').findings;
    expect(byId(findings, 'GHSA-gxpj-cx7g-858c')[0]?.severity).toBe('low');
    expect(byId(findings, 'GHSA-c2qf-rxjj-qqgw')[0]?.severity).toBe('high');
  });

  it('an advisory whose url is not a GitHub advisory is named by its source id', () => {
    const json = fixture('npm-audit.json');
    json.vulnerabilities.debug.via[0].url = 'https://registry.example.com/advisories/1094219';
    expect(byId(parseScanReport(json, 'npm.json').findings, 'npm:1094219')).toHaveLength(1);
  });

  it('refuses npm 6\u2019s format and other report versions', () => {
    const old = failure(() => parseScanReport(fixture('npm6-audit.json'), 'npm6.json'));
    expect(old.code).toBe('SCAN_INVALID');
    expect(old.file).toBe('npm6.json');
    const json = fixture('npm-audit.json');
    json.auditReportVersion = 3;
    expect(failure(() => parseScanReport(json, 'npm.json')).code).toBe('SCAN_INVALID');
  });
});

describe('OWASP ZAP (traditional JSON report)', () => {
  const report = parseScanReport(fixture('zap.json'), 'zap.json');

  it('gives one finding per plugin and site, risk codes mapped, informational as low', () => {
    expect(report.format).toBe('zap');
    expect(report.scanner).toEqual({ name: 'zap', version: '2.14.0' });
    expect(report.findings.map((f) => [f.id, f.severity, f.location])).toEqual([
      ['zap:10020', 'medium', 'http://localhost:8080'], // no instance: the site
      ['zap:10020', 'medium', 'https://app.example.com/'], // 10020-1 and 10020-2 on one site: one finding
      ['zap:10096', 'low', 'https://app.example.com/static/app.js'],
      ['zap:10109', 'low', 'https://app.example.com/'],
      ['zap:40012', 'high', expect.stringMatching(/^https:\/\/app\.example\.com\/search\?q=/)],
    ]);
  });

  it('names the alert, its CWE (none for -1), and no package', () => {
    const xss = byId(report.findings, 'zap:40012')[0];
    expect(xss?.title).toBe('Cross Site Scripting (Reflected)');
    expect(xss?.cwes).toEqual(['CWE-79']);
    expect(byId(report.findings, 'zap:10109')[0]?.cwes).toEqual([]);
    for (const f of report.findings) {
      expect(f.package).toBeUndefined();
      expect(f.purl).toBeUndefined();
    }
  });

  it('reads riskdesc when riskcode is absent, and numbers written as numbers', () => {
    const json = fixture('zap.json');
    const alert = json.site[0].alerts[0];
    delete alert.riskcode;
    alert.riskdesc = 'Low (High)';
    alert.pluginid = 40012;
    alert.cweid = 79;
    const xss = byId(parseScanReport(json, 'zap.json').findings, 'zap:40012')[0];
    expect(xss?.severity).toBe('low');
    expect(xss?.cwes).toEqual(['CWE-79']);
  });

  it('refuses a risk code ZAP does not have', () => {
    const json = fixture('zap.json');
    json.site[0].alerts[0].riskcode = '5';
    expect(failure(() => parseScanReport(json, 'zap.json')).code).toBe('SCAN_INVALID');
  });
});

describe('Grype and Trivy rules', () => {
  it('maps Negligible to low and reads severities in any case', () => {
    const report = parseScanReport(
      grypeReport([
        grypeMatch('CVE-2005-2541', 'tar', '1.34', { severity: 'Negligible' }),
        grypeMatch('CVE-2021-23337', 'lodash', '4.17.20', { severity: 'HIGH' }),
      ]),
      'grype.json',
    );
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['CVE-2005-2541', 'low'],
      ['CVE-2021-23337', 'high'],
    ]);
  });

  it('merges the same advisory in the same package found twice: lists joined, the worse severity kept', () => {
    const a = grypeMatch('GHSA-35jh-r3h4-6jhm', 'lodash', '4.17.20', { severity: 'Medium', path: '/b/lock.json' });
    const b = grypeMatch('GHSA-35jh-r3h4-6jhm', 'lodash', '4.17.20', { severity: 'High', path: '/a/lock.json' });
    a.vulnerability.fix.versions = ['4.17.21'];
    b.vulnerability.fix.versions = ['4.17.21', '5.0.0'];
    b.relatedVulnerabilities = [{ id: 'CVE-2021-23337' }, { id: 'GHSA-35jh-r3h4-6jhm' }];
    const other = grypeMatch('GHSA-35jh-r3h4-6jhm', 'lodash', '4.17.19');
    const findings = parseScanReport(grypeReport([a, b, other]), 'grype.json').findings;
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      purl: 'pkg:npm/lodash@4.17.19',
    });
    expect(findings[1]).toMatchObject({
      purl: 'pkg:npm/lodash@4.17.20',
      severity: 'high',
      fixVersions: ['4.17.21', '5.0.0'],
      aliases: ['CVE-2021-23337'], // without the id itself
      location: '/b/lock.json', // the first the report gives
    });
  });

  it('gives the same output whatever order the report lists its findings in', () => {
    const matches = [
      grypeMatch('CVE-2022-0002', 'b', '1.0.0'),
      grypeMatch('CVE-2022-0001', 'z', '1.0.0'),
      grypeMatch('CVE-2022-0001', 'a', '2.0.0'),
      grypeMatch('CVE-2022-0001', 'a', '1.0.0'),
    ];
    const forward = parseScanReport(grypeReport(matches), 'g.json');
    const backward = parseScanReport(grypeReport([...matches].reverse()), 'g.json');
    expect(backward).toEqual(forward);
    expect(forward.findings.map((f) => f.purl)).toEqual([
      'pkg:npm/a@1.0.0',
      'pkg:npm/a@2.0.0',
      'pkg:npm/z@1.0.0',
      'pkg:npm/b@1.0.0',
    ]);
  });

  it('Trivy: no aliases from References or VendorIDs (log4shell\u2019s cite CVE-2021-45046), fix versions split, no purl without PkgIdentifier', () => {
    const json = {
      SchemaVersion: 2,
      ArtifactName: 'app',
      Results: [
        {
          Target: 'usr/lib/jars/app.jar',
          Type: 'jar',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2021-44228',
              VendorIDs: ['GHSA-jfh8-c2jp-5v3q'],
              PkgName: 'org.apache.logging.log4j:log4j-core',
              InstalledVersion: '2.14.1',
              FixedVersion: '2.15.0, 2.12.2, 2.3.1',
              Severity: 'CRITICAL',
              CVSS: { ghsa: { V40Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H' } },
              References: [
                'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
                'https://github.com/advisories/GHSA-7rjr-3q55-vv33/', // not the page itself
                'https://www.cve.org/CVERecord?id=CVE-2021-45046',
                'https://nvd.nist.gov/vuln/detail/CVE-2021-45046',
              ],
            },
          ],
        },
      ],
    };
    const [f] = parseScanReport(json, 'trivy.json').findings as [Finding];
    // CVE-2021-45046 is another vulnerability (the incomplete fix of CVE-2021-44228): an alias would let its VEX
    // statement or KEV entry settle this one.
    expect(f.aliases).toEqual([]);
    expect(f.fixVersions).toEqual(['2.15.0', '2.12.2', '2.3.1']);
    expect(f.purl).toBeUndefined();
    expect(f.package).toEqual({ name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', ecosystem: 'jar' });
    expect(f.cvss).toEqual([
      { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', source: 'ghsa' },
    ]);
    expect(parseScanReport({ SchemaVersion: 2, ArtifactName: 'clean' }, 'trivy.json').findings).toEqual([]);
  });
});

describe('bad reports', () => {
  it('SCAN_UNKNOWN_FORMAT for what is none of the five, SARIF included', () => {
    for (const json of [fixture('unknown-format.json'), { version: '2.1.0', runs: [] }, [], null]) {
      const e = failure(() => parseScanReport(json, 'x.json'));
      expect(e.code).toBe('SCAN_UNKNOWN_FORMAT');
      expect(e.file).toBe('x.json');
    }
  });

  it('SCAN_INVALID for missing fields and wrong types, the message starting with the label', () => {
    const missing = failure(() => parseScanReport(fixture('grype-missing-artifact-name.json'), 'grype.json'));
    expect(missing.code).toBe('SCAN_INVALID');
    expect(missing.message.startsWith('grype.json: ')).toBe(true);
    expect(missing.issues.map((i) => i.path)).toContain('$.matches[0].artifact.name');
    const wrong = failure(() => parseScanReport(fixture('trivy-wrong-types.json'), 'trivy.json'));
    expect(wrong.code).toBe('SCAN_INVALID');
    expect(wrong.issues.map((i) => i.path)).toContain('$.Results[0].Vulnerabilities[0].CVSS.nvd.V3Score');
  });

  it('SCAN_INVALID for a severity the tool does not have, and a schema version not read', () => {
    const grype = grypeReport([grypeMatch('CVE-2021-23337', 'lodash', '4.17.20', { severity: 'Severe' })]);
    expect(failure(() => parseScanReport(grype, 'g.json')).code).toBe('SCAN_INVALID');
    expect(failure(() => parseScanReport({ SchemaVersion: 1, Results: [] }, 't.json')).code).toBe('SCAN_INVALID');
  });

  it('SCAN_INVALID for an OSV record without id and an npm advisory without url', () => {
    const osv = fixture('osv-scanner.json');
    delete osv.results[0].packages[0].vulnerabilities[0].id;
    expect(failure(() => parseScanReport(osv, 'osv.json')).issues.map((i) => i.path)).toContain(
      '$.results[0].packages[0].vulnerabilities[0].id',
    );
    const npm = fixture('npm-audit.json');
    delete npm.vulnerabilities.semver.via[0].url;
    expect(failure(() => parseScanReport(npm, 'npm.json')).issues.map((i) => i.path)).toContain(
      '$.vulnerabilities.semver.via[0].url',
    );
  });

  it(`refuses a report of more than ${MAX_SCAN_FINDINGS} findings`, () => {
    const match = grypeMatch('CVE-2021-23337', 'lodash', '4.17.20');
    const json = grypeReport(new Array<unknown>(MAX_SCAN_FINDINGS + 1).fill(match));
    const e = failure(() => parseScanReport(json, 'big.json'));
    expect(e.code).toBe('SCAN_INVALID');
  });

  it('reads 20,000 findings', () => {
    const Vulnerabilities = Array.from({ length: 20_000 }, (_, i) => ({
      VulnerabilityID: `CVE-2024-${String(10_000 + i)}`,
      PkgName: `pkg-${i % 500}`,
      PkgIdentifier: { PURL: `pkg:npm/pkg-${i % 500}@1.0.${i % 7}` },
      InstalledVersion: `1.0.${i % 7}`,
      FixedVersion: '2.0.0',
      Severity: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'][i % 5],
      References: [`https://nvd.nist.gov/vuln/detail/CVE-2024-${String(10_000 + i)}`],
    }));
    const json = { SchemaVersion: 2, ArtifactName: 'big', Results: [{ Target: 'package-lock.json', Vulnerabilities }] };
    const report = parseScanReport(json, 'big.json');
    expect(report.findings).toHaveLength(20_000);
    expect(report.findings.filter((f) => f.severity === 'critical')).toHaveLength(4_000);
  });
});

describe('CISA KEV catalog', () => {
  it('reads the entries: CVE id to date added and ransomware use', () => {
    const json = fixture('kev.json');
    const catalog = parseKevCatalog(json, 'kev.json');
    expect(catalog.catalogVersion).toBe(json.catalogVersion);
    expect(catalog.dateReleased).toBe(json.dateReleased);
    expect(catalog.entries.size).toBe(json.count);
    expect(catalog.entries.get('CVE-2021-44228')).toEqual({ dateAdded: '2021-12-10', ransomware: true });
    expect(catalog.entries.get('CVE-2023-4966')).toEqual({ dateAdded: '2023-10-18', ransomware: true });
    expect(catalog.entries.get('CVE-2023-4863')).toEqual({ dateAdded: '2023-09-13', ransomware: false });
  });

  it('a CVE listed twice keeps its earliest dateAdded', () => {
    const json = fixture('kev.json');
    const again = { ...json.vulnerabilities[1], dateAdded: '2020-01-01', knownRansomwareCampaignUse: 'Unknown' };
    json.vulnerabilities.unshift({ ...json.vulnerabilities[1], dateAdded: '2022-03-01' });
    json.vulnerabilities.push(again);
    json.count = json.vulnerabilities.length;
    const catalog = parseKevCatalog(json, 'kev.json');
    expect(catalog.entries.size).toBe(3);
    expect(catalog.entries.get('CVE-2021-44228')).toEqual({ dateAdded: '2020-01-01', ransomware: true });
  });

  it('KEV_INVALID for a date that is no day, a count that does not match, a bad CVE id or a missing field', () => {
    expect(failure(() => parseKevCatalog(fixture('kev-invalid-date.json'), 'k.json')).code).toBe('KEV_INVALID');
    expect(failure(() => parseKevCatalog(fixture('kev-count-mismatch.json'), 'k.json')).code).toBe('KEV_INVALID');
    const badId = fixture('kev.json');
    badId.vulnerabilities[0].cveID = 'CVE-23-4966';
    expect(failure(() => parseKevCatalog(badId, 'k.json')).code).toBe('KEV_INVALID');
    const noDue = fixture('kev.json');
    delete noDue.vulnerabilities[2].dueDate;
    const e = failure(() => parseKevCatalog(noDue, 'k.json'));
    expect(e.code).toBe('KEV_INVALID');
    expect(e.issues.map((i) => i.path)).toContain('$.vulnerabilities[2].dueDate');
    const ransomware = fixture('kev.json');
    ransomware.vulnerabilities[0].knownRansomwareCampaignUse = 'Yes';
    expect(failure(() => parseKevCatalog(ransomware, 'k.json')).code).toBe('KEV_INVALID');
    expect(failure(() => parseKevCatalog([], 'k.json')).code).toBe('KEV_INVALID');
    expect(failure(() => parseKevCatalog(fixture('npm-audit.json'), 'k.json')).code).toBe('KEV_INVALID');
  });
});
