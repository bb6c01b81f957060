import { describe, expect, it } from 'vitest';
import { hostFacts, hostSignatures, type HostAnswers } from '../../src/collector/changes-host.js';
import type { HostCommit, HostPullRequest, HostReview } from '../../src/core/services.js';

const MERGE = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);
const OLD_HEAD = 'c'.repeat(40);
const MERGED_AT = '2026-11-10T12:00:00Z';

const pr = (over: Partial<HostPullRequest> = {}): HostPullRequest => ({
  number: 12,
  merged: true,
  mergedAt: MERGED_AT,
  mergeCommitSha: MERGE,
  headSha: HEAD,
  baseRef: 'main',
  author: 'bob',
  mergedBy: 'maintainer',
  labels: [],
  ...over,
});
const review = (reviewer: string | null, state: string, at: string, commitId = HEAD, bot = false): HostReview => ({
  reviewer,
  reviewerIsBot: bot,
  state,
  commitId,
  submittedAt: at,
});
const answers = (over: Partial<HostAnswers> = {}): HostAnswers => ({
  pullRequests: [pr()],
  reviews: [review('carol', 'APPROVED', '2026-11-10T11:00:00Z')],
  checks: [{ name: 'test', conclusion: 'success' }],
  headCommit: { sha: HEAD, authorLogin: 'bob', committerLogin: 'bob', verified: true, reason: 'valid' },
  requiredChecks: [],
  ...over,
});

