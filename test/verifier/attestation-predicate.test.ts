import { describe, expect, it } from 'vitest';
import { EVIDENCE_PREDICATE_TYPE } from '../../src/core/predicate.js';
import {
  RELEASE_PREDICATE_TYPE,
  TEST_RESULT_PREDICATE_TYPE,
  VSA_PREDICATE_TYPE,
  VULNS_PREDICATE_TYPE,
} from '../../src/formats/standard-statements.js';
import { readPredicate } from '../../src/verifier/attestation-predicate.js';
import {
  attestationHeadline,
  notAssessed,
  statedEvidence,
  statedEvidenceOf,
} from '../../src/verifier/attestation-evidence.js';

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
    // A failing test result is what the evidence says, not a failed verification of the attestation: a concern.
    expect(readPredicate(TEST_RESULT_PREDICATE_TYPE, { result: 'FAILED' })).toEqual({
      ok: true,
      says: 'the test result it states is FAILED',
      judged: 'concerns',
      findings: [{ code: 'TESTS_FAILED', kind: 'test-result', message: 'the test result it states is FAILED' }],
    });
    expect(readPredicate('https://slsa.dev/provenance/v1', { buildDefinition: {} })).toEqual({
      ok: true,
      says: 'its predicate was not read: what it states is not checked',
      judged: 'not-read',
      findings: [],
    });
  });

  it('a test result: PASSED is clean; FAILED, WARNED and none are concerns, naming the tests and the report', () => {
    const test = (predicate: unknown) => readPredicate(TEST_RESULT_PREDICATE_TYPE, predicate);
    expect(test({ result: 'PASSED' })).toMatchObject({ ok: true, judged: 'clean', findings: [] });
    const failed = test({
      result: 'FAILED',
      configuration: [{ name: 'junit/unit.xml' }],
      failedTests: ['a', 'b', 'c', 'd', 'e', 7],
    });
    expect(failed.findings).toEqual([
      {
        code: 'TESTS_FAILED',
        kind: 'test-result',
        path: 'junit/unit.xml',
        message: 'the test result it states is FAILED: a, b, c and 2 more',
      },
    ]);
    expect(test({ result: 'WARNED', warnedTests: ['w'] }).findings).toMatchObject([
      { code: 'TESTS_WARNED', message: 'the test result it states is WARNED, not PASSED: w' },
    ]);
    for (const predicate of [{}, { result: 'passed' }, null, { result: 3 }])
      expect(test(predicate), JSON.stringify(predicate)).toMatchObject({
        ok: true,
        judged: 'concerns',
        findings: [{ code: 'TESTS_NONE' }],
      });
  });

  it('a vulns scan: its critical and high findings are concerns (no VEX in it), by the most severe rating', () => {
    const scan = (result: unknown) => readPredicate(VULNS_PREDICATE_TYPE, { scanner: { result } });
    const rated = (id: string, ...scores: unknown[]) => ({ id, severity: scores.map((score) => ({ score })) });
    const r = scan([
      rated('CVE-1', 'critical'),
      rated('CVE-2', 'moderate', '7.5'),
      rated('CVE-3', 9.1),
      rated('CVE-4', 'error'),
      rated('CVE-5', '4.0', '11'),
      rated('CVE-6', '0.5', '0'),
      { severity: 'none' },
    ]);
    expect(r.ok).toBe(true);
    expect(r.says).toBe('the scan it states found 7 vulnerabilities (2 critical, 1 high, 1 medium, 1 low, 2 unknown)');
    expect(r.findings.map((f) => [f.code, f.message])).toEqual([
      [
        'FINDINGS_CRITICAL',
        '2 critical findings: CVE-1, CVE-3; a vulns statement carries no VEX, so none is said to be handled',
      ],
      [
        'FINDINGS_HIGH',
        '1 high-severity finding: CVE-2; a vulns statement carries no VEX, so none is said to be handled',
      ],
    ]);
    expect(scan([{ id: 'CVE-9', severity: [{ score: 'low' }] }])).toMatchObject({ judged: 'clean', findings: [] });
    expect(readPredicate(VULNS_PREDICATE_TYPE, 'nonsense')).toMatchObject({
      judged: 'clean',
      says: 'the scan it states found 0 vulnerabilities (0 critical, 0 high, 0 medium, 0 low, 0 unknown)',
    });
  });

  it('the evidence statement is judged as verify judges the bundle: its entries, or nothing to judge', () => {
    const evidence = (entries: unknown) =>
      readPredicate(EVIDENCE_PREDICATE_TYPE, { bundle: { name: 'app', version: '1' }, entries });
    const failing = evidence([
      {
        path: 'junit/a.xml',
        kind: 'junit',
        summary: { tests: 3, passed: 1, failed: 2, errored: 0, skipped: 0, durationSeconds: 1 },
      },
      { path: 'x', kind: 7 },
      'nonsense',
    ]);
    expect(failing).toMatchObject({ ok: true, judged: 'concerns', release: { name: 'app', version: '1' } });
    expect(failing.findings).toMatchObject([{ code: 'TESTS_FAILED', path: 'junit/a.xml', kind: 'junit' }]);
    const green = evidence([
      {
        path: 'junit/a.xml',
        kind: 'junit',
        summary: { tests: 1, passed: 1, failed: 0, errored: 0, skipped: 0, durationSeconds: 1 },
      },
    ]);
    expect(green).toMatchObject({ judged: 'clean', findings: [] });
    expect(evidence([{ path: 'sbom/a.json', kind: 'sbom', summary: {} }])).toMatchObject({
      judged: 'nothing-to-judge',
    });
    expect(evidence(undefined)).toMatchObject({ judged: 'nothing-to-judge' });
    // A summary of a judged kind that does not read (another evidence's shape: no durationSeconds) was not judged:
    // never clean, and said, whatever its figures. A kind named after Object's own properties is no judged kind.
    const unread = evidence([
      { path: 'junit/old.xml', kind: 'junit', summary: { tests: 10, passed: 7, failed: 3, errored: 0, skipped: 0 } },
      { path: 'junit/none.xml', kind: 'junit' },
    ]);
    expect(unread).toMatchObject({ judged: 'not-read', findings: [] });
    expect(unread.says).toMatch(
      /2 of its entries' summaries do not read, so they were not judged \(junit\/old\.xml, junit\/none\.xml\)$/,
    );
    expect(evidence([{ path: 'c', kind: 'constructor', summary: {} }])).toMatchObject({ judged: 'nothing-to-judge' });
    expect(readPredicate(EVIDENCE_PREDICATE_TYPE, { entries: [] })).toMatchObject({ judged: 'nothing-to-judge' });
    expect(readPredicate(RELEASE_PREDICATE_TYPE, {})).toMatchObject({ judged: 'nothing-to-judge', findings: [] });
  });

  it('the evidence answer and headline: concerns head VERIFIED WITH CONCERNS, never over a failure', () => {
    const failed = readPredicate(TEST_RESULT_PREDICATE_TYPE, { result: 'FAILED' });
    const passed = readPredicate(TEST_RESULT_PREDICATE_TYPE, { result: 'PASSED' });
    const release = readPredicate(RELEASE_PREDICATE_TYPE, { purl: 'pkg:generic/a@1' });
    const unread = readPredicate('https://example.com/other', {});
    expect(statedEvidence(failed)).toMatchObject({
      status: 'concerns',
      summary: '1 concern: the test result it states is FAILED',
    });
    expect(statedEvidence(passed).summary).toBe('no concerns in what it states: the test result it states is PASSED');
    expect(statedEvidence(release)).toMatchObject({ status: 'nothing-to-judge' });
    expect(statedEvidence(unread)).toMatchObject({
      status: 'unknown',
      summary: expect.stringMatching(/^not assessed: /),
    });

    expect(statedEvidenceOf([])).toMatchObject({ status: 'unknown' });
    const many = statedEvidenceOf([
      { line: 2, reading: failed },
      { line: 3, reading: passed },
      { line: 4, reading: unread },
    ]);
    expect(many).toMatchObject({ status: 'concerns', findings: [{ line: 2, code: 'TESTS_FAILED' }] });
    expect(many.summary).toBe(
      '1 concern: line 2: the test result it states is FAILED; 1 statement not read (what it states is not checked)',
    );
    expect(
      statedEvidenceOf([
        { line: 3, reading: passed },
        { line: 4, reading: unread },
        { line: 5, reading: unread },
      ]).summary,
    ).toBe('no concerns in what 1 statement state; 2 statements not read (what they state is not checked)');
    expect(statedEvidenceOf([{ line: 8, reading: release }])).toMatchObject({ status: 'nothing-to-judge' });
    expect(statedEvidenceOf([{ line: 4, reading: unread }])).toEqual(
      notAssessed('1 statement not read: what it states is not checked'),
    );

    const concerns = statedEvidence(failed);
    expect(attestationHeadline({ ok: true, evidence: concerns })).toBe('VERIFIED WITH CONCERNS');
    expect(attestationHeadline({ ok: false, evidence: concerns })).toBe('FAILED');
    expect(attestationHeadline({ ok: true, evidence: statedEvidence(passed) })).toBe('VERIFIED');
    const set = { ok: false, attestation: 'x', bundles: [], artifacts: [], evidence: concerns };
    expect(attestationHeadline({ ...set, verdict: 'incomplete' })).toBe('INCOMPLETE');
    expect(attestationHeadline({ ...set, verdict: 'failed' })).toBe('FAILED');
    expect(attestationHeadline({ ...set, ok: true, verdict: 'verified' })).toBe('VERIFIED WITH CONCERNS');
  });
});
