/**
 * The sixth outside review of issue 26: the OpenVEX document collect makes restates no more than was stated (no
 * versionless release purl, no document date as a statement's own), a CSAF product its branches narrow is narrow with
 * or without a purl, and a reader never spreads input into a call.
 */
import { describe, expect, it } from 'vitest';
import type { VexDocument } from '../../src/formats/findings.js';
import { applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import { parseScanReport } from '../../src/formats/scanners.js';
import { openVexDocument, vulnerabilitiesDocument } from '../../src/formats/vulnerability-evidence.js';
import { codeOf, csafDocument, csafVulnerability, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const FOO = 'pkg:npm/foo@1.0.0';
const REL = 'pkg:generic/acme-web@1.4.2';
const IMAGE = 'pkg:oci/web?repository_url=ghcr.io/acme/web';
const read = (json: unknown, label = 'v') => parseVexDocument(json, label, NOW);

/** The OpenVEX document collect makes for a release known as `products` from one scan finding and `vex`. */
function restated(products: string[], vex: VexDocument): VexDocument {
  const doc = vulnerabilitiesDocument({
    release: { name: 'acme-web', version: '1.4.2', products },
    scans: [
      {
        path: 'scan/t.json',
        digest: 'sha256:0',
        report: { format: 'trivy', scanner: { name: 'trivy' }, findings: [finding('CVE-2026-1111', FOO)] },
      },
    ],
    vex: [{ path: 'vex/a.json', digest: 'sha256:1', doc: vex }],
  });
  return read(JSON.parse(JSON.stringify(openVexDocument(doc, '2026-06-01T00:00:00Z'))), 'made');
}

describe('the OpenVEX document collect makes', () => {
  it('restates a disposition only under release purls that name a version', () => {
    const team = read(
      openvexDocument([
        {
          vulnerability: { name: 'CVE-2026-1111' },
          products: [{ '@id': REL, subcomponents: [{ '@id': FOO }] }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          timestamp: '2026-01-01T00:00:00Z',
        },
      ]),
    );
    const made = restated([REL, IMAGE], team);
    expect(made.statements[0]?.products.map((p) => p.purl)).toEqual([REL]);
    const next = applyVex(
      [finding('CVE-2026-1111', FOO)],
      [{ label: 'made', doc: made }],
      ['pkg:generic/acme-web@1.5.0', IMAGE],
    );
    expect(next[0]?.status).toBeUndefined();
  });

  it('gives a statement no date of its document: an undated vendor claim does not come to outrank a dated one', () => {
    const csaf = csafDocument(
      { full_product_names: [{ name: 'foo', product_id: 'FOO', product_identification_helper: { purl: FOO } }] },
      [csafVulnerability('CVE-2026-1111', { known_not_affected: ['FOO'] })],
    );
    csaf.document.tracking = { ...csaf.document.tracking, current_release_date: '2026-05-01T00:00:00Z' };
    const vendor = read(csaf, 'vendor');
    const team = read(
      openvexDocument([
        {
          vulnerability: { name: 'CVE-2026-1111' },
          products: [{ '@id': REL, subcomponents: [{ '@id': FOO }] }],
          status: 'affected',
          action_statement: 'upgrade',
          timestamp: '2026-03-01T00:00:00Z',
        },
      ]),
      'team',
    );
    const both = (a: VexDocument, b: VexDocument) =>
      applyVex(
        [finding('CVE-2026-1111', FOO)],
        [
          { label: 'a', doc: a },
          { label: 'b', doc: b },
        ],
        [REL],
      )[0]?.status;
    expect(both(vendor, team)).toBe('affected');
    const made = restated([REL], vendor);
    expect(made.statements[0]?.orderedAt).toBeUndefined();
    expect(both(made, team)).toBe('affected');
  });
});

describe('CSAF products their branches narrow', () => {
  const tree = (helper: object) => ({
    branches: [
      {
        category: 'vendor',
        name: 'Acme',
        branches: [
          {
            category: 'product_name',
            name: 'web',
            branches: [
              {
                category: 'product_version_range',
                name: 'vers:generic/<1.2.0',
                product: { name: 'web < 1.2.0', product_id: 'WEB-OLD', product_identification_helper: helper },
              },
            ],
          },
        ],
      },
    ],
    full_product_names: [{ name: 'foo', product_id: 'FOO', product_identification_helper: { purl: FOO } }],
    relationships: [
      {
        category: 'default_component_of',
        product_reference: 'FOO',
        relates_to_product_reference: 'WEB-OLD',
        full_product_name: {
          name: 'foo in web < 1.2.0',
          product_id: 'R',
          product_identification_helper: { purl: IMAGE },
        },
      },
    ],
  });
  const release = ['pkg:generic/web@2.0.0', `pkg:oci/web@sha256%3A${'a'.repeat(64)}?repository_url=ghcr.io/acme/web`];
  const status = (helper: object) =>
    applyVex(
      [finding('CVE-2026-2222', FOO)],
      [
        {
          label: 'a',
          doc: read(
            csafDocument(tree(helper), [
              csafVulnerability('CVE-2026-2222', { known_not_affected: ['R'] }, 'vulnerable_code_not_in_execute_path'),
            ]),
          ),
        },
      ],
      release,
    )[0]?.status;

  it('are narrow whether they have a purl or only a CPE: a relationship\u2019s versionless purl does not widen them', () => {
    expect(status({ purl: IMAGE })).toBeUndefined();
    expect(status({ cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*' })).toBeUndefined();
  });
});

describe('readers never spread input into a call', () => {
  it('300,000 nested CycloneDX components or npm audit CWE entries fail with the format\u2019s code', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ 'bom-ref': 'a', components: Array.from({ length: 300_000 }, () => ({})) }],
    };
    expect(codeOf(() => read(bom))).toBeUndefined(); // a BOM of no vulnerabilities, read through
    const audit = {
      auditReportVersion: 2,
      vulnerabilities: {
        x: {
          severity: 'high',
          via: [{ name: 'x', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc', cwe: Array(300_000).fill(1) }],
        },
      },
    };
    expect(codeOf(() => parseScanReport(audit, 'n'))).toBe('SCAN_INVALID');
  });
});

describe('CSAF branches walked without a copy per branch', () => {
  it('still name a product defined twice deep in the tree by its path (VEX_INVALID)', () => {
    const leaf = (id: string) => ({
      category: 'product_version',
      name: '1.0.0',
      product: { name: id, product_id: 'P', product_identification_helper: { purl: 'pkg:npm/foo@1.0.0' } },
    });
    const tree = {
      branches: [
        {
          category: 'vendor',
          name: 'v',
          branches: [{ category: 'product_name', name: 'foo', branches: [leaf('a'), leaf('b')] }],
        },
      ],
    };
    let error: unknown;
    try {
      read(csafDocument(tree, [csafVulnerability('CVE-2026-3333', { fixed: ['P'] })]));
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('VEX_INVALID');
    expect(String((error as Error).message)).toContain('$.product_tree.branches[0].branches[0].branches[');
  });
});
