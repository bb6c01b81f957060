import { resolve } from 'node:path';
import { EvidenceError } from '../core/error.js';
import { blobsInMemory } from '../fs/blob-memory.js';
import { bundleFiles } from '../fs/glob.js';
import { hashFile } from '../fs/hash-file.js';
import { recordVerification } from '../fs/release-index-sqlite.js';
import { openIndexStore, shownDb } from '../transport/release-index-store.js';
import type { VerifyOne } from '../transport/audit-source.js';
import { isListedSource, listedSource, type ListedSourceOptions } from '../transport/release-index-sources.js';
export { queryIndex as queryReleases } from '../transport/release-index-store.js'; // evidence query
import { readPolicyFile } from '../load/policy.js';
import { checkPolicyOptions } from '../verifier/inputs.js';
import { loadPolicy } from '../verifier/policy/evaluate.js';
import { verify } from './verify.js';

export interface IndexOptions extends ListedSourceOptions {
  /** The index: a file, or a PostgreSQL URL (docs/index.md). */
  db: string;
  /**
   * Folders of bundles (every `*.tar.gz` under them), bundle files, `oci://REGISTRY/REPOSITORY` (its tags and image
   * referrers) or `github:OWNER/REPO` (its published releases).
   */
  sources: string[];
  /** Start from the sources: every row dropped first. */
  rebuild?: boolean;
  trustedRoot?: string[];
  key?: string[];
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
  /** Releases of listed sources whose evidence could not be fetched: neither indexed nor rejected; run again. */
  const unavailable: { location: string; reason: string }[] = [];
  const result = { index: shownDb(o.db), engine: store.engine, indexed: 0, unchanged: 0, rejected, unavailable };
  const now = () => (o.now ?? (() => new Date()))().toISOString();
  /** Verifies one bundle file and records it (or its rejection); what verify returned or threw. */
  const verifyAndRecord = async (
    paths: Parameters<VerifyOne>[0],
    source: string,
    digest: string,
    indexed = false,
  ): Promise<Awaited<ReturnType<typeof verify>> | EvidenceError<string>> => {
    const kept = blobsInMemory(16 * 1024 * 1024, 64 * 1024 * 1024);
    const verified = await verify({
      cwd: o.cwd,
      ...(o.env ? { env: o.env } : {}),
      bundle: paths.bundle,
      ...(paths.attestation ? { attestation: paths.attestation } : {}),
      ...(paths.subjectDigests ? { subjectDigests: paths.subjectDigests } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
      ...(o.key ? { key: o.key } : {}),
      identity: o.identity ?? {},
      ...(loaded ? { loadedPolicy: loaded } : {}),
      blobSink: kept.sink,
    }).catch((e: unknown) => {
      if (e instanceof EvidenceError) return e; // a bundle that cannot be read: rejected, the run goes on
      throw e;
    });
    const location = paths.location ?? paths.bundle;
    if (indexed) {
      result.unchanged++;
      return verified;
    }
    const done = await recordVerification(store, verified, kept.blobs, { location, source, digest }, now());
    if (done.rows) result.indexed++;
    else rejected.push({ location, reason: done.reason });
    if (done.rows) o.onProgress?.(`indexed ${done.rows.release.product} ${done.rows.release.version} (${location})`);
    return verified;
  };
  try {
    if (o.rebuild) await store.clear();
    for (const source of o.sources) {
      if (isListedSource(source)) {
        const members = await listedSource(o, store, source, async (paths) => {
          // A source that lists no digest (GitHub Enterprise) is downloaded; a bundle indexed already is not written.
          const digest = `sha256:${(await hashFile(paths.bundle, ['sha256'])).hex.sha256}`;
          const verified = await verifyAndRecord(paths, source, digest, await store.has(digest));
          if (verified instanceof EvidenceError) throw verified;
          return verified;
        });
        result.unchanged += members.known;
        for (const m of members.list)
          if (m.evidence.state === 'unavailable')
            unavailable.push({
              location: m.url ?? m.id,
              reason: `${m.evidence.code ?? ''}: ${m.evidence.message ?? ''}`,
            });
        continue;
      }
      for (const file of await bundleFiles(resolve(o.cwd, source))) {
        const digest = `sha256:${(await hashFile(file, ['sha256'])).hex.sha256}`;
        if (await store.has(digest)) {
          result.unchanged++;
          continue;
        }
        await verifyAndRecord({ bundle: file }, source, digest);
      }
    }
  } finally {
    await store.close();
  }
  return result;
}
