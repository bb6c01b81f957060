import { summariesOf, type ChangeSummary } from '../core/summaries.js';
import type { PeriodMember } from './period.js';
import { drawSample } from './period.js';

/**
 * An audit's change sample (docs/audit.md, "Changes"): the population is every change recorded in the examined
 * releases whose evidence is authentic (`holds`, `shows-nothing` or `policy-failed`), each with its release; the sample is drawn by the
 * release sample's recipe over `<release>\n<commit>`; emergency changes and direct pushes are listed whether sampled or
 * not. What an auditor's CC8.1 test sheet asks of each change, never more than its evidence shows.
 */

/** How the change sample is drawn, in words an auditor can redo by hand. */
export const CHANGE_SAMPLE_METHOD =
  'the N changes with the lowest sha256("<seed>\\n<release>\\n<commit>"), hex-compared';

export interface PeriodChange {
  release: string;
  commit: string;
  pullRequest: number | null;
  title: string;
  /** Whether a code host was asked: without it, the approval facts are null (not checked). */
  hostChecked: boolean;
  approvedByOther: boolean | null;
  approvedByOtherThanCommitter: boolean | null;
  approvedOnMergedHead: boolean | null;
  approvedBeforeMerge: boolean | null;
  checksPassed: boolean | null;
  directPush: boolean | null;
  emergency: boolean;
  signed: boolean;
  hostVerified: boolean | null;
  approvers: string[];
  /**
   * `meets`: approved by another on the merged head before the merge with checks passed, or an emergency approved
   * after the fact; `exception`: it does not; `not-checked`: the host was not asked.
   */
  standing: 'meets' | 'exception' | 'not-checked';
}

export interface ChangeSample {
  size: number;
  seed: string;
  method: string;
  /** Changes recorded in the examined, authentic releases. */
  population: number;
  sampled: PeriodChange[];
  emergencies: PeriodChange[];
  directPushes: PeriodChange[];
  /** Examined, authentic releases that record no changes: their changes are not in the population. */
  releasesWithoutChanges: string[];
}

function standingOf(c: ChangeSummary, hostChecked: boolean): PeriodChange['standing'] {
  if (!hostChecked || c.approvedByOther === null) return 'not-checked';
  const approved = c.approvedByOther && c.approvedOnMergedHead === true && c.approvedBeforeMerge === true;
  return (approved && c.checksPassed === true) || (c.emergency && c.approvedByOther) ? 'meets' : 'exception';
}

export function changeSampleOf(members: PeriodMember[], size: number, seed: string): ChangeSample {
  const population: PeriodChange[] = [];
  const without: string[] = [];
  for (const m of members) {
    if (!m.sampled || (m.status !== 'holds' && m.status !== 'shows-nothing' && m.status !== 'policy-failed')) continue;
    const found = summariesOf(m.entries ?? [], 'changes');
    if (found.length === 0) without.push(m.id);
    for (const { summary } of found) {
      const hostChecked = summary.host !== undefined;
      for (const c of summary.changes)
        population.push({
          release: m.id,
          commit: c.commit,
          pullRequest: c.host?.pullRequest ?? c.pullRequest,
          title: c.title,
          hostChecked,
          approvedByOther: c.approvedByOther,
          approvedByOtherThanCommitter: c.approvedByOtherThanCommitter,
          approvedOnMergedHead: c.approvedOnMergedHead,
          approvedBeforeMerge: c.approvedBeforeMerge,
          checksPassed: c.checksPassed,
          directPush: c.directPush,
          emergency: c.emergency,
          signed: c.signed,
          hostVerified: c.hostVerified,
          approvers: c.host?.approvers ?? [],
          standing: standingOf(c, hostChecked),
        });
    }
  }
  const key = (c: PeriodChange): string => `${c.release}\n${c.commit}`;
  const chosen = drawSample(population.map(key), size, seed);
  return {
    size,
    seed,
    method: CHANGE_SAMPLE_METHOD,
    population: population.length,
    sampled: population.filter((c) => chosen.has(key(c))),
    emergencies: population.filter((c) => c.emergency),
    directPushes: population.filter((c) => c.directPush === true),
    releasesWithoutChanges: without,
  };
}
