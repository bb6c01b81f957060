import { EvidenceError } from '../core/error.js';
/**
 * Errors that stop verification before it starts: the bundle or an artifact
 * cannot be opened, or an option is wrong (exit 2). A bundle that is read and
 * found wanting is not an error: it is a report with failed checks (exit 1).
 */
export type VerifyErrorCode =
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_UNREADABLE'
  | 'BUNDLE_INVALID'
  /** Larger than the reader was told to read (--max-bundle-size): not checked at all, so neither verified nor failed. */
  | 'BUNDLE_TOO_LARGE'
  | 'SUBJECT_NOT_FOUND'
  | 'SUBJECT_UNREADABLE'
  | 'EXTRACT_TARGET_EXISTS'
  | 'EXTRACT_WRITE_FAILED'
  /** An entry of the bundle would be extract's record of how it was checked (EXTRACTED-FROM.json), or lie below it. */
  | 'EXTRACT_RECORD_NAME_TAKEN'
  | 'ATTESTATION_NOT_FOUND'
  | 'ATTESTATION_UNREADABLE'
  /**
   * JSON that is no Sigstore bundle, given to verify-attestation or beside a bundle (--attestation); a bundle's own
   * member, or one a source delivered (fetch's NAME.sigstore.json and --subject-digest's lines), is a failed check
   * instead. audit and index throw it for an attestation GitHub's API returned for a release: the release's failed
   * verification (not authentic, rejected), never input refused.
   */
  | 'ATTESTATION_MALFORMED'
  | 'ARTIFACT_NOT_FOUND'
  | 'TRUSTED_ROOT_NOT_FOUND'
  | 'TRUSTED_ROOT_INVALID'
  | 'KEY_NOT_FOUND'
  | 'KEY_REQUIRED'
  | 'IDENTITY_POLICY_REQUIRED'
  | 'INVALID_OPTION'
  | 'TRUST_ROOT_UPDATE_FAILED'
  /** trust-root update from another TUF repository (or TUF root) without -o. */
  | 'TRUST_ROOT_OUTPUT_REQUIRED';

export class VerifyError extends EvidenceError<VerifyErrorCode> {
  readonly path?: string;
  /**
   * What is true of the bundle, without advice on options: what reports (HTML, OSCAL, an audit's reasons) say where
   * `message` tells a user what to type.
   */
  readonly finding?: string;
  constructor(
    code: VerifyErrorCode,
    message: string,
    options: { path?: string; cause?: unknown; finding?: string } = {},
  ) {
    super('VerifyError', code, message, options.cause);
    if (options.path !== undefined) this.path = options.path;
    if (options.finding !== undefined) this.finding = options.finding;
  }
}

/** An error as a report states it: its finding when it has one (a reason is a finding, not command-line advice). */
export function findingOf(e: { message: string; finding?: string }): string {
  return e.finding ?? e.message;
}

/**
 * The one line `inspect`, `verify` and `diff` give for a file that holds no
 * readable evidence bundle (not gzip, not tar, no manifest). From verify and
 * diff, which check the bundle, it is a verdict on the file: BUNDLE_INVALID,
 * exit 1. inspect verifies nothing, so it has no verdict to give: the file is
 * input it cannot read, BUNDLE_UNREADABLE, exit 2 (cli/exit-codes.ts).
 */
export function notABundle(
  label: string,
  reasons: readonly string[],
  code: 'BUNDLE_INVALID' | 'BUNDLE_UNREADABLE' = 'BUNDLE_INVALID',
): VerifyError {
  return new VerifyError(code, `${label}: not a readable evidence bundle (${reasons.join('; ') || 'no manifest'})`, {
    path: label,
  });
}
