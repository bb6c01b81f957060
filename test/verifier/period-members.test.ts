import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { FileError } from '../../src/fs/small-file.js';
import { GitHubError } from '../../src/transport/github/errors.js';
import { NetworkTimeout } from '../../src/transport/http/timeout.js';
import { OciError } from '../../src/transport/oci/errors.js';
import { VerifyError } from '../../src/verifier/errors.js';
import {
  attempt,
  audited,
  candidateOf,
  checkAuditOptions,
  chosenMember,
  examined,
  inPeriod,
  judged,
  releaseTagPattern,
  unavailable,
  unexamined,
  unverifiable,
  verifiedAsOfRelease,
  withoutCandidates,
  type VerifiedEvidence,
} from '../../src/verifier/period-members.js';
import { checkPeriod, statusOf, type PeriodMemberInput } from '../../src/verifier/period.js';
import type { VerifyReport } from '../../src/verifier/report.js';

/** An audit's judgment of each release (src/verifier/period-members.ts), without files or servers. */

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function report(options: { authentic?: boolean; unsigned?: boolean; digest?: string; covered?: boolean } = {}) {
  return {
    ok: true,
    bundle: { digest: options.digest ?? DIGEST },
    checks: options.unsigned ? [{ ok: false, code: 'SIGNATURE_MISSING' }] : [],
    assessment: {
      authenticity: { status: options.authentic === false ? 'not-authentic' : 'authentic', summary: 'x' },
      ...(options.covered === false ? { coverage: { status: 'not-covered', summary: 'not covered' } } : {}),
      policy: { status: 'not-evaluated', summary: '' },
      evidence: { status: 'clean', unverified: false, findings: [], summary: '' },
    },
  } as unknown as VerifyReport;
}

function manifest(version: string, created = '2026-03-01T00:00:00Z', name = 'web'): Manifest {
  return {
    name,
    version,
    created,
    source: { repository: 'https://github.com/acme/web' },
    entries: [],
  } as unknown as Manifest;
}

const member = (id = '1.0.0'): PeriodMemberInput => ({
  id,
  published: '2026-03-02T00:00:00.000Z',
  sampled: true,
  evidence: { state: 'found', bundle: { name: 'b.tar.gz', digest: DIGEST, size: 10 } },
});

const release = { tags: ['v1.0.0'], product: 'web', repository: 'https://github.com/acme/web' };

describe('errors: a release unavailable, unverifiable, or the audit stopped', () => {
  it('a source that fails leaves the release unavailable; bytes that are not what it listed, unverifiable', () => {
    expect(unavailable(new GitHubError('GITHUB_UNREACHABLE', 'down'))).toEqual({
      code: 'GITHUB_UNREACHABLE',
      message: 'down',
    });
    expect(unavailable(new OciError('REGISTRY_NOT_FOUND', 'gone'))?.code).toBe('REGISTRY_NOT_FOUND');
    expect(unavailable(new GitHubError('ASSET_MISMATCH', 'x'))).toBeUndefined();
    expect(unavailable(new OciError('DIGEST_MISMATCH', 'x'))).toBeUndefined();
    expect(unverifiable(new GitHubError('ASSET_MISMATCH', 'x'))?.code).toBe('ASSET_MISMATCH');
    expect(unverifiable(new OciError('DIGEST_MISMATCH', 'x'))?.code).toBe('DIGEST_MISMATCH');
    expect(unverifiable(new GitHubError('GITHUB_UNREACHABLE', 'x'))).toBeUndefined();
  });

  it('a bundle or attestation that cannot be read is unverifiable; anything else stops the audit', () => {
    expect(unverifiable(new VerifyError('BUNDLE_UNREADABLE', 'x'))?.code).toBe('BUNDLE_UNREADABLE');
    expect(unverifiable(new FileError('FILE_TOO_LARGE', 'x', 'b.tar.gz'))?.code).toBe('FILE_TOO_LARGE');
    for (const e of [new NetworkTimeout('h', 1, 'answer'), new Error('x'), 'text', undefined]) {
      expect(unavailable(e)).toBeUndefined();
      expect(unverifiable(e)).toBeUndefined();
    }
    expect(unavailable(new VerifyError('BUNDLE_UNREADABLE', 'x'))).toBeUndefined();
  });
});

