import type { Manifest } from '../../core/manifest.js';
import { summariesOf, type CollectedKind, type SummaryOf } from '../../core/summaries.js';

/**
 * Entries that are there but hold nothing to judge: a test report in which no test ran, an SBOM without components, a SARIF
 * log without runs. A requirement met by such entries, or a rule over them, shows nothing for its controls: the kind
 * is present, the evidence is not. Each test names what is missing, in words a report can show.
 *
 * A scan without findings is not among them: its summary does not record what was scanned, so a clean scan and one
 * that read nothing look alike (docs/policy.md says so).
 */
const HOLLOW: { [K in CollectedKind]?: { holdsNothing: (s: SummaryOf<K>) => boolean; why: string } } = {
  sbom: { holdsNothing: (s) => s.components === 0, why: 'an SBOM without components' },
  sarif: { holdsNothing: (s) => s.tools.length === 0, why: 'a SARIF log without runs' },
  // Skipped tests did not run: a report whose tests were all skipped shows no more than one without tests.
  junit: {
    holdsNothing: (s) => s.tests === 0 || s.passed + s.failed + s.errored === 0,
    why: 'a test report in which no test ran (none, or all skipped)',
  },
  slo: { holdsNothing: (s) => s.slos.length === 0, why: 'an SLO snapshot without SLOs' },
  k6: {
    holdsNothing: (s) =>
      (s.checks.passed + s.checks.failed === 0 && s.thresholds.passed.length + s.thresholds.failed.length === 0) ||
      k6DidNothing(s),
    why: 'a k6 summary without checks or thresholds, or of a run without iterations or requests',
  },
  migrations: { holdsNothing: (s) => s.files === 0, why: 'no migration files' },
  coverage: {
    holdsNothing: (s) => s.lines.total === 0 && s.branches.total === 0,
    why: 'a coverage report that measured nothing',
  },
  terraform: {
    // An errored or incomplete plan does not list every change it makes: its counts show no safe change.
    holdsNothing: (s) => Object.values(s.changes).every((n) => n === 0) || s.errored === true || s.complete === false,
    why: 'a plan without resources, or one that errored or is incomplete',
  },
  vex: { holdsNothing: (s) => s.statements === 0, why: 'a VEX document without statements' },
  kev: { holdsNothing: (s) => s.vulnerabilities === 0, why: 'a KEV catalog without vulnerabilities' },
};

/**
 * A k6 run that counted no iteration, no HTTP request and no check did nothing: k6 passes a threshold over no samples,
 * so its thresholds "passed" over nothing. Only for summaries that record the counts (`samples`); older ones are read
 * as before.
 */
export function k6DidNothing(s: SummaryOf<'k6'>): boolean {
  if (s.samples === undefined) return false;
  const { iterations, httpReqs } = s.samples;
  return (iterations ?? 0) === 0 && (httpReqs ?? 0) === 0 && s.checks.passed + s.checks.failed === 0;
}

/** What a hollow entry of each kind lacks, as a report says it. */
export const HOLLOW_WHY: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(HOLLOW).map(([kind, h]) => [kind, h.why]),
);

/** Why one entry holds nothing to judge (HOLLOW_WHY's words), or undefined when it holds something or is no such kind. */
export function hollowWhy(
  entry: Pick<Manifest['entries'][number], 'kind'> & { summary?: unknown },
): string | undefined {
  for (const [kind, h] of Object.entries(HOLLOW) as [
    CollectedKind,
    { holdsNothing: (s: unknown) => boolean; why: string },
  ][])
    if (summariesOf([entry], kind).some(({ summary }) => h.holdsNothing(summary))) return h.why;
  return undefined;
}

/** How many entries of each kind hold nothing to judge (kinds without any are left out). */
export function hollowCounts(manifest: Manifest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, h] of Object.entries(HOLLOW) as [CollectedKind, { holdsNothing: (s: unknown) => boolean }][]) {
    const n = summariesOf(manifest.entries, kind).filter(({ summary }) => h.holdsNothing(summary)).length;
    if (n > 0) out[kind] = n;
  }
  return out;
}
