import { requireIntegrity } from '../verifier/verify-bundle.js';
import { computeDiff, INTEGRITY_ONLY, keepForDiff, type DiffSide, sideCheck } from '../diff/compute.js';
import type { DiffResult } from '../diff/result.js';
import { openBundle } from '../fs/open-bundle.js';
import type { Env } from '../core/env.js';
import { verify, type VerifyOptions } from './verify.js';

export interface DiffOptions {
  cwd: string;
  /** The earlier release's bundle. */
  old: string;
  /** The later release's bundle. */
  new: string;
  env?: Env;
  /**
   * Verify each side's signature and signer too (trusted roots, keys,
   * identity), as `verify` does. Without it each side is checked for
   * integrity only, and every output says so.
   */
  verify?: Omit<
    VerifyOptions,
    | 'cwd'
    | 'env'
    | 'bundle'
    | 'integrityOnly'
    | 'policy'
    | 'loadedPolicy'
    | 'subject'
    | 'subjectDigests'
    | 'subjectsFile'
    | 'open'
    | 'attestation'
  >;
}

/**
 * A figure on both sides; null where a side has nothing to measure. delta = new − old, null unless both are numbers.
 */
export {
  LEVELS,
  SEVERITIES,
  TEST_COUNTS,
  type Change,
  type DiffBundleInfo,
  type DiffComponent,
  type DiffComponentChange,
  type DiffResult,
  type DiffSideCheck,
} from '../diff/result.js';
export { MAX_SBOM_BYTES_IN_MEMORY } from '../diff/compute.js';

/**
 * What changed between two releases' bundles. Both are verified for
 * integrity first (as hostile input); an invalid one is an error naming it.
 * Their signatures are checked only with `verify`; each side says how it was
 * checked (`checked`), so a diff never passes for a comparison of authentic
 * releases when it is one of the bundles' own claims.
 * Components come from the SBOM blobs themselves, the other figures from the
 * entries' typed summaries.
 */
export async function diff(options: DiffOptions): Promise<DiffResult> {
  const oldSide = await load(options, options.old, 'old');
  const newSide = await load(options, options.new, 'new');
  return computeDiff(oldSide, newSide);
}

async function load(options: DiffOptions, bundle: string, label: 'old' | 'new'): Promise<DiffSide> {
  const { cwd } = options;
  const signed = options.verify
    ? await verify({ ...options.verify, cwd, ...(options.env ? { env: options.env } : {}), bundle })
    : undefined;
  const { stream } = await openBundle(cwd, bundle);
  const { contents, manifestDigest, digest } = await requireIntegrity(stream, bundle, 'not compared', {
    label: `${label} bundle ${bundle}`,
    keepBlob: keepForDiff(),
  });
  const checked = signed ? sideCheck(signed.report, digest) : INTEGRITY_ONLY;
  return { label, path: bundle, manifest: contents.manifest, manifestDigest, kept: contents.kept, checked };
}
