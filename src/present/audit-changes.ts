import { appendAll, maxOf } from '../core/objects.js';
import type { ChangeSample, PeriodChange } from '../verifier/period-changes.js';

/**
 * The change sample of a period audit (src/verifier/period-changes.ts) as rows: what an auditor's CC8.1 test sheet
 * asks of each sampled change. A fact not checked says so; it is never shown as "no".
 */

export const yesNo = (v: boolean | null): string => (v === null ? 'not checked' : v ? 'yes' : 'no');

export const CHANGE_HEAD = [
  'RELEASE',
  'COMMIT',
  'PR',
  'APPROVED BY OTHER',
  'OTHER THAN COMMITTER',
  'ON MERGED HEAD',
  'BEFORE MERGE',
  'CHECKS PASSED',
  'DIRECT PUSH',
  'EMERGENCY',
  'SIGNED (GIT / GITHUB)',
  'STANDING',
  'APPROVERS',
];

export function changeRow(c: PeriodChange): string[] {
  return [
    c.release,
    c.commit.slice(0, 12),
    c.pullRequest === null ? '–' : `#${c.pullRequest}`,
    yesNo(c.approvedByOther),
    yesNo(c.approvedByOtherThanCommitter),
    yesNo(c.approvedOnMergedHead),
    yesNo(c.approvedBeforeMerge),
    yesNo(c.checksPassed),
    yesNo(c.directPush),
    c.emergency ? 'yes' : 'no',
    `${c.signed ? 'yes' : 'no'} / ${yesNo(c.hostVerified)}`,
    c.standing,
    c.approvers.join(', ') || '–',
  ];
}

/** The sample's heading line: population, size, seed and the method to draw it again. */
export function changeSampleLine(cs: ChangeSample): string {
  return `${cs.population} change${cs.population === 1 ? '' : 's'} in the examined releases; a sample of ${cs.sampled.length} (asked ${cs.size}), seed ${JSON.stringify(cs.seed)}: ${cs.method}`;
}

/** Plain-text lines: the sample as a table, then every emergency change and direct push, sampled or not. */
export function changeSampleText(cs: ChangeSample): string[] {
  const rows = cs.sampled.map(changeRow);
  const widths = CHANGE_HEAD.map((h, i) => maxOf([h.length, ...rows.map((r) => (r[i] as string).length)]));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = ['', `changes: ${changeSampleLine(cs)}`];
  if (rows.length) appendAll(out, [line(CHANGE_HEAD), ...rows.map(line)]);
  const list = (title: string, cs2: PeriodChange[]): void => {
    out.push(`${title}: ${cs2.length === 0 ? 'none' : ''}`.trimEnd());
    for (const c of cs2) out.push(`  ${c.release} ${c.commit.slice(0, 12)} ${c.title} (${c.standing})`);
  };
  list('emergency changes (every one, sampled or not)', cs.emergencies);
  list('direct pushes (every one, sampled or not)', cs.directPushes);
  if (cs.releasesWithoutChanges.length)
    out.push(`releases with no change evidence (not in the population): ${cs.releasesWithoutChanges.join(', ')}`);
  if (cs.sampled.some((c) => c.standing === 'not-checked'))
    out.push('not checked: the release recorded its changes from git alone; approvals and checks need --github-repo');
  return out;
}
