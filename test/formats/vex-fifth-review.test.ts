/**
 * The fifth outside review of issue 26: what a reader derives per list element counts against its budget (CycloneDX
 * versions each make a purl), a document far from its format fails with its format's code however many problems it
 * has, and an image named by a tag alone is not the release.
 */
import { describe, expect, it } from 'vitest';
import { applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import { parseScanReport } from '../../src/formats/scanners.js';
import { codeOf, csafDocument, finding, openvexDocument } from '../helpers/vex.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const read = (json: unknown) => parseVexDocument(json, 'v.json', NOW);

describe('CycloneDX affects[].versions', () => {
  const bom = (n: number, name: string) => ({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { 'bom-ref': 'r', purl: 'pkg:generic/acme-web@1.0.0' } },
    components: [{ 'bom-ref': 'c', purl: `pkg:npm/${name}` }],
    vulnerabilities: [
      {
        id: 'CVE-2026-1',
        analysis: { state: 'in_triage' },
        affects: [{ ref: 'c', versions: Array.from({ length: n }, (_, i) => ({ version: i.toString(36) })) }],
      },
    ],
  });

  it('each make a purl whose characters count against the reading budget', () => {
    // 990 characters that escape to 9 each: a 180 KB document would make ~90 M characters of purls.
    expect(codeOf(() => read(bom(10_000, '\u4e2d'.repeat(990))))).toBe('VEX_TOO_COMPLEX');
    const small = read(bom(1_000, 'left-pad'));
    expect(small.statements[0]?.products[0]?.subcomponents).toHaveLength(1_000);
  });
});

describe('a document with more problems than a schema can list', () => {
  const N = 150_000;
  it('fails with its format\u2019s code, not a RangeError: OpenVEX, CSAF and a scanner\u2019s report', () => {
    const openvex = openvexDocument([
      {
        vulnerability: { name: 'CVE-2026-1' },
        status: 'fixed',
        products: Array.from({ length: N }, () => ({ '@id': 1 })),
      },
    ]);
    expect(codeOf(() => read(openvex))).toBe('VEX_INVALID');
    const csaf = csafDocument({ full_product_names: [{ name: 'a', product_id: 'a' }] }, [
      {
        cve: 'CVE-2026-0001',
        notes: [{ category: 'description', text: 'x' }],
        product_status: { fixed: Array(N).fill(1) },
      },
    ]);
    expect(codeOf(() => read(csaf))).toBe('VEX_INVALID');
    const grype = {
      descriptor: { name: 'grype' },
      matches: [
        {
          vulnerability: { id: 'CVE-2026-1' },
          artifact: { name: 'a', version: '1' },
          relatedVulnerabilities: Array(N).fill(1),
        },
      ],
    };
    expect(codeOf(() => parseScanReport(grype, 'g.json'))).toBe('SCAN_INVALID');
  });
});

describe('an image named by a tag', () => {
  const RELEASE = ['pkg:generic/acme-web@1.4.2', 'pkg:docker/acme/web@1.4.2?repository_url=ghcr.io'];
  const settled = (product: string) => {
    const doc = read(
      openvexDocument([
        {
          vulnerability: { name: 'CVE-2023-0286' },
          products: [{ '@id': product }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ]),
    );
    const openssl = finding('CVE-2023-0286', 'pkg:deb/debian/openssl@3.0.7-1?distro=debian-12');
    return applyVex([openssl], [{ label: 'v', doc }], RELEASE)[0]?.status;
  };

  it('without its registry is any registry\u2019s: Docker Hub\u2019s acme/web:1.4.2 is not the ghcr.io release', () => {
    expect(settled('pkg:docker/acme/web@1.4.2')).toBeUndefined();
    expect(settled('pkg:oci/web@1.4.2')).toBeUndefined();
    // With its registry, a tag still moves (eighth review): a statement about ghcr.io's acme/web:1.4.2 speaks of
    // whatever image the tag named then. Every version of the registry's image is the release's.
    expect(settled('pkg:docker/acme/web@1.4.2?repository_url=ghcr.io')).toBeUndefined();
    expect(settled('pkg:docker/acme/web?repository_url=ghcr.io')).toBe('not_affected');
  });

  it('by its digest is that image wherever it is', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const release = [
      'pkg:generic/acme-web@1.4.2',
      `pkg:oci/web@${encodeURIComponent(digest)}?repository_url=ghcr.io/acme`,
    ];
    const doc = read(
      openvexDocument([
        {
          vulnerability: { name: 'CVE-2023-0286' },
          products: [{ '@id': `pkg:oci/web@${encodeURIComponent(digest)}` }],
          status: 'fixed',
        },
      ]),
    );
    const openssl = finding('CVE-2023-0286', 'pkg:deb/debian/openssl@3.0.7-1?distro=debian-12');
    expect(applyVex([openssl], [{ label: 'v', doc }], release)[0]?.status).toBe('fixed');
  });
});
