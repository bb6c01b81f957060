import { resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { pool } from '../core/pool.js';
import type { IndexStore } from '../fs/release-index-sqlite.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import type { PeriodMemberInput } from '../verifier/period.js';
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
