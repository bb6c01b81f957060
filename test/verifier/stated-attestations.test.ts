import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { LEGACY_SCAN_TIMES } from '../../src/formats/scan-times.js';
import { RELEASE_PREDICATE_TYPE, VULNS_PREDICATE_TYPE } from '../../src/formats/standard-statements.js';
import { LEGACY_XML_TEXT } from '../../src/formats/xml.js';
import { statementBytes, toStatement } from '../../src/signer/statement.js';
import { VerifyError } from '../../src/verifier/errors.js';
import { blobEntry } from '../helpers/entries.js';
import {
  expectedForLines,
  expectedStandardStatements,
  requireCoveringStatement,
  standardLinesAgree,
  statementFailures,
} from '../../src/verifier/stated-attestations.js';

/**
 * What a bundle's attestations must state, checked without a signature
 * (push has no trust root): the one definition the verifier's standard
 * check and push share. In memory: no files, no network.
 */
const manifest: Manifest = {
  mediaType: 'application/vnd.evidence.manifest.v1+json',
  formatVersion: 1,
  name: '@acme/app',
  version: '1.2.3',
  created: '2026-11-01T00:00:00Z',
  generator: { name: 'evidence', version: '0.1.0' },
  source: {},
  entries: [],
  subjects: [{ name: 'app.tgz', digest: `sha256:${'c'.repeat(64)}`, size: 10 }],
};
const manifestBytes = canonicalBytes(manifest);
const bundle = { manifest, manifestBytes, kept: new Map<string, Buffer>() };

/** A Sigstore bundle line carrying `payload` in its DSSE envelope (unsigned: nothing here verifies a signature). */
const line = (payload: Buffer, payloadType = IN_TOTO_PAYLOAD_TYPE): Buffer =>
  Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      dsseEnvelope: { payload: payload.toString('base64'), payloadType, signatures: [] },
    }),
  );

/** A bundle of one entry, its blob kept. */
function oneEntry(path: string, kind: string, bytes: Buffer) {
  const m: Manifest = { ...manifest, entries: [blobEntry(path, kind, bytes)] };
  return { manifest: m, manifestBytes: canonicalBytes(m), kept: new Map([[sha256Hex(bytes), bytes]]) };
}

describe('expectedStandardStatements', () => {
  it("gives each statement the bundle's blobs make with the canonical bytes its line must state", () => {
    const { statements, skipped } = expectedStandardStatements(bundle);
    expect(skipped).toEqual([]);
    expect(statements.map((s) => s.predicateType)).toEqual([RELEASE_PREDICATE_TYPE]);
    for (const s of statements) expect(s.bytes.equals(canonicalBytes(s.statement))).toBe(true);
  });
});

describe('standardLinesAgree', () => {
  const expected = expectedStandardStatements(bundle).statements.map((s) => s.bytes);

  it('holds when the lines state exactly what the blobs make, in order', () => {
    expect(
      standardLinesAgree(
        expected.map((b) => line(b)),
        bundle,
      ),
    ).toBe(true);
  });

  it('fails on other bytes, a missing or extra line, or a line that is not a DSSE envelope', () => {
    const other = Buffer.from(expected[0]!.toString('utf8').replace('1.2.3', '9.9.9'));
    expect(standardLinesAgree([line(other)], bundle)).toBe(false);
    expect(standardLinesAgree([], bundle)).toBe(false);
    expect(
      standardLinesAgree(
        [...expected, ...expected].map((b) => line(b)),
        bundle,
      ),
    ).toBe(false);
    expect(standardLinesAgree([Buffer.from('not json')], bundle)).toBe(false);
    // The payload's bytes must be equal: the same statement re-serialised with a space is another.
    expect(standardLinesAgree([line(Buffer.from(`${expected[0]!.toString('utf8')} `))], bundle)).toBe(false);
  });
});

describe('statementFailures and requireCoveringStatement', () => {
  const about = line(statementBytes(toStatement(manifest, manifestBytes)));
  const otherManifest = { ...manifest, version: '2.0.0' };
  const elsewhere = line(statementBytes(toStatement(otherManifest, canonicalBytes(otherManifest))));

  it('finds nothing wrong with a statement about this manifest, and lets its bundle through', () => {
    expect(statementFailures(about, bundle)).toEqual([]);
    const intact = { contents: { ...bundle, attestationBytes: about } };
    expect(requireCoveringStatement(intact, 'b.tar.gz')).toBe(intact);
  });

  it('lets an unsigned bundle through', () => {
    const intact = { contents: bundle };
    expect(requireCoveringStatement(intact, 'b.tar.gz')).toBe(intact);
  });

  it("refuses a statement about another bundle's manifest (BUNDLE_INVALID), naming the failed checks' codes", () => {
    const failed = statementFailures(elsewhere, bundle);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((c) => !c.ok)).toBe(true);
    let thrown: unknown;
    try {
      requireCoveringStatement({ contents: { ...bundle, attestationBytes: elsewhere } }, 'b.tar.gz');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(VerifyError);
    expect((thrown as VerifyError).code).toBe('BUNDLE_INVALID');
  });

  it('fails what is not an in-toto statement in a DSSE envelope', () => {
    expect(statementFailures(Buffer.from('{}'), bundle).map((c) => c.code)).toEqual(['ATTESTATION_NOT_DSSE']);
    expect(
      statementFailures(line(statementBytes(toStatement(manifest, manifestBytes)), 'text/plain'), bundle).map(
        (c) => c.code,
      ),
    ).toEqual(['ATTESTATION_NOT_INTOTO']);
  });
});

