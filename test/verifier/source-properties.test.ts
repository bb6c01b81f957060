import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import type { ChangeSummary, ChangesSummary } from '../../src/core/summaries.js';
import { TWO_PARTY_REVIEWED, sourceProperties } from '../../src/verifier/source-properties.js';
import type { VerifyReport } from '../../src/verifier/report.js';
import { HOST_RULES, aChange, aChangesSummary } from '../helpers/changes.js';

const RELEASED = 'a'.repeat(40);
const change = (over: Partial<ChangeSummary> = {}): ChangeSummary =>
  aChange(1, { commit: RELEASED, commits: [RELEASED], via: 'merge', ...over });
const rules = { ...HOST_RULES, requiredChecks: [] };
const changes = (cs: ChangeSummary[], over: Partial<ChangesSummary> = {}): ChangesSummary => {
  const s = aChangesSummary(cs, { over });
  return {
    ...s,
    range: { ...s.range, to: RELEASED, toRef: 'v1' },
    ...(s.host ? { host: { ...s.host, rules } } : {}),
    ...over,
  };
};
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
      [
        'approved by whoever pushed the last commit',
        manifest(changes([change({ approvedByOtherThanCommitter: false })])),
      ],
      ['the last pusher not determined', manifest(changes([change({ approvedByOtherThanCommitter: null })]))],
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
