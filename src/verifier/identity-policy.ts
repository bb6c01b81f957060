import { RE2JS } from '@bufbuild/re2';
import type { ObjectIdentifierValuePair } from '@sigstore/protobuf-specs';

/** Who may have signed, with cosign's and gh attestation's option names. */
export interface IdentityPolicy {
  certificateIdentity?: string;
  /** Always anchored: the whole identity must match. */
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  /**
   * GitHub: `owner/repo/.github/workflows/release.yml` or its https URL; matched against the Build Signer URI without
   * its @ref.
   */
  signerWorkflow?: string;
  /** GitHub: `owner/repo` or its https URL. */
  sourceRepository?: string;
  /** GitHub: e.g. `refs/tags/v1.2.3`. */
  sourceRef?: string;
}

/**
 * Enough to name a signer, as cosign requires: who (identity, identity regexp,
 * GitHub workflow or repository) and which issuer vouched for it. A ref or an
 * issuer alone would let any workflow anywhere pass.
 */
export function hasIdentityConstraint(p: IdentityPolicy): boolean {
  const set = (v: string | undefined): boolean => typeof v === 'string' && v.length > 0;
  const who =
    set(p.certificateIdentity) || set(p.certificateIdentityRegexp) || set(p.signerWorkflow) || set(p.sourceRepository);
  const issuer = set(p.certificateOidcIssuer) || set(p.certificateOidcIssuerRegexp);
  return who && issuer;
}

/**
 * Signers nobody means when they name one: unrelated GitHub workflows (a branch's, a release tag's), a GitLab
 * pipeline, e-mail addresses (one at a public provider). An identity pattern that matches one of them lets anyone of
 * that kind sign (`.*`, `.*@refs/tags/.*`, `.*@gmail\.com`), so a check against it does not say who signed.
 */
const UNPINNED_PROBES = [
  'https://github.com/zz-unnamed-owner/zz-repo/.github/workflows/zz.yml@refs/heads/zz',
  'https://github.com/zz-unnamed-owner/zz-repo/.github/workflows/release.yml@refs/tags/v1.0.0',
  'https://gitlab.com/zz-unnamed-group/zz-project//.gitlab-ci.yml@refs/heads/zz',
  'zz-unnamed-person@example.invalid',
  'zz-unnamed-person@gmail.com',
];
const UNPINNED_ISSUER = 'https://zz-unnamed-issuer.example.invalid';
/**
 * A code forge's identity URL: pinned only when the pattern's literal start names the owner, up to its slash (an
 * organisation's index pins `https://github.com/acme/`; `https://github.com/acme` would let `acme-evil` sign too).
 */
const FORGE = /^https:\/\/(github|gitlab)\.com\//;
const FORGE_OWNER = /^https:\/\/(github|gitlab)\.com\/[^/]+\//;

/**
 * The text every match of a pattern begins with: its literal characters up to the first that is not certain (a
 * metacharacter, a class, a quantified character); none for a pattern with an alternation.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let out = '';
  const quantified = (at: number): boolean => /[*+?{]/.test(pattern[at] ?? '');
  for (let i = pattern.startsWith('^') ? 1 : 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      // An escaped punctuation mark is itself; \d, \w, \S and the like are classes.
      if (!/^[^A-Za-z0-9]$/.test(next) || quantified(i + 2)) break;
      out += next;
      i++;
      continue;
    }
    if (/[.[\](){}*+?^$]/.test(c) || quantified(i + 1)) break;
    out += c;
  }
  return out;
}

/**
 * Why the signer is not pinned by `p`, or undefined when it is: an exact identity, a GitHub workflow or repository, or
 * a pattern that names a forge's owner (FORGE_OWNER) and matches none of UNPINNED_PROBES; and an issuer exact, or a
 * pattern that does not match any issuer.
 */
