import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/verifier/report.js';
import { vsaNotPassed, vsaPolicyShows, vsaSigner } from '../../src/verifier/vsa-verdict.js';

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

  it('records the signer asked for and the one that verified: never the local file a key was read from', () => {
    const authentic = { authenticity: { status: 'authentic' }, policy: {} };
    expect(
      vsaSigner(report({}), { certificateIdentity: 'https://x', certificateOidcIssuer: 'https://i', sourceRef: '' }),
    ).toEqual({ certificateIdentity: 'https://x', certificateOidcIssuer: 'https://i' });
    const keySigned = { kind: 'public-key', key: 'pub.pem', keySha256: 'ab'.repeat(32), tlog: [] } as never;
    expect(vsaSigner(report({ signature: keySigned, assessment: authentic }), {})).toEqual({
      verifiedKeySha256: 'ab'.repeat(32),
    });
    // A policy file's identity rules asked for the signer (no option given): the certificate that verified is named.
    const keyless = { kind: 'certificate', identity: 'https://github.com/acme/web/wf', issuer: 'https://t', tlog: [] };
    expect(vsaSigner(report({ signature: keyless as never, assessment: authentic }), {})).toEqual({
      verifiedIdentity: 'https://github.com/acme/web/wf',
      verifiedIssuer: 'https://t',
    });
    // A signature that did not verify names no signer.
    const failed = { authenticity: { status: 'not-authentic' }, policy: {} };
    expect(vsaSigner(report({ signature: keyless as never, assessment: failed }), {})).toEqual({});
  });

  it('records what the policy showed when part of it read no evidence, and nothing when it showed evidence', () => {
    const partial = { status: 'satisfied', shows: 'partial', summary: 'p.yaml holds; 2 of its 3 … show nothing' };
    expect(vsaPolicyShows(report({ assessment: { authenticity: {}, policy: partial } }))).toEqual({
      shows: 'partial',
      summary: 'p.yaml holds; 2 of its 3 … show nothing',
    });
    expect(
      vsaPolicyShows(report({ assessment: { authenticity: {}, policy: { status: 'satisfied', shows: 'evidence' } } })),
    ).toBeUndefined();
    expect(vsaPolicyShows(report({}))).toBeUndefined();
  });
});
