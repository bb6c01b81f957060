import { describe, expect, it } from 'vitest';
import { assess, failForForeignStatements } from '../../src/verifier/assessment.js';
import { requireSignerOrDownloadOnly } from '../../src/verifier/inputs.js';
import type { VerifyReport } from '../../src/verifier/report.js';

/** A signed report on which every check passed. */
function verifiedReport(): VerifyReport {
  const report: VerifyReport = {
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
  report.assessment = assess(report, []);
  return report;
}

describe('failForForeignStatements', () => {
  it('turns a verified report into a failed one with the standard check failing, so no output says verified', () => {
    const report = verifiedReport();
    expect(report.assessment?.authenticity.status).toBe('authentic');
    failForForeignStatements(report, [], 'web.sigstore.jsonl', 'its first line is another bundle');
    expect(report.ok).toBe(false);
    expect(report.verdict).toBe('failed');
    expect(report.checks.at(-1)).toMatchObject({
      id: 'standard',
      ok: false,
      code: 'STANDARD_MISMATCH',
      path: 'web.sigstore.jsonl',
    });
    expect(report.checks.at(-1)?.message).toMatch(/^SIGSTORE_JSONL_MISMATCH: /);
    expect(report.assessment?.authenticity.status).toBe('failed');
  });
});

describe('requireSignerOrDownloadOnly', () => {
  it('refuses to fetch without a signer to check unless only a download is asked for', () => {
    expect(() => requireSignerOrDownloadOnly({})).toThrow(
      expect.objectContaining({ code: 'IDENTITY_POLICY_REQUIRED' }),
    );
    expect(() => requireSignerOrDownloadOnly({ downloadOnly: true })).not.toThrow();
    expect(() => requireSignerOrDownloadOnly({ verify: { certificateIdentity: 'x' } })).not.toThrow();
  });
});
