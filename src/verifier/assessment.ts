import type { Manifest } from '../core/manifest.js';
import type { Check, VerifyReport } from './report.js';
import { readSummary, summariesOf, type VulnerabilitiesSummary } from '../core/summaries.js';
import { policyShown } from './controls/index.js';
import { hollowWhy } from './policy/hollow.js';

/**
 * The three answers every output keeps apart:
 * - is the bundle authentic, and how was that checked;
 * - did the policy hold (only when one ran);
 * - what does the evidence itself say, policy or not.
 * A policy failure is never a verification failure, an integrity-only check
 * is never a plain pass, and failing tests are shown even with no policy.
 */
export interface Assessment {
  authenticity: {
    /**
     * `authentic`: integrity, signature and signer verified; `not-checked`: integrity only; `failed`: integrity or
     * authenticity failed.
     */
    status: 'authentic' | 'not-checked' | 'failed';
    /** How it was (or would have been) checked. */
    method: 'identity' | 'key' | 'integrity-only';
    summary: string;
    /**
     * Authentic, but the identity asked for does not say who signed (a pattern that matches anyone): why. The headline
     * is then SIGNER NOT PINNED, never VERIFIED.
     */
    notPinned?: string;
  };
  policy: {
    status: 'satisfied' | 'failed' | 'not-evaluated';
    summary: string;
    /**
     * For a policy that held: whether it showed evidence. `nothing` when every requirement, rule and cross-check of it
     * ranged over no evidence and it named no signer that matched (it holds, and says nothing of this release);
     * `partial` when some did (policyShown).
     */
    shows?: 'evidence' | 'partial' | 'nothing';
  };
  /**
   * Present when release artifacts were asked about (`--subject`, an image):
   * whether the bundle covers each. Kept apart from authenticity: an
   * authentic bundle may simply not be about that file. A file whose name is
   * a subject's but whose bytes are not (SUBJECT_DIGEST_MISMATCH) is not
   * covered either: the bundle vouches for bytes, not names.
   */
  coverage?: {
    /**
     * `covered`: every file asked about is a subject; `not-covered`: at least one is not; `not-checked`: no trustworthy
     * manifest to check against.
     */
    status: 'covered' | 'not-covered' | 'not-checked';
    summary: string;
    files: { file: string; status: 'covered' | 'not-covered' | 'not-checked'; code?: string }[];
  };
  /**
   * Present when `evidence fetch` found the bundle is not the evidence of the release it was published with (another
   * release's, or files beside it that disagree with it): the `release` checks. Kept apart from authenticity, as
   * coverage is: an authentic bundle of another release is authentic, and not this release's evidence.
   */
  release?: { status: 'mismatch'; summary: string };
  evidence: {
    /**
     * `clean`: nothing of concern in what was judged (`judged`); `concerns`: see findings; `nothing-to-judge`: the
     * bundle holds none of the kinds judged (JUDGED_KINDS), so it shows neither concerns nor their absence;
     * `unknown`: the manifest could not be trusted or read.
     */
    status: 'clean' | 'concerns' | 'nothing-to-judge' | 'unknown';
    /** The kinds of JUDGED_KINDS the bundle holds, each judged; the others were not in it (absent when `unknown`). */
    judged?: string[];
    /** True when the figures are the bundle's own claims, its signature not checked. */
    unverified: boolean;
    findings: EvidenceFinding[];
    summary: string;
    /**
     * What the release's vulnerabilities document says (when it has one): counts by severity and disposition, and
     * every not_affected finding with its justification, which an auditor questions first.
     */
    vulnerabilities?: { path: string; summary: VulnerabilitiesSummary };
  };
}

export type EvidenceFindingCode =
  | 'TESTS_FAILED'
  | 'TESTS_NONE'
  | 'K6_THRESHOLDS_FAILED'
  | 'K6_CHECKS_FAILED'
  | 'MIGRATIONS_DESTRUCTIVE'
  | 'INFRA_DESTRUCTIVE'
  | 'VULNS_KNOWN_EXPLOITED'
  | 'FINDINGS_CRITICAL'
  | 'FINDINGS_HIGH'
  | 'SLO_BUDGET_EXHAUSTED';