describe('options an audit checks before reading anything', () => {
  const base = { repo: 'acme/web', since: '2026-01-01', until: '2026-06-30', key: ['k.pem'] };
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
      return undefined;
    } catch (e) {
      return (e as VerifyError).code;
    }
  };

  it('the period: real days or instants, 1900 to 2999, not backwards', () => {
    expect(checkPeriod('2026-01-01', '2026-01-01')).toEqual({
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 0, 2) - 1,
    });
    expect(checkPeriod('2026-01-01T12:00:00Z', '2026-01-01T12:00:00Z').from).toBe(Date.UTC(2026, 0, 1, 12));
    for (const [since, until] of [
      ['2026-02-30', '2026-03-01'],
      ['1899-12-31', '2026-01-01'],
      ['2026-01-01', '3000-01-01'],
      ['2026-02-01', '2026-01-31'],
      ['yesterday', '2026-01-01'],
    ] as const)
      expect(
        code(() => checkPeriod(since, until)),
        `${since} ${until}`,
      ).toBe('INVALID_OPTION');
  });

  it('exactly one source, a sample with its seed, a concurrency of 1 to 32, and a signer', () => {
    expect(checkAuditOptions(base)).toEqual({ period: checkPeriod('2026-01-01', '2026-06-30'), concurrency: 4 });
    expect(checkAuditOptions({ ...base, concurrency: 32, sample: 3, seed: 's' }).concurrency).toBe(32);
    expect(checkAuditOptions({ ...base, key: [], identity: { certificateIdentity: 'x' } }).concurrency).toBe(4);
    for (const wrong of [
      { repo: undefined },
      { oci: 'oci://r/x' },
      { sample: 0, seed: 's' },
      { sample: 1.5, seed: 's' },
      { sample: 2 },
      { seed: 's' },
      { concurrency: 0 },
      { concurrency: 33 },
    ])
      expect(
        code(() => checkAuditOptions({ ...base, ...wrong })),
        JSON.stringify(wrong),
      ).toBe('INVALID_OPTION');
    expect(code(() => checkAuditOptions({ ...base, key: [] }))).toBe('IDENTITY_POLICY_REQUIRED');
    // A signer that anyone could be would make every release hold: refused before anything is read.
    const issuer = 'https://token.actions.githubusercontent.com';
    for (const certificateIdentityRegexp of ['.*', 'https://github\\.com/.*', '.*@refs/tags/v.*'])
      expect(
        code(() =>
          checkAuditOptions({ ...base, identity: { certificateIdentityRegexp, certificateOidcIssuer: issuer } }),
        ),
        certificateIdentityRegexp,
      ).toBe('IDENTITY_POLICY_REQUIRED');
    expect(
      checkAuditOptions({
        ...base,
        identity: { certificateIdentityRegexp: 'https://github\\.com/acme/web/.*', certificateOidcIssuer: issuer },
      }).concurrency,
    ).toBe(4);
  });

  it('--tags is a regular expression matching a whole tag', () => {
    expect(releaseTagPattern(undefined)).toBeUndefined();
    const p = releaseTagPattern('v1\\..*|2\\.0') as RegExp;
    expect(['v1.2', '2.0'].every((t) => p.test(t))).toBe(true);
    expect(['xv1.2', '2.0-evidence'].some((t) => p.test(t))).toBe(false);
    expect(code(() => releaseTagPattern('('))).toBe('INVALID_OPTION');
  });
});

describe('what the audit says a release is, and when it is in the period', () => {
  it('GitHub: the audited repository; OCI: as given, else the one the signer must name', () => {
    expect(audited(['v1'], { repo: 'acme/web', product: 'web' })).toEqual({
      tags: ['v1'],
      product: 'web',
      repository: 'https://github.com/acme/web',
    });
    expect(
      audited(['1'], { sourceRepository: 'https://git.example/x', identity: { sourceRepository: 'a/b' } }),
    ).toEqual({
      tags: ['1'],
      repository: 'https://git.example/x',
    });
    expect(audited(['1'], { identity: { sourceRepository: 'a/b' } }).repository).toBe('https://github.com/a/b');
    expect(audited(['1'], {})).toEqual({ tags: ['1'] });
  });

  it('a release is in the period by its date, both ends included; an undated one is in every period', () => {
    const period = checkPeriod('2026-01-01', '2026-01-31');
    expect(inPeriod('2026-01-01T00:00:00.000Z', period)).toBe(true);
    expect(inPeriod('2026-01-31T23:59:59.999Z', period)).toBe(true);
    expect(inPeriod('2026-02-01T00:00:00.000Z', period)).toBe(false);
    expect(inPeriod('', period)).toBe(true);
  });
});

