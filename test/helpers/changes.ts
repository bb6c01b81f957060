import type { ChangeSummary, ChangesSummary } from '../../src/core/summaries.js';

/**
 * Change evidence as a test needs it, without git or a code host: a change that GitHub showed approved by another
 * on the merged head before the merge, with its checks passed and every signature verified, and the summary of a
 * range of such changes under rules that require one approval and dismiss stale ones. Tests override what they
 * exercise.
 */

/** The n-th made-up commit id. */
export const shaOf = (n: number): string => n.toString(16).padStart(40, '0');

export const HOST_RULES: NonNullable<ChangesSummary['host']>['rules'] = {
  known: true,
  requiredApprovals: 1,
  dismissStaleReviews: true,
  requireLastPushApproval: null,
  requiredChecks: ['test'],
  requiredSignatures: null,
  linearHistory: null,
  forcePushesBlocked: true,
  enforceAdmins: null,
  mergeQueue: null,
  bypassActors: [],
};

export function aChange(n: number, over: Partial<ChangeSummary> = {}): ChangeSummary {
  return {
    commit: shaOf(n),
    landedAt: '2026-11-01T10:00:00Z',
    via: 'commit',
    pullRequest: n,
    title: `change ${n}`,
    commits: [shaOf(n)],
    authors: ['dev@example.com'],
    mergedBy: 'dev@example.com',
    signed: true,
    unsignedCommits: 0,
    trailerApprovers: [],
    trailerApprovedByOther: false,
    emergency: false,
    approvedByOther: true,
    approvedByOtherThanCommitter: true,
    approvedOnMergedHead: true,
    approvedBeforeMerge: true,
    checksPassed: true,
    directPush: false,
    hostVerified: true,
    host: {
      pullRequest: n,
      approvers: ['carol'],
      labels: [],
      headCommitter: 'dev',
      checksOn: 'merged-head',
      unverified: [],
      problems: [],
      responses: [],
    },
    ...over,
  };
}

/** The summary of `changes`; with `host: false`, recorded from git alone. */
export function aChangesSummary(
  changes: ChangeSummary[],
  options: { host?: boolean; over?: Partial<ChangesSummary> } = {},
): ChangesSummary {
  const host = options.host ?? true;
  return {
    source: host ? 'git+github' : 'git',
    range: { from: null, to: changes.at(-1)?.commit ?? shaOf(0), fromRef: null, toRef: 'HEAD', auto: false },
    totals: {
      changes: changes.length,
      commits: changes.length,
      pullRequests: changes.length,
      merges: 0,
      signedChanges: changes.length,
      unsignedCommits: 0,
      trailerApprovedByOther: 0,
      emergencies: 0,
    },
    changes,
    ...(host
      ? {
          host: {
            name: 'github' as const,
            repository: 'acme/web',
            branch: 'main',
            askedAt: '2026-11-02T00:00:00Z',
            rules: HOST_RULES,
            responses: [],
          },
        }
      : {}),
    ...options.over,
  };
}
