import type { HostCheck, HostCommit, HostPullRequest, HostReview } from '../core/services.js';
import type { ChangeSummary } from '../core/summaries.js';

/**
 * What a code host's answers show of one change, without asking it: the
 * pull request that landed the change's commit, who approved it, on which
 * head and when, and whether the checks passed on that head
 * (docs/changes.md, "From GitHub"). src/transport/github/changes.ts asks.
 * Every answer is treated as hostile: a field of the wrong type counts as
 * absent, and a pull request that says it merged as another commit than the
 * one git shows is not taken as that change's pull request.
 */

/** What the host said of one change's landing commit. */
export interface HostAnswers {
  /** Pull requests the host associates with the commit (or the one its message names). */
  pullRequests: HostPullRequest[];
  /** Of the pull request that landed it, when one did: its reviews and the checks on its head. */
  reviews: HostReview[];
  checks: HostCheck[];
  /** The merged head as the host lists it (the accounts of its author and committer); null when not found. */
  headCommit: HostCommit | null;
  /**
   * The checks of the commit that landed, when its head's did not pass: a merge queue tests the commit it lands, not
   * the pull request's head. Null when not asked.
   */
  landingChecks?: HostCheck[] | null;
  /**
   * The status checks the target branch's rules require; empty when none is required or the rules were not readable,
   * and then every check that ran must have passed.
   */
  requiredChecks: string[];
}

export interface HostFacts {
  facts: Pick<
    ChangeSummary,
    | 'approvedByOther'
    | 'approvedByOtherThanCommitter'
    | 'approvedOnMergedHead'
    | 'approvedBeforeMerge'
    | 'checksPassed'
    | 'directPush'
  >;
  /** Where the checks passed; null when they did not (or were not looked up). */
  checksOn: 'merged-head' | 'landed-commit' | null;
  /** The account that committed the merged head; null when the host links it to none. */
  headCommitter: string | null;
  /** The pull request that landed the change, as the host showed it; null when none did. */
  landedBy: HostPullRequest | null;
  /** Who approved, at the time of the merge: logins, sorted. */
  approvers: string[];
  /** Answers that disagree with git, or that leave a fact unknown, each in a sentence. */
  problems: string[];
  /** Labels of the pull request. */
  labels: string[];
}

/** Conclusions that do not fail a check; only `success` shows one ran and passed (a skipped check did not run). */
const PASSING = new Set(['success', 'neutral', 'skipped']);
const DECIDING = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * The host's facts of a change landed by `commit`:
 * - the pull request that landed it is the merged one whose merge commit is `commit` (a pull request that names
 *   another merge commit is not it, whatever the commit message says);
 * - `directPush`: no pull request landed it;
 * - an approval counts when it is the reviewer's latest deciding review (approved, changes requested, dismissed), by
 *   someone other than the pull request's author, and not by a bot;
 * - `approvedByOther`: one such approval, at any time (a review after the fact included); `approvedBeforeMerge`: one
 *   as the reviews stood at the merge time; `approvedOnMergedHead`: one of those on the head that was merged;
 * - `approvedByOtherThanCommitter`: one approval at the merge time by someone who is neither the author nor the
 *   account that authored or committed the merged head (the last push, as far as the REST API shows it: who pushed is
 *   not in it); GitHub's `web-flow` committer stands for its author. Null when the head's committer is linked to no
 *   account;
 * - `checksPassed`: every required check (by name or status context) ran and passed on the merged head, or else on
 *   the commit that landed (a merge queue's): none of its runs failed or is pending, and one succeeded (all skipped
 *   or neutral is not passed); with no rule requiring any, the same of every check.
 */
