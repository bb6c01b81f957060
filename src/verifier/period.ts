import { minOf } from '../core/objects.js';
import { createHash } from 'node:crypto';
import type { Manifest } from '../core/manifest.js';
import { endBound, parseDateOrInstant, startBound } from '../core/time.js';
import { summariesOf } from '../core/summaries.js';
import { controlCoverage, controlResults, type ControlCoverage, type ControlState } from './controls/index.js';
import type { LoadedPolicy } from './policy/evaluate.js';
import { POLICY_KINDS } from './policy/evaluate.js';
import type { VerifyReport } from './report.js';
import type { IdentityPolicy } from './identity-policy.js';
import { periodProducts, type ReleaseClaims } from './release-evidence.js';
import { integrityIntact } from './report.js';
import type { ChangeSample } from './period-changes.js';
import { VerifyError } from './errors.js';

/**
 * The auditor's period view (docs/audit.md), as data: every release of a
 * period, what was found for each, the three answers for those examined, the
 * controls across them, the waivers, and trends. Pure: the command layer
 * lists, downloads and verifies; this only reads the results.
 */

/** What was found for a release before anything was verified. */
export type EvidenceState = 'found' | 'unsigned' | 'missing' | 'ambiguous' | 'unavailable';

/**
 * A release's standing in the audit:
 * - `holds`: authentic, and the policy (if any) held;
 * - `shows-nothing`: authentic, and the policy held but showed nothing of the release (every requirement, rule and
 *   cross-check of it over no evidence: Assessment.policy.shows); verify heads it POLICY SHOWS NOTHING (exit 0, amber),
 *   and so does the audit: not a policy failure, and not a release that holds;
 * - `policy-failed`: authentic, the policy failed (exit 3);
 * - `not-authentic`: integrity, signature or signer failed (exit 1);
 * - `unsigned`: a bundle without its Sigstore bundle; authenticity cannot be shown (exit 1);
 * - `missing`: no evidence bundle, or several with none chosen (exit 1);
 * - `unavailable`: the source failed to deliver it (exit 2: the audit is incomplete);
 * - `not-examined`: outside the sample.
 */
export type MemberStatus =
  | 'holds'
  | 'shows-nothing'
  | 'policy-failed'
  | 'not-authentic'
  | 'unsigned'
  | 'missing'
  | 'unavailable'
  | 'not-examined';

export interface PeriodMemberInput {
  /** The release: a tag (the first, when several tags are one release). */
  id: string;
  /** Every tag of the release when it has several (`1.4.2` and `1.4.2-evidence`): one member, never two. */
  tags?: string[];
  /** What its authentic bundle signs about the release it is evidence of. */
  claims?: ReleaseClaims;
  /** Other evidence candidates read for it that were not chosen (chooseEvidence): unsigned, forged or older. */
  ignoredCandidates?: number;
  /** When the source says it was published (RFC 3339); for OCI, when its authentic bundle says (releaseDate). */
  published: string;
  /**
   * Who vouches for `published`: absent, the source (GitHub's `published_at`); `timestamp`, a timestamp authority or
   * the log, for the bundle's signature; `signer`, the signer's own manifest `created`, nothing else vouching for it.
   */
  dated?: 'timestamp' | 'signer';
  /** Where it is: the release page, or oci://…@sha256:… */
  url?: string;
  sampled: boolean;
  evidence: {
    state: EvidenceState;
    /** Why it is not `found`, with the source's error code where there was one. */
    code?: string;
    message?: string;
    bundle?: { name: string; digest: string; size: number; url?: string };
    attestation?: { name: string; digest: string; url?: string };
    /**
     * The bundle verified, but is not this release's evidence (another version's, or other bytes than listed): `code`
     * and `message` say why.
     */
    conflict?: boolean;
  };
  /** The verification report, once verified (for `unsigned`: integrity only). */
  report?: VerifyReport;
  /** The manifest's entries, once read. */
  entries?: Manifest['entries'];
}