describe("a release's member once its evidence was verified", () => {
  it('authentic and this release: claims and entries count', () => {
    const m = judged(member(), { report: report(), manifest: manifest('1.0.0'), expectedDigest: DIGEST }, 'l', release);
    expect(m.claims).toEqual({ name: 'web', version: '1.0.0', repository: 'https://github.com/acme/web' });
    expect(m.entries).toEqual([]);
    expect(m.evidence.conflict).toBeUndefined();
    expect(statusOf(m).status).toBe('holds');
  });

  it('another version, another product, or other bytes than listed: a conflict, not authentic evidence', () => {
    const other = judged(member(), { report: report(), manifest: manifest('2.0.0') }, 'l', release);
    expect([other.evidence.code, other.evidence.conflict, other.claims]).toEqual(['RELEASE_MISMATCH', true, undefined]);
    const product = judged(member(), { report: report(), manifest: manifest('1.0.0', undefined, 'api') }, 'l', release);
    expect(product.evidence.code).toBe('PRODUCT_MISMATCH');
    const bytes = judged(
      member(),
      { report: report({ digest: `sha256:${'cd'.repeat(32)}` }), manifest: manifest('1.0.0'), expectedDigest: DIGEST },
      'l',
      release,
    );
    expect(bytes.evidence.code).toBe('BUNDLE_DIGEST_MISMATCH');
    expect(statusOf(bytes).status).toBe('not-authentic');
  });

  it('unsigned, not authentic, or not covering the image: no claims, no entries', () => {
    const unsigned = judged(member(), { report: report({ authentic: false, unsigned: true }) }, 'l', release);
    expect(unsigned.evidence.state).toBe('unsigned');
    expect(statusOf(unsigned).status).toBe('unsigned');
    for (const r of [report({ authentic: false }), report({ covered: false })]) {
      const m = judged(member(), { report: r, manifest: manifest('1.0.0') }, 'l', release);
      expect([m.claims, m.entries]).toEqual([undefined, undefined]);
      expect(statusOf(m).status).toBe('not-authentic');
    }
  });

  it('attempt: a source failure is unavailable, an unreadable bundle is kept with its code, anything else is thrown', async () => {
    const down = await attempt(member(), 'l', () => Promise.reject(new GitHubError('GITHUB_UNREACHABLE', 'down')));
    expect([down.result, down.member.evidence.state, down.member.evidence.code]).toEqual([
      undefined,
      'unavailable',
      'GITHUB_UNREACHABLE',
    ]);
    const bad = await attempt(member(), 'l', () => Promise.reject(new VerifyError('BUNDLE_UNREADABLE', 'no')));
    expect([bad.member.evidence.state, bad.member.evidence.code]).toEqual(['found', 'BUNDLE_UNREADABLE']);
    await expect(attempt(member(), 'l', () => Promise.reject(new RangeError('bug')))).rejects.toThrow(RangeError);
    const ok = await attempt(member(), 'l', () => Promise.resolve({ report: report() }));
    expect(ok.result?.report).toBeDefined();
  });

  it('examined: outside the sample, or without evidence found, nothing is verified', async () => {
    const never = (): Promise<VerifiedEvidence> => Promise.reject(new Error('must not verify'));
    const { id, published, evidence } = member();
    const base = { id, published };
    expect((await examined(base, evidence, false, 'l', release, never)).sampled).toBe(false);
    expect((await examined(base, { state: 'missing' }, true, 'l', release, never)).evidence.state).toBe('missing');
    const held = await examined(base, evidence, true, 'l', release, () =>
      Promise.resolve({
        report: report(),
        manifest: manifest('1.0.0'),
      }),
    );
    expect(statusOf(held).status).toBe('holds');
  });
});

describe('an OCI release among its candidates', () => {
  const base = { id: '1.0.0', published: '', url: 'oci://r/x:1.0.0' };

  it('without candidates: missing, or as the source failed', () => {
    expect(withoutCandidates(base, undefined).evidence).toEqual({ state: 'missing' });
    expect(
      withoutCandidates(base, { state: 'unavailable', code: 'REGISTRY_UNREACHABLE', message: 'down' }).evidence,
    ).toEqual({ state: 'unavailable', code: 'REGISTRY_UNREACHABLE', message: 'down' });
  });

  it('the authentic candidate signed last is chosen and dates the release; the others are counted', () => {
    const tried = [
      candidateOf({ member: member(), result: { report: report({ authentic: false }) } }, 'a', 'l', release),
      candidateOf(
        { member: member(), result: { report: report(), manifest: manifest('1.0.0', '2026-03-05T00:00:00Z') } },
        'b',
        'l',
        release,
      ),
      candidateOf(
        { member: member(), result: { report: report(), manifest: manifest('1.0.0', '2026-03-01T00:00:00Z') } },
        'c',
        'l',
        release,
      ),
    ];
    expect(tried.map((t) => [t.reference, t.authentic, t.signedCreated])).toEqual([
      ['a', false, undefined],
      ['b', true, '2026-03-05T00:00:00Z'],
      ['c', true, '2026-03-01T00:00:00Z'],
    ]);
    const chosen = chosenMember(tried);
    expect([chosen.published, chosen.ignoredCandidates]).toEqual(['2026-03-05T00:00:00.000Z', 2]);
    // None authentic: the first, undated.
    const none = chosenMember([tried[0] as (typeof tried)[number]]);
    expect([none.published, none.ignoredCandidates]).toEqual(['', undefined]);
  });

  it('outside the sample, only what lists the release is kept', () => {
    const full = { ...member(), tags: ['1.0.0', '1.0.0-evidence'], url: 'u', report: report() };
    expect(unexamined(full)).toEqual({
      id: '1.0.0',
      published: '2026-03-02T00:00:00.000Z',
      url: 'u',
      tags: ['1.0.0', '1.0.0-evidence'],
      sampled: false,
      evidence: { state: 'found' },
    });
  });
});

