/** Errors while signing: bad key or token, or a signing service that failed. All exit 2. */
export type SignErrorCode =
  | 'IDENTITY_TOKEN_MISSING'
  | 'IDENTITY_TOKEN_INVALID'
  | 'IDENTITY_TOKEN_REQUEST_FAILED'
  | 'KEY_UNREADABLE'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'SIGNING_SERVICE_FAILED'
  | 'BUNDLE_NOT_VERIFIED';

export class SignError extends Error {
  readonly code: SignErrorCode;
  /** No `cause` on purpose: sigstore's own errors can quote the identity token; what is useful from them is in the message, redacted. */
  constructor(code: SignErrorCode, message: string) {
    super(message);
    this.name = 'SignError';
    this.code = code;
  }
}

/** JWTs (three base64url parts, the first starting with '{"' → "eyJ"). */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(authorization|bearer)([:=\s]+)[^\s,"']+/gi;

/** Removes secrets from text that may reach a terminal, a log or a file. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[REDACTED]');
  return out.replace(JWT, '[REDACTED]').replace(BEARER, '$1$2[REDACTED]');
}
