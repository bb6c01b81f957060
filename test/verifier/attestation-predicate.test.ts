import { describe, expect, it } from 'vitest';
import { EVIDENCE_PREDICATE_TYPE } from '../../src/core/predicate.js';
import {
  RELEASE_PREDICATE_TYPE,
  TEST_RESULT_PREDICATE_TYPE,
  VSA_PREDICATE_TYPE,
} from '../../src/formats/standard-statements.js';
import { readPredicate } from '../../src/verifier/attestation-predicate.js';

describe('what a verified statement says of itself (verify-attestation)', () => {
  const vsa = (predicate: unknown) => readPredicate(VSA_PREDICATE_TYPE, predicate);

  it('a VSA passes only when it says PASSED, in those letters', () => {
    const passed = vsa({
      verifier: { id: 'https://v.example' },
      resourceUri: 'b.tar.gz',
      policy: { uri: 'policy.yaml' },
      verificationResult: 'PASSED',
      verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
    });
    expect(passed).toMatchObject({ ok: true });
    expect(passed.says).toContain('PASSED: b.tar.gz against policy.yaml, by https://v.example (SLSA_BUILD_LEVEL_2)');
    for (const result of ['FAILED', 'passed', 'PASSED ', '', null, 1, undefined, ['PASSED']])
      expect(vsa({ verificationResult: result }), JSON.stringify(result)).toMatchObject({
        ok: false,
        code: 'VSA_NOT_PASSED',
      });
    for (const predicate of [undefined, null, 'PASSED', ['PASSED'], {}])
      expect(vsa(predicate), JSON.stringify(predicate)).toMatchObject({ ok: false, code: 'VSA_NOT_PASSED' });
    // Earlier versions of the predicate are VSAs too, whatever their result is spelt.
    for (const version of ['v0.1', 'v0.2', 'v1-rc2']) {
      const type = `https://slsa.dev/verification_summary/${version}`;
      expect(readPredicate(type, { verification_result: 'FAILED' }), version).toMatchObject({ ok: false });
      expect(readPredicate(type, { verification_result: 'PASSED' }), version).toMatchObject({ ok: true });
    }
  });

  it('the evidence statement names the release it is evidence of, or says it names none', () => {
    const r = readPredicate(EVIDENCE_PREDICATE_TYPE, {
      bundle: { name: 'acme-web', version: '1.4.3', manifestDigest: `sha256:${'a'.repeat(64)}` },
    });
    expect(r).toMatchObject({ ok: true, release: { name: 'acme-web', version: '1.4.3' } });
    expect(r.says).toBe(`it is the evidence of acme-web 1.4.3 (manifest sha256:${'a'.repeat(64)})`);
    const none = readPredicate(EVIDENCE_PREDICATE_TYPE, { bundle: { name: 1 } });
    expect(none.release).toBeUndefined();
    expect(none.says).toMatch(/names no release/);
  });

  it('the release and test-result predicates say what they state; any other type says it was not read', () => {
    expect(readPredicate(RELEASE_PREDICATE_TYPE, { purl: 'pkg:generic/acme-web@1.4.2' }).says).toBe(
      'it is the release pkg:generic/acme-web@1.4.2',
    );
    // A failing test result is what the evidence says, not a failed verification of the attestation.
    expect(readPredicate(TEST_RESULT_PREDICATE_TYPE, { result: 'FAILED' })).toEqual({
      ok: true,
      says: 'the test result it states is FAILED',
    });
    expect(readPredicate('https://slsa.dev/provenance/v1', { buildDefinition: {} })).toEqual({
      ok: true,
      says: 'its predicate was not read: what it states is not checked',
    });
  });
});
