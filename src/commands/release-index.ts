import { resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { EvidenceError } from '../core/error.js';
import { blobsInMemory } from '../fs/blob-memory.js';
import { bundleFiles } from '../fs/glob.js';
import { hashFile } from '../fs/hash-file.js';
import { recordVerification } from '../fs/release-index-sqlite.js';
import { openIndexStore, shownDb } from '../transport/release-index-store.js';
export { queryIndex as queryReleases } from '../transport/release-index-store.js'; // evidence query
import { readPolicyFile } from '../load/policy.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { checkPolicyOptions } from '../verifier/inputs.js';
import { loadPolicy } from '../verifier/policy/evaluate.js';
import { verify } from './verify.js';

export interface IndexOptions {
  cwd: string;
  env?: Env;
  /** The index: a file, or a PostgreSQL URL (docs/index.md). */
  db: string;
  /** Folders of bundles (every `*.tar.gz` under them) or bundle files. */
  sources: string[];
  /** Start from the sources: every row dropped first. */
  rebuild?: boolean;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
  policy?: string;
  now?: () => Date;
  onProgress?: (message: string) => void;
}

/**
 * evidence index: each bundle of the sources not indexed yet (by its sha256) is verified as `verify` does, with the
 * signer required, and what verified is stored (release-index/rows.ts); what did not is listed, never indexed as fact.
 */
export async function indexReleases(o: IndexOptions) {
  checkPolicyOptions(o.identity ?? {});
  const loaded = o.policy ? loadPolicy(await readPolicyFile(o.cwd, o.policy), o.policy) : undefined;
  const store = await openIndexStore(o.db, o.cwd);
  const rejected: { location: string; reason: string }[] = [];
  const result = { index: shownDb(o.db), engine: store.engine, indexed: 0, unchanged: 0, rejected };
  try {
    if (o.rebuild) await store.clear();
    for (const source of o.sources) {
      for (const file of await bundleFiles(resolve(o.cwd, source))) {
        const digest = `sha256:${(await hashFile(file, ['sha256'])).hex.sha256}`;
        if (await store.has(digest)) {
          result.unchanged++;
          continue;
        }
        const kept = blobsInMemory(16 * 1024 * 1024, 64 * 1024 * 1024);
        const verified = await verify({
          cwd: o.cwd,
          ...(o.env ? { env: o.env } : {}),
          bundle: file,
          ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
          ...(o.key ? { key: o.key } : {}),
          identity: o.identity ?? {},
          ...(loaded ? { loadedPolicy: loaded } : {}),
          blobSink: kept.sink,
        }).catch((e: unknown) => {
          if (e instanceof EvidenceError) return e; // a bundle that cannot be read: rejected, the run goes on
          throw e;
        });
        const at = (o.now ?? (() => new Date()))().toISOString();
        const done = await recordVerification(store, verified, kept.blobs, { location: file, source, digest }, at);
        if (done.rows) result.indexed++;
        else rejected.push({ location: file, reason: done.reason });
        if (done.rows) o.onProgress?.(`indexed ${done.rows.release.product} ${done.rows.release.version} (${file})`);
      }
    }
  } finally {
    await store.close();
  }
  return result;
}