export interface TrendPoint {
  id: string;
  published: string;
  /** The figures are the bundle's claims, its signature not verified. */
  unverified: boolean;
  tests: number | null;
  testsFailed: number | null;
  findingsCritical: number | null;
  findingsHigh: number | null;
  /**
   * The release's vulnerabilities by disposition (its vulnerabilities document: scanners' findings with VEX applied):
   * null without one.
   */
  vulnerabilities: {
    findings: number;
    notAffected: number;
    fixed: number;
    affected: number;
    underInvestigation: number;
    none: number;
    openCritical: number;
    knownExploitedOpen: number;
  } | null;
  deploymentsPerDay: number | null;
  leadTimeMedianSeconds: number | null;
  changeFailureRate: number | null;
  timeToRestoreMedianSeconds: number | null;
  /** The smallest error budget left among the bundle's SLOs (ratio; below 0 when overspent). */
  sloBudgetRemaining: number | null;
}

export interface PeriodMember extends PeriodMemberInput {
  status: MemberStatus;
  /** One sentence: why this status. */
  reason: string;
  trend?: TrendPoint;
}

export interface PeriodControl extends ControlCoverage {
  /**
   * Examined releases in which the control held, held under a waiver, failed, was shown in part only, or not at all
   * (ControlState).
   */
  held: number;
  waived: number;
  failed: number;
  partlyShown: number;
  notShown: number;
  /** What was missing, each with the releases it was missing in (empty when it held everywhere). */
  missing: { what: string; releases: string[] }[];
  /** Examined releases with no policy result to read (not authentic, unsigned, missing). */
  notEvaluated: number;
  failedIn: string[];
}

export interface WaiverUse {
  rule: string;
  reason: string;
  expires: string;
  /** Releases whose failing rule it waived. */
  waivedIn: string[];
  /** Releases evaluated after it expired whose rule then failed. */
  failedAfterExpiryIn: string[];
  /** True when it expired inside the period. */
  expiredInPeriod: boolean;
}

export interface PeriodSummary {
  period: { since: string; until: string };
  /**
   * The product audited: pinned (`--product`), or the one the examined releases' bundles name; `names` is every product
   * they name.
   */
  product?: { name?: string; pinned: boolean; names: string[] };
  sample?: { size: number; seed: string; method: string };
  /** With --sample-changes: the changes of the period, sampled (src/verifier/period-changes.ts). */
  changeSample?: ChangeSample;
  members: PeriodMember[];
  /**
   * How many releases stand in each status; `partlyShown`, how many of those that hold did so with some of the policy's
   * requirements, rules or cross-checks reading no evidence (Assessment.policy.shows `partial`): they hold, and the
   * period is never said to hold without saying how many of them held so.
   */
  counts: Record<MemberStatus, number> & { population: number; examined: number; partlyShown: number };
  controls: PeriodControl[];
  waivers: WaiverUse[];
  trends: TrendPoint[];
  /**
   * `holds` when every examined release holds; `empty` when the period has no release; otherwise the worst standing, in
   * exit-code order, `shows-nothing` (a policy that held on no evidence in some release: exit 0, never a plain pass)
   * just above `holds`.
   */
  verdict: 'holds' | 'shows-nothing' | 'not-authentic' | 'incomplete' | 'policy-failed' | 'empty';
}

/** How the sample is drawn, in words an auditor can redo by hand (docs/audit.md). */
export const SAMPLE_METHOD = 'the N releases with the lowest sha256("<seed>\\n<tag>"), hex-compared';

