import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import type { ChangeSummary, ChangesSummary } from '../../src/core/summaries.js';
import { TWO_PARTY_REVIEWED, sourceProperties } from '../../src/verifier/source-properties.js';
import type { VerifyReport } from '../../src/verifier/report.js';

const RELEASED = 'a'.repeat(40);
const change = (over: Partial<ChangeSummary> = {}): ChangeSummary => ({
  commit: RELEASED,
  landedAt: '2026-11-01T10:00:00Z',
  via: 'merge',
  pullRequest: 1,
  title: 't',
  commits: [RELEASED],
  authors: ['bob@example.com'],
  mergedBy: 'm@example.com',
  signed: true,
  unsignedCommits: 0,
  trailerApprovers: [],
  trailerApprovedByOther: false,
  emergency: false,
  approvedByOther: true,
  approvedOnMergedHead: true,
  approvedBeforeMerge: true,
  checksPassed: true,
  directPush: false,
  ...over,
});
const rules = {
  known: true,
  requiredApprovals: 1,
  dismissStaleReviews: true,
  requireLastPushApproval: null,
  requiredChecks: [],
  requiredSignatures: null,
  linearHistory: null,
  forcePushesBlocked: null,
  enforceAdmins: null,
};
const changes = (cs: ChangeSummary[], over: Partial<ChangesSummary> = {}): ChangesSummary => ({
  source: 'git+github',
  range: { from: null, to: RELEASED, fromRef: null, toRef: 'v1', auto: false },
  totals: {
    changes: cs.length,
    commits: cs.length,
    pullRequests: 1,
    merges: 1,
    signedChanges: 1,
    unsignedCommits: 0,
    trailerApprovedByOther: 0,
    emergencies: 0,
  },
  changes: cs,
  host: { name: 'github', repository: 'acme/web', branch: 'main', askedAt: '2026-11-02T00:00:00Z', rules },
  ...over,
});
const manifest = (s: ChangesSummary | undefined, commit = RELEASED): Manifest =>
  ({
    source: { commit },
    entries: s ? [{ path: 'changes/changes.json', kind: 'changes', summary: s, collector: { name: 'changes' } }] : [],
  }) as unknown as Manifest;
const signed = {
  ok: true,
  mode: 'signed',
  assessment: { authenticity: { status: 'authentic' } },
} as unknown as Pick<VerifyReport, 'ok' | 'mode' | 'assessment'>;

describe('the SLSA source properties a VSA states', () => {
  it('two-party reviewed: every change approved by another on the merged head before the merge, under rules that require it', () => {
    expect(sourceProperties(signed, manifest(changes([change(), change()])))).toEqual([TWO_PARTY_REVIEWED]);
  });

  it('never stated when the evidence does not show it', () => {
    const cases: [string, Manifest, Pick<VerifyReport, 'ok' | 'mode' | 'assessment'>?][] = [
      ['no change evidence', manifest(undefined)],
      ['no changes in the range', manifest(changes([]))],
      ['git alone', manifest(changes([change({ approvedByOther: null })], { source: 'git', host: undefined }))],
      ['a change approved only by its author', manifest(changes([change(), change({ approvedByOther: false })]))],
      ['a stale approval', manifest(changes([change({ approvedOnMergedHead: false })]))],
      ['approved after the merge', manifest(changes([change({ approvedBeforeMerge: false })]))],
      ['a direct push', manifest(changes([change({ directPush: true })]))],
      ['undetermined', manifest(changes([change({ directPush: null })]))],
      [
        'rules not requiring approval',
        manifest(changes([change()], { host: { ...changes([]).host!, rules: { ...rules, requiredApprovals: 0 } } })),
      ],
      [
        'stale approvals not dismissed',
        manifest(
          changes([change()], { host: { ...changes([]).host!, rules: { ...rules, dismissStaleReviews: null } } }),
        ),
      ],
      [
        'rules unknown',
        manifest(changes([change()], { host: { ...changes([]).host!, rules: { ...rules, known: false } } })),
      ],
      ['the range ends elsewhere', manifest(changes([change()]), 'b'.repeat(40))],
      ['integrity only', manifest(changes([change()])), { ...signed, mode: 'integrity-only' } as never],
      ['verification failed', manifest(changes([change()])), { ...signed, ok: false }],
    ];
    for (const [why, m, r] of cases) expect(sourceProperties(r ?? signed, m), why).toEqual([]);
  });
});
