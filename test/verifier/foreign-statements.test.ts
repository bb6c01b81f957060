import { describe, expect, it } from 'vitest';
import { assess, failForReleaseProblems, headline } from '../../src/verifier/assessment.js';
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

describe('failForReleaseProblems', () => {
  it('an authentic bundle of another release: failed release checks, headline RELEASE MISMATCH, never verified', () => {
    const report = verifiedReport();
    failForReleaseProblems(
      report,
      [],
      [{ code: 'RELEASE_MISMATCH', message: 'the bundle is the evidence of web 1.4.2, not of v2.0.0' }],
    );
    expect([report.ok, report.verdict]).toEqual([false, 'failed']);
    expect(report.checks.filter((c) => c.id === 'release').map((c) => c.code)).toEqual(['RELEASE_MISMATCH']);
    // Still authentic, as coverage keeps a file the bundle is not about apart from authenticity.
    expect(report.assessment?.authenticity.status).toBe('authentic');
    expect(report.assessment?.release).toMatchObject({ status: 'mismatch' });
    const h = headline(report.assessment as NonNullable<typeof report.assessment>);
    expect([h.ok, h.word]).toEqual([false, 'RELEASE MISMATCH']);
    // A foreign NAME.sigstore.jsonl is a release check too: the bundle's own authenticity is not in question.
    const foreign = verifiedReport();
    failForReleaseProblems(
      foreign,
      [],
      [{ code: 'SIGSTORE_JSONL_MISMATCH', message: 'its first line is another bundle' }],
      'web.sigstore.jsonl',
    );
    expect(foreign.checks.filter((c) => !c.ok).map((c) => [c.id, c.code, c.path])).toEqual([
      ['release', 'SIGSTORE_JSONL_MISMATCH', 'web.sigstore.jsonl'],
    ]);
    expect([foreign.verdict, foreign.assessment?.authenticity.status, foreign.assessment?.release?.status]).toEqual([
      'failed',
      'authentic',
      'mismatch',
    ]);
    // Nothing to add: the report is left as it was.
    const clean = verifiedReport();
    failForReleaseProblems(clean, [], []);
    expect([clean.ok, clean.verdict, clean.checks.length]).toEqual([true, 'verified', 3]);
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
