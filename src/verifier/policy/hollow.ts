import type { Manifest } from '../../core/manifest.js';
import { summariesOf, type CollectedKind, type SummaryOf } from '../../core/summaries.js';

/**
 * Entries that are there but hold nothing to judge: a test report without tests, an SBOM without components, a SARIF
 * log without runs. A requirement met by such entries, or a rule over them, shows nothing for its controls: the kind
 * is present, the evidence is not. Each test names what is missing, in words a report can show.
 *
 * A scan without findings is not among them: its summary does not record what was scanned, so a clean scan and one
 * that read nothing look alike (docs/policy.md says so).
 */
const HOLLOW: { [K in CollectedKind]?: (s: SummaryOf<K>) => boolean } & Record<string, unknown> = {
  sbom: (s: SummaryOf<'sbom'>) => s.components === 0,
  sarif: (s: SummaryOf<'sarif'>) => s.tools.length === 0,
  junit: (s: SummaryOf<'junit'>) => s.tests === 0,
  slo: (s: SummaryOf<'slo'>) => s.slos.length === 0,
  k6: (s: SummaryOf<'k6'>) =>
    s.checks.passed + s.checks.failed === 0 && s.thresholds.passed.length + s.thresholds.failed.length === 0,
  migrations: (s: SummaryOf<'migrations'>) => s.files === 0,
  coverage: (s: SummaryOf<'coverage'>) => s.lines.total === 0 && s.branches.total === 0,
  terraform: (s: SummaryOf<'terraform'>) => Object.values(s.changes).every((n) => n === 0),
  vex: (s: SummaryOf<'vex'>) => s.statements === 0,
  kev: (s: SummaryOf<'kev'>) => s.vulnerabilities === 0,
};

/** What a hollow entry of each kind lacks, as a report says it. */
export const HOLLOW_WHY: Readonly<Record<string, string>> = {
  sbom: 'an SBOM without components',
  sarif: 'a SARIF log without runs',
  junit: 'a test report without tests',
  slo: 'an SLO snapshot without SLOs',
  k6: 'a k6 summary without checks or thresholds',
  migrations: 'no migration files',
  coverage: 'a coverage report that measured nothing',
  terraform: 'a plan without resources',
  vex: 'a VEX document without statements',
  kev: 'a KEV catalog without vulnerabilities',
};

/** How many entries of each kind hold nothing to judge (kinds without any are left out). */
export function hollowCounts(manifest: Manifest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, hollow] of Object.entries(HOLLOW) as [CollectedKind, (s: unknown) => boolean][]) {
    const n = summariesOf(manifest.entries, kind).filter(({ summary }) => hollow(summary)).length;
    if (n > 0) out[kind] = n;
  }
  return out;
}
