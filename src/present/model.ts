import type { InspectResult } from '../core/manifest.js';
import { describeSummary, UNCHECKED_CLAIMS } from './text.js';
export { signatureCovers } from './text.js';
import { SEVERITIES, summariesOf } from '../core/summaries.js';
import type { PolicyResult } from '../verifier/policy-result.js';
import { durationSeconds } from '../formats/time.js';
import { assess, headline, type Assessment, type Verdict } from '../verifier/assessment.js';
import { controlResults } from '../verifier/controls/index.js';

export { headline, type Verdict };
import type { Check, VerifyReport } from '../verifier/report.js';

/**
 * Everything a release's report (Markdown or HTML) shows, as pure data. The
 * command layer builds it from `verify` and `inspect`; the renderers only
 * read it. Every string in it may come from an untrusted bundle.
 */
export interface ReleaseReportInput {
  report: VerifyReport & { bundle: { path?: string } };
  entries: InspectResult['entries'];
  subjects: InspectResult['subjects'];
  source: InspectResult['source'];
  /** The policy evaluation, when a policy was given (falls back to `report.policy`). */
  policy?: PolicyResult;
  /** When the report was produced (RFC 3339). */
  generatedAt: string;
}

/* ------------------------------------------------------------------------ *
 * Derived views shared by the renderers. They never throw, whatever the
 * (untrusted) summaries hold: a malformed value reads as absent.
 * ------------------------------------------------------------------------ */

export type CheckState = 'pass' | 'fail' | 'skipped';

export function checkState(c: Check): CheckState {
  return c.skipped ? 'skipped' : c.ok ? 'pass' : 'fail';
}

/** The policy result: the input's, else the one the report carries once the policy engine fills it. */
export function policyOf(input: ReleaseReportInput): PolicyResult | undefined {
  return input.policy ?? input.report.policy;
}

/** The three answers of a report: the report's own, or worked out from its checks and entries. */
export function assessmentOf(input: ReleaseReportInput): Assessment {
  if (input.report.assessment) return input.report.assessment;
  const policy = policyOf(input);
  return assess(policy ? { ...input.report, policy } : input.report, input.entries);
}

export function verdictOf(input: ReleaseReportInput): Verdict {
  return headline(assessmentOf(input));
}

/**
 * Whose word the bundle's contents are (its entries' figures, subjects, vulnerabilities): facts of an authentic bundle;
 * the bundle's own claims when its signature was not checked (integrity only); not to be drawn as figures at all when
 * it is not authentic.
 */
export type ContentsStanding = 'authentic' | 'unchecked' | 'not-authentic';

export function contentsStanding(input: ReleaseReportInput): ContentsStanding {
  const status = assessmentOf(input).authenticity.status;
  return status === 'authentic' ? 'authentic' : status === 'not-checked' ? 'unchecked' : 'not-authentic';
}

/** What every section showing the bundle's contents says of them when they are not facts ('' when they are). */
export function contentsCaveat(standing: ContentsStanding): string {
  return standing === 'unchecked'
    ? UNCHECKED_CLAIMS
    : standing === 'not-authentic'
      ? " (the bundle's own unverified claims: it is not authentic)"
      : '';
}

/** Why a report leaves a bundle's figures out: it is not authentic. */
export const FIGURES_LEFT_OUT = 'Not drawn: the bundle is not authentic, so its figures cannot be trusted.';

/**
 * What a policy says about one control: everything citing it (requirements, rules, cross-checks), how each fared, and
 * what was not shown; '' gathers the rules citing none.
 */
export interface ControlGroup {
  control: string;
  /** The control's short title, when it is in a shipped catalog (docs/audit.md). */
  title?: string;
  /** The control's state (ControlState), as a status word: held is `pass`. */
  status: 'pass' | 'fail' | 'waived' | 'partly-shown' | 'not-shown';
  items: { type: 'requirement' | 'rule' | 'cross-check'; name: string; status: string }[];
  /** What it needs that was not shown (src/verifier/controls/). */
  missing: string[];
}

const STATE_STATUS = {
  held: 'pass',
  waived: 'waived',
  failed: 'fail',
  'partly-shown': 'partly-shown',
  'not-shown': 'not-shown',
} as const;

export function controlGroups(policy: PolicyResult | undefined): ControlGroup[] {
  if (!policy) return [];
  const groups: ControlGroup[] = controlResults(policy).map((c) => ({
    control: c.id,
    ...(c.title ? { title: c.title } : {}),
    status: STATE_STATUS[c.state],
    items: c.items.map((i) => ({ type: i.type, name: i.name, status: i.status })),
    missing: c.missing,
  }));
  const loose = policy.rules.filter((r) => !Array.isArray(r.controls) || r.controls.length === 0);
  if (loose.length) {
    groups.push({
      control: '',
      status: loose.some((r) => r.status === 'fail' || r.status === 'error')
        ? 'fail'
        : loose.some((r) => r.status === 'waived')
          ? 'waived'
          : 'pass',
      items: loose.map((r) => ({ type: 'rule', name: r.name, status: r.status })),
      missing: [],
    });
  }
  return groups;
}

