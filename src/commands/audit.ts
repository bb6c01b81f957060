import { resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { pool } from '../core/pool.js';
import type { RetryOptions } from '../transport/http/retry.js';
import { BlobDownloadCache } from '../transport/oci/audit-listing.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { checkAuditOptions, inPeriod, verifiedAsOfRelease } from '../verifier/period-members.js';
import {
  drawSample,
  summarizePeriod,
  type AuditReport as AuditResult,
  type PeriodMemberInput,
} from '../verifier/period.js';
import { loadPolicy, type LoadedPolicy, type PolicyLimits } from '../verifier/policy/evaluate.js';
import { listGitHub } from '../transport/github/audit-source.js';
import { listOci } from '../transport/oci/audit-source.js';
import type { RegistryOptions } from './oci.js';
import { checkPolicyOptions } from '../verifier/inputs.js';
import { changeSampleOf } from '../verifier/period-changes.js';
import { verify } from './verify.js';
import { firstAuthentic, type VerifyOne } from '../transport/audit-source.js';
import { readPolicyFile } from '../load/policy.js';

export interface AuditOptions {
  cwd: string;
  env?: Env;
  /** GitHub: the repository whose releases are the population. */
  repo?: string;
  apiUrl?: string;
  /** OCI: oci://REGISTRY/REPOSITORY, whose tags are the population. */
  oci?: string;
  registry?: RegistryOptions;
  /** The period: dates (a date runs to the end of its day, UTC) or RFC 3339 instants. */
  since: string;
  until: string;
  /** The bundle asset's name (or stem) when releases have several. */
  name?: string;
  /** The product audited: every release's bundle must name it (default: the one product the period's bundles name). */
  product?: string;
  /**
   * OCI: the source repository every bundle that records one must record (default: the signer's --source-repository;
   * GitHub: the audited repository).
   */
  sourceRepository?: string;
  /**
   * OCI: only the tags this regular expression matches (whole tag) are releases; default every tag but the referrers
   * fallback tags.
   */
  tags?: string;
  /**
   * The largest bundle downloaded (bytes, default 8 GiB): a larger one is not fetched, and its release is not shown
   * authentic.
   */
  maxBundleSize?: number;
  /** The download cache (default .evidence-audit-cache in cwd). */
  cache?: string;
  /** Examine only a reproducible sample of this many releases. */
  sample?: number;
  seed?: string;
  /** Draw a reproducible sample of this many changes from the examined releases' change evidence (with `seed`). */
  sampleChanges?: number;
  /** Releases read and verified at once (default 4). */
  concurrency?: number;
  /** As verify's: the signer, keys, trusted roots, and a policy. */
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
  policy?: string;
  policyLimits?: PolicyLimits;
  /**
   * The instant each release's policy is evaluated at (waivers' expiry):
   * `release` (default), its publication; `now`, the audit's own time.
   */
  policyTime?: 'release' | 'now';
  retry?: RetryOptions;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
  /** Told as each release is done: how many of how many. */
  onRelease?: (done: number, total: number, member: PeriodMemberInput) => void;
  /** The audit's clock (tests). */
  now?: () => Date;
}

export type { AuditReport as AuditResult } from '../verifier/period.js';

export type { Listed, VerifyOne } from '../transport/audit-source.js';

/**
 * evidence audit: every release of a period from GitHub releases or an OCI
 * repository's tags, each fetched (through a cache keyed by digest), verified
 * with the signer required and the policy applied, then summed up as a period
 * (src/verifier/period.ts). A source that cannot be listed fails the audit
 * (exit 2); a release that cannot be read is listed as `unavailable`.
 */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const env = options.env ?? {};
  const { period, concurrency } = checkAuditOptions(options);
  checkPolicyOptions(options.identity ?? {});
  const loaded: LoadedPolicy | undefined = options.policy
    ? loadPolicy(await readPolicyFile(options.cwd, options.policy), options.policy)
    : undefined;
  const cache = new BlobDownloadCache(resolve(options.cwd, options.cache ?? '.evidence-audit-cache'));
  const generatedAt = (options.now ?? (() => new Date()))();

  const verifyOne: VerifyOne = (paths, published) =>
    verifiedAsOfRelease(
      (at) =>
        firstAuthentic(paths, verify, {
          cwd: options.cwd,
          env,
          bundle: paths.bundle,
          ...(paths.subjectDigests ? { subjectDigests: paths.subjectDigests } : {}),
          ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
          ...(options.key ? { key: options.key } : {}),
          identity: options.identity ?? {},
          // Read once for every release: the digest each report names is the one every release was held to.
          ...(loaded ? { loadedPolicy: loaded } : {}),
          ...(options.policyLimits ? { policyLimits: options.policyLimits } : {}),
          now: () => at,
        }),
      published,
      { asOfNow: options.policyTime === 'now', now: generatedAt, waivers: Boolean(loaded?.policy.waivers.length) },
    );

  const listing =
    options.repo !== undefined
      ? await listGitHub(options, env, cache, verifyOne)
      : await listOci(options, env, cache, verifyOne);
  const population = listing.items.filter((l) => inPeriod(l.published, period));
  const sample =
    options.sample !== undefined
      ? drawSample(
          population.map((p) => p.id),
          options.sample,
          options.seed as string,
        )
      : undefined;
  options.onProgress?.(
    `${population.length} release${population.length === 1 ? '' : 's'} in the period${sample ? `; examining a sample of ${sample.size}` : ''}`,
  );

  const members = await pool(population, concurrency, async (item, i, done) => {
    const member = await item.read(!sample || sample.has(item.id));
    // An OCI listing reports each release as it verifies it (to date it); a GitHub one as it is read here.
    if (!('reported' in listing)) options.onRelease?.(done(), population.length, member);
    return member;
  });
  const summary = summarizePeriod({
    since: options.since,
    until: options.until,
    members,
    ...(options.product !== undefined ? { product: options.product } : {}),
    ...(loaded ? { policy: loaded } : {}),
    ...(sample ? { sample: { size: sample.size, seed: options.seed as string } } : {}),
  });
  if (options.sampleChanges !== undefined)
    summary.changeSample = changeSampleOf(summary.members, options.sampleChanges, options.seed as string);
  return {
    kind: 'evidence-audit',
    version: 1,
    source: listing.source,
    generatedAt: generatedAt.toISOString(),
    ...(loaded ? { policy: { path: loaded.path, digest: loaded.digest } } : {}),
    identity: { ...(options.identity ?? {}), ...(options.key?.length ? { keys: options.key } : {}) },
    summary,
  };
}

/** The most tags an audit reads from one repository (src/transport/oci/audit-listing.ts). */
export { MAX_AUDIT_TAGS } from '../transport/oci/audit-listing.js';
