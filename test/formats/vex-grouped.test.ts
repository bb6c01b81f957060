/**
 * The seventh outside review's open finding of issue 26: what the made documents hold must grow with what was stated,
 * not with statements × findings. A finding lists at most MAX_CONFLICTS_LISTED contradicting statements (each status
 * among them, and how many there are); the OpenVEX document states each vulnerability's disposition once, its
 * packages as subcomponents, not once per finding under every release purl.
 */
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import type { Finding, VexStatus } from '../../src/formats/findings.js';
import { MAX_CONFLICTS_LISTED, applyVex, parseVexDocument } from '../../src/formats/vex/index.js';
import {
  openVexDocument,
  vulnerabilitiesDocument,
  vulnerabilityBlobs,
} from '../../src/formats/vulnerability-evidence.js';
import { finding, openvexDocument, statementAbout } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const RELEASE = 'pkg:generic/app@1.0.0';
const IMAGE = 'pkg:oci/app@sha256%3A' + 'a'.repeat(64) + '?repository_url=ghcr.io/acme/app';
const CREATED = '2026-06-01T00:00:00Z';

/** A release-wide statement about `id` with `status`. */
const about = (id: string, status: VexStatus, extra: Record<string, unknown> = {}) =>
  statementAbout(RELEASE, id, status, extra);

function documentOf(findings: Finding[], statements: unknown[], products = [RELEASE, IMAGE]) {
  const vex = parseVexDocument(openvexDocument(statements), 'vex/a.json', NOW);
  return vulnerabilitiesDocument({
    release: { name: 'app', version: '1.0.0', products },
    scans: [
      { path: 'scan/g.json', digest: 'sha256:0', report: { format: 'grype', scanner: { name: 'grype' }, findings } },
    ],
    vex: [{ path: 'vex/a.json', digest: 'sha256:1', doc: vex }],
  });
}

