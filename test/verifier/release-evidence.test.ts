import { describe, expect, it } from 'vitest';
import {
  chooseEvidence,
  releaseGroups,
  releaseMismatch,
  sameRepository,
  tagVersion,
} from '../../src/verifier/release-evidence.js';
import { summarizePeriod, type PeriodMemberInput } from '../../src/verifier/period.js';
import type { VerifyReport } from '../../src/verifier/report.js';

describe("which evidence is a release's (pure rules audit and verify --image share)", () => {
  it('tags of one version are one release', () => {
    expect(tagVersion('v1.2.3')).toBe('1.2.3');
    expect(tagVersion('1.2.3-evidence')).toBe('1.2.3');
    expect(tagVersion('version-1')).toBe('version-1');
    expect(releaseGroups(['2.0.0', 'v1.0.0', '1.0.0-evidence', '1.0.0', 'latest'])).toEqual([
      { id: '1.0.0', tags: ['1.0.0', '1.0.0-evidence', 'v1.0.0'] },
      { id: '2.0.0', tags: ['2.0.0'] },
      { id: 'latest', tags: ['latest'] },
    ]);
  });

  it('chooses the newest authentic candidate by its signed time; an unsigned or forged one is never chosen over it', () => {
    const signed = { reference: 'a', authentic: true, signedCreated: '2026-03-06T09:00:00Z' };
    const older = { reference: 'b', authentic: true, signedCreated: '2026-03-01T09:00:00Z' };
    const forged = { reference: 'c', authentic: false, signedCreated: '2027-01-01T00:00:00Z' };
    expect(chooseEvidence([forged, older, signed])?.reference).toBe('a');
    expect(chooseEvidence([forged, older])?.reference).toBe('b');
    // None authentic: the first listed, judged as it is.
    expect(chooseEvidence([forged, { reference: 'd', authentic: false }])?.reference).toBe('c');
    expect(chooseEvidence([])).toBeUndefined();
  });

  it('a bundle must sign the audited version, product and (when it records one) repository', () => {
    const claims = { name: 'web', version: '1.4.2', repository: 'https://github.com/acme/web' };
    expect(
      releaseMismatch(claims, { tags: ['v1.4.2'], product: 'web', repository: 'git@github.com:Acme/web.git' }),
    ).toBeUndefined();
    expect(releaseMismatch(claims, { tags: ['v1.4.3'] })?.code).toBe('RELEASE_MISMATCH');
    expect(releaseMismatch(claims, { tags: ['1.4.2'], product: 'api' })?.code).toBe('PRODUCT_MISMATCH');
    expect(releaseMismatch(claims, { tags: ['1.4.2'], repository: 'https://github.com/acme/api' })?.code).toBe(
      'REPOSITORY_MISMATCH',
    );
    // A bundle that records no repository is not held to one.
    expect(
      releaseMismatch(
        { name: 'web', version: '1.4.2' },
        { tags: ['1.4.2'], repository: 'https://github.com/acme/api' },
      ),
    ).toBeUndefined();
    expect(sameRepository('https://token@github.com/acme/web/', 'https://github.com/acme/web.git')).toBe(true);
    expect(sameRepository('https://github.com/acme/web', 'https://github.com/acme/web-evil')).toBe(false);
  });

  it("unpinned, a period whose bundles name two products shows no release as the audited product's", () => {
    const report = {
      ok: true,
      checks: [],
      assessment: {
        authenticity: { status: 'authentic', method: 'key', summary: 'ok' },
        policy: { status: 'not-evaluated', summary: '' },
        evidence: { status: 'clean', unverified: false, findings: [], summary: '' },
      },
    } as unknown as VerifyReport;
    const member = (id: string, name: string): PeriodMemberInput => ({
      id,
      published: '2026-01-02T00:00:00Z',
      sampled: true,
      evidence: { state: 'found' },
      report,
      claims: { name, version: id },
    });
    const two = summarizePeriod({
      since: '2026-01-01',
      until: '2026-01-31',
      members: [member('1.0.0', 'web'), member('1.1.0', 'api')],
    });
    expect(two.members.map((m) => [m.status, m.evidence.code])).toEqual([
      ['not-authentic', 'PRODUCT_AMBIGUOUS'],
      ['not-authentic', 'PRODUCT_AMBIGUOUS'],
    ]);
    expect(two.product).toEqual({ pinned: false, names: ['api', 'web'] });
    const one = summarizePeriod({
      since: '2026-01-01',
      until: '2026-01-31',
      members: [member('1.0.0', 'web'), member('1.1.0', 'web')],
    });
    expect(one.members.map((m) => m.status)).toEqual(['holds', 'holds']);
  });

  it('an unsigned bundle whose content matches its digests is reported as unsigned and intact', () => {
    const report = {
      ok: false,
      checks: [
        { id: 'manifest', ok: true, message: '' },
        { id: 'signature', ok: false, code: 'SIGNATURE_MISSING', message: '' },
      ],
    } as unknown as VerifyReport;
    const s = summarizePeriod({
      since: '2026-01-01',
      until: '2026-01-31',
      members: [{ id: '1.0.0', published: '', sampled: true, evidence: { state: 'unsigned' }, report }],
    });
    expect(s.members[0]?.status).toBe('unsigned');
    expect(s.members[0]?.reason).toMatch(/its content matches its digests/);
    const broken = {
      ...report,
      checks: [...report.checks, { id: 'blobs', ok: false, code: 'BLOB_DIGEST_MISMATCH', message: '' }],
    } as unknown as VerifyReport;
    expect(
      summarizePeriod({
        since: '2026-01-01',
        until: '2026-01-31',
        members: [{ id: '1.0.0', published: '', sampled: true, evidence: { state: 'unsigned' }, report: broken }],
      }).members[0]?.reason,
    ).toMatch(/does not match/);
  });
});
