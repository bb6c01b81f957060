import { EvidenceError } from '../../core/error.js';
import { redactSecrets } from '../../core/redact.js';
/**
 * Errors of the OCI registry client: bad references, registries that refuse,
 * fail or answer with something other than what was asked for.
 *
 * Messages name the registry, repository and reference involved and never
 * carry a secret (password, token, Authorization header): registry-supplied
 * text goes through `scrubSecrets` before it is quoted.
 */
export type OciErrorCode =
  | 'REFERENCE_INVALID'
  | 'DESCRIPTOR_INVALID'
  | 'REGISTRY_UNREACHABLE'
  /** An HTTPS request met a server that answers in plain HTTP (a local registry): --plain-http is what was meant. */
  | 'REGISTRY_PLAIN_HTTP'
  | 'REGISTRY_AUTH_FAILED'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_RESPONSE_INVALID'
  | 'DIGEST_MISMATCH'
  | 'CREDENTIALS_INVALID'
  /** The artifact found is not what was asked for (not an evidence bundle, no evidence for an image). */
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_INVALID'
  /** Pushing would give an image more referrers than its consumers read (Kyverno: 50). */
  | 'REFERRERS_LIMIT'
  /**
   * The registry refused a whole-blob PATCH (no Content-Range) before taking any byte: push uploads in chunks instead.
   */
  | 'STREAM_UPLOAD_REFUSED';

export interface OciErrorDetails {
  /** `host[:port]` */
  registry?: string;
  repository?: string;
  /** HTTP status of the response that failed. */
  status?: number;
  /** Error codes from the registry's `{errors: [{code}]}` body, when it sent one. */
  registryCodes?: string[];
  /** For DIGEST_MISMATCH: what was asked for and what arrived (`sha256:…`, or a size in bytes). */
  expected?: string;
  found?: string;
  algorithm?: 'sha256';
  /** Only network-level causes (never an HTTP response, which may quote a secret). */
  cause?: unknown;
}

export class OciError extends EvidenceError<OciErrorCode> {
  readonly registry?: string;
  readonly repository?: string;
  readonly status?: number;
  readonly registryCodes?: string[];
  readonly expected?: string;
  readonly found?: string;
  readonly algorithm?: 'sha256';

  constructor(code: OciErrorCode, message: string, details: OciErrorDetails = {}) {
    super('OciError', code, message, details.cause);
    if (details.registry !== undefined) this.registry = details.registry;
    if (details.repository !== undefined) this.repository = details.repository;
    if (details.status !== undefined) this.status = details.status;
    if (details.registryCodes !== undefined) this.registryCodes = details.registryCodes;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.found !== undefined) this.found = details.found;
    if (details.algorithm !== undefined) this.algorithm = details.algorithm;
  }
}

/**
 * Whether a failed connection is a TLS handshake that met a plain-HTTP
 * server: OpenSSL reads the server's "HTTP/1.1 400" as a TLS record and
 * calls it a wrong version number (or, for some servers, a packet length
 * too long). Looks through `cause`s, as fetch wraps the socket's error.
 */
export function tlsMetPlainHttp(err: unknown): boolean {
  for (
    let e = err, depth = 0;
    e !== null && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return true;
    if (typeof message === 'string' && /wrong version number|packet length too long/i.test(message)) return true;
  }
  return false;
}

/** Secrets shorter than this are not replaced: a 1-character password would blank every message. */
const MIN_SECRET = 4;

/**
 * Replaces every known secret in `text` with `[REDACTED]`, and drops control
 * characters (text quoted from a registry must not rewrite a terminal line).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const redacted = redactSecrets(
    text,
    [...secrets].filter((s) => s.length >= MIN_SECRET),
  );
  // eslint-disable-next-line no-control-regex -- control characters are what is dropped
  return redacted.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Quotes untrusted text for a message: control characters escaped, at most `max` characters. */
export function quoteUntrusted(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
