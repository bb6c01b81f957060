/**
 * The seventh outside review of issue 26: a CSAF vulnerability's ids are one list shared by its statements, not a copy
 * each; the OpenVEX document we make never names an umbrella advisory's CVEs as aliases; the vulns statements keep
 * every rating a report gives an id, and no passing SARIF result.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { standardStatements, VULNS_PREDICATE_TYPE } from '../../src/formats/standard-statements.js';
import { parseVexDocument } from '../../src/formats/vex/index.js';
import { openVexDocument, vulnerabilitiesDocument } from '../../src/formats/vulnerability-evidence.js';
import { csafDocument, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const RELEASE = 'pkg:generic/app@1.0.0';

describe('CSAF ids', () => {
  it('are one list for every statement of a vulnerability', () => {
    const products = Array.from({ length: 3 }, (_, i) => ({
      name: `p${i}`,
      product_id: `p${i}`,
      product_identification_helper: { purl: `pkg:npm/p${i}@1` },
    }));
    const doc = parseVexDocument(
      csafDocument({ full_product_names: products }, [
        {
          cve: 'CVE-2026-0001',
          ids: [{ system_name: 'GHSA', text: 'GHSA-aaaa-bbbb-cccc' }],
          notes: [{ category: 'description', text: 'x' }],
          product_status: { known_affected: products.map((p) => p.product_id) },
          remediations: products.map((p) => ({
            category: 'vendor_fix',
            details: `u ${p.name}`,
            product_ids: [p.product_id],
          })),
        },
      ]),
      'c.json',
      NOW,
    );
    expect(doc.statements).toHaveLength(3);
    expect(doc.statements[0]?.aliases).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(doc.statements[1]?.aliases).toBe(doc.statements[0]?.aliases);
  });
});

describe('the OpenVEX document we make', () => {
  const made = (f: ReturnType<typeof finding>, name: string) => {
    const vex = parseVexDocument(
      openvexDocument([
        {
          vulnerability: { name },
          products: [{ '@id': RELEASE, subcomponents: [{ '@id': 'pkg:npm/lib@1.0.0' }] }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ]),
      'vex/a.json',
      NOW,
    );
    const doc = vulnerabilitiesDocument({
      release: { name: 'app', version: '1.0.0', products: [RELEASE] },
      scans: [
        {
          path: 'scan/g.json',
          digest: 'sha256:x',
          report: { format: 'grype', scanner: { name: 'grype' }, findings: [f] },
        },
      ],
      vex: [{ path: 'vex/a.json', digest: 'sha256:y', doc: vex }],
    });
    return (openVexDocument(doc, '2026-06-01T00:00:00Z') as { statements: { vulnerability: unknown }[] }).statements[0];
  };

  it('restates an umbrella advisory by its own id alone, and one vulnerability with its aliases', () => {
    const umbrella = finding('GHSA-umbr-ella-xxxx', 'pkg:npm/lib@1.0.0', ['CVE-2026-0001', 'CVE-2026-0002']);
    expect(made(umbrella, 'GHSA-umbr-ella-xxxx')?.vulnerability).toEqual({ name: 'GHSA-umbr-ella-xxxx' });
    const one = finding('CVE-2026-0003', 'pkg:npm/lib@1.0.0', ['GHSA-one1-one1-one1']);
    expect(made(one, 'CVE-2026-0003')?.vulnerability).toEqual({
      name: 'CVE-2026-0003',
      aliases: ['GHSA-one1-one1-one1'],
    });
  });
});

describe('vulns v0.2', () => {
  const manifestWith = (path: string, kind: string, bytes: Buffer) =>
    ({
      mediaType: 'application/vnd.evidence.manifest.v1+json',
      formatVersion: 1,
      name: 'app',
      version: '1.0.0',
      created: '2026-11-01T00:00:00Z',
      generator: { name: 'evidence', version: '0.1.0' },
      source: {},
      subjects: [],
      entries: [
        {
          path,
          kind,
          mediaType: 'application/json',
          digest: `sha256:${sha256Hex(bytes)}`,
          size: bytes.length,
          collector: { name: kind, version: '0.1.0' },
          summary: {},
        },
      ],
    }) as unknown as Manifest;
  const resultOf = (path: string, kind: string, json: unknown) => {
    const bytes = Buffer.from(JSON.stringify(json));
    const s = standardStatements(manifestWith(path, kind, bytes), 'f'.repeat(64), () => bytes).statements.find(
      (x) => x.predicateType === VULNS_PREDICATE_TYPE,
    );
    return (s?.statement.predicate as { scanner: { result: unknown[] } }).scanner.result;
  };

  it('of a scan: every rating the report gives an id, the CRITICAL one too', () => {
    const trivy = {
      SchemaVersion: 2,
      CreatedAt: '2026-11-20T08:12:45.118204Z',
      Trivy: { Version: '0.57.0' },
      Results: [
        {
          Target: 'img (debian 12.5)',
          Type: 'debian',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2023-44487',
              PkgName: 'libnghttp2-14',
              InstalledVersion: '1.52.0-1',
              PkgIdentifier: { PURL: 'pkg:deb/debian/libnghttp2-14@1.52.0-1?distro=debian-12.5' },
              Severity: 'LOW',
            },
          ],
        },
        {
          Target: 'app/server',
          Type: 'gobinary',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2023-44487',
              PkgName: 'golang.org/x/net',
              InstalledVersion: 'v0.7.0',
              PkgIdentifier: { PURL: 'pkg:golang/golang.org/x/net@v0.7.0' },
              Severity: 'CRITICAL',
            },
          ],
        },
      ],
    };
    const result = resultOf('scan/trivy.json', 'scan', trivy) as { severity: { score: string }[] }[];
    expect(result).toHaveLength(1);
    expect(result[0]?.severity.map((s) => s.score).sort()).toEqual(['critical', 'low']);
  });

  it('of a SARIF log: every level, and no result that passed', () => {
    const sarif = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2023-44487' }, { id: 'CVE-2024-0001' }] } },
          invocations: [{ executionSuccessful: true, startTimeUtc: '2026-11-20T10:00:00Z' }],
          results: [
            { ruleId: 'CVE-2023-44487', level: 'note', message: { text: 'a' } },
            { ruleId: 'CVE-2023-44487', level: 'error', message: { text: 'b' } },
            { ruleId: 'CVE-2024-0001', kind: 'pass', level: 'none', message: { text: 'c' } },
          ],
        },
      ],
    };
    const result = resultOf('sarif/t.sarif', 'sarif', sarif) as { id: string; severity: { score: string }[] }[];
    expect(result.map((r) => [r.id, r.severity.map((s) => s.score)])).toEqual([['CVE-2023-44487', ['note', 'error']]]);
  });
});