describe('the legacy form of the vulns statements (LEGACY_SCAN_TIMES), as push holds lines to it', () => {
  // npm audit's report states no time: no vulns statement now; the bundle's created time in the legacy form.
  const npm = readFileSync(new URL('../fixtures/scanners/npm-audit.json', import.meta.url));
  const scanBundle = oneEntry('scan/npm-audit.json', 'scan', npm);
  const now = expectedStandardStatements(scanBundle);
  const legacy = expectedStandardStatements(scanBundle, LEGACY_SCAN_TIMES);

  it('differs from the current form only in the vulns statement the report gives no time for', () => {
    expect(now.statements.map((s) => s.predicateType)).toEqual([RELEASE_PREDICATE_TYPE]);
    expect(legacy.statements.map((s) => s.predicateType)).toEqual([VULNS_PREDICATE_TYPE, RELEASE_PREDICATE_TYPE]);
  });

  it('is accepted whole, and named; the current form is not called legacy', () => {
    const lines = legacy.statements.map((s) => line(s.bytes));
    expect(standardLinesAgree(lines, scanBundle)).toBe(true);
    expect(expectedForLines(lines, scanBundle)).toMatchObject({
      form: LEGACY_SCAN_TIMES,
      legacy: ['vulns scan/npm-audit.json'],
    });
    const current = now.statements.map((s) => line(s.bytes));
    expect(standardLinesAgree(current, scanBundle)).toBe(true);
    expect(expectedForLines(current, scanBundle).form).toBe('current');
    expect(expectedForLines(current, scanBundle).legacy).toBeUndefined();
  });

  it('is not accepted with another time, nor part of it (a line dropped)', () => {
    const redated = Buffer.from(
      legacy.statements[0]!.bytes.toString('utf8').replaceAll(manifest.created, '2026-10-01T00:00:00Z'),
    );
    expect(standardLinesAgree([line(redated), line(legacy.statements[1]!.bytes)], scanBundle)).toBe(false);
    expect(standardLinesAgree([line(legacy.statements[0]!.bytes)], scanBundle)).toBe(false);
    expect(expectedForLines([line(redated)], scanBundle).form).toBe('current');
  });

  it('is never looked for in a bundle without SARIF or scan entries', () => {
    expect(expectedForLines([], bundle)).toMatchObject({ form: 'current' });
  });
});

describe('the legacy form of the test-result statements (LEGACY_XML_TEXT), as push holds lines to it', () => {
  const junit = readFileSync(new URL('../fixtures/legacy-xml-text/unit.junit.xml', import.meta.url));
  const junitBundle = oneEntry('junit/unit.junit.xml', 'junit', junit);
  const now = expectedStandardStatements(junitBundle);
  const legacy = expectedStandardStatements(junitBundle, LEGACY_XML_TEXT);
  const lines = (s: { bytes: Buffer }[]) => s.map((x) => line(x.bytes));

  it('differs from the current form in the test names only: as the XML writes them', () => {
    expect(now.statements[0]?.bytes.toString('utf8')).toContain('math > adds two numbers');
    expect(legacy.statements[0]?.bytes.toString('utf8')).toContain('math &gt; adds two numbers');
    expect(legacy.statements[1]?.bytes.equals(now.statements[1]?.bytes as Buffer)).toBe(true);
  });

  it('is accepted whole, and named', () => {
    expect(standardLinesAgree(lines(legacy.statements), junitBundle)).toBe(true);
    expect(expectedForLines(lines(legacy.statements), junitBundle)).toMatchObject({
      form: LEGACY_XML_TEXT,
      legacy: ['test-result junit/unit.junit.xml'],
    });
    expect(expectedForLines(lines(now.statements), junitBundle).form).toBe('current');
  });

  it('is not accepted with other names, nor a line of it dropped', () => {
    const renamed = Buffer.from(legacy.statements[0]!.bytes.toString('utf8').replace('&gt; adds two', '&gt; adds 2'));
    expect(standardLinesAgree([line(renamed), line(legacy.statements[1]!.bytes)], junitBundle)).toBe(false);
    expect(standardLinesAgree([line(legacy.statements[0]!.bytes)], junitBundle)).toBe(false);
  });

  it('is never looked for in a bundle without a JUnit entry, or whose JUnit has no `&` (both forms are one)', () => {
    expect(expectedForLines([line(Buffer.from('{}'))], bundle)).toMatchObject({ form: 'current' });
    const plain = Buffer.from('<testsuite><testcase name="a > b"/></testsuite>');
    const plainBundle = oneEntry('junit/plain.xml', 'junit', plain);
    const asWritten = expectedStandardStatements(plainBundle, LEGACY_XML_TEXT).statements;
    expect(asWritten.map((s) => s.bytes)).toEqual(
      expectedStandardStatements(plainBundle).statements.map((s) => s.bytes),
    );
    expect(expectedForLines([line(Buffer.from('{}'))], plainBundle)).toMatchObject({ form: 'current' });
  });
});
