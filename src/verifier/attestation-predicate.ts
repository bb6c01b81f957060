import { EVIDENCE_PREDICATE_TYPE } from '../core/predicate.js';
import type { Check, StatedFinding } from './report.js';
import {
  RELEASE_PREDICATE_TYPE,
  TEST_RESULT_PREDICATE_TYPE,
  VSA_PREDICATE_TYPE,
  VULNS_PREDICATE_TYPE,
} from '../formats/standard-statements.js';
import { evidenceFindings, JUDGED_KINDS } from './assessment.js';
import { hollowWhy } from './policy/hollow.js';
import { readSummary } from '../core/summaries.js';

/**
 * What a verified statement's predicate says of itself, for `verify-attestation`. A signature that verifies and a
 * subject that matches say who stated something about the artifact, not what: a SLSA VSA whose verificationResult is
 * FAILED is as well signed as one that PASSED, and a bundle's evidence statement names its release, which need not be
 * the one the artifact was shipped as. So the predicate types whose claims a release gate acts on are read here, and
 * for every other type the report says its predicate was not read.
 */
export interface PredicateReading {
  /** False only when the predicate itself says the verification it summarises did not pass (a VSA not PASSED). */
  ok: boolean;
  /** Set exactly when ok is false. */
  code?: 'VSA_NOT_PASSED';
  /** What it states, in words (or that it was not read). */
  says: string;
  /** The release it is evidence of (the evidence predicate), when it names one. */
  release?: { name: string; version: string; manifestDigest?: string };
  /**
   * What it states, judged as `verify` judges a bundle's evidence (assessment.ts): `concerns` (see findings: a failing
   * test result, a scan's critical or high findings, the concerns of an evidence statement's entries, a VSA not
   * PASSED), `clean` (a result was read and raises none), `nothing-to-judge` (it states no result: a release, or an
   * evidence statement of none of the judged kinds), `not-read` (a predicate type not read here).
   */
  judged: 'clean' | 'concerns' | 'nothing-to-judge' | 'not-read';
  findings: StatedFinding[];
}

const VSA_PREFIX = 'https://slsa.dev/verification_summary/';

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The failed check of a statement whose predicate says the verification it summarises did not pass (a VSA not
 * PASSED), or undefined: one rule for a single bundle and for each line of a `.jsonl`. `where` prefixes the message.
 */
export function predicateFailure(reading: PredicateReading, where = ''): Check | undefined {
  return reading.code && { id: 'predicate', ok: false, code: reading.code, message: `${where}${reading.says}` };
}

/** A reading from what it says and the concerns it raises: `concerns` when there is one, else `clean`. */
const judge = (says: string, findings: StatedFinding[], more: Partial<PredicateReading> = {}): PredicateReading => ({
  ok: true,
  says,
  judged: findings.length ? 'concerns' : 'clean',
  findings,
  ...more,
});

/** The predicate of a statement whose signature verified, as a gate would read it. */
export function readPredicate(predicateType: string, predicate: unknown): PredicateReading {
  const p = record(predicate) ?? {};
  // Every version of the SLSA VSA (v0.1 and v0.2 spell its result verification_result): a gate reads any of them.
  if (predicateType === VSA_PREDICATE_TYPE || predicateType.startsWith(VSA_PREFIX)) {
    const result = p.verificationResult ?? p.verification_result;
    const verifier = text(record(p.verifier)?.id) ?? 'a verifier it does not name';
    const policy = record(p.policy);
    const against = text(policy?.uri) ?? text(policy?.name) ?? 'a policy it does not name';
    const levels = Array.isArray(p.verifiedLevels) ? p.verifiedLevels.filter((l) => typeof l === 'string') : [];
    const what = `${text(p.resourceUri) ?? 'its subject'} against ${against}, by ${verifier}${text(p.timeVerified) ? ` at ${p.timeVerified as string}` : ''}`;
    if (result === 'PASSED')
      return judge(`the VSA says PASSED: ${what}${levels.length ? ` (${levels.join(', ')})` : ''}`, []);
    const says = `the VSA says ${typeof result === 'string' ? JSON.stringify(result).slice(0, 40) : 'no verificationResult'}, not PASSED: ${what}`;
    return {
      ...judge(says, [{ code: 'VSA_NOT_PASSED', kind: 'vsa', message: says }]),
      ok: false,
      code: 'VSA_NOT_PASSED',
    };
  }
  if (predicateType === EVIDENCE_PREDICATE_TYPE) {
    const b = record(p.bundle);
    const name = text(b?.name);
    const version = text(b?.version);
    const entries = statedEntries(p.entries);
    const findings = evidenceFindings(entries);
    // As verify judges a bundle: only the judged kinds whose entries hold something say whether there is a concern. An
    // entry of a judged kind whose summary does not read (another evidence's shape) was not judged: never `clean`.
    const ofJudgedKinds = entries.filter((e) => Object.hasOwn(JUDGED_KINDS, e.kind));
    const reads = ofJudgedKinds.map((e) => ({ e, read: readSummary(e) !== undefined }));
    const unread = reads.filter((x) => !x.read).map((x) => x.e.path);
    const judged = reads.some((x) => x.read && hollowWhy(x.e) === undefined);
    const more = {
      judged: findings.length ? 'concerns' : unread.length ? 'not-read' : judged ? 'clean' : 'nothing-to-judge',
    } as const;
    const notRead = unread.length
      ? `; ${unread.length} of its entries' summaries do not read, so they were not judged (${unread.slice(0, 3).join(', ')}${unread.length > 3 ? ', …' : ''})`
      : '';
    if (name && version) {
      const manifestDigest = text(b?.manifestDigest);
      return judge(
        `it is the evidence of ${name} ${version}${manifestDigest ? ` (manifest ${manifestDigest})` : ''}${notRead}`,
        findings,
        { ...more, release: { name, version, ...(manifestDigest ? { manifestDigest } : {}) } },
      );
    }
    return judge(`it names no release (no bundle name and version in its predicate)${notRead}`, findings, more);
  }
  if (predicateType === RELEASE_PREDICATE_TYPE) {
    const named = text(p.purl) ?? text(p.releaseId);
    return judge(named ? `it is the release ${named}` : 'it names no release (no purl or releaseId)', [], {
      judged: 'nothing-to-judge',
    });
  }
  if (predicateType === TEST_RESULT_PREDICATE_TYPE) return testResult(p);
  if (predicateType === VULNS_PREDICATE_TYPE) return vulnsResult(p);
  return {
    ok: true,
    says: 'its predicate was not read: what it states is not checked',
    judged: 'not-read',
    findings: [],
  };
}

