import { isEvidenceError } from '../core/error.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { VerifiedEvidence } from '../verifier/period-members.js';
import type { PeriodMemberInput } from '../verifier/period.js';
import type { VerifyReport } from '../verifier/report.js';
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
     * Sigstore bundles a source offers instead of `attestation` (GitHub's attestations API), each untrusted: tried in
     * turn by `firstAuthentic`.
     */
    attestations?: string[];
    subjectDigests?: { file: string; digest: string }[];
    location?: string;
  },
  published: string,
) => Promise<VerifiedEvidence>;

/**
 * `run` (verify) with `options`, for a bundle offered several signatures (`paths.attestations`, in the order the
 * source gave them): the verification under the first with which the bundle is authentic, else under the bundle's own
 * signature if that one is (a signature a source adds must not hide one the bundle carries). When none is, the first
 * offered stands, as `run` returned or threw it: it says why the signature the source offered fails. Without offers,
 * `run` once with `paths.attestation`. Only the verifier says authentic; nothing is chosen by what a bundle claims.
 */
export async function firstAuthentic<O extends object, R extends { report: VerifyReport }>(
  paths: Parameters<VerifyOne>[0],
  run: (options: O & { attestation?: string }) => Promise<R>,
  options: O,
): Promise<R> {
  const offered = paths.attestations ?? [];
  const using = (attestation: string | undefined) => run({ ...options, ...(attestation ? { attestation } : {}) });
  if (offered.length === 0) return using(paths.attestation);
  let first: { result: R } | { error: unknown } | undefined;
  for (const attestation of [...offered, undefined]) {
    let outcome: { result: R } | { error: unknown };
    try {
      outcome = { result: await using(attestation) };
    } catch (e) {
      // A bug is not a signature that failed: it stops the run.
      if (!isEvidenceError(e)) throw e;
      outcome = { error: e };
    }
    if ('result' in outcome && outcome.result.report.assessment?.authenticity.status === 'authentic')
      return outcome.result;
    first ??= outcome;
  }
  if (first && 'result' in first) return first.result;
  throw (first as { error: unknown }).error;
}
