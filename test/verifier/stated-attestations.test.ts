import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import type { Manifest } from '../../src/core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { RELEASE_PREDICATE_TYPE } from '../../src/formats/standard-statements.js';
import { statementBytes, toStatement } from '../../src/signer/statement.js';
import { VerifyError } from '../../src/verifier/errors.js';
import {
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