describe('contradicting statements', () => {
  it('are listed up to MAX_CONFLICTS_LISTED per finding, every status among them, and counted', () => {
    // The winner is the last statement (statements without dates: the later in the document wins among equals).
    const statuses: VexStatus[] = ['affected', 'under_investigation', 'fixed'];
    const statements = [
      ...Array.from({ length: 60 }, (_, i) => about('CVE-2026-0001', statuses[i % 2] as VexStatus)),
      about('CVE-2026-0001', 'fixed'),
      about('CVE-2026-0001', 'not_affected'),
    ];
    const findings = Array.from({ length: 5 }, (_, i) => finding('CVE-2026-0001', `pkg:npm/lib${i}@1.0.0`));
    const [one] = applyVex(
      findings,
      [{ label: 'v', doc: parseVexDocument(openvexDocument(statements), 'v', NOW) }],
      [RELEASE],
    );
    const losers = statements.filter((s) => s.status !== one?.status);
    expect(one?.conflicts).toHaveLength(MAX_CONFLICTS_LISTED);
    expect(one?.conflictsTotal).toBe(losers.length);
    expect(new Set(one?.conflicts?.map((c) => c.status))).toEqual(new Set(losers.map((s) => s.status)));
    // In document order.
    const indexes = one?.conflicts?.map((c) => c.index) ?? [];
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });

  it('few enough are all listed, with no total', () => {
    const statements = [about('CVE-2026-0001', 'affected'), about('CVE-2026-0001', 'not_affected')];
    const doc = documentOf([finding('CVE-2026-0001', 'pkg:npm/lib@1.0.0')], statements);
    expect(doc.findings[0]?.conflicts).toHaveLength(1);
    expect(doc.findings[0]?.conflictsTotal).toBeUndefined();
  });

  it('thousands of statements about one vulnerability across hundreds of findings make a small document', () => {
    // Before: each of 200 findings copied 3,500 contradicting statements, a 46 MB findings document from 1 MB of VEX.
    const statements = Array.from({ length: 7_000 }, (_, i) =>
      about('CVE-2026-0001', i % 2 ? 'affected' : 'under_investigation'),
    );
    const findings = Array.from({ length: 200 }, (_, i) => finding('CVE-2026-0001', `pkg:npm/lib${i}@1.0.0`));
    const doc = documentOf(findings, statements);
    const blobs = vulnerabilityBlobs(doc, CREATED);
    expect(doc.findings.map((f) => f.conflictsTotal)).toEqual(findings.map(() => 3_500));
    expect(blobs.findings.length).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('the OpenVEX document we make', () => {
  it('states one vulnerability settled alike in many packages once, its packages listed under each product', () => {
    const findings = Array.from({ length: 300 }, (_, i) => finding('CVE-2026-0001', `pkg:npm/lib${i}@1.0.0`));
    const doc = documentOf(findings, [about('CVE-2026-0001', 'not_affected')]);
    const made = openVexDocument(doc, CREATED) as {
      statements: { products: { '@id': string; subcomponents: { '@id': string }[] }[] }[];
    };
    expect(made.statements).toHaveLength(1);
    expect(made.statements[0]?.products.map((p) => p['@id'])).toEqual([RELEASE, IMAGE]);
    expect(made.statements[0]?.products.every((p) => p.subcomponents.length === 300)).toBe(true);
  });

  it('keeps dispositions that differ in status, texts or date apart, in the findings\u2019 order', () => {
    const findings = [
      finding('CVE-2026-0001', 'pkg:npm/a@1.0.0'),
      finding('CVE-2026-0001', 'pkg:npm/b@1.0.0'),
      finding('CVE-2026-0002', 'pkg:npm/a@1.0.0'),
      finding('CVE-2026-0003', 'pkg:npm/a@1.0.0'),
    ];
    const statements = [
      {
        ...about('CVE-2026-0001', 'affected'),
        products: [{ '@id': RELEASE, subcomponents: [{ '@id': 'pkg:npm/a@1.0.0' }] }],
      },
      {
        ...about('CVE-2026-0001', 'affected', { action_statement: 'pin' }),
        products: [{ '@id': RELEASE, subcomponents: [{ '@id': 'pkg:npm/b@1.0.0' }] }],
      },
      about('CVE-2026-0002', 'not_affected'),
      about('CVE-2026-0003', 'not_affected', { timestamp: '2026-02-01T00:00:00Z' }),
    ];
    const made = openVexDocument(documentOf(findings, statements), CREATED) as {
      statements: { vulnerability: { name: string }; action_statement?: string; timestamp?: string }[];
    };
    expect(made.statements.map((s) => [s.vulnerability.name, s.action_statement, s.timestamp])).toEqual([
      ['CVE-2026-0001', 'upgrade', undefined],
      ['CVE-2026-0001', 'pin', undefined],
      ['CVE-2026-0002', undefined, undefined],
      ['CVE-2026-0003', undefined, '2026-02-01T00:00:00Z'],
    ]);
  });

  it('read back, settles every finding as the release did', () => {
    const findings = [
      ...Array.from({ length: 20 }, (_, i) => finding('CVE-2026-0001', `pkg:npm/lib${i}@1.0.0`)),
      finding('CVE-2026-0002', 'pkg:npm/other@2.0.0'),
    ];
    const doc = documentOf(findings, [about('CVE-2026-0001', 'not_affected'), about('CVE-2026-0002', 'affected')]);
    const made = parseVexDocument(JSON.parse(JSON.stringify(openVexDocument(doc, CREATED))), 'made', NOW);
    const again = applyVex(findings, [{ label: 'made', doc: made }], [RELEASE]);
    expect(again.map((d) => d.status)).toEqual(
      findings.map((f) => doc.findings.find((x) => x.purl === f.purl && x.id === f.id)?.status),
    );
  });

  it('is stored as the canonical JSON of the document it describes', () => {
    const doc = documentOf([finding('CVE-2026-0001', 'pkg:npm/lib@1.0.0')], [about('CVE-2026-0001', 'not_affected')]);
    const bytes = vulnerabilityBlobs(doc, CREATED).openvex;
    expect(bytes?.equals(canonicalBytes(openVexDocument(doc, CREATED)))).toBe(true);
  });

  it('made from a quarter MiB of hostile input stays within 16 MiB or is refused', () => {
    // 100 purls of 1.9 KiB, each restated per statement: before grouping and the lower bound, 64 MB came of this.
    const long = (i: number) => `pkg:generic/app${i}${'x'.repeat(1900)}@1.0.0`;
    const products = [RELEASE, ...Array.from({ length: 100 }, (_, i) => long(i))];
    const ids = Array.from({ length: 300 }, (_, i) => `CVE-2026-${1000 + i}`);
    const findings = ids.map((id, i) => finding(id, `pkg:npm/lib${i}@1.0.0`));
    let code: string | undefined;
    try {
      vulnerabilityBlobs(
        documentOf(
          findings,
          ids.map((id) => about(id, 'not_affected')),
          products,
        ),
        CREATED,
      );
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('VULNERABILITIES_TOO_LARGE');
    // The same findings of one vulnerability are one statement, and fit.
    const one = findings.map((f) => ({ ...f, id: 'CVE-2026-0001' }));
    const bytes = vulnerabilityBlobs(documentOf(one, [about('CVE-2026-0001', 'not_affected')], products), CREATED);
    expect(bytes.openvex?.length).toBeLessThan(16 * 1024 * 1024);
  });
});
