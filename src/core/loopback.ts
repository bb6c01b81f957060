/**
 * The one rule for plain http: only to this machine. Every service evidence talks to (GitHub, an OCI registry, an
 * OpenID provider, Sigstore's services) is reached over https, or over http on loopback, where tests and local
 * services run.
 */

/** 127.0.0.1, localhost or [::1], as `URL.hostname` gives them. */
export function isLoopback(hostname: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}

/** https, or http on loopback. */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}
