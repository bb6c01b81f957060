import { EvidenceError } from '../src/core/error.js';
import { CommanderError } from 'commander';
import { VerifyError } from '../src/verifier/errors.js';
import { SignError } from '../src/signer/errors.js';
import type { PeriodSummary } from '../src/verifier/period.js';
import type { AttestationSetReport, VerifyReport } from '../src/verifier/report.js';

/** The exit codes of every command. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** Verification failed: integrity or authenticity. */
  VerificationFailed: 1,
  /** Usage error, unreadable or invalid input, unreachable data source. */
  InvalidInput: 2,
  /** The bundle is authentic but the policy failed. */
  PolicyFailed: 3,
  /**
   * `diff --exit-code` only: both bundles were read intact and their evidence or subjects differ. Not 1, as git diff
   * says it: 1 is a bundle that failed its integrity check, which a gate must not take for a change.
   */
  Differs: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error of ours from one area, by the area's name (OciError, GitHubError):
 * so the one-file verifier, which shares this file, need not load the
 * transport's modules to ask.
 */
function isFrom(error: unknown, area: 'OciError' | 'GitHubError', code: string): boolean {
  return error instanceof EvidenceError && error.name === area && error.code === code;
}

/** The one place where an error becomes an exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  // Bytes from a registry that are not the ones their digest names: an integrity failure.
  if (isFrom(error, 'OciError', 'DIGEST_MISMATCH')) return ExitCode.VerificationFailed;
  // A release asset that is not the bytes GitHub lists, or that did not read back as uploaded.
  if (isFrom(error, 'GitHubError', 'ASSET_MISMATCH')) return ExitCode.VerificationFailed;
  // A file that holds no readable bundle: a verdict on the file, the same from verify and diff (inspect, which verifies
  // nothing, gives BUNDLE_UNREADABLE: exit 2).
  if (error instanceof VerifyError && error.code === 'BUNDLE_INVALID') return ExitCode.VerificationFailed;
  // A signed bundle that, read back before it would replace the input, does not verify: a verdict on what sign would
  // have written.
  if (error instanceof SignError && error.code === 'SIGNED_OUTPUT_INVALID') return ExitCode.VerificationFailed;
  // Every error of ours (one base class, a code per area) and commander's: input, usage, or a source that failed.
  if (error instanceof EvidenceError || error instanceof CommanderError) return ExitCode.InvalidInput;
  // Anything else is a bug of ours; it still must not look like success or a verdict.
  return ExitCode.InvalidInput;
}

/** A report's exit code: 1 when integrity or authenticity failed, 3 when only the policy did. */
export function exitCodeForVerdict(verdict: VerifyReport['verdict'], ok: boolean): ExitCode {
  if (verdict === 'policy-failed') return ExitCode.PolicyFailed;
  return ok ? ExitCode.Ok : ExitCode.VerificationFailed;
}

/** An answer without a policy (verify-attestation's report, fetch --subject-digest's): 0, else 1. */
export function exitCodeForOk(ok: boolean): ExitCode {
  return ok ? ExitCode.Ok : ExitCode.VerificationFailed;
}

/**
 * verify-attestation over JSON lines: a bundle that failed verification (1) outranks a line that held no bundle (2:
 * invalid input, the answer incomplete), which outranks an artifact not covered by the lines read.
 */
export function exitCodeForAttestationSet(verdict: AttestationSetReport['verdict']): ExitCode {
  return verdict === 'verified'
    ? ExitCode.Ok
    : verdict === 'incomplete'
      ? ExitCode.InvalidInput
      : ExitCode.VerificationFailed;
}

/** diff --exit-code: 4 when the releases differ, 0 when they do not (a bundle that is not intact was an error: 1). */
export function exitCodeForDiff(differs: boolean): ExitCode {
  return differs ? ExitCode.Differs : ExitCode.Ok;
}

/** fetch's verdict: a mismatch or a verification failure (1) outranks a policy failure (3); downloaded only is 0. */
export function exitCodeForFetch(verdict: NonNullable<VerifyReport['verdict']> | 'downloaded'): ExitCode {
  switch (verdict) {
    case 'failed':
      return ExitCode.VerificationFailed;
    case 'policy-failed':
      return ExitCode.PolicyFailed;
    case 'verified':
    case 'integrity-only':
    case 'downloaded':
      return ExitCode.Ok;
  }
}

/**
 * An audit period's verdict: the worst standing decides: not authentic (1),
 * then an audit that could not read a release or had none to read (2), then
 * the policy (3). A policy that held but showed nothing in some release is 0, as
 * verify's POLICY SHOWS NOTHING is: not a policy failure; the headline and the
 * `shows-nothing` verdict say it is no plain pass.
 */
export function exitCodeForPeriod(verdict: PeriodSummary['verdict']): ExitCode {
  switch (verdict) {
    case 'holds':
    case 'shows-nothing':
      return ExitCode.Ok;
    case 'not-authentic':
      return ExitCode.VerificationFailed;
    case 'incomplete':
    case 'empty':
      return ExitCode.InvalidInput;
    case 'policy-failed':
      return ExitCode.PolicyFailed;
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'INTERNAL_ERROR';
}

/** Options that do not fit together. */
export class UsageError extends EvidenceError<'USAGE'> {
  constructor(message: string) {
    super('UsageError', 'USAGE', message);
  }
}
