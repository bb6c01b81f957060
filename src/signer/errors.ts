import { EvidenceError } from '../core/error.js';
import { BundleError } from '../core/errors.js';
import { redactSecrets } from '../core/redact.js';
/**
 * Errors while signing: bad key or token, or a signing service that failed (exit 2); a signed output that would not
 * verify (exit 1).
 */
export type SignErrorCode =
  | 'IDENTITY_TOKEN_MISSING'
  | 'IDENTITY_TOKEN_INVALID'
  | 'IDENTITY_TOKEN_REQUEST_FAILED'
  | 'KEY_UNREADABLE'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'SIGNING_SERVICE_FAILED'
  /** A signing config that is not one (media type, fields). */
  | 'SIGNING_CONFIG_INVALID'
  /** A signing config this version cannot honour: no usable service, a selector it cannot meet, Rekor v2 without a TSA. */
  | 'SIGNING_CONFIG_UNSUPPORTED'
  /** No signing config where one was asked for (`--rekor-v2` before `trust-root update` fetched it). */
  | 'SIGNING_CONFIG_UNAVAILABLE'
  /** Archive timestamps for another Sigstore bundle than the one being renewed, or no timestamp authority to ask. */
  | 'RENEWAL_MISMATCH'
  /** The signed bundle, read back before it would replace the input, does not verify (exit 1). */
  | 'SIGNED_OUTPUT_INVALID';

export class SignError extends EvidenceError<SignErrorCode> {
  /**
   * No `cause` on purpose: sigstore's own errors can quote the identity token; what is useful from them is in the
   * message, redacted.
   */
  constructor(code: SignErrorCode, message: string) {
    super('SignError', code, message);
  }
}

/** Removes secrets from text that may reach a terminal, a log or a file (src/core/redact.ts). */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  return redactSecrets(text, secrets);
}

/** The bundle read is not the one whose tail was looked at: it changed (a rename, another run) meanwhile. */
export function bundleChanged(label: string): BundleError {
  return new BundleError(
    'BUNDLE_CHANGED_WHILE_SIGNING',
    `${label} changed while it was being signed; nothing was written (sign it again)`,
    { path: label },
  );
}