/** An evidence predicate's entries as evidenceFindings reads them (each summary is read by its kind, never trusted). */
function statedEntries(v: unknown): { path: string; kind: string; summary?: unknown }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((e) => {
    const r = record(e);
    const path = text(r?.path);
    const kind = text(r?.kind);
    return r && path && kind ? [{ path, kind, summary: r.summary }] : [];
  });
}

/** The first of a list of test names, for a message. */
function some(names: unknown): string {
  const list = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  if (!list.length) return '';
  const shown = list.slice(0, 3).map((n) => n.slice(0, 80));
  return `: ${shown.join(', ')}${list.length > shown.length ? ` and ${list.length - shown.length} more` : ''}`;
}

/**
 * test-result v0.1: PASSED raises no concern; FAILED is TESTS_FAILED (as failing tests in a bundle are); WARNED,
 * which `sign` writes when no test ran, is TESTS_WARNED; no result, or one the predicate does not define, is
 * TESTS_NONE: it shows no test passed.
 */
function testResult(p: Record<string, unknown>): PredicateReading {
  const result = text(p.result)?.slice(0, 40);
  const configuration = Array.isArray(p.configuration) ? record(p.configuration[0]) : undefined;
  const where = { kind: 'test-result', ...(text(configuration?.name) ? { path: text(configuration?.name) } : {}) };
  const says = result ? `the test result it states is ${result}` : 'it states no test result';
  if (result === 'PASSED') return judge(says, []);
  if (result === 'FAILED')
    return judge(says, [{ code: 'TESTS_FAILED', ...where, message: `${says}${some(p.failedTests)}` }]);
  if (result === 'WARNED')
    return judge(says, [{ code: 'TESTS_WARNED', ...where, message: `${says}, not PASSED${some(p.warnedTests)}` }]);
  return judge(says, [
    { code: 'TESTS_NONE', ...where, message: `${says}: none of PASSED, WARNED, FAILED, so it shows no test passed` },
  ]);
}

const SEVERITY_WORDS = ['critical', 'high', 'medium', 'low'] as const;
type Severity = (typeof SEVERITY_WORDS)[number] | 'unknown';

/** One rating's rank in SEVERITY_WORDS: a word (`moderate` is medium) or a CVSS-like score from 0 to 10; -1 if neither. */
function rankOf(score: unknown): number {
  const word = typeof score === 'string' ? score.trim().toLowerCase() : '';
  const n = typeof score === 'number' ? score : /^\d+(\.\d+)?$/.test(word) ? Number(word) : NaN;
  if (n >= 0 && n <= 10) return n >= 9 ? 0 : n >= 7 ? 1 : n >= 4 ? 2 : n > 0 ? 3 : -1;
  return (SEVERITY_WORDS as readonly string[]).indexOf(word === 'moderate' ? 'medium' : word);
}

/** One vulns v0.2 result's severity: the most severe of its ratings; `unknown` when none reads. */
function severityOf(ratings: unknown): Severity {
  let rank: number = SEVERITY_WORDS.length;
  for (const r of Array.isArray(ratings) ? ratings : []) {
    const i = rankOf(record(r)?.score);
    if (i >= 0 && i < rank) rank = i;
  }
  return (SEVERITY_WORDS as readonly Severity[])[rank] ?? 'unknown';
}

/**
 * vulns v0.2: a scan's findings by severity. Its critical and high findings are concerns (FINDINGS_CRITICAL,
 * FINDINGS_HIGH), as open ones are in a bundle; a vulns statement carries no VEX, so none is said to be handled.
 */
function vulnsResult(p: Record<string, unknown>): PredicateReading {
  const scanner = record(p.scanner);
  const results = Array.isArray(scanner?.result) ? scanner.result : [];
  const by: Record<Severity, string[]> = { critical: [], high: [], medium: [], low: [], unknown: [] };
  for (const r of results) by[severityOf(record(r)?.severity)].push(text(record(r)?.id)?.slice(0, 80) ?? 'unnamed');
  const counts = (Object.keys(by) as Severity[]).map((k) => `${by[k].length} ${k}`).join(', ');
  const says = `the scan it states found ${results.length} vulnerabilit${results.length === 1 ? 'y' : 'ies'} (${counts})`;
  const unhandled = '; a vulns statement carries no VEX, so none is said to be handled';
  const findings: StatedFinding[] = [];
  const add = (code: 'FINDINGS_CRITICAL' | 'FINDINGS_HIGH', sev: 'critical' | 'high', words: string): void => {
    const n = by[sev].length;
    if (n)
      findings.push({ code, kind: 'vulns', message: `${n} ${words}${n === 1 ? '' : 's'}${some(by[sev])}${unhandled}` });
  };
  add('FINDINGS_CRITICAL', 'critical', 'critical finding');
  add('FINDINGS_HIGH', 'high', 'high-severity finding');
  return judge(says, findings);
}