export function identityNotPinned(p: IdentityPolicy): string | undefined {
  if (p.certificateOidcIssuer === undefined && p.certificateOidcIssuerRegexp !== undefined) {
    const issuer = safeAnchored(p.certificateOidcIssuerRegexp);
    if (issuer?.test(UNPINNED_ISSUER))
      return `the issuer pattern ${p.certificateOidcIssuerRegexp} matches any issuer, so it does not say who vouched for the signer`;
  }
  if (p.certificateIdentity || p.signerWorkflow || p.sourceRepository || !p.certificateIdentityRegexp) return undefined;
  const pattern = p.certificateIdentityRegexp;
  const re = safeAnchored(pattern);
  if (!re) return undefined; // a pattern that does not compile matched nothing: the check failed already
  const start = literalPrefix(pattern);
  if (FORGE.test(start) && !FORGE_OWNER.test(start))
    return `the identity pattern ${pattern} names no owner (every match begins only ${start}), so anyone's workflow there would match`;
  const probe = UNPINNED_PROBES.find((s) => re.test(s));
  return probe === undefined
    ? undefined
    : `the identity pattern ${pattern} also matches signers nobody named (${probe}), so it does not say who signed`;
}

/**
 * Why none of the policy's allowed signers that matched pins the signer, or undefined when one does. Called with none
 * only for a signer no policy signer allows, whose identity check has failed already (IDENTITY_MISMATCH): there is no
 * authentic signer to call pinned or not.
 */
export function signersNotPinned(matching: readonly AllowedSigner[]): string | undefined {
  const reasons = matching.map((s) =>
    identityNotPinned({
      ...(s.subject !== undefined ? { certificateIdentity: s.subject } : {}),
      ...(s.subjectRegexp !== undefined ? { certificateIdentityRegexp: s.subjectRegexp } : {}),
      ...(s.issuer !== undefined ? { certificateOidcIssuer: s.issuer } : {}),
      ...(s.issuerRegexp !== undefined ? { certificateOidcIssuerRegexp: s.issuerRegexp } : {}),
    }),
  );
  return reasons.length > 0 && reasons.every((r) => r !== undefined)
    ? `the policy's signers: ${reasons[0]}`
    : undefined;
}

function safeAnchored(pattern: string): { test(value: string): boolean } | undefined {
  try {
    return anchored(pattern);
  } catch {
    return undefined;
  }
}

/** Fulcio's certificate extensions (sigstore/fulcio docs/oid-info.md). */
export const FULCIO_OIDS = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;
export type FulcioClaim = keyof typeof FULCIO_OIDS;

/**
 * The Fulcio claims of a certificate, by name. The v2 extensions (1.8 and up)
 * hold a DER UTF8String; the legacy ones (1.1–1.6) the raw string.
 */
export function fulcioClaims(oids: readonly ObjectIdentifierValuePair[] = []): Partial<Record<FulcioClaim, string>> {
  const byOid = new Map(oids.map((o) => [o.oid?.id.join('.') ?? '', Buffer.from(o.value)]));
  const out: Partial<Record<FulcioClaim, string>> = {};
  for (const [name, oid] of Object.entries(FULCIO_OIDS) as [FulcioClaim, string][]) {
    const value = byOid.get(oid);
    if (!value) continue;
    const text = name === 'issuerV1' ? value.toString('utf8') : derUtf8String(value);
    if (text !== undefined) out[name] = text;
  }
  return out;
}

function derUtf8String(der: Buffer): string | undefined {
  if (der[0] !== 0x0c || der.length < 2) return undefined;
  let len = der[1] as number;
  let at = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2 || der.length < 2 + n) return undefined;
    len = n === 1 ? (der[2] as number) : der.readUInt16BE(2);
    at = 2 + n;
  }
  if (der.length !== at + len) return undefined;
  return der.subarray(at).toString('utf8');
}

export interface SignerIdentity {
  identity: string;
  issuer: string;
  claims: Partial<Record<FulcioClaim, string>>;
}

