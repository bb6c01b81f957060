import { isEvidenceError, type EvidenceError } from '../core/error.js';
import { VerifyError } from '../verifier/errors.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { VerifiedEvidence } from '../verifier/period-members.js';
import type { PeriodMemberInput } from '../verifier/period.js';
import { onlySignatureFailed, type VerifyReport } from '../verifier/report.js';
import type { RetryOptions } from './http/retry.js';
import type { RegistryOptions } from './oci/connect.js';

/** What listing a source of releases (a GitHub repository's releases, an OCI repository's tags) needs. */
export interface SourceOptions {
  /** GitHub: the repository (OWNER/NAME) whose releases are listed. */
  repo?: string;
  apiUrl?: string;
  /** OCI: oci://REGISTRY/REPOSITORY, whose tags are listed. */
  oci?: string;
  registry?: RegistryOptions;
  /** OCI: only the tags this regular expression matches (whole tag) are releases. */
  tags?: string;
  /** The bundle asset's name (or stem) when releases have several. */
  name?: string;
  product?: string;
  sourceRepository?: string;
  identity?: Pick<IdentityPolicy, 'sourceRepository'>;
  /** The largest bundle downloaded (bytes). */
  maxBundleSize?: number;
  concurrency?: number;
  retry?: RetryOptions;
  timeoutMs?: number;
  /**
   * Whether the bundle of this digest is already at hand (the evidence index): when it is, it is neither downloaded
   * nor verified again, and the release is listed without evidence examined.
   */
  known?: (digest: string) => Promise<boolean>;
  onProgress?: (message: string) => void;
  /** Told as each release is done: how many of how many. */
  onRelease?: (done: number, total: number, member: PeriodMemberInput) => void;
}

/** A release of the population, as listed, with how to get its evidence. */
export interface Listed {
  id: string;
  published: string;
  url?: string;
  /** Fills in the member: downloads (through the cache) and verifies when `examine`. */
  read: (examine: boolean) => Promise<PeriodMemberInput>;
}

/** Verifies a release's evidence, downloaded: `location` is where it was read from (a reference or a URL). */
export type VerifyOne = (
  paths: {
    bundle: string;
    attestation?: string;
    /**
     * Sigstore bundles a source offers besides the bundle's own signature (GitHub's attestations API), each untrusted:
     * asked for by `firstAuthentic` only when the bundle's own signature does not make it authentic and its bytes are
     * intact, then tried in turn. Called at most once per verification.
     */
    offers?: () => Promise<string[]>;
    /**
     * Where a Sigstore bundle this source gave (`attestation`, an offer; by its path) was read: a URL, for the index, and
     * what a rejection of one that cannot be read names (firstAuthentic).
     */
    signatureUrl?: (path: string) => string | undefined;
    subjectDigests?: { file: string; digest: string }[];
    location?: string;
  },
  published: string,
) => Promise<VerifiedEvidence>;

/**
 * A source could not give the signatures it offers (`paths.offers` threw `error`), asked because the bundle's own
 * signature did not make it authentic (`own` says why): not a verification's outcome, so nothing records it as one (the
 * index does not reject the bundle); the source unwraps it, and the release is unavailable. Unless what it offers holds
 * one that is no Sigstore bundle (VerifyError ATTESTATION_MALFORMED, src/transport/github/release-attestations.ts):
 * that is a failed verification of the release, which the source throws on as one (not authentic, rejected).
 */
export class OffersUnavailable extends Error {
  constructor(
    readonly error: EvidenceError,
    readonly own: string,
  ) {
    super(error.message);
  }
}

type Outcome<R> = { result: R } | { error: unknown };

/**
 * `run` (verify) with `options`, for a bundle a source may offer more signatures for (`paths.offers`): first with the
 * bundle's own signature (`paths.attestation`, else the one it carries). Authentic, or bytes that do not match their
 * digests (which no signature cures, reported as they are): that is the answer, and the source is not asked. Else the
 * offers are asked for (their failure throws OffersUnavailable) and tried in the order the source gave them; the first
 * with which the bundle is authentic wins (a signature a source adds never hides the bundle's own, tried first). When
 * none is, the first offered stands, as `run` returned or threw it (it says why the signature the source offered
 * fails), or the bundle's own when nothing was offered. Without `offers`, `run` once. Only the verifier says authentic;
 * nothing is chosen by what a bundle claims.
 */
