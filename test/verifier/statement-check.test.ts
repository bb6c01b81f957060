import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { EVIDENCE_PREDICATE_TYPE } from '../../src/core/predicate.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V01 } from '../../src/formats/intoto.js';
import { toStatement } from '../../src/signer/statement.js';
import { checkBundleStatement, parseStatement } from '../../src/verifier/statement-check.js';
import { baselineManifest } from '../helpers/craft.js';

/**
 * The signed statement must be about this bundle: an in-toto Statement v1 of
 * the release-evidence predicate, whose subjects start with the exact
 * manifest.json and cover every release subject, and whose predicate names
 * the same manifest digest. Each statement here is the real one with one
 * thing changed.
 */
const ARTIFACT = Buffer.from('the release artifact');

function manifest(): Manifest {
  return {
    ...baselineManifest(),
    subjects: [{ name: 'app.tgz', digest: `sha256:${sha256Hex(ARTIFACT)}`, size: ARTIFACT.length }],
  };
}

const MANIFEST = manifest();
const MANIFEST_BYTES = canonicalBytes(MANIFEST);

/** A document as JSON.parse gives it: the tests change statements in ways no schema type allows. */
type Json = ReturnType<typeof JSON.parse>;

/** The statement `sign` would make for the manifest, as a plain object to change. */
function statement(): Json {
  return JSON.parse(JSON.stringify(toStatement(MANIFEST, MANIFEST_BYTES)));
}

function codes(payload: unknown, payloadType = IN_TOTO_PAYLOAD_TYPE): (string | undefined)[] {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  return checkBundleStatement({ payload: bytes, payloadType }, MANIFEST, MANIFEST_BYTES).checks.map((c) =>
    c.ok ? 'ok' : c.code,
  );
}