export interface PolicyFailure {
  code:
    | 'IDENTITY_MISMATCH'
    | 'ISSUER_MISMATCH'
    | 'WORKFLOW_MISMATCH'
    | 'SOURCE_REPOSITORY_MISMATCH'
    | 'SOURCE_REF_MISMATCH';
  message: string;
  expected: string;
  found: string;
}

/** Every way the signer differs from the policy (not only the first). */
export function checkIdentity(signer: SignerIdentity, policy: IdentityPolicy): PolicyFailure[] {
  const out: PolicyFailure[] = [];
  const test = (
    code: PolicyFailure['code'],
    what: string,
    found: string | undefined,
    exact?: string,
    regexp?: string,
  ): void => {
    if (exact !== undefined && found !== exact)
      out.push({
        code,
        message: `${what} is '${found ?? 'absent'}', not '${exact}'`,
        expected: exact,
        found: found ?? '',
      });
    if (regexp !== undefined && (found === undefined || !anchored(regexp).test(found))) {
      out.push({
        code,
        message: `${what} '${found ?? 'absent'}' does not match ^(?:${regexp})$`,
        expected: `^(?:${regexp})$`,
        found: found ?? '',
      });
    }
  };
  test(
    'IDENTITY_MISMATCH',
    'the certificate identity',
    signer.identity,
    policy.certificateIdentity,
    policy.certificateIdentityRegexp,
  );
  test(
    'ISSUER_MISMATCH',
    'the OIDC issuer',
    signer.issuer,
    policy.certificateOidcIssuer,
    policy.certificateOidcIssuerRegexp,
  );
  if (policy.signerWorkflow !== undefined) {
    const want = githubUrl(policy.signerWorkflow);
    const found = signer.claims.buildSignerUri?.split('@')[0];
    if (found !== want)
      out.push({
        code: 'WORKFLOW_MISMATCH',
        message: `the signer workflow is '${found ?? 'absent'}', not '${want}'`,
        expected: want,
        found: found ?? '',
      });
  }
  if (policy.sourceRepository !== undefined) {
    const want = githubUrl(policy.sourceRepository);
    test('SOURCE_REPOSITORY_MISMATCH', 'the source repository', signer.claims.sourceRepositoryUri, want);
  }
  test('SOURCE_REF_MISMATCH', 'the source ref', signer.claims.sourceRepositoryRef, policy.sourceRef);
  return out;
}

/** Anchored at both ends; the source must compile on its own, so `a)|(.*` cannot escape the group. */
/** An allowed signer from a policy file: an issuer and a subject, each exact or a regexp. */
export interface AllowedSigner {
  issuer?: string;
  issuerRegexp?: string;
  subject?: string;
  subjectRegexp?: string;
}

export function matchesSigner(s: AllowedSigner, identity: string, issuer: string): boolean {
  const hasIssuer = s.issuer !== undefined || s.issuerRegexp !== undefined;
  const hasSubject = s.subject !== undefined || s.subjectRegexp !== undefined;
  return (
    hasIssuer &&
    hasSubject &&
    (s.issuer === undefined || s.issuer === issuer) &&
    (s.issuerRegexp === undefined || anchored(s.issuerRegexp).test(issuer)) &&
    (s.subject === undefined || s.subject === identity) &&
    (s.subjectRegexp === undefined || anchored(s.subjectRegexp).test(identity))
  );
}

/**
 * A pattern matched against the whole of a value (a certificate's identity, a tag), by RE2's rules as cosign and
 * Fulcio apply them (Go's regexp): in time linear in the value, which a hostile signer or registry chooses. JavaScript's
 * engine backtracks, so a pattern such as `(a+)+$` would take exponential time on a crafted identity. Throws on a
 * pattern RE2 does not accept (lookarounds and backreferences among them), naming why.
 */
export function anchored(source: string): { test(value: string): boolean } {
  const re = RE2JS.compile(source);
  return { test: (value) => re.matches(value) };
}

function githubUrl(v: string): string {
  return /^https?:\/\//.test(v) ? v.replace(/\/$/, '') : `https://github.com/${v.replace(/^\/+|\/+$/g, '')}`;
}