export interface EvidenceFinding {
  code: EvidenceFindingCode;
  /** The entry's logical path. */
  path: string;
  kind: string;
  message: string;
}

type Entry = Pick<Manifest['entries'][number], 'path' | 'kind'> & { summary?: unknown };

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The kinds whose entries evidenceFindings judges, as a report names them. A bundle without any of them (an SBOM
 * alone) is not "clean": nothing in it says whether the release was tested, scanned or within its budgets.
 */
export const JUDGED_KINDS: Readonly<Record<string, string>> = {
  junit: 'test reports',
  k6: 'load tests',
  migrations: 'migrations',
  terraform: 'infrastructure plans',
  sarif: 'SARIF scans',
  vulnerabilities: 'vulnerability findings',
  slo: 'SLO snapshots',
};

/**
 * What the evidence says, entry by entry, whatever a policy asks: failing or
 * zero tests, failed load-test thresholds, destructive changes, critical or
 * high findings, spent error budgets. (An SBOM's tolerated deviations from its
 * specification are recorded in its summary; a policy may require none.)
 * Never throws, whatever the (untrusted) summaries hold.
 */
export function evidenceFindings(entries: readonly Entry[]): EvidenceFinding[] {
  const out: EvidenceFinding[] = [];
  const add = (e: Entry, code: EvidenceFindingCode, message: string): void => {
    out.push({ code, path: e.path, kind: e.kind, message });
  };
  for (const e of entries) {
    const typed = readSummary(e);
    switch (typed?.kind) {
      case 'junit': {
        const s = typed.summary;
        if (s.failed + s.errored > 0)
          add(e, 'TESTS_FAILED', `${plural(s.failed, 'test')} failed, ${s.errored} errored, of ${s.tests}`);
        else if (s.tests === 0) add(e, 'TESTS_NONE', 'no test cases: a report without tests proves nothing');
        else if (s.passed === 0)
          add(e, 'TESTS_NONE', `no test ran: ${plural(s.skipped, 'test')} skipped of ${s.tests}, none passed`);
        break;
      }
      case 'k6': {
        const failed = typed.summary.thresholds.failed;
        if (failed.length > 0)
          add(e, 'K6_THRESHOLDS_FAILED', `${plural(failed.length, 'threshold')} failed: ${failed.join(', ')}`);
        const checks = typed.summary.checks.failed;
        if (checks > 0) add(e, 'K6_CHECKS_FAILED', `${plural(checks, 'check')} failed`);
        break;
      }
      case 'migrations': {
        const destructive = typed.summary.destructive;
        if (destructive.length > 0)
          add(
            e,
            'MIGRATIONS_DESTRUCTIVE',
            `${plural(destructive.length, 'destructive statement')}: ${destructive.map((d) => `${d.kind} (${d.file}:${d.line})`).join(', ')}`,
          );
        break;
      }
      case 'terraform': {
        if (typed.summary.destructive) {
          const where = typed.summary.destructiveAddresses;
          add(e, 'INFRA_DESTRUCTIVE', `the plan deletes or replaces ${where.length ? where.join(', ') : 'resources'}`);
        }
        break;
      }
      case 'sarif': {
        const sev = typed.summary.severities;
        if (sev.critical > 0) add(e, 'FINDINGS_CRITICAL', `${plural(sev.critical, 'critical finding')}`);
        if (sev.high > 0) add(e, 'FINDINGS_HIGH', `${plural(sev.high, 'high-severity finding')}`);
        break;
      }
      case 'vulnerabilities': {
        // Findings as handled: not_affected and fixed ones are no concern; the rest are, by severity.
        const v = typed.summary;
        const handled = (sev: 'critical' | 'high'): string => {
          const na = v.notAffected.filter((f) => f.severity === sev).length;
          const capped = v.statuses.not_affected > v.notAffected.length ? ' among those listed' : '';
          return `of ${v.severities[sev]}; ${na} not affected per VEX${capped}`;
        };
        if (v.open.critical > 0)
          add(
            e,
            'FINDINGS_CRITICAL',
            `${plural(v.open.critical, 'critical finding')} not handled (${handled('critical')})`,
          );
        if (v.open.high > 0)
          add(e, 'FINDINGS_HIGH', `${plural(v.open.high, 'high-severity finding')} not handled (${handled('high')})`);
        if (v.knownExploitedOpen > 0)
          add(
            e,
            'VULNS_KNOWN_EXPLOITED',
            `${plural(v.knownExploitedOpen, 'known exploited vulnerability', 'known exploited vulnerabilities')} not handled`,
          );
        break;
      }
      case 'slo': {
        for (const o of typed.summary.slos) {
          const remaining = o.errorBudget.remaining;
          if (remaining <= 0)
            add(
              e,
              'SLO_BUDGET_EXHAUSTED',
              `SLO ${o.name}: error budget exhausted (${(remaining * 100).toFixed(0)}% left)`,
            );
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The three answers for a finished report, from its checks, signature, policy and the manifest's entries. */
export function assess(report: VerifyReport, entries: readonly Entry[] | undefined): Assessment {
  // Whether the bundle is about a given file is not whether it is authentic: subjects are answered apart (coverage),
  // and so is whether it is the evidence of the release it was fetched from (release).
  const failedChecks = report.checks.filter((c) => !c.ok && !c.skipped && c.id !== 'subjects' && c.id !== 'release');
  const coverage = coverageOf(report.checks);
  const mismatched = report.checks.filter((c) => c.id === 'release' && !c.ok);
  const release: Pick<Assessment, 'release'> = mismatched.length
    ? { release: { status: 'mismatch', summary: mismatched.map((c) => `${c.message} (${c.code ?? ''})`).join('; ') } }
    : {};
  const integrityOnly = report.mode === 'integrity-only';
  const sig = report.signature;
  const method: Assessment['authenticity']['method'] = integrityOnly
    ? 'integrity-only'
    : sig?.kind === 'public-key'
      ? 'key'
      : 'identity';
  // A signer of the other kind than the one asked for: the summary (an audit's reason) says so, not only its code.
  const otherKind = failedChecks.find((c) => c.code === 'SIGNER_KIND_MISMATCH');
  const authenticity: Assessment['authenticity'] =
    failedChecks.length > 0
      ? {
          status: 'failed',
          method,
          summary: `${plural(failedChecks.length, 'verification check')} failed (${[...new Set(failedChecks.map((c) => c.code ?? c.id))].join(', ')})${otherKind ? `: not signed by the signer pinned (${otherKind.found ?? ''}; ${otherKind.expected ?? ''} was asked for)` : ''}`,
        }
      : integrityOnly
        ? {
            status: 'not-checked',
            method,
            summary:
              'integrity only: the content matches its digests, but the signature was NOT checked, so who made it is unknown',
          }
        : {
            status: 'authentic',
            method,
            summary:
              sig?.kind === 'public-key'
                ? `signature verified with the key ${sig.key ?? ''}`.trimEnd()
                : `signed by ${sig?.identity ?? 'an unnamed signer'}${sig?.issuer ? ` (issuer ${sig.issuer})` : ''}, ${sig?.identityNotPinned ? `identity NOT pinned: ${sig.identityNotPinned}` : 'identity checked'}`,
            ...(sig?.identityNotPinned ? { notPinned: sig.identityNotPinned } : {}),
          };

  const p = report.policy;
  const policy: Assessment['policy'] = !p
    ? {
        status: 'not-evaluated',
        summary:
          authenticity.status === 'failed'
            ? 'not evaluated: evidence that is not authentic is not judged'
            : coverage?.status === 'not-covered'
              ? 'not evaluated: the bundle does not cover the file asked about'
              : 'no policy was given',
      }
    : p.ok
      ? satisfiedPolicy(p, sig?.identityNotPinned !== undefined)
      : { status: 'failed', summary: `${p.policy.path}: ${policyFailures(p)}` };

  if (!entries || authenticity.status === 'failed') {
    return {
      authenticity,
      policy,
      ...(coverage ? { coverage } : {}),
      ...release,
      evidence: {
        status: 'unknown',
        unverified: true,
        findings: [],
        summary: 'not assessed: the bundle is not authentic, so its figures cannot be trusted',
      },
    };
  }
  const findings = evidenceFindings(entries);
  const unverified = authenticity.status !== 'authentic';
  const claim = unverified ? ' (as the bundle claims; not signature-checked)' : '';
  // A kind is judged where one of its entries holds something: a load test that ran nothing is not one.
  const read = entries.filter((e) => Object.hasOwn(JUDGED_KINDS, e.kind)).map((e) => ({ e, why: hollowWhy(e) }));
  const hollow = read.flatMap(({ e, why }) => (why === undefined ? [] : [`${e.path} holds nothing (${why})`]));
  const judged = Object.keys(JUDGED_KINDS).filter((k) => read.some(({ e, why }) => e.kind === k && why === undefined));
  const words = (kinds: string[]): string => kinds.map((k) => JUDGED_KINDS[k]).join(', ');
  // Kinds with no entry at all are not in the bundle; those whose every entry holds nothing are said by their entries.
  const missing = Object.keys(JUDGED_KINDS).filter((k) => !read.some(({ e }) => e.kind === k));
  const notIn =
    (missing.length ? `; not in the bundle, so not judged: ${words(missing)}` : '') +
    (hollow.length ? `; not judged: ${hollow.join('; ')}` : '');
  const evidence: Assessment['evidence'] = findings.length
    ? {
        status: 'concerns',
        unverified,
        findings,
        judged,
        summary: `${plural(findings.length, 'concern')}${claim}: ${findings.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      }
    : judged.length === 0
      ? {
          status: 'nothing-to-judge',
          unverified,
          findings,
          judged,
          summary: `nothing to judge${claim}: the bundle holds none of ${words(missing)} (none with anything in it), so it shows neither concerns nor their absence${hollow.length ? `; ${hollow.join('; ')}` : ''}`,
        }
      : {
          status: 'clean',
          unverified,
          findings,
          judged,
          summary: `no concerns in its ${words(judged)}${claim}${notIn}`,
        };
  const vulns = summariesOf(entries, 'vulnerabilities')[0];
  if (vulns) evidence.vulnerabilities = { path: vulns.entry.path, summary: vulns.summary };
  return { authenticity, policy, ...(coverage ? { coverage } : {}), ...release, evidence };
}

/** A policy that held, and what it showed: a rule over an empty list holds and shows nothing (docs/policy.md). */
function satisfiedPolicy(p: NonNullable<VerifyReport['policy']>, signerNotPinned: boolean): Assessment['policy'] {
  const { items, nothing } = policyShown(p);
  const why = (list: typeof nothing): string =>
    list
      .slice(0, 3)
      .map((x) => `${x.type} ${x.name}${x.why ? `: ${x.why}` : ''}`)
      .join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
  // Its signer rules show who signed only when they pin the signer.
  const signer = p.identity.status === 'pass' && !signerNotPinned;
  if (nothing.length === items && !signer)
    return {
      status: 'satisfied',
      shows: 'nothing',
      summary: `${p.policy.path} holds, but shows nothing: ${items === 0 ? 'it has no requirement, rule or cross-check' : `none of its ${plural(items, 'requirement, rule or cross-check', 'requirements, rules and cross-checks')} read evidence (${why(nothing)})`}`,
    };
  if (nothing.length > 0)
    return {
      status: 'satisfied',
      shows: 'partial',
      summary: `${p.policy.path} holds; ${nothing.length} of its ${plural(items, 'requirement, rule or cross-check', 'requirements, rules and cross-checks')} show nothing (${why(nothing)})`,
    };
  return { status: 'satisfied', shows: 'evidence', summary: `${p.policy.path} holds` };
}

/**
 * Whether the release artifacts asked about are among the bundle's subjects:
 * undefined when none was asked about. Not covered is not "not authentic":
 * the bundle may be genuine and about other files.
 */
function coverageOf(checks: readonly Check[]): Assessment['coverage'] {
  const asked = checks.filter((c) => c.id === 'subjects' && !c.skipped);
  if (asked.length === 0) return undefined;
  const files = asked.map((c) => ({
    file: c.path ?? '',
    status: c.ok
      ? ('covered' as const)
      : c.code === 'SUBJECT_NOT_CHECKED'
        ? ('not-checked' as const)
        : ('not-covered' as const),
    ...(c.ok || !c.code ? {} : { code: c.code }),
  }));
  const missing = files.filter((f) => f.status === 'not-covered');
  if (missing.length > 0) {
    return {
      status: 'not-covered',
      files,
      summary: `not covered: the bundle does not vouch for ${missing.map((f) => `${f.file}${f.code === 'SUBJECT_DIGEST_MISMATCH' ? ' (a subject has that name, but other bytes)' : ''}`).join(', ')}`,
    };
  }
  if (files.some((f) => f.status === 'not-checked'))
    return {
      status: 'not-checked',
      files,
      summary: 'not checked: there was no valid manifest to check the files against',
    };
  return {
    status: 'covered',
    files,
    summary: `covered: ${files.map((f) => f.file).join(', ')} ${files.length === 1 ? 'is a subject' : 'are subjects'} of the bundle`,
  };
}

function policyFailures(p: NonNullable<VerifyReport['policy']>): string {
  const reqs = p.requirements.filter((q) => q.status === 'fail').length;
  const rules = p.rules.filter((q) => q.status === 'fail' || q.status === 'error').map((r) => r.name);
  const cross = p.crossChecks.filter((q) => q.status === 'fail').length;
  const unchecked = p.crossChecks.filter((q) => q.status === 'not-checked').length;
  const what = [
    reqs ? `${plural(reqs, 'requirement')} unmet` : '',
    rules.length ? `${plural(rules.length, 'rule')} failed (${rules.join(', ')})` : '',
    cross ? `${plural(cross, 'cross-check')} failed` : '',
    unchecked ? `${plural(unchecked, 'cross-check')} could not be made` : '',
    p.identity.status === 'fail' ? 'the signer is not one the policy allows' : '',
  ].filter(Boolean);
  return what.length ? what.join('; ') : 'see the policy findings';
}

export interface Verdict {
  /** True only for an authentic bundle whose policy (if any) held and whose evidence raises no concern. */
  ok: boolean;
  /** pass (green), warn (amber: integrity only, or concerns in the evidence), fail (red). */
  tone: 'pass' | 'warn' | 'fail';
  /**
   * The headline: VERIFIED, VERIFIED WITH CONCERNS, INTEGRITY ONLY, SIGNER NOT PINNED (authentic, the identity asked
   * for matches anyone), POLICY SHOWS NOTHING (it held, every rule over no evidence), POLICY FAILED, NOT COVERED (an
   * artifact asked about is not a subject) or VERIFICATION FAILED.
   */
  word: string;
  /** One sentence saying why. */
  detail: string;
  /** The three answers, kept apart. */
  assessment: Assessment;
}

/** The headline for three answers. A policy failure is never called a verification failure. */
export function headline(a: Assessment): Verdict {
  const sentence = (parts: string[]): string => {
    const d = parts.join('; ');
    return `${d.charAt(0).toUpperCase()}${d.slice(1)}.`;
  };
  const authentic = { authentic: 'authentic', 'not-checked': 'authenticity not checked', failed: 'not authentic' }[
    a.authenticity.status
  ];
  const detail = sentence([
    `${authentic}: ${a.authenticity.summary}`,
    ...(a.coverage?.status === 'not-covered' ? [a.coverage.summary] : []),
    ...(a.release ? [`not this release's evidence: ${a.release.summary}`] : []),
    `policy: ${a.policy.summary}`,
    `evidence: ${a.evidence.status === 'concerns' ? `${a.evidence.findings.length} concern${a.evidence.findings.length === 1 ? '' : 's'}` : a.evidence.status === 'clean' ? 'no concerns' : a.evidence.status === 'nothing-to-judge' ? 'nothing to judge' : 'not assessed'}`,
  ]);
  if (a.authenticity.status === 'failed')
    return { ok: false, tone: 'fail', word: 'VERIFICATION FAILED', detail, assessment: a };
  // The release gate asked about a file the bundle is not about: a failure (exit 1), but not one of authenticity.
  if (a.coverage?.status === 'not-covered')
    return { ok: false, tone: 'fail', word: 'NOT COVERED', detail, assessment: a };
  // Fetched from a release it is not the evidence of: a failure (exit 1), but not one of authenticity either.
  if (a.release) return { ok: false, tone: 'fail', word: 'RELEASE MISMATCH', detail, assessment: a };
  if (a.policy.status === 'failed') return { ok: false, tone: 'fail', word: 'POLICY FAILED', detail, assessment: a };
  if (a.authenticity.status === 'not-checked')
    return { ok: false, tone: 'warn', word: 'INTEGRITY ONLY', detail, assessment: a };
  // Signed, but by whom the pattern asked for does not say: not a plain pass.
  if (a.authenticity.notPinned) return { ok: false, tone: 'warn', word: 'SIGNER NOT PINNED', detail, assessment: a };
  // The policy held on no evidence: it says nothing of this release, so neither may the headline.
  if (a.policy.shows === 'nothing')
    return { ok: false, tone: 'warn', word: 'POLICY SHOWS NOTHING', detail, assessment: a };
  // Authentic, and the policy (if any) held; the evidence answer (nothing to judge) is said beside it, not hidden.
  if (a.evidence.status === 'nothing-to-judge')
    return { ok: true, tone: 'pass', word: 'VERIFIED', detail, assessment: a };
  if (a.evidence.status !== 'clean')
    return { ok: false, tone: 'warn', word: 'VERIFIED WITH CONCERNS', detail, assessment: a };
  return { ok: true, tone: 'pass', word: 'VERIFIED', detail, assessment: a };
}

/**
 * What `evidence fetch` found wrong with the release a verified bundle came from (another release's bundle: RELEASE_,
 * PRODUCT_ or REPOSITORY_MISMATCH; NAME.intoto.jsonl not its envelope: INTOTO_MISMATCH; NAME.sigstore.jsonl not its
 * Sigstore bundle and standard statements: SIGSTORE_JSONL_MISMATCH), each a failed `release` check: the report's
 * verdict is `failed` and its headline RELEASE MISMATCH, so that no output (text, Markdown, HTML, OSCAL, JSON) says
 * verified beside a fetch that failed. The bundle's own authenticity is not in question, and is not said to be: what
 * gh and cosign would read beside it is not what it carries.
 */
export function failForReleaseProblems(
  report: VerifyReport,
  entries: readonly Entry[] | undefined,
  problems: readonly { code: string; message: string }[],
  /** The NAME.sigstore.jsonl a SIGSTORE_JSONL_MISMATCH is about (the check's path). */
  jsonl = '',
): void {
  if (problems.length === 0) return;
  for (const p of problems)
    report.checks.push({
      id: 'release',
      ok: false,
      code: p.code as Check['code'],
      message: p.message,
      ...(p.code === 'SIGSTORE_JSONL_MISMATCH' && jsonl ? { path: jsonl } : {}),
    });
  report.ok = false;
  report.verdict = 'failed';
  report.assessment = assess(report, entries);
}
