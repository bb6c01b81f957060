import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/verifier/assessment.js';
import { gateRefusal, reportHeadline, verifiedLine } from '../../src/verifier/release-gate.js';
import type { VerifyReport } from '../../src/verifier/report.js';

/** A signed report that verified, its policy as given. */
function report(policy: Assessment['policy'], ok = true): VerifyReport {
  return {
    ok,
    mode: 'signed',
    bundle: { size: 1 },
    checks: [],
    verdict: ok ? 'verified' : 'failed',
    assessment: {
      authenticity: ok
        ? { status: 'authentic', method: 'key', summary: 'signature verified with the key k.pem' }
        : { status: 'failed', method: 'key', summary: '1 verification check failed (SIGNATURE_INVALID)' },
      policy,
      evidence: { status: 'nothing-to-judge', unverified: false, findings: [], summary: 'nothing to judge' },
    },
  };
}
const nothing = { status: 'satisfied', shows: 'nothing', summary: 'p.yaml holds, but shows nothing' } as const;

describe('the release gate (what the GitHub Action publishes)', () => {
  it('a policy that held on no evidence is refused with fail (the default), published with warn', () => {
    expect(gateRefusal(report(nothing))).toMatch(
      /^POLICY SHOWS NOTHING: the policy held, but on no evidence .*p\.yaml/,
    );
    expect(gateRefusal(report(nothing), 'fail')).toBeDefined();
    expect(gateRefusal(report(nothing), 'warn')).toBeUndefined();
  });

  it('a policy that showed evidence, or part of it, no policy, or a failed report: not refused here', () => {
    expect(
      gateRefusal(report({ status: 'satisfied', shows: 'partial', summary: 'p holds; 1 of 2 show nothing' })),
    ).toBe(undefined);
    expect(gateRefusal(report({ status: 'satisfied', shows: 'evidence', summary: 'p holds' }))).toBeUndefined();
    expect(gateRefusal(report({ status: 'not-evaluated', summary: 'no policy was given' }))).toBeUndefined();
    // A report that did not verify is refused by its verdict (exit 1), not called a policy that showed nothing.
    expect(gateRefusal(report(nothing, false))).toBeUndefined();
  });

  it('the log line says the headline first, then the verdict', () => {
    expect(reportHeadline(report(nothing)).word).toBe('POLICY SHOWS NOTHING');
    expect(verifiedLine(report(nothing))).toMatch(/^verify: POLICY SHOWS NOTHING \(verdict verified\): Authentic: /);
    const bare: VerifyReport = { ok: true, mode: 'signed', bundle: { size: 1 }, checks: [] };
    expect(verifiedLine(bare)).toMatch(/^verify: \S.* \(verdict verified\): /);
    expect(verifiedLine(report(nothing, false))).toMatch(/^verify: VERIFICATION FAILED \(verdict failed\)/);
  });
});
