import type { PredicateReading } from './attestation-predicate.js';
import type { AttestationEvidence, AttestationReport, AttestationSetReport, StatedFinding } from './report.js';

/**
 * verify-attestation's evidence answer: what a verified statement states, kept apart from whether it verified, as
 * verify keeps a bundle's evidence answer apart from its authenticity. A statement whose signature verifies and whose
 * subject is the artifact may state a failing test result or a scan's critical findings: the headline is then VERIFIED
 * WITH CONCERNS (exit 0, as verify's; a gate reads `evidence.status`), never a plain VERIFIED.
 */

const STATUS: Record<PredicateReading['judged'], AttestationEvidence['status']> = {
  clean: 'clean',
  concerns: 'concerns',
  'nothing-to-judge': 'nothing-to-judge',
  'not-read': 'unknown',
};

/** A reading's evidence status. */
export const statedStatus = (reading: PredicateReading): AttestationEvidence['status'] => STATUS[reading.judged];

const counted = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
const findingWords = (f: StatedFinding): string =>
  `${f.line !== undefined ? `line ${f.line}: ` : ''}${f.path ? `${f.path}: ` : ''}${f.message}`;

/** The answer when no statement was read: why (it did not verify, or is not about the artifact). */
export const notAssessed = (why: string): AttestationEvidence => ({
  status: 'unknown',
  findings: [],
  summary: `not assessed: ${why}`,
});

/** What one verified statement that covers the artifact states. */
export function statedEvidence(reading: PredicateReading): AttestationEvidence {
  const status = statedStatus(reading);
  const { findings, says } = reading;
  const summary = {
    concerns: `${counted(findings.length, 'concern')}: ${findings.map(findingWords).join('; ')}`,
    clean: `no concerns in what it states: ${says}`,
    'nothing-to-judge': `nothing to judge: ${says}`,
    unknown: `not assessed: ${says}`,
  }[status];
  return { status, findings, summary };
}

/**
 * What the verified statements of a `.jsonl` that cover the artifacts asked about state: every concern, by line.
 * `clean` when one was judged and none raises a concern (the summary counts those not read); `unknown` when none was
 * read.
 */
export function statedEvidenceOf(statements: { line: number; reading: PredicateReading }[]): AttestationEvidence {
  if (statements.length === 0) return notAssessed('no verified statement covers an artifact asked about');
  const findings = statements.flatMap((s) => s.reading.findings.map((f) => ({ line: s.line, ...f })));
  const count = (j: PredicateReading['judged']): number => statements.filter((s) => s.reading.judged === j).length;
  const notRead = count('not-read');
  const unread = notRead
    ? `; ${counted(notRead, 'statement')} not read (what ${notRead === 1 ? 'it states' : 'they state'} is not checked)`
    : '';
  if (findings.length)
    return {
      status: 'concerns',
      findings,
      summary: `${counted(findings.length, 'concern')}: ${findings.map(findingWords).join('; ')}${unread}`,
    };
  if (count('clean'))
    return {
      status: 'clean',
      findings,
      summary: `no concerns in what ${counted(count('clean'), 'statement')} state${unread}`,
    };
  if (count('nothing-to-judge'))
    return {
      status: 'nothing-to-judge',
      findings,
      summary: `nothing to judge: no statement read states a result${unread}`,
    };
  return notAssessed(
    `${counted(notRead, 'statement')} not read: what ${notRead === 1 ? 'it states' : 'they state'} is not checked`,
  );
}

/**
 * The headline of a verify-attestation report, in verify's words: FAILED (exit 1), INCOMPLETE (a line not checked,
 * exit 2), VERIFIED WITH CONCERNS (verified, and a statement states a failing result: exit 0, as verify's), VERIFIED.
 */
export function attestationHeadline(r: Pick<AttestationReport, 'ok' | 'evidence'> | AttestationSetReport): string {
  const verdict = 'verdict' in r ? r.verdict : r.ok ? 'verified' : 'failed';
  if (verdict === 'failed') return 'FAILED';
  if (verdict === 'incomplete') return 'INCOMPLETE';
  return r.evidence.status === 'concerns' ? 'VERIFIED WITH CONCERNS' : 'VERIFIED';
}