export function hostFacts(commit: string, named: number | null, answers: HostAnswers): HostFacts {
  const problems: string[] = [];
  const merged = answers.pullRequests.filter((p) => p.merged);
  const landedBy = merged.find((p) => p.mergeCommitSha === commit) ?? null;
  const claimed = named === null ? undefined : answers.pullRequests.find((p) => p.number === named);
  if (!landedBy && claimed)
    problems.push(
      claimed.merged
        ? `the commit message names pull request #${named}, which GitHub says merged as ${claimed.mergeCommitSha ?? 'nothing'}, not as this commit`
        : `the commit message names pull request #${named}, which GitHub says was not merged`,
    );
  for (const p of merged)
    if (!landedBy && p !== claimed)
      problems.push(
        `pull request #${p.number}, merged as ${p.mergeCommitSha ?? 'nothing'}, is associated with this commit: a rebase merge or a commit of a merged branch, so how it landed is not determined`,
      );
  if (!landedBy) {
    // Nothing associated: pushed without a pull request (its checks were not looked up). Something associated that
    // did not land it: undetermined, every fact null (not shown).
    const pushed = problems.length === 0;
    return {
      facts: {
        approvedByOther: pushed ? false : null,
        approvedByOtherThanCommitter: pushed ? false : null,
        approvedOnMergedHead: pushed ? false : null,
        approvedBeforeMerge: pushed ? false : null,
        checksPassed: null,
        directPush: pushed ? true : null,
      },
      checksOn: null,
      headCommitter: null,
      landedBy: null,
      approvers: [],
      problems,
      labels: [],
    };
  }
  const mergedAt = landedBy.mergedAt ? Date.parse(landedBy.mergedAt) : NaN;
  if (!Number.isFinite(mergedAt)) problems.push(`pull request #${landedBy.number} gives no merge time`);
  const author = (landedBy.author ?? '').toLowerCase();
  const approvals = (until: number): HostReview[] => {
    const latest = new Map<string, HostReview>();
    for (const r of answers.reviews) {
      if (!r.reviewer || !DECIDING.has(r.state)) continue;
      const at = r.submittedAt ? Date.parse(r.submittedAt) : NaN;
      if (!Number.isFinite(at) || !(at <= until)) continue;
      latest.set(r.reviewer.toLowerCase(), r);
    }
    return [...latest.values()].filter(
      (r) => r.state === 'APPROVED' && !r.reviewerIsBot && (r.reviewer ?? '').toLowerCase() !== author,
    );
  };
  // Ever (an emergency change reviewed after the fact counts here), and as things stood at the merge.
  const ever = approvals(Infinity);
  const atMerge = approvals(mergedAt);
  const head = answers.headCommit;
  const headCommitter = head?.committerLogin === 'web-flow' ? head.authorLogin : (head?.committerLogin ?? null);
  const pushers = new Set([author, head?.authorLogin?.toLowerCase(), headCommitter?.toLowerCase()]);
  if (head === null) problems.push(`pull request #${landedBy.number}: its head commit was not listed`);
  const onHead = checksPassed(answers.checks, answers.requiredChecks);
  const onLanding =
    !onHead && answers.landingChecks ? checksPassed(answers.landingChecks, answers.requiredChecks) : false;
  return {
    facts: {
      approvedByOther: ever.length > 0,
      approvedByOtherThanCommitter:
        headCommitter === null ? null : atMerge.some((r) => !pushers.has((r.reviewer ?? '').toLowerCase())),
      approvedOnMergedHead: atMerge.some((r) => r.commitId === landedBy.headSha),
      approvedBeforeMerge: atMerge.length > 0,
      checksPassed: onHead || onLanding,
      directPush: false,
    },
    checksOn: onHead ? 'merged-head' : onLanding ? 'landed-commit' : null,
    headCommitter,
    landedBy,
    approvers: ever.map((r) => r.reviewer as string).sort(),
    problems,
    labels: landedBy.labels,
  };
}

/**
 * Whether `runs` show checks that ran and passed: none failed or is pending, and at least one succeeded. Runs that were
 * all skipped or neutral passed nothing (GitHub lets such a required check through; what it shows is that it did not
 * run), so they are not called passed.
 */
function ranAndPassed(runs: HostCheck[]): boolean {
  return (
    runs.some((c) => c.conclusion === 'success') &&
    runs.every((c) => c.conclusion !== null && PASSING.has(c.conclusion))
  );
}

function checksPassed(checks: HostCheck[], requiredChecks: string[]): boolean {
  if (requiredChecks.length > 0)
    return requiredChecks.every((name) => ranAndPassed(checks.filter((c) => c.name === name)));
  return ranAndPassed(checks);
}

/**
 * The host's verification of a change's commits: `hostVerified` is true when it verified every one, false when it
 * did not verify one, null when it did not list one (and verified the rest).
 */
export function hostSignatures(
  commits: string[],
  listed: ReadonlyMap<string, HostCommit>,
): { hostVerified: boolean | null; unverified: { commit: string; reason: string }[] } {
  const unverified: { commit: string; reason: string }[] = [];
  let unknown = false;
  for (const sha of commits) {
    const c = listed.get(sha);
    if (c === undefined || c.verified === null) unknown = true;
    else if (!c.verified) unverified.push({ commit: sha, reason: c.reason ?? 'unknown' });
  }
  return { hostVerified: unverified.length > 0 ? false : unknown ? null : true, unverified };
}