describe('hostFacts: what GitHub shows of a change', () => {
  it('an approval by another, on the merged head, before the merge, with the checks passed', () => {
    const f = hostFacts(MERGE, 12, answers());
    expect(f.facts).toEqual({
      approvedByOther: true,
      approvedByOtherThanCommitter: true,
      approvedOnMergedHead: true,
      approvedBeforeMerge: true,
      checksPassed: true,
      directPush: false,
    });
    expect(f.landedBy?.number).toBe(12);
    expect(f.approvers).toEqual(['carol']);
    expect(f.problems).toEqual([]);
  });

  it("the author's own approval, a bot's, a deleted user's, a comment and a dismissed approval do not count", () => {
    const f = hostFacts(
      MERGE,
      12,
      answers({
        reviews: [
          review('Bob', 'APPROVED', '2026-11-10T10:00:00Z'),
          review('renovate[bot]', 'APPROVED', '2026-11-10T10:00:00Z', HEAD, true),
          review(null, 'APPROVED', '2026-11-10T10:00:00Z'),
          review('erin', 'COMMENTED', '2026-11-10T10:00:00Z'),
          review('dave', 'APPROVED', '2026-11-10T09:00:00Z'),
          review('dave', 'DISMISSED', '2026-11-10T10:00:00Z'),
        ],
      }),
    );
    expect(f.facts.approvedByOther).toBe(false);
    expect(f.facts.approvedBeforeMerge).toBe(false);
    expect(f.approvers).toEqual([]);
  });

  it('a later request for changes supersedes an approval; a later approval restores it', () => {
    const superseded = answers({
      reviews: [
        review('carol', 'APPROVED', '2026-11-10T09:00:00Z'),
        review('carol', 'CHANGES_REQUESTED', '2026-11-10T10:00:00Z'),
      ],
    });
    expect(hostFacts(MERGE, 12, superseded).facts.approvedByOther).toBe(false);
    superseded.reviews.push(review('carol', 'APPROVED', '2026-11-10T11:00:00Z'));
    expect(hostFacts(MERGE, 12, superseded).facts.approvedByOther).toBe(true);
  });

  it('a stale approval (on an earlier head) is not one on the merged head', () => {
    const f = hostFacts(
      MERGE,
      12,
      answers({ reviews: [review('carol', 'APPROVED', '2026-11-10T11:00:00Z', OLD_HEAD)] }),
    );
    expect(f.facts).toMatchObject({ approvedByOther: true, approvedBeforeMerge: true, approvedOnMergedHead: false });
  });

  it('an approval after the merge (a review after the fact) is an approval by another, not one before the merge', () => {
    const f = hostFacts(MERGE, 12, answers({ reviews: [review('carol', 'APPROVED', '2026-11-10T13:00:00Z')] }));
    expect(f.facts).toMatchObject({ approvedByOther: true, approvedBeforeMerge: false, approvedOnMergedHead: false });
  });

  it('required checks: each must have run and passed on the merged head; without rules, every check that ran, and one at least', () => {
    const required = (checks: HostAnswers['checks']): boolean | null =>
      hostFacts(MERGE, 12, answers({ checks, requiredChecks: ['build', 'test'] })).facts.checksPassed;
    // A required check whose runs were all skipped did not run: GitHub lets it through, but it passed nothing.
    expect(
      required([
        { name: 'build', conclusion: 'success' },
        { name: 'test', conclusion: 'skipped' },
      ]),
    ).toBe(false);
    expect(
      required([
        { name: 'build', conclusion: 'success' },
        { name: 'test', conclusion: 'skipped' },
        { name: 'test', conclusion: 'success' },
      ]),
    ).toBe(true);
    expect(required([{ name: 'build', conclusion: 'success' }])).toBe(false);
    expect(
      required([
        { name: 'build', conclusion: 'success' },
        { name: 'test', conclusion: null },
      ]),
    ).toBe(false);
    expect(
      required([
        { name: 'build', conclusion: 'success' },
        { name: 'test', conclusion: 'failure' },
      ]),
    ).toBe(false);
    const any = (checks: HostAnswers['checks']): boolean | null =>
      hostFacts(MERGE, 12, answers({ checks })).facts.checksPassed;
    expect(any([])).toBe(false);
    expect(any([{ name: 'lint', conclusion: 'failure' }])).toBe(false);
    // Every check skipped or neutral: none ran and passed.
    expect(any([{ name: 'lint', conclusion: 'neutral' }])).toBe(false);
    expect(
      any([
        { name: 'lint', conclusion: 'skipped' },
        { name: 'e2e', conclusion: 'skipped' },
      ]),
    ).toBe(false);
    expect(
      any([
        { name: 'lint', conclusion: 'neutral' },
        { name: 'unit', conclusion: 'success' },
      ]),
    ).toBe(true);
  });

  it('no merged pull request whose merge commit is this commit: a direct push', () => {
    const f = hostFacts(
      MERGE,
      null,
      answers({ pullRequests: [pr({ merged: false, mergedAt: null, mergeCommitSha: null })] }),
    );
    expect(f.facts).toEqual({
      approvedByOther: false,
      approvedByOtherThanCommitter: false,
      approvedOnMergedHead: false,
      approvedBeforeMerge: false,
      checksPassed: null,
      directPush: true,
    });
    expect(f.landedBy).toBeNull();
  });

  it('a merged pull request associated with the commit that did not land it (a rebase merge): undetermined, not a push', () => {
    const f = hostFacts(MERGE, null, answers({ pullRequests: [pr({ mergeCommitSha: 'd'.repeat(40) })] }));
    expect(f.facts).toEqual({
      approvedByOther: null,
      approvedByOtherThanCommitter: null,
      approvedOnMergedHead: null,
      approvedBeforeMerge: null,
      checksPassed: null,
      directPush: null,
    });
    expect(f.problems.join()).toContain('#12');
  });

  it('a pull request that says it merged as another commit is not taken, and the disagreement is said, not called a push', () => {
    const f = hostFacts(MERGE, 12, answers({ pullRequests: [pr({ mergeCommitSha: 'd'.repeat(40) })] }));
    expect(f.landedBy).toBeNull();
    expect(f.facts.approvedByOther).toBeNull();
    expect(f.facts.directPush).toBeNull();
    expect(f.problems.join()).toContain('#12');
  });

  it('approved by other than the committer of the merged head: the approver must be neither author nor head committer', () => {
    const head = (committerLogin: string | null, authorLogin = 'bob'): HostCommit => ({
      sha: HEAD,
      authorLogin,
      committerLogin,
      verified: true,
      reason: 'valid',
    });
    const of = (h: HostCommit | null) => hostFacts(MERGE, 12, answers({ headCommit: h }));
    expect(of(head('bob')).facts.approvedByOtherThanCommitter).toBe(true);
    // Carol pushed the last commit (of Bob's authoring) and approved it herself.
    expect(of(head('carol')).facts.approvedByOtherThanCommitter).toBe(false);
    expect(of(head('carol')).headCommitter).toBe('carol');
    // Carol authored it in GitHub's web editor (web-flow committed it): she stands for the push.
    expect(of(head('web-flow', 'carol')).facts.approvedByOtherThanCommitter).toBe(false);
    expect(of(head('web-flow', 'carol')).headCommitter).toBe('carol');
    // Committed with an address GitHub links to no account, or the head not listed: not determined.
    expect(of(head(null)).facts.approvedByOtherThanCommitter).toBeNull();
    const unlisted = of(null);
    expect(unlisted.facts.approvedByOtherThanCommitter).toBeNull();
    expect(unlisted.problems.join()).toContain('head commit was not listed');
    // A review after the merge does not count for it.
    const late = hostFacts(
      MERGE,
      12,
      answers({ reviews: [review('dave', 'APPROVED', '2026-11-11T00:00:00Z')], headCommit: head('bob') }),
    );
    expect(late.facts).toMatchObject({ approvedByOther: true, approvedByOtherThanCommitter: false });
  });

  it('checks that failed on the head but passed on the commit that landed (a merge queue) pass, and say where', () => {
    const failing = [{ name: 'test', conclusion: 'failure' }];
    const passing = [{ name: 'test', conclusion: 'success' }];
    const on = (landingChecks: HostAnswers['landingChecks']) =>
      hostFacts(MERGE, 12, answers({ checks: failing, requiredChecks: ['test'], landingChecks }));
    expect(on(undefined)).toMatchObject({ facts: { checksPassed: false }, checksOn: null });
    expect(on(failing)).toMatchObject({ facts: { checksPassed: false }, checksOn: null });
    expect(on(passing)).toMatchObject({ facts: { checksPassed: true }, checksOn: 'landed-commit' });
    expect(hostFacts(MERGE, 12, answers())).toMatchObject({ checksOn: 'merged-head' });
  });
});

describe("hostSignatures: the host's verification of a change's commits", () => {
  const c = (sha: string, verified: boolean | null, reason: string | null): HostCommit => ({
    sha,
    authorLogin: null,
    committerLogin: null,
    verified,
    reason,
  });
  const listed = new Map([
    ['1', c('1', true, 'valid')],
    ['2', c('2', false, 'unknown_key')],
    ['3', c('3', null, null)],
    ['4', c('4', false, null)],
  ]);
  it('true when every commit was verified, false (with the reasons) when one was not, null when one was not listed', () => {
    expect(hostSignatures(['1'], listed)).toEqual({ hostVerified: true, unverified: [] });
    expect(hostSignatures(['1', '2', '9'], listed)).toEqual({
      hostVerified: false,
      unverified: [{ commit: '2', reason: 'unknown_key' }],
    });
    expect(hostSignatures(['4'], listed).unverified).toEqual([{ commit: '4', reason: 'unknown' }]);
    expect(hostSignatures(['1', '9'], listed).hostVerified).toBeNull();
    expect(hostSignatures(['3'], listed).hostVerified).toBeNull();
  });
});