/** A reproducible sample: the same seed and population give the same releases, whatever their order. */
export function drawSample(ids: readonly string[], size: number, seed: string): Set<string> {
  const keyed = ids.map((id) => ({ id, key: createHash('sha256').update(`${seed}\n${id}`).digest('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Set(keyed.slice(0, size).map((k) => k.id));
}

/**
 * A period given as dates or instants, both ends included: `since` a date from the start of its day, `until` a date to
 * its end, UTC (core/time.ts). NaN for an end that is neither.
 */
export function periodBounds(since: string, until: string): { from: number; to: number } {
  return { from: startBound(since) ?? Number.NaN, to: endBound(until) ?? Number.NaN };
}

/**
 * An audit's period as given (`--since`, `--until`), checked: each end a real
 * day or instant in the years OSCAL can state, and not after the other; its
 * bounds in milliseconds. INVALID_OPTION otherwise.
 */
export function checkPeriod(since: string, until: string): { from: number; to: number } {
  for (const [flag, value] of [
    ['--since', since],
    ['--until', until],
  ] as const) {
    const year = Number(value.slice(0, 4));
    // A real day or instant (core/time.ts: 2026-02-30 is refused, not read as 2 March) in the years OSCAL can state.
    if (parseDateOrInstant(value) === undefined || year < 1900 || year > 2999)
      throw new VerifyError(
        'INVALID_OPTION',
        `${flag} ${JSON.stringify(value)}: a date (2026-01-01) or an RFC 3339 time, in the years 1900 to 2999`,
      );
  }
  const bounds = periodBounds(since, until);
  if (bounds.from > bounds.to) throw new VerifyError('INVALID_OPTION', `--since ${since} is after --until ${until}`);
  return bounds;
}

export function statusOf(m: PeriodMemberInput): { status: MemberStatus; reason: string } {
  if (!m.sampled) return { status: 'not-examined', reason: 'not in the sample' };
  switch (m.evidence.state) {
    case 'missing':
    case 'ambiguous':
      return { status: 'missing', reason: m.evidence.message ?? 'no evidence bundle' };
    case 'unavailable':
      return { status: 'unavailable', reason: m.evidence.message ?? 'the source did not deliver the evidence' };
    case 'unsigned':
      return {
        status: 'unsigned',
        reason: `${m.evidence.message ?? 'the bundle has no Sigstore bundle beside it'}, so it cannot be shown authentic${m.report ? (integrityIntact(m.report) ? ' (its content matches its digests)' : ' (and its content does not match its digests)') : ''}`,
      };
    case 'found':
      break;
  }
  if (m.evidence.conflict)
    return { status: 'not-authentic', reason: m.evidence.message ?? "the bundle is not this release's evidence" };
  const a = m.report?.assessment;
  if (!m.report || !a) return { status: 'not-authentic', reason: m.evidence.message ?? 'no verification report' };
  if (a.authenticity.status !== 'authentic') return { status: 'not-authentic', reason: a.authenticity.summary };
  // An authentic bundle that does not cover the release's image is not that image's evidence.
  if (a.coverage?.status === 'not-covered') return { status: 'not-authentic', reason: a.coverage.summary };
  // Nor is a bundle fetched from a release it is not the evidence of (evidence fetch's release checks).
  if (a.release) return { status: 'not-authentic', reason: a.release.summary };
  if (a.policy.status === 'failed') return { status: 'policy-failed', reason: a.policy.summary };
  // Said where it holds: a signer a policy's catch-all identity list let through.
  const signer = a.authenticity.notPinned ? ` (the signer is NOT pinned: ${a.authenticity.notPinned})` : '';
  // A policy that held on no evidence says nothing of the release: a standing of its own, never `holds`.
  const status = a.policy.status === 'satisfied' && a.policy.shows === 'nothing' ? 'shows-nothing' : 'holds';
  return { status, reason: `authentic${signer}; ${a.policy.summary}` };
}

/** The period's figures from a release's entries (null where it has none). */
export function trendOf(m: PeriodMemberInput): TrendPoint | undefined {
  if (!m.entries || !m.report) return undefined;
  const authentic = m.report.assessment?.authenticity.status === 'authentic';
  if (!authentic && !m.report.ok) return undefined;
  const sum = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) : null);
  const junit = summariesOf(m.entries, 'junit').map((x) => x.summary);
  const sarif = summariesOf(m.entries, 'sarif').map((x) => x.summary);
  const dora = summariesOf(m.entries, 'dora').map((x) => x.summary)[0];
  const slos = summariesOf(m.entries, 'slo').flatMap((x) => x.summary.slos);
  const v = summariesOf(m.entries, 'vulnerabilities')[0]?.summary;
  return {
    id: m.id,
    published: m.published,
    unverified: !authentic,
    tests: sum(junit.map((j) => j.tests)),
    testsFailed: sum(junit.map((j) => j.failed + j.errored)),
    findingsCritical: sum(sarif.map((s) => s.severities.critical)),
    findingsHigh: sum(sarif.map((s) => s.severities.high)),
    vulnerabilities: v
      ? {
          findings: v.findings,
          notAffected: v.statuses.not_affected,
          fixed: v.statuses.fixed,
          affected: v.statuses.affected,
          underInvestigation: v.statuses.under_investigation,
          none: v.statuses.none,
          openCritical: v.open.critical,
          knownExploitedOpen: v.knownExploitedOpen,
        }
      : null,
    deploymentsPerDay: dora ? dora.deploymentsPerDay : null,
    leadTimeMedianSeconds: dora ? dora.leadTimeSeconds.median : null,
    changeFailureRate: dora ? dora.changeFailureRate : null,
    timeToRestoreMedianSeconds: dora ? dora.timeToRestoreSeconds.median : null,
    sloBudgetRemaining: slos.length ? minOf([...slos.map((o) => o.errorBudget.remaining)]) : null,
  };
}

const VERDICT_ORDER: PeriodSummary['verdict'][] = [
  'not-authentic',
  'incomplete',
  'policy-failed',
  'shows-nothing',
  'holds',
];

/**
 * When the audit was not told which product it audits, every release is held
 * to the one product the period's authentic bundles name; when they name
 * several, none is shown to be the audited product's evidence.
 */
function holdToOneProduct(
  members: readonly PeriodMemberInput[],
  pinned: string | undefined,
): { members: PeriodMemberInput[]; product: PeriodSummary['product'] } {
  const names = periodProducts(members.filter((m) => m.sampled).map((m) => m.claims));
  if (pinned !== undefined) return { members: [...members], product: { name: pinned, pinned: true, names } };
  if (names.length <= 1)
    return {
      members: [...members],
      product: { ...(names[0] !== undefined ? { name: names[0] } : {}), pinned: false, names },
    };
  const message = `the period's bundles name ${names.length} products (${names.join(', ')}), so none can be shown to be the audited product's evidence (the audit names none)`;
  return {
    members: members.map<PeriodMemberInput>((m) =>
      m.claims
        ? {
            ...m,
            claims: undefined,
            entries: undefined,
            evidence: { ...m.evidence, code: 'PRODUCT_AMBIGUOUS', message: `${m.id}: ${message}`, conflict: true },
          }
        : m,
    ),
    product: { pinned: false, names },
  };
}

export function summarizePeriod(input: {
  since: string;
  until: string;
  members: PeriodMemberInput[];
  product?: string;
  policy?: LoadedPolicy;
  sample?: { size: number; seed: string };
}): PeriodSummary {
  const held = holdToOneProduct(input.members, input.product);
  const members: PeriodMember[] = held.members
    // Oldest first, undated last; ties by tag, compared as code points (the same order in every locale).
    .sort(
      (a, b) =>
        (a.published === '' ? 1 : 0) - (b.published === '' ? 1 : 0) ||
        (a.published < b.published ? -1 : a.published > b.published ? 1 : 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map((m) => {
      const trend = m.sampled ? trendOf(m) : undefined;
      return { ...m, ...statusOf(m), ...(trend ? { trend } : {}) };
    });
  const counts = {
    population: members.length,
    examined: 0,
    holds: 0,
    'shows-nothing': 0,
    'policy-failed': 0,
    'not-authentic': 0,
    unsigned: 0,
    missing: 0,
    unavailable: 0,
    'not-examined': 0,
    partlyShown: 0,
  } as PeriodSummary['counts'];
  for (const m of members) {
    counts[m.status]++;
    if (m.sampled) counts.examined++;
    if (m.status === 'holds' && m.report?.assessment?.policy.shows === 'partial') counts.partlyShown++;
  }
  const verdicts: PeriodSummary['verdict'][] = members.map((m) =>
    m.status === 'not-authentic' || m.status === 'unsigned' || m.status === 'missing'
      ? 'not-authentic'
      : m.status === 'unavailable'
        ? 'incomplete'
        : m.status === 'policy-failed'
          ? 'policy-failed'
          : m.status === 'shows-nothing'
            ? 'shows-nothing'
            : 'holds',
  );
  const verdict = members.length === 0 ? 'empty' : (VERDICT_ORDER.find((v) => verdicts.includes(v)) ?? 'holds');
  return {
    period: { since: input.since, until: input.until },
    product: held.product,
    ...(input.sample ? { sample: { ...input.sample, method: SAMPLE_METHOD } } : {}),
    members,
    counts,
    controls: input.policy ? periodControls(input.policy, members) : [],
    waivers: input.policy ? periodWaivers(input.policy, members, periodBounds(input.since, input.until)) : [],
    trends: members.flatMap((m) => (m.trend ? [m.trend] : [])),
    verdict,
  };
}

function periodControls(policy: LoadedPolicy, members: PeriodMember[]): PeriodControl[] {
  const examined = members.filter((m) => m.sampled);
  return controlCoverage(policy.policy, POLICY_KINDS).map((c) => {
    const tally: Record<ControlState | 'not-evaluated', number> = {
      held: 0,
      waived: 0,
      failed: 0,
      'partly-shown': 0,
      'not-shown': 0,
      'not-evaluated': 0,
    };
    const failedIn: string[] = [];
    const missing = new Map<string, string[]>();
    for (const m of examined) {
      const p = m.report?.policy;
      const found =
        p && m.status !== 'not-authentic' && m.status !== 'unsigned'
          ? controlResults(p).find((r) => r.id === c.id)
          : undefined;
      const state = found?.state ?? 'not-evaluated';
      tally[state]++;
      if (state === 'failed') failedIn.push(m.id);
      for (const what of found?.missing ?? []) missing.set(what, [...(missing.get(what) ?? []), m.id]);
    }
    return {
      ...c,
      held: tally.held,
      waived: tally.waived,
      failed: tally.failed,
      partlyShown: tally['partly-shown'],
      notShown: tally['not-shown'],
      notEvaluated: tally['not-evaluated'],
      failedIn,
      missing: [...missing.entries()].map(([what, releases]) => ({ what, releases })),
    };
  });
}

function periodWaivers(
  policy: LoadedPolicy,
  members: PeriodMember[],
  bounds: { from: number; to: number },
): WaiverUse[] {
  return policy.policy.waivers.map((w) => {
    const waivedIn: string[] = [];
    const failedAfterExpiryIn: string[] = [];
    for (const m of members) {
      const rule = m.report?.policy?.rules.find((r) => r.name === w.rule);
      if (rule?.status === 'waived') waivedIn.push(m.id);
      if (rule?.status === 'fail' && rule.waiver?.expired) failedAfterExpiryIn.push(m.id);
    }
    const end = endBound(w.expires) ?? Number.NaN;
    return {
      rule: w.rule,
      reason: w.reason,
      expires: w.expires,
      waivedIn,
      failedAfterExpiryIn,
      expiredInPeriod: end >= bounds.from && end <= bounds.to,
    };
  });
}

/** What `evidence audit` reports (its JSON output): the source, the requirement, and the period. */
export interface AuditReport {
  kind: 'evidence-audit';
  version: 1;
  source:
    | { type: 'github'; repository: string; apiUrl: string }
    | { type: 'oci'; repository: string }
    | { type: 'file'; path: string };
  generatedAt: string;
  policy?: { path: string; digest: string };
  /** The signer the audit required, as given. */
  identity: IdentityPolicy & { keys?: string[] };
  summary: PeriodSummary;
}
