import type { Manifest } from '../core/manifest.js';
import { summariesOf } from '../core/summaries.js';
import type { VerifyReport } from './report.js';

/** SLSA 1.2's verified property for two-party review (slsa.dev/spec/v1.2/verified-properties). */
export const TWO_PARTY_REVIEWED = 'SLSA_SOURCE_TWO_PARTY_REVIEWED';

/**
 * The SLSA source properties a verification summary may state of a release, from its change evidence
 * (docs/interop.md, "Source properties"): never one the evidence does not show.
 *
 * SLSA_SOURCE_TWO_PARTY_REVIEWED when the bundle's signature and signer were verified, and its change evidence
 * (docs/changes.md) holds at least one change, was read from GitHub as well as git, ends at the released commit, shows
 * the target branch's rules requiring an approval and dismissing stale ones, and every change was landed by a pull
 * request approved by someone other than its author and other than the committer of its merged head (SLSA's "different
 * from the author of the last change"), on the merged head, before the merge. No SLSA source level is
 * stated: those rest on the source control system's own provenance and controls, which this evidence does not carry.
 */
export function sourceProperties(
  report: Pick<VerifyReport, 'ok' | 'mode' | 'assessment'>,
  manifest: Manifest,
): string[] {
  if (!report.ok || report.mode !== 'signed' || report.assessment?.authenticity.status !== 'authentic') return [];
  const found = summariesOf(manifest.entries, 'changes');
  const commit = manifest.source.commit?.toLowerCase();
  if (found.length === 0 || !commit) return [];
  const reviewed = found.every(({ summary: s }) => {
    const rules = s.host?.rules;
    return (
      s.host !== undefined &&
      rules?.known === true &&
      (rules.requiredApprovals ?? 0) >= 1 &&
      rules.dismissStaleReviews === true &&
      s.range.to === commit &&
      s.changes.length > 0 &&
      s.changes.every(
        (c) =>
          c.directPush === false &&
          c.approvedByOther === true &&
          c.approvedByOtherThanCommitter === true &&
          c.approvedOnMergedHead === true &&
          c.approvedBeforeMerge === true,
      )
    );
  });
  return reviewed ? [TWO_PARTY_REVIEWED] : [];
}
