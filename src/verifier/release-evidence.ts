/**
 * Which evidence is a release's (docs/audit.md, "A release's evidence"): the
 * rules `audit` and `verify --image` share, pure. A signature says what a
 * bundle is, never which release it belongs to, so the release's own names
 * (its tags, the product and repository audited) are held against what the
 * bundle signs; and among several candidates, what is signed chooses, never
 * an annotation anyone can write.
 */

/**
 * A tag as the version it names: without a leading `v`, and without a trailing `-evidence` or `.evidence` (an evidence
 * tag beside its image's).
 */
export function tagVersion(tag: string): string {
  return tag.replace(/^[vV](?=\d)/, '').replace(/[-.]evidence$/, '');
}

/**
 * Tags that are one release: `1.4.2` and `1.4.2-evidence`, `v1.0.0` and
 * `1.0.0`. Each group is one member of an audit's population, named by its
 * first tag in code-point order (the plain version sorts before its
 * `-evidence` tag); groups in the order of their first tags.
 */
export function releaseGroups(tags: readonly string[]): { id: string; tags: string[] }[] {
  const by = new Map<string, string[]>();
  for (const t of tags) by.set(tagVersion(t), [...(by.get(tagVersion(t)) ?? []), t]);
  return [...by.values()]
    .map((ts) => ts.sort(codePoints))
    .map((ts) => ({ id: ts[0] as string, tags: ts }))
    .sort((a, b) => codePoints(a.id, b.id));
}

function codePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A candidate for a release's evidence, once verified. */
export interface EvidenceCandidate {
  /** Where it is (an OCI reference, an asset's name). */
  reference: string;
  /** Integrity, signature and signer verified, and it covers the subjects asked about (the policy aside). */
  authentic: boolean;
  /** The signed manifest's `created`, when authentic. */
  signedCreated?: string;
}

/**
 * The one rule for choosing among candidates: the authentic one whose signed
 * `created` is newest (ties: the first listed); when none is authentic, the
 * first listed, so that the release is judged on what is there. An unsigned
 * or forged candidate can never be chosen over an authentic one, whatever its
 * annotations say.
 */
export function chooseEvidence<T extends EvidenceCandidate>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!c.authentic || !c.signedCreated) continue;
    if (!best || Date.parse(c.signedCreated) > Date.parse(best.signedCreated as string)) best = c;
  }
  return best ?? candidates[0];
}

/** What a verified bundle signs about the release it is evidence of. */
export interface ReleaseClaims {
  name: string;
  version: string;
  /** The source repository the manifest records, if any. */
  repository?: string;
}

/** What the audit says the release is: its tags, and the product and repository when known. */
export interface AuditedRelease {
  tags: readonly string[];
  product?: string;
  repository?: string;
}

export type ReleaseMismatchCode = 'RELEASE_MISMATCH' | 'PRODUCT_MISMATCH' | 'REPOSITORY_MISMATCH';

/** Whether a member's code says its bundle is another release's evidence (as releaseMismatch finds it). */
export function isReleaseMismatchCode(code: string | undefined): code is ReleaseMismatchCode {
  return code === 'RELEASE_MISMATCH' || code === 'PRODUCT_MISMATCH' || code === 'REPOSITORY_MISMATCH';
}

/**
 * Why a verified bundle is not this release's evidence, or undefined when it
 * is: its signed version must be the tags' version, its product the audited
 * product, and the repository it records (when it records one) the audited
 * repository.
 */
export function releaseMismatch(
  claims: ReleaseClaims,
  audited: AuditedRelease,
): { code: ReleaseMismatchCode; message: string } | undefined {
  const versions = [...new Set(audited.tags.map(tagVersion))];
  if (!versions.includes(claims.version))
    return {
      code: 'RELEASE_MISMATCH',
      message: `the bundle is the evidence of ${claims.name} ${claims.version}, not of ${audited.tags.join(', ')} (a bundle published under another release)`,
    };
  if (audited.product !== undefined && claims.name !== audited.product)
    return {
      code: 'PRODUCT_MISMATCH',
      message: `the bundle is the evidence of the product ${claims.name}, not of ${audited.product} (another product's bundle)`,
    };
  if (audited.repository !== undefined && claims.repository && !sameRepository(claims.repository, audited.repository)) {
    return {
      code: 'REPOSITORY_MISMATCH',
      message: `the bundle records the source repository ${claims.repository}, not ${audited.repository}`,
    };
  }
  return undefined;
}

/** Repository URLs compared without scheme, credentials, case of the host, a trailing `.git` or `/`. */
export function sameRepository(a: string, b: string): boolean {
  return repositoryKey(a) === repositoryKey(b);
}

function repositoryKey(url: string): string {
  const s = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  // scp-like: git@host:owner/name
  const scp = /^[^/@:]+@([^/:]+):(?!\d+(?:\/|$))(.+)$/.exec(s);
  if (scp) return `${scp[1] as string}/${scp[2] as string}`.toLowerCase();
  // Hosts and, on the forges we know, owners and names compare without case.
  return s
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/]*@/, '')
    .toLowerCase();
}

/**
 * The products a period's authentic bundles name. An audit that was not told
 * which product it audits (`--product`) holds every release to the one its
 * bundles name; when they name several, none can be shown to be the audited
 * product's.
 */
export function periodProducts(claims: readonly (ReleaseClaims | undefined)[]): string[] {
  return [...new Set(claims.flatMap((c) => (c ? [c.name] : [])))].sort(codePoints);
}

/**
 * Why a bundle fetched as a GitHub release's evidence is not that release's (releaseMismatch against the tag and the
 * repository), or undefined; only an authentic bundle's claims are weighed (one that is not is failed already).
 */
export function tagMismatch(
  verified: {
    report: { assessment?: { authenticity: { status: string } } };
    manifest?: { name: string; version: string; source: { repository?: string } };
  },
  tag: string,
  repo: string,
): { code: ReleaseMismatchCode; message: string } | undefined {
  const m = verified.manifest;
  if (verified.report.assessment?.authenticity.status !== 'authentic' || !m) return undefined;
  return releaseMismatch(claimsOf(m), { tags: [tag], repository: `https://github.com/${repo}` });
}

/** What a manifest signs about the release it is evidence of. */
export function claimsOf(m: { name: string; version: string; source: { repository?: string } }): ReleaseClaims {
  return { name: m.name, version: m.version, ...(m.source.repository ? { repository: m.source.repository } : {}) };
}
