import { assess, headline, type Verdict as Headline } from './assessment.js';
import { verdictOf, type VerifyReport } from './report.js';

/**
 * What a release job (the GitHub Action) does with a bundle whose policy held but showed nothing: every requirement,
 * rule and cross-check of it ranged over no evidence, so it says nothing of this release. `fail` (the default): that
 * is no passing gate; the job publishes nothing and fails (exit 3). `warn`: it publishes, and says so loudly.
 */
export const POLICY_SHOWS_NOTHING = ['fail', 'warn'] as const;
export type PolicyShowsNothing = (typeof POLICY_SHOWS_NOTHING)[number];

/** A finished report's headline, as verify heads it (its assessment, or one made from its checks alone). */
export function reportHeadline(report: VerifyReport): Headline {
  return headline(report.assessment ?? assess(report, undefined));
}

/** The line a release job logs once it verified: the headline first, then the verdict, then why. */
export function verifiedLine(report: VerifyReport): string {
  const h = reportHeadline(report);
  return `verify: ${h.word} (verdict ${verdictOf(report)}): ${h.detail}`;
}

/**
 * Why a release job must not publish a bundle that verified, or undefined: with `fail`, a policy that held and showed
 * nothing. A report that did not verify is refused by its verdict, not here.
 */
export function gateRefusal(report: VerifyReport, onNothing: PolicyShowsNothing = 'fail'): string | undefined {
  const p = report.assessment?.policy;
  if (!report.ok || onNothing !== 'fail' || p?.status !== 'satisfied' || p.shows !== 'nothing') return undefined;
  return `POLICY SHOWS NOTHING: the policy held, but on no evidence of this release (${p.summary}); a policy that shows nothing is no passing gate, so nothing is published (policy-shows-nothing: fail; \`warn\` publishes anyway)`;
}
