import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { VerifiedEvidence } from '../verifier/period-members.js';
import type { PeriodMemberInput } from '../verifier/period.js';
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
    subjectDigests?: { file: string; digest: string }[];
    location?: string;
  },
  published: string,
) => Promise<VerifiedEvidence>;
