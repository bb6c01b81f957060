import { describe, expect, it } from 'vitest';
import { assess, headline, JUDGED_KINDS } from '../../src/verifier/assessment.js';
import type { VerifyReport } from '../../src/verifier/report.js';

/**
 * Class: "what does the evidence say" answered `clean` for a bundle that holds nothing the answer judges. An SBOM
 * alone said "no failing or missing tests, … no unhandled critical findings": no test report and no scan were there.
 */
function signedReport(): VerifyReport {
  return {
    ok: true,
    mode: 'signed',
    bundle: { size: 100 },
    checks: [
      { id: 'archive', ok: true, message: 'well formed' },
      { id: 'signature', ok: true, message: 'signature verified' },
      { id: 'identity', ok: true, message: 'signed by someone' },
    ],
    verdict: 'verified',
  };
}

const sbom = {
  path: 'sbom/app.cdx.json',
  kind: 'sbom',
  summary: { components: 3, format: 'cyclonedx', specVersion: '1.5', licenses: [], unlicensed: 0 },
};
const junit = (passed: number, skipped: number) => ({
  path: 'junit/unit.xml',
  kind: 'junit',
  summary: { tests: passed + skipped, passed, failed: 0, errored: 0, skipped, durationSeconds: 1 },
});

describe('the evidence answer says what it judged', () => {
  it('a bundle holding none of the judged kinds is nothing-to-judge, never clean', () => {
    const a = assess(signedReport(), [sbom]);
    expect(a.evidence.status).toBe('nothing-to-judge');
    expect(a.evidence.judged).toEqual([]);
    expect(a.evidence.summary).toMatch(
      /^nothing to judge: the bundle holds none of test reports, .*SLO snapshots \(none with anything in it\)/,
    );
    expect(a.evidence.summary).not.toMatch(/no failing or missing tests/);
    // The headline is about authenticity and policy: still VERIFIED, and its detail says nothing was judged.
    const h = headline(a);
    expect(h.word).toBe('VERIFIED');
    expect(h.detail).toMatch(/evidence: nothing to judge/);
  });

  it('clean names the kinds judged and those not in the bundle', () => {
    const a = assess(signedReport(), [sbom, junit(4, 0)]);
    expect(a.evidence.status).toBe('clean');
    expect(a.evidence.judged).toEqual(['junit']);
    expect(a.evidence.summary).toMatch(
      /^no concerns in its test reports; not in the bundle, so not judged: load tests/,
    );
    expect(a.evidence.summary).toContain(JUDGED_KINDS.vulnerabilities);
  });

  it('a test report whose every test was skipped is a concern (TESTS_NONE), not clean', () => {
    const a = assess(signedReport(), [junit(0, 5)]);
    expect(a.evidence.status).toBe('concerns');
    expect(a.evidence.findings.map((f) => f.code)).toEqual(['TESTS_NONE']);
    expect(a.evidence.findings[0]?.message).toBe('no test ran: 5 tests skipped of 5, none passed');
    expect(headline(a).word).toBe('VERIFIED WITH CONCERNS');
    // One that ran beside skipped ones is a test that passed.
    expect(assess(signedReport(), [junit(1, 5)]).evidence.status).toBe('clean');
  });

  it('a load test that ran nothing is not judged: nothing to judge, naming it', () => {
    const k6 = {
      path: 'k6/summary.json',
      kind: 'k6',
      summary: {
        checks: { passed: 0, failed: 0 },
        thresholds: { passed: ['http_req_duration'], failed: [] },
        httpReqDuration: { p90: null, p95: null, p99: null },
        httpReqFailedRate: null,
        samples: { iterations: 0, httpReqs: 0 },
      },
    };
    const a = assess(signedReport(), [sbom, k6]);
    expect(a.evidence.status).toBe('nothing-to-judge');
    expect(a.evidence.judged).toEqual([]);
    expect(a.evidence.summary).toMatch(/k6\/summary\.json holds nothing/);
    // Beside tests that passed: clean, and the load test is in the bundle, never also said to be absent from it.
    const c = assess(signedReport(), [junit(4, 0), k6]);
    expect(c.evidence.status).toBe('clean');
    expect(c.evidence.summary).toMatch(/not judged: k6\/summary\.json holds nothing/);
    expect(c.evidence.summary).not.toMatch(/not in the bundle, so not judged: [^;]*load tests/);
  });

  it('integrity only: nothing to judge is said as the bundle claims', () => {
    const report = { ...signedReport(), mode: 'integrity-only' as const };
    const a = assess(report, [sbom]);
    expect(a.evidence.status).toBe('nothing-to-judge');
    expect(a.evidence.summary).toMatch(/not signature-checked/);
    expect(headline(a).word).toBe('INTEGRITY ONLY');
  });
});