describe('checkBundleStatement', () => {
  it('the statement made for the bundle passes, and is returned parsed', () => {
    const result = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify(statement())), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(result.checks.map((c) => c.ok)).toEqual([true]);
    expect(result.statement?.predicateType).toBe(EVIDENCE_PREDICATE_TYPE);
  });

  it('a message signature (no DSSE) is ATTESTATION_NOT_DSSE; another payload type is ATTESTATION_NOT_INTOTO', () => {
    expect(checkBundleStatement(undefined, MANIFEST, MANIFEST_BYTES).checks.map((c) => c.code)).toEqual([
      'ATTESTATION_NOT_DSSE',
    ]);
    expect(codes(statement(), 'text/plain')).toEqual(['ATTESTATION_NOT_INTOTO']);
  });

  it('a payload that is not an in-toto Statement v1 is STATEMENT_INVALID', () => {
    expect(codes(Buffer.from('not json'))).toEqual(['STATEMENT_INVALID']);
    expect(codes({ ...statement(), subject: [] })).toEqual(['STATEMENT_INVALID']);
    // v0.1 is read for third-party attestations, never accepted for the bundle's own.
    expect(codes({ ...statement(), _type: IN_TOTO_STATEMENT_V01 })).toEqual(['STATEMENT_INVALID']);
  });

  it('a statement of another predicate type is STATEMENT_WRONG_PREDICATE, saying which', () => {
    const s = { ...statement(), predicateType: 'https://slsa.dev/provenance/v1' };
    const { checks } = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify(s)), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(checks).toEqual([
      expect.objectContaining({
        ok: false,
        code: 'STATEMENT_WRONG_PREDICATE',
        expected: EVIDENCE_PREDICATE_TYPE,
        found: 'https://slsa.dev/provenance/v1',
      }),
    ]);
  });

  it('subjects that repeat a name, or do not start with manifest.json, are STATEMENT_INVALID', () => {
    const s = statement();
    const [manifestSubject, artifact] = s.subject;
    expect(codes({ ...s, subject: [manifestSubject, artifact, artifact] })).toEqual(['STATEMENT_INVALID']);
    expect(codes({ ...s, subject: [artifact, manifestSubject] })).toEqual(['STATEMENT_INVALID']);
    expect(codes({ ...s, subject: [manifestSubject, manifestSubject, artifact] })).toEqual(['STATEMENT_INVALID']);
  });

  it('a statement signing another manifest.json is STATEMENT_MANIFEST_MISMATCH', () => {
    const s = statement();
    s.subject[0].digest.sha256 = 'f'.repeat(64);
    const { checks } = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify(s)), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(checks).toEqual([
      expect.objectContaining({
        code: 'STATEMENT_MANIFEST_MISMATCH',
        expected: `sha256:${sha256Hex(MANIFEST_BYTES)}`,
        found: `sha256:${'f'.repeat(64)}`,
      }),
    ]);
  });

  it('a manifest subject without a sha256 is STATEMENT_MANIFEST_MISMATCH, found none', () => {
    const s = statement();
    s.subject[0].digest = { sha512: 'a'.repeat(128) };
    const { checks } = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify(s)), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(checks.map((c) => [c.code, c.found])).toEqual([['STATEMENT_MANIFEST_MISMATCH', 'none']]);
  });

  it('a predicate that is not a release-evidence predicate is STATEMENT_INVALID', () => {
    const s = statement();
    expect(codes({ ...s, predicate: { ...s.predicate, extra: true } })).toEqual(['STATEMENT_INVALID']);
    expect(codes({ ...s, predicate: undefined })).toEqual(['STATEMENT_INVALID']);
    const noName = statement();
    delete noName.predicate.bundle.name;
    expect(codes(noName)).toEqual(['STATEMENT_INVALID']);
  });

  it('a predicate naming another manifest digest is STATEMENT_MANIFEST_MISMATCH', () => {
    const s = statement();
    s.predicate.bundle.manifestDigest = `sha256:${'0'.repeat(64)}`;
    const { checks } = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify(s)), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(checks).toEqual([
      expect.objectContaining({
        ok: false,
        code: 'STATEMENT_MANIFEST_MISMATCH',
        found: `sha256:${'0'.repeat(64)}`,
      }),
    ]);
  });

  it('a statement that leaves out a release subject is STATEMENT_SUBJECT_MISSING, naming it', () => {
    const s = statement();
    const { checks } = checkBundleStatement(
      { payload: Buffer.from(JSON.stringify({ ...s, subject: [s.subject[0]] })), payloadType: IN_TOTO_PAYLOAD_TYPE },
      MANIFEST,
      MANIFEST_BYTES,
    );
    expect(checks.map((c) => [c.code, c.path])).toEqual([['STATEMENT_SUBJECT_MISSING', 'app.tgz']]);
  });

  it('every problem of a statement is listed, not only the first', () => {
    const s = statement();
    s.subject[0].digest.sha256 = 'f'.repeat(64);
    s.predicate.bundle.manifestDigest = `sha256:${'0'.repeat(64)}`;
    expect(codes({ ...s, subject: [s.subject[0]] })).toEqual([
      'STATEMENT_MANIFEST_MISMATCH',
      'STATEMENT_MANIFEST_MISMATCH',
      'STATEMENT_SUBJECT_MISSING',
    ]);
  });
});

describe('parseStatement', () => {
  it('reads v1 and v0.1 statements; refuses duplicate keys, non-JSON and other shapes', () => {
    expect(parseStatement(Buffer.from(JSON.stringify(statement())))?._type).toBe('https://in-toto.io/Statement/v1');
    expect(parseStatement(Buffer.from(JSON.stringify({ ...statement(), _type: IN_TOTO_STATEMENT_V01 })))?._type).toBe(
      IN_TOTO_STATEMENT_V01,
    );
    expect(parseStatement(Buffer.from('{"_type":"a","_type":"b"}'))).toBeUndefined();
    expect(parseStatement(Buffer.from('nope'))).toBeUndefined();
    expect(parseStatement(Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}'))).toBeUndefined();
  });
});
