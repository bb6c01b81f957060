/**
 * The one redaction every client uses (GitHub, OCI registries, Prometheus,
 * Sigstore's services, TUF) before a server's words or a request's details
 * reach an error message, a log or a file: the secrets this run knows (tokens,
 * passwords, header values) and anything shaped like a credential.
 */

/**
 * Secrets shorter than this are not replaced by value (a 1-character password would blank every message); patterns
 * still apply.
 */
const MIN_SECRET = 4;

/** JWTs: three base64url parts, the first starting with '{"' (eyJ). */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/**
 * `Authorization: Bearer x`, `authorization=x`, `Basic x`, `token: x`, `"password": "x"`, `api_key=x`, `X-Api-Key: x`,
 * `Private-Token: x`.
 */
const LABELLED =
  /((?:proxy-)?authorization|bearer|basic|(?:private[-_]|access[-_]|refresh[-_]|id[-_]|auth[-_])?token|password|passwd|secret|client[-_]secret|api[-_]?key|x-api-key|cookie|set-cookie)(["']?\s*[:=]\s*["']?|\s+)(?!\[REDACTED\])(?:(?:bearer|basic|token)\s+)?[^\s,"';&]+/gi;
/** Query parameters that carry credentials: `?access_token=…`, `&sig=…`, `X-Amz-Signature=…`. */
const QUERY =
  /([?&](?:access_token|token|code|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|password|key)=)[^&#\s"']+/gi;
/** User information in URLs: `https://user:pass@host`. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi;
/** GitHub's token shapes, wherever they appear. */
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  const known = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET);
  // Longest first, so that a secret containing another is replaced whole.
  for (const s of known.sort((a, b) => b.length - a.length)) {
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')]))
      out = out.split(form).join('[REDACTED]');
  }
  return out
    .replace(JWT, '[REDACTED]')
    .replace(GITHUB_TOKEN, '[REDACTED]')
    .replace(USERINFO, '$1[REDACTED]@')
    .replace(QUERY, '$1[REDACTED]')
    .replace(LABELLED, '$1$2[REDACTED]');
}

/** The secrets in `Name: value` headers: each value, and its credential after an auth scheme. */
export function headerSecrets(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((v) => {
    const m = /^\s*(?:bearer|basic|token)\s+(\S+)\s*$/i.exec(v);
    return m ? [v, m[1] as string] : [v];
  });
}
