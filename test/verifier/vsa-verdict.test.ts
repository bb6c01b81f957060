import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/verifier/report.js';
import { vsaNotPassed, vsaSigner } from '../../src/verifier/vsa-verdict.js';

/** Only the parts of a report the VSA's verdict reads. */
const report = (r: Omit<Partial<VerifyReport>, 'assessment'> & { assessment?: unknown }): VerifyReport =>
  ({ mode: 'signed', ok: true, verdict: 'verified', ...r }) as VerifyReport;

describe("a VSA's PASSED", () => {
  it('is said only of a signed bundle that verified, with a pinned signer and a policy that showed something', () => {
    expect(vsaNotPassed(report({}))).toBeUndefined();
    expect(vsaNotPassed(report({ mode: 'integrity-only' }))).toMatch(/only the integrity/);
    expect(vsaNotPassed(report({ ok: false, verdict: 'policy-failed' }))).toMatch(/did not pass \(policy-failed\)/);
    expect(
      vsaNotPassed(
        report({ assessment: { authenticity: { notPinned: 'the pattern .* matches anyone' }, policy: {} } }),
      ),
    ).toMatch(/not pinned: the pattern/);
    expect(
      vsaNotPassed(
        report({ assessment: { authenticity: {}, policy: { shows: 'nothing', summary: 'p.yaml holds, but' } } }),
      ),
    ).toMatch(/shows nothing: p.yaml holds/);
    expect(vsaNotPassed(report({ assessment: { authenticity: {}, policy: { shows: 'partial' } } }))).toBeUndefined();
  });

  it('records the signer asked for: the identity options given, or the key that matched', () => {
    expect(
      vsaSigner(report({}), { certificateIdentity: 'https://x', certificateOidcIssuer: 'https://i', sourceRef: '' }),
    ).toEqual({ certificateIdentity: 'https://x', certificateOidcIssuer: 'https://i' });
    expect(vsaSigner(report({ signature: { kind: 'public-key', key: 'pub.pem', tlog: [] } as never }), {})).toEqual({
      key: 'pub.pem',
    });
  });
});