/** A finite number from an untrusted value, else null. */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** One line per entry's summary (describeSummary never throws, whatever the summary holds). */
export const summaryLine = describeSummary;

export { SEVERITIES };
export type Severity = (typeof SEVERITIES)[number];

/** SARIF security severities summed over every sarif entry; null when there is none. */
export function severityTotals(
  entries: ReleaseReportInput['entries'],
): { totals: Record<Severity, number>; files: number } | null {
  const sarif = summariesOf(entries, 'sarif');
  if (!sarif.length) return null;
  const totals: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const { summary } of sarif) {
    for (const k of SEVERITIES) totals[k] += summary.severities[k];
  }
  return { totals, files: sarif.length };
}

export const TEST_OUTCOMES = ['passed', 'failed', 'errored', 'skipped'] as const;
export type TestOutcome = (typeof TEST_OUTCOMES)[number];

/** JUnit outcomes summed over every junit entry; null when there is none. */
export function testTotals(
  entries: ReleaseReportInput['entries'],
): { totals: Record<TestOutcome, number>; tests: number; files: number } | null {
  const junit = summariesOf(entries, 'junit');
  if (!junit.length) return null;
  const totals: Record<TestOutcome, number> = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  let tests = 0;
  for (const { summary } of junit) {
    for (const k of TEST_OUTCOMES) totals[k] += summary[k];
    tests += summary.tests;
  }
  return { totals, tests, files: junit.length };
}

export interface SloView {
  path: string;
  name: string;
  service?: string;
  objective: number | null;
  period: string;
  sli: number | null;
  budgetRemaining: number | null;
  budgetConsumed: number | null;
  burnRates: { window: string; rate: number | null }[];
  alerts: { page: boolean; ticket: boolean };
  asOf: string;
  live: boolean;
}

/** Every SLO of every slo entry. */
export function sloViews(entries: ReleaseReportInput['entries']): SloView[] {
  const out: SloView[] = [];
  for (const { entry, summary } of summariesOf(entries, 'slo')) {
    for (const o of summary.slos) {
      out.push({
        path: entry.path,
        name: o.name,
        service: o.service,
        objective: o.objective,
        period: o.period,
        sli: o.sli,
        budgetRemaining: o.errorBudget.remaining,
        budgetConsumed: o.errorBudget.consumed,
        burnRates: Object.entries(o.burnRates)
          .map(([window, rate]) => ({ window, rate }))
          .sort((a, b) => windowSeconds(a.window) - windowSeconds(b.window)),
        alerts: o.alerts,
        asOf: summary.asOf,
        live: summary.live,
      });
    }
  }
  return out;
}

function windowSeconds(w: string): number {
  return durationSeconds(w) ?? Number.MAX_SAFE_INTEGER;
}

export interface DoraView {
  path: string;
  environment: string;
  asOf: string;
  windowDays: number | null;
  deployments: number | null;
  deploymentsPerDay: number | null;
  band: string;
  leadTimeMedian: number | null;
  leadTimeP90: number | null;
  changeFailureRate: number | null;
  failedDeployments: number | null;
  timeToRestoreMedian: number | null;
  incidents: number | null;
  resolvedIncidents: number | null;
}

export function doraViews(entries: ReleaseReportInput['entries']): DoraView[] {
  return summariesOf(entries, 'dora').map(({ entry, summary: s }) => ({
    path: entry.path,
    environment: s.environment,
    asOf: s.asOf,
    windowDays: s.windowDays,
    deployments: s.deployments,
    deploymentsPerDay: s.deploymentsPerDay,
    band: s.band,
    leadTimeMedian: s.leadTimeSeconds.median,
    leadTimeP90: s.leadTimeSeconds.p90,
    changeFailureRate: s.changeFailureRate,
    failedDeployments: s.failedDeployments,
    timeToRestoreMedian: s.timeToRestoreSeconds.median,
    incidents: s.incidents,
    resolvedIncidents: s.resolvedIncidents,
  }));
}

/** 45 min, 5.3 h, 2.2 d. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'n/a';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function formatPercent(ratio: number | null, digits = 1): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(digits)}%`;
}

export function shortDigest(d: string): string {
  return d.length > 23 ? `${d.slice(0, 23)}…` : d;
}

export function releaseSourceLine(source: ReleaseReportInput['source']): string {
  const parts = [source.repository, source.commit && `@ ${source.commit}`, source.ref && `(${source.ref})`]
    .filter(Boolean)
    .map(String);
  return parts.join(' ') || 'unknown';
}
