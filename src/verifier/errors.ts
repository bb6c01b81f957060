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
  | 'SUBJECT_NOT_FOUND'
  | 'SUBJECT_UNREADABLE'
  | 'EXTRACT_TARGET_EXISTS'
  | 'EXTRACT_WRITE_FAILED'
  | 'ATTESTATION_NOT_FOUND'
  | 'ATTESTATION_UNREADABLE'
  | 'ARTIFACT_NOT_FOUND'
  | 'TRUSTED_ROOT_NOT_FOUND'
  | 'TRUSTED_ROOT_INVALID'
  | 'KEY_NOT_FOUND'
  | 'KEY_REQUIRED'
  | 'IDENTITY_POLICY_REQUIRED'
  | 'INVALID_OPTION'
  | 'TRUST_ROOT_UPDATE_FAILED';

export class VerifyError extends EvidenceError<VerifyErrorCode> {
  readonly path?: string;
  constructor(code: VerifyErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super('VerifyError', code, message, options.cause);
    if (options.path !== undefined) this.path = options.path;
  }
}

/**
 * The one line `inspect`, `verify` and `diff` give for a file that holds no
 * readable evidence bundle (not gzip, not tar, no manifest): a verdict on the
 * file, so exit 1 from every command (cli/exit-codes.ts).
 */
export function notABundle(label: string, reasons: readonly string[]): VerifyError {
  return new VerifyError('BUNDLE_INVALID', `${label}: not a readable evidence bundle (${reasons.join('; ') || 'no manifest'})`, { path: label });
}
