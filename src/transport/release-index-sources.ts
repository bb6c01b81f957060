import { appendAll } from '../core/objects.js';
import { resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { pool } from '../core/pool.js';
import type { IndexStore } from '../fs/release-index-sqlite.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { PeriodMemberInput } from '../verifier/period.js';
import { isReleaseMismatchCode } from '../verifier/release-evidence.js';
import type { SourceOptions, VerifyOne } from './audit-source.js';
import { listGitHub } from './github/audit-source.js';
import { BlobDownloadCache } from './oci/audit-listing.js';
import { listOci } from './oci/audit-source.js';

/** How the index reads the sources releases live in (`oci://…`, `github:OWNER/REPO`): as `audit` lists them. */
export type ListedSourceOptions = Pick<
  SourceOptions,
  'registry' | 'apiUrl' | 'tags' | 'name' | 'maxBundleSize' | 'concurrency' | 'retry' | 'timeoutMs' | 'onProgress'
> & {
  cwd: string;
  env?: Env;
  identity?: IdentityPolicy;
  /** The download cache (default .evidence-audit-cache in cwd). */
  cache?: string;
};

/** Whether a source is one the index lists (a registry or GitHub), not a folder or a file. */
export const isListedSource = (source: string): boolean => source.startsWith('oci://') || source.startsWith('github:');

/**
 * The releases of an OCI repository or a GitHub repository, each bundle not in the index yet (by the digest the source
 * lists) downloaded through the cache and given to `verifyOne`; how many were known already.
 */
export async function listedSource(
  o: ListedSourceOptions,
  store: IndexStore,
  source: string,
  verifyOne: VerifyOne,
  /** Skip bundles the index holds (false with `--rebuild`: every bundle is verified again). */
  skipKnown = true,
): Promise<{ list: PeriodMemberInput[]; known: number }> {
  let known = 0;
  const options: SourceOptions = {
    ...(source.startsWith('oci://') ? { oci: source } : { repo: source.slice('github:'.length) }),
    ...(o.registry ? { registry: o.registry } : {}),
    ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.maxBundleSize ? { maxBundleSize: o.maxBundleSize } : {}),
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    identity: o.identity ?? {},
    concurrency: o.concurrency ?? 4,
    known: async (digest) => {
      if (!skipKnown) return false;
      const has = await store.has(digest);
      if (has) known++;
      return has;
    },
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  const cache = new BlobDownloadCache(resolve(o.cwd, o.cache ?? '.evidence-audit-cache'));
  const env = o.env ?? {};
  const listing = source.startsWith('oci://')
    ? await listOci(options, env, cache, verifyOne)
    : await listGitHub(options, env, cache, verifyOne);
  const list = await pool(listing.items, options.concurrency ?? 4, (item) => item.read(true));
  return { list, known };
}

/**
 * What the listing says of releases the index did not store: not fetched (`unavailable`: run again, or a bundle over
 * --max-bundle-size, not checked), without evidence, with another release's evidence (`foreign`), or rejected without
 * a verification (bytes other than the source listed). Members whose bundle this run verified (`verified`, by digest)
 * were recorded already.
 */
export function sortMembers(
  members: readonly PeriodMemberInput[],
  verified: ReadonlySet<string>,
  into?: {
    unavailable: { location: string; reason: string }[];
    withoutEvidence: string[];
    rejected: { location: string; reason: string }[];
    foreign: { release: string; location: string; reason: string }[];
  },
) {
  const out = {
    unavailable: [] as { location: string; reason: string }[],
    withoutEvidence: [] as string[],
    rejected: [] as { location: string; reason: string }[],
    foreign: [] as { release: string; location: string; reason: string }[],
  };
  for (const m of members) {
    const location = m.url ?? m.id;
    const reason = `${m.evidence.code ?? ''}: ${m.evidence.message ?? ''}`;
    if (m.evidence.state === 'unavailable') out.unavailable.push({ location, reason });
    else if (m.evidence.state === 'missing') out.withoutEvidence.push(location);
    else if (m.evidence.conflict && isReleaseMismatchCode(m.evidence.code))
      // Its bundle verified, and is indexed as the release it names: this release has no evidence of its own.
      out.foreign.push({ release: m.id, location, reason });
    else if (m.evidence.code && !m.evidence.conflict && !verified.has(m.evidence.bundle?.digest ?? ''))
      out.rejected.push({ location, reason });
  }
  // Also added to `into` (a run's totals over its sources), one by one: a source lists up to 10,000 releases.
  if (into) {
    appendAll(into.unavailable, out.unavailable);
    appendAll(into.withoutEvidence, out.withoutEvidence);
    appendAll(into.rejected, out.rejected);
    appendAll(into.foreign, out.foreign);
  }
  return out;
}
