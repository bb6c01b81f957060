import { OciError, quoteUntrusted } from './errors.js';

/**
 * A reference to content in an OCI registry, e.g.
 * `oci://registry.example.com:5000/team/app:1.4.2@sha256:…`. The registry is
 * always explicit: there is no default registry and no `library/` prefix.
 */
export interface OciReference {
  /** `host[:port]` (a bracketed IPv6 address is allowed as host). */
  registry: string;
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`; when both are given, the digest is what is fetched. */
  digest?: string;
}

export const OCI_SCHEME = 'oci://';

/** The only digest algorithm this client supports, in the form registries use. */
export const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
/** The distribution reference grammar (github.com/distribution/reference, regexp.go). */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`,
);
export const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** distribution's NameTotalLengthMax, applied to `registry/repository`. */
const NAME_MAX = 255;
/** Anything longer is not a reference; also bounds what an error message quotes. */
const REFERENCE_MAX = 1024;

/**
 * Where user-info (`user:pass@`) before the registry ends, or -1. The digest's
 * `@` is never followed by a `/`, and a password may hold `/` and `@`: so the
 * user-info is everything up to the last `@` that has a `/` after it (or up to
 * the last `@` when there is no `/` at all).
 */
function userInfoEnd(rest: string): number {
  let end = -1;
  for (let i = rest.indexOf('@'); i >= 0; i = rest.indexOf('@', i + 1)) if (rest.includes('/', i)) end = i;
  if (end < 0 && !rest.includes('/')) end = rest.lastIndexOf('@');
  return end;
}

function withoutScheme(text: string): string {
  return text.startsWith(OCI_SCHEME) ? text.slice(OCI_SCHEME.length) : text;
}

/** The reference as it may be shown: user-info before the registry is masked. */
function shown(text: string): string {
  const rest = withoutScheme(text);
  const end = userInfoEnd(rest);
  return quoteUntrusted(end < 0 ? text : `${text.slice(0, text.length - rest.length)}***@${rest.slice(end + 1)}`);
}

function invalid(text: string, why: string): OciError {
  return new OciError('REFERENCE_INVALID', `invalid OCI reference ${shown(text)}: ${why}`);
}

/** Why `registry` is not a usable `host[:port]`, or undefined when it is. */
export function registryProblem(registry: string): string | undefined {
  if (registry === '') return 'the registry is empty (expected oci://host[:port]/repository[:tag][@sha256:…])';
  if (!DOMAIN_RE.test(registry)) return `registry ${quoteUntrusted(registry)} is not a valid host[:port]`;
  const port = /:([0-9]+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `registry port ${port} is out of range`;
  if (!registry.includes('.') && !registry.includes(':') && registry !== 'localhost') {
    return `the first path component ${quoteUntrusted(registry)} is not a registry host: a registry must contain "." or ":" or be "localhost" (write e.g. oci://registry.example.com/${registry}/…)`;
  }
  return undefined;
}

/** Why `repository` is not a valid repository path, or undefined when it is. */
export function repositoryProblem(repository: string): string | undefined {
  if (repository === '') return 'the repository is missing (expected oci://host[:port]/repository[:tag][@sha256:…])';
  if (repository.length > NAME_MAX) return `the repository is longer than ${NAME_MAX} characters`;
  for (const component of repository.split('/')) {
    if (component === '') return 'the repository has an empty path component ("//" or a leading or trailing "/")';
    if (PATH_COMPONENT_RE.test(component)) continue;
    if (PATH_COMPONENT_RE.test(component.toLowerCase()))
      return `repository component ${quoteUntrusted(component)} must be lowercase`;
    return `repository component ${quoteUntrusted(component)} is not allowed: components are lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** Why `tag` is not a valid tag, or undefined when it is. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (!TAG_RE.test(tag))
    return `tag ${quoteUntrusted(tag)} is not valid: at most 128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`;
  return undefined;
}

/** Why `digest` is not a supported digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  if (SHA256_DIGEST_RE.test(digest)) return undefined;
  const alg = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):[a-zA-Z0-9=_-]+$/.exec(digest)?.[1];
  if (alg !== undefined && alg !== 'sha256')
    return `digest algorithm ${quoteUntrusted(alg)} is not supported: only sha256 digests are`;
  return `digest ${quoteUntrusted(digest)} is not valid: expected sha256: and 64 lowercase hex digits`;
}

/**
 * Parses `oci://host[:port]/path/repo[:tag][@sha256:hex]` (the `oci://` prefix
 * is optional). Throws OciError REFERENCE_INVALID saying what is wrong;
 * credentials in the reference are refused and never echoed.
 */
export function parseReference(text: string): OciReference {
  if (text.length > REFERENCE_MAX) throw invalid(text, `longer than ${REFERENCE_MAX} characters`);
  if (text.trim() === '') throw invalid(text, 'it is empty');
  if (/\s/.test(text)) throw invalid(text, 'it contains whitespace');
  let rest = text;
  if (rest.startsWith(OCI_SCHEME)) rest = rest.slice(OCI_SCHEME.length);
  else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rest)) throw invalid(text, 'only the oci:// scheme is supported');

  if (userInfoEnd(rest) >= 0) {
    throw invalid(
      text,
      'credentials in the reference are not allowed: use --registry-username/--registry-password-stdin or ~/.docker/config.json',
    );
  }
  const slash = rest.indexOf('/');
  const registry = slash < 0 ? rest : rest.slice(0, slash);
  if (slash < 0) {
    const problem = registryProblem(registry);
    throw invalid(
      text,
      problem ?? 'the repository is missing (expected oci://host[:port]/repository[:tag][@sha256:…])',
    );
  }
  const registryIssue = registryProblem(registry);
  if (registryIssue) throw invalid(text, registryIssue);

  let remainder = rest.slice(slash + 1);
  let digest: string | undefined;
  const at = remainder.indexOf('@');
  if (at >= 0) {
    digest = remainder.slice(at + 1);
    remainder = remainder.slice(0, at);
    const problem = digest.includes('@') ? 'more than one "@"' : digestProblem(digest);
    if (problem) throw invalid(text, problem);
  }
  let tag: string | undefined;
  const colon = remainder.lastIndexOf(':');
  if (colon >= 0) {
    tag = remainder.slice(colon + 1);
    remainder = remainder.slice(0, colon);
    const problem = tag.includes('/') ? 'a ":" inside the repository path' : tagProblem(tag);
    if (problem) throw invalid(text, problem);
  }
  const repoIssue = repositoryProblem(remainder);
  if (repoIssue) throw invalid(text, repoIssue);
  if (registry.length + 1 + remainder.length > NAME_MAX)
    throw invalid(text, `registry and repository together are longer than ${NAME_MAX} characters`);

  const ref: OciReference = { registry, repository: remainder };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The reference as text, `oci://host/repo[:tag][@digest]` (without `oci://` when `scheme` is false). */
export function formatReference(ref: OciReference, options: { scheme?: boolean } = {}): string {
  const base = `${options.scheme === false ? '' : OCI_SCHEME}${ref.registry}/${ref.repository}`;
  return `${base}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}