describe('the policy as of the release', () => {
  const at: string[] = [];
  const verifyAt =
    (created: string, authentic = true) =>
    (when: Date) => {
      at.push(when.toISOString());
      return Promise.resolve({ report: report({ authentic }), manifest: manifest('1.0.0', created) });
    };
  const now = new Date('2026-07-01T00:00:00Z');

  it('at publication; again at the signed time when it is later and the policy has waivers', async () => {
    at.length = 0;
    await verifiedAsOfRelease(verifyAt('2026-03-05T00:00:00Z'), '2026-03-01T00:00:00Z', {
      asOfNow: false,
      now,
      waivers: true,
    });
    expect(at).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-05T00:00:00.000Z']);
    at.length = 0;
    await verifiedAsOfRelease(verifyAt('2026-03-05T00:00:00Z'), '2026-03-01T00:00:00Z', {
      asOfNow: false,
      now,
      waivers: false,
    });
    await verifiedAsOfRelease(verifyAt('2026-02-01T00:00:00Z'), '2026-03-01T00:00:00Z', {
      asOfNow: false,
      now,
      waivers: true,
    });
    await verifiedAsOfRelease(verifyAt('2026-03-05T00:00:00Z', false), '2026-03-01T00:00:00Z', {
      asOfNow: false,
      now,
      waivers: true,
    });
    expect(at).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });

  it('a back-dated manifest cannot bring a lapsed waiver back: the time its signature was witnessed counts', async () => {
    // Signed keylessly on 2026-12-07 (timestamp and log verified), its manifest claiming 2026-04-20 (SOURCE_DATE_EPOCH).
    const witnessed =
      (created: string, time: string, verified = true) =>
      () =>
        Promise.resolve({
          report: {
            ...report(),
            signature: { timestamps: [{ time, verified }], tlog: [] },
          } as unknown as VerifyReport,
          manifest: manifest('1.0.0', created),
        });
    const at2: string[] = [];
    const recording = (f: () => Promise<VerifiedEvidence>) => (when: Date) => {
      at2.push(when.toISOString());
      return f();
    };
    await verifiedAsOfRelease(recording(witnessed('2026-04-20T00:00:00Z', '2026-12-07T10:00:00Z')), '', {
      asOfNow: false,
      now,
      waivers: true,
    });
    expect(at2).toEqual(['2026-07-01T00:00:00.000Z', '2026-12-07T10:00:00.000Z']);
    // The release is dated by the witnessed time, and says who vouches for it; a timestamp not verified vouches for
    // nothing, and the signer's own claim is said as such.
    const dated = (v: VerifiedEvidence) =>
      chosenMember([candidateOf({ member: member(), result: v }, 'a', 'l', release)]);
    const stamped = dated(await witnessed('2026-04-20T00:00:00Z', '2026-12-07T10:00:00Z')());
    expect([stamped.published, stamped.dated]).toEqual(['2026-12-07T10:00:00.000Z', 'timestamp']);
    const claimed = dated(await witnessed('2026-04-20T00:00:00Z', '2026-12-07T10:00:00Z', false)());
    expect([claimed.published, claimed.dated]).toEqual(['2026-04-20T00:00:00.000Z', 'signer']);
    // Forward-dated past its witnessed signing: the witness dates it, so the claim cannot move it out of a period.
    const forward = dated(await witnessed('2027-01-01T00:00:00Z', '2026-02-10T00:00:00Z')());
    expect([forward.published, forward.dated]).toEqual(['2026-02-10T00:00:00.000Z', 'timestamp']);
  });

  it('undated (an OCI tag): by the signed time; --policy-time now: the audit time only', async () => {
    at.length = 0;
    await verifiedAsOfRelease(verifyAt('2026-03-05T00:00:00Z'), '', { asOfNow: false, now, waivers: true });
    expect(at).toEqual(['2026-07-01T00:00:00.000Z', '2026-03-05T00:00:00.000Z']);
    at.length = 0;
    await verifiedAsOfRelease(verifyAt('2026-03-05T00:00:00Z'), '2026-03-01T00:00:00Z', {
      asOfNow: true,
      now,
      waivers: true,
    });
    expect(at).toEqual(['2026-07-01T00:00:00.000Z']);
  });
});
