/**
 * The times of the OpenVEX document a bundle carries (formats/openvex-made.ts), restated as the `https://openvex.dev/ns`
 * standard statement (docs/interop.md, "The times the standard statements state"): a statement carries a timestamp
 * only when the VEX statement it restates carries its own date (OpenVEX `last_updated` or `timestamp`); never its
 * source document's date (an OpenVEX document's timestamp, CSAF's current_release_date) and never the bundle's time.
 * The document's own `timestamp`, which OpenVEX requires, is the bundle's created time: when this restating document
 * was issued, by the author it names (the bundle), not when any VEX author stated anything; no `last_updated`.
 */
import { describe, expect, it } from 'vitest';
import { parseVexDocument } from '../../src/formats/vex/index.js';
import { openVexDocument, vulnerabilitiesDocument } from '../../src/formats/vulnerability-evidence.js';
import { csafDocument, csafVulnerability, finding, openvexDocument, statementAbout } from '../helpers/vex.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const RELEASE = 'pkg:generic/app@1.0.0';
const CREATED = '2026-05-20T12:00:00Z';
const OPENVEX_DATE = '2026-01-15T00:00:00Z';
const CSAF_DATE = '2026-01-01T00:00:00Z';

const about = (id: string, status: string, extra: Record<string, unknown> = {}) =>
  statementAbout(RELEASE, id, status, extra);

function made() {
  const openvex = openvexDocument(
    [
      about('CVE-2026-0001', 'not_affected', { timestamp: '2026-02-01T00:00:00Z' }),
      about('CVE-2026-0002', 'fixed', { timestamp: '2026-02-10T00:00:00Z', last_updated: '2026-03-01T00:00:00Z' }),
      about('CVE-2026-0003', 'affected'),
    ],
    { timestamp: OPENVEX_DATE },
  );
  const csaf = csafDocument(
    { full_product_names: [{ name: 'app', product_id: 'APP', product_identification_helper: { purl: RELEASE } }] },
    [csafVulnerability('CVE-2026-0004', { known_not_affected: ['APP'] })],
  );
  const ids = ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003', 'CVE-2026-0004'];
  const doc = vulnerabilitiesDocument({
    release: { name: 'app', version: '1.0.0', products: [RELEASE] },
    scans: [
      {
        path: 'scan/g.json',
        digest: 'sha256:0',
        report: {
          format: 'grype',
          scanner: { name: 'grype' },
          findings: ids.map((id) => finding(id, 'pkg:npm/lib@1.0.0')),
        },
      },
    ],
    vex: [
      { path: 'vex/a.json', digest: 'sha256:1', doc: parseVexDocument(openvex, 'vex/a.json', NOW) },
      { path: 'vex/b.json', digest: 'sha256:2', doc: parseVexDocument(csaf, 'vex/b.json', NOW) },
    ],
  });
  return openVexDocument(doc, CREATED) as {
    timestamp: string;
    last_updated?: string;
    statements: { vulnerability: { name: string }; timestamp?: string; last_updated?: string }[];
  };
}

describe('the OpenVEX document a bundle makes', () => {
  it("dates a statement only by its source statement's own date, never by a document's or the bundle's", () => {
    const out = made();
    expect(out.statements.map((s) => [s.vulnerability.name, s.timestamp])).toEqual([
      ['CVE-2026-0001', '2026-02-01T00:00:00Z'],
      // The statement's last_updated, its latest own date.
      ['CVE-2026-0002', '2026-03-01T00:00:00Z'],
      // Undated in its OpenVEX document, and a CSAF statement (dated only by its document): no date of their own.
      ['CVE-2026-0003', undefined],
      ['CVE-2026-0004', undefined],
    ]);
    const statements = JSON.stringify(out.statements);
    for (const date of [CREATED, OPENVEX_DATE, CSAF_DATE]) expect(statements).not.toContain(date);
    expect(statements).not.toContain('last_updated');
  });

  it("is itself dated the bundle's created time, with no last_updated", () => {
    const out = made();
    expect(out.timestamp).toBe(CREATED);
    expect(out.last_updated).toBeUndefined();
  });

  it("read back as VEX, orders none of the undated statements by the bundle's time", () => {
    const back = parseVexDocument(JSON.parse(JSON.stringify(made())), 'release.openvex.json', NOW);
    expect(back.statements.map((s) => [s.vulnerability, s.orderedAt])).toEqual([
      ['CVE-2026-0001', '2026-02-01T00:00:00Z'],
      ['CVE-2026-0002', '2026-03-01T00:00:00Z'],
      ['CVE-2026-0003', undefined],
      ['CVE-2026-0004', undefined],
    ]);
  });
});