export async function firstAuthentic<O extends object, R extends { report: VerifyReport }>(
  paths: Parameters<VerifyOne>[0],
  run: (options: O & { attestation?: string }) => Promise<R>,
  options: O,
): Promise<R> {
  const using = async (attestation: string | undefined): Promise<Outcome<R>> => {
    try {
      return { result: await run({ ...options, ...(attestation ? { attestation } : {}) }) };
    } catch (e) {
      // A bug is not a signature that failed: it stops the run.
      if (!isEvidenceError(e)) throw e;
      return { error: namedAsListed(e, attestation, paths.signatureUrl) };
    }
  };
  const authentic = (o: Outcome<R>): boolean =>
    'result' in o && o.result.report.assessment?.authenticity.status === 'authentic';
  const own = await using(paths.attestation);
  // A failure no signature cures (the bytes, the attestation entries, the vulnerability documents) is the answer.
  if (!paths.offers || authentic(own) || ('result' in own && !onlySignatureFailed(own.result.report)))
    return settled(own);
  let offered: string[];
  try {
    offered = await paths.offers();
  } catch (e) {
    if (!isEvidenceError(e)) throw e;
    throw new OffersUnavailable(e, whyNot(own));
  }
  let first: Outcome<R> | undefined;
  for (const attestation of offered) {
    const outcome = await using(attestation);
    if (authentic(outcome)) return settled(outcome);
    first ??= outcome;
  }
  // None authentic: a bundle that carries a signature is reported by it (why it is not authentic), never by one a
  // source added; only a bundle with none is reported by the first offered.
  return settled(signedItself(own) ? own : (first ?? own));
}

/**
 * Whether the bundle carries a signature of its own: its verification found one (not SIGNATURE_MISSING; one signed by
 * another kind of signer than pinned is found, and fails: SIGNER_KIND_MISMATCH), or could not check the one it found
 * (a Sigstore bundle beside it that cannot be read), which is what the report should say.
 */
function signedItself(own: Outcome<{ report: VerifyReport }>): boolean {
  return (
    !('result' in own) || !own.result.report.checks.some((c) => !c.ok && !c.skipped && c.code === 'SIGNATURE_MISSING')
  );
}

/**
 * A Sigstore bundle the source gave that cannot be read (not JSON, no Sigstore bundle: VerifyError naming its file)
 * named where the source lists it (`signatureUrl`: a release asset's URL), never by the path it was downloaded to, a
 * temporary file the user never saw; the code is kept.
 */
function namedAsListed(
  e: EvidenceError,
  path: string | undefined,
  signatureUrl: ((path: string) => string | undefined) | undefined,
): EvidenceError {
  const url = path === undefined ? undefined : signatureUrl?.(path);
  if (path === undefined || url === undefined || !(e instanceof VerifyError)) return e;
  if (e.path !== path || !e.message.startsWith(path)) return e;
  return new VerifyError(e.code, `${url}${e.message.slice(path.length)}`, { path: url, cause: e });
}

function settled<R>(outcome: Outcome<R>): R {
  if ('result' in outcome) return outcome.result;
  throw outcome.error;
}

/** Why the bundle's own signature did not do: no signature, or the first check that failed. */
function whyNot(own: Outcome<{ report: VerifyReport }>): string {
  if (!('result' in own)) return `its own signature could not be checked (${(own.error as EvidenceError).code})`;
  const failed = own.result.report.checks.find((c) => !c.ok && !c.skipped);
  return failed?.code === 'SIGNATURE_MISSING'
    ? 'the bundle carries no signature of its own'
    : `its own signature is not authentic (${failed?.code ?? failed?.id ?? 'not authentic'})`;
}
