import { resolve } from 'node:path';
import { EvidenceError } from '../core/error.js';
import { blobsInMemory } from '../fs/blob-memory.js';
import { bundleFiles } from '../fs/glob.js';
import { hashFile } from '../fs/hash-file.js';
import { recordVerification, rejectionOf } from '../fs/release-index-sqlite.js';
import { recordingQueue } from '../fs/index-writer-thread.js';
import { openIndexStore, shownDb } from '../transport/release-index-store.js';
import { firstAuthentic, type VerifyOne } from '../transport/audit-source.js';
import {
  isListedSource,
  listedSource,
  sortMembers,
  type ListedSourceOptions,
} from '../transport/release-index-sources.js';
import { countRecorded, indexRun } from '../release-index/rows.js';
export { queryIndex as queryReleases } from '../transport/release-index-store.js'; // evidence query
import { readPolicyFile } from '../load/policy.js';
import { checkPolicyOptions, requirePinnedSigner } from '../verifier/inputs.js';
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
  requirePinnedSigner(o.identity ?? {}, 'evidence index');
  const loaded = o.policy ? loadPolicy(await readPolicyFile(o.cwd, o.policy), o.policy) : undefined;
  const store = await openIndexStore(o.db, o.cwd, { writer: true });
  const records = recordingQueue();
  const result = indexRun(shownDb(o.db), store.engine);
  const { rejected, unavailable, withoutEvidence, foreign } = result;
  const now = () => (o.now ?? (() => new Date()))().toISOString();
  const started = now();
  /** Bundles this run verified or found indexed, and those it indexed: once each, and all that `--rebuild` keeps. */
  const [seen, indexedHere] = [new Set<string>(), new Set<string>()];
  /** Verifies one bundle and records it (or its rejection); without `known` (its sha256), the sha256 verify read. */
  const verifyAndRecord = async (
    paths: Parameters<VerifyOne>[0],
    source: string,
    known?: string,
  ): Promise<Awaited<ReturnType<typeof verify>> | EvidenceError<string>> => {
    const kept = blobsInMemory(16 * 1024 * 1024, 64 * 1024 * 1024);
    const verified = await firstAuthentic(paths, verify, {
      cwd: o.cwd,
      ...(o.env ? { env: o.env } : {}),
      bundle: paths.bundle,
      ...(paths.subjectDigests ? { subjectDigests: paths.subjectDigests } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
      ...(o.key ? { key: o.key } : {}),
      identity: o.identity ?? {},
      ...(loaded ? { loadedPolicy: loaded } : {}),
      // Each signature a source offers reads the bundle again: its blobs, the same bytes each time, are kept once.
      blobSink: (hex: string, size: number) => (kept.blobs.has(hex) ? undefined : kept.sink(hex, size)),
    }).catch((e: unknown) => {
      if (e instanceof EvidenceError) return e; // a bundle that cannot be read: rejected, the run goes on
      throw e;
    });
    const location = paths.location ?? paths.bundle;
    const read = verified instanceof EvidenceError ? undefined : verified.report.bundle.digest;
    const digest = known ?? read ?? `sha256:${(await hashFile(paths.bundle, ['sha256'])).hex.sha256}`;
    seen.add(digest);
    // Indexed before in this run, or (a source listing no digest: GitHub Enterprise) indexed already: not written again.
    // One rejected by an earlier source is verified again here: a listed source may give the signature it lacked.
    if (indexedHere.has(digest) || (known === undefined && !o.rebuild && (await store.has(digest)))) {
      result.unchanged++;
      return verified;
    }
    if (rejectionOf(verified) === undefined) indexedHere.add(digest);
    await records.add(
      () => recordVerification(store, verified, kept.blobs, { ...paths, location, source, digest }, now()),
      (done) => countRecorded(result, location, done, o.onProgress),
    );
    return verified;
  };
  try {
    for (const source of o.sources) {
      if (isListedSource(source)) {
        const verifyOne: VerifyOne = async (paths) => {
          const verified = await verifyAndRecord(paths, source);
          if (verified instanceof EvidenceError) throw verified;
          return verified;
        };
        const members = await listedSource(o, store, source, verifyOne, !o.rebuild);
        result.unchanged += members.known;
        const sorted = sortMembers(members.list, seen, { unavailable, withoutEvidence, rejected, foreign });
        for (const r of sorted.rejected) await store.reject({ ...r, source }, now());
        continue;
      }
      for (const file of await bundleFiles(resolve(o.cwd, source))) {
        const digest = `sha256:${(await hashFile(file, ['sha256'])).hex.sha256}`;
        if (indexedHere.has(digest) || (!o.rebuild && (await store.has(digest)))) {
          result.unchanged++;
          continue;
        }
        if (seen.has(digest)) continue; // the same bytes, rejected above: listed there, never counted as indexed
        await verifyAndRecord({ bundle: file }, source, digest);
      }
    }
    // --rebuild keeps only what this run indexed (a release that no longer verifies is dropped too), once every source
    // answered in full: a source that failed (thrown above) or a release not fetched leaves the index as it was.
    await records.settle();
    if (o.rebuild && unavailable.length === 0) {
      await store.sweep(indexedHere, started);
      result.swept = true;
    }
  } finally {
    await store.close();
  }
  return result;
}
