import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/formats/findings.js';
import { applyVex, detectVexFormat, parseVexDocument } from '../../src/formats/vex/index.js';

/** Real documents the tools wrote (their own golden files), shared beside the project; see their ORIGIN.md. */
const SHARED = join(process.cwd(), '../shared/scanner-outputs');
const FILES = [
  'trivy-gomod.openvex.json',
  'trivy-gomod-after-vex.json',
  'grype-test.openvex.json',
  'redhat.csaf-vex.json',
  'trivy-npm.cdx.json',
];
const missing = FILES.filter((f) => !existsSync(join(SHARED, f)));
if (missing.length > 0) {
  console.warn(`vex-real.test.ts: skipped, ${SHARED} lacks ${missing.join(', ')} (the real scanner outputs)`);
}

function real(name: string) {
  return JSON.parse(readFileSync(join(SHARED, name), 'utf8'));
}

function finding(id: string, purl: string, aliases: string[] = []): Finding {
  return { id, aliases, purl, severity: 'unknown', cvss: [], fixVersions: [], cwes: [] };
}

describe.skipIf(missing.length > 0)('real VEX documents', () => {
  it('Trivy: its OpenVEX statement covers opa in the release it names, and only that finding', () => {
    const json = real('trivy-gomod.openvex.json');
    expect(detectVexFormat(json)).toBe('openvex');
    const doc = parseVexDocument(json, 'trivy-gomod.openvex.json');
    expect(doc.statements).toEqual([
      {
        vulnerability: 'CVE-2022-23628',
        aliases: [],
        products: [
          {
            purl: 'pkg:golang/github.com/testdata/testdata',
            subcomponents: ['pkg:golang/github.com/open-policy-agent/opa@v0.35.0'],
          },
        ],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: "The vulnerable code isn't called",
        timestamp: '2024-07-09T11:38:00.115697+04:00',
        index: 0,
      },
    ]);

    // The findings Trivy kept after applying the document, as its report gives them (id, purl), and the one it
    // filtered out: opa v0.35.0's CVE-2022-23628, which the report after VEX no longer lists.
    const after = real('trivy-gomod-after-vex.json');
    const results = after.Results as {
      Vulnerabilities: { VulnerabilityID: string; PkgIdentifier: { PURL: string } }[];
    }[];
    const kept = results.flatMap((r) => r.Vulnerabilities.map((v) => finding(v.VulnerabilityID, v.PkgIdentifier.PURL)));
    expect(kept.map((f) => f.id)).not.toContain('CVE-2022-23628');
    const opa = finding('CVE-2022-23628', 'pkg:golang/github.com/open-policy-agent/opa@v0.35.0');
    const findings = [...kept, opa];
    const documents = [{ label: 'trivy-gomod.openvex.json', doc }];
    // The document's product is the module Trivy scanned: the release.
    const release = ['pkg:golang/github.com/testdata/testdata'];
    const got = applyVex(findings, documents, release);
    expect(got.slice(0, kept.length).every((d) => d.status === undefined)).toBe(true);
    expect(got[kept.length]).toEqual({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: "The vulnerable code isn't called",
      timestamp: '2024-07-09T11:38:00.115697+04:00',
      source: { document: 'trivy-gomod.openvex.json', documentId: doc.id, index: 0, author: 'Aqua Security' },
    });
    // In another release, or for another opa version, the statement says nothing.
    expect(applyVex([opa], documents, ['pkg:golang/github.com/acme/other@v1.0.0'])).toEqual([{}]);
    expect(
      applyVex([finding('CVE-2022-23628', 'pkg:golang/github.com/open-policy-agent/opa@v0.36.0')], documents, release),
    ).toEqual([{}]);
  });

  it('Grype: a package statement whose version carries a +', () => {
    const doc = parseVexDocument(real('grype-test.openvex.json'), 'grype-test.openvex.json');
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]).toMatchObject({
      vulnerability: 'CVE-2023-45803',
      products: [{ purl: 'pkg:pypi/urllib3@1.26.16+cgr.1', subcomponents: [] }],
      status: 'fixed',
    });
    const got = applyVex(
      [
        finding('CVE-2023-45803', 'pkg:pypi/urllib3@1.26.16%2Bcgr.1'),
        finding('GHSA-g4mx-q9vg-27p4', 'pkg:pypi/urllib3@1.26.16', ['CVE-2023-45803']),
      ],
      [{ label: 'grype-test.openvex.json', doc }],
      [],
    );
    expect(got.map((d) => d.status)).toEqual(['fixed', undefined]);
  });

  it('Red Hat CSAF VEX: a component of a CPE-only product stands alone only as one build, and only for what travels with it', () => {
    const json = real('redhat.csaf-vex.json');
    expect(detectVexFormat(json)).toBe('csaf');
    const doc = parseVexDocument(json, 'redhat.csaf-vex.json');
    expect(doc).toMatchObject({
      format: 'csaf',
      id: 'CVE-2026-12345',
      author: 'Red Hat Product Security',
      timestamp: '2026-03-20T12:00:00+00:00',
    });
    // hummingbird-1 is identified by CPE only. testpkg is one build (its purl names a version) and is fixed in it: that
    // holds of the build wherever it ships. otherpkg is named without a version under a product_version branch: the
    // purl is wider than the product, so its not_affected matches nothing.
    expect(
      doc.statements.map(({ status, products, impactStatement }) => ({ status, products, impactStatement })),
    ).toEqual([
      {
        status: 'fixed',
        products: [{ purl: 'pkg:rpm/redhat/testpkg@1.2.3-1.hum1?arch=src', subcomponents: [] }],
        impactStatement: undefined,
      },
    ]);
    const got = applyVex(
      [
        finding('CVE-2026-12345', 'pkg:rpm/redhat/testpkg@1.2.3-1.hum1?arch=src'),
        finding('CVE-2026-12345', 'pkg:rpm/redhat/testpkg@1.2.3-1.hum1?arch=x86_64'),
        finding('CVE-2026-12345', 'pkg:rpm/redhat/otherpkg@2.0-3.hum1?arch=x86_64'),
        finding('CVE-2026-99999', 'pkg:rpm/redhat/otherpkg@2.0-3.hum1?arch=x86_64'),
      ],
      [{ label: 'redhat.csaf-vex.json', doc }],
      [],
    );
    expect(got.map((d) => d.status)).toEqual(['fixed', undefined, undefined, undefined]);
  });

  it('Trivy CycloneDX: an SBOM whose vulnerabilities carry no analysis makes no statement', () => {
    const json = real('trivy-npm.cdx.json');
    expect(json.vulnerabilities.length).toBeGreaterThan(0);
    expect(detectVexFormat(json)).toBe('cyclonedx');
    const doc = parseVexDocument(json, 'trivy-npm.cdx.json');
    expect(doc).toMatchObject({ format: 'cyclonedx', id: json.serialNumber, statements: [] });
    expect(applyVex([finding('CVE-2019-11358', 'pkg:npm/jquery@3.3.9')], [{ label: 'x', doc }], [])).toEqual([{}]);
    // The same vulnerability, once analysed, is a statement about the component its bom-ref names.
    json.vulnerabilities[0].analysis = { state: 'exploitable', response: ['update'] };
    const analysed = parseVexDocument(json, 'trivy-npm.cdx.json');
    expect(analysed.statements).toMatchObject([
      {
        vulnerability: 'CVE-2019-11358',
        products: [{ purl: 'pkg:npm/jquery@3.3.9', subcomponents: [] }],
        status: 'affected',
        actionStatement: 'update',
      },
    ]);
  });
});
