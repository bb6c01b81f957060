import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingCounter } from '../../core/hash-stream.js';
import { BUNDLE_ARTIFACT_TYPE } from '../../core/manifest.js';
import { pool } from '../../core/pool.js';
import { DownloadCache } from '../../fs/download-cache.js';
import type { RegistryClient } from './client.js';
import { OciError } from './errors.js';
import { VerifyError } from '../../verifier/errors.js';
import type { Descriptor } from './manifest.js';
import { formatReference, parseReference, type OciReference } from './reference.js';

/**
 * An audit's OCI source (docs/audit.md): the tags of a repository that are
 * releases, the evidence candidates each tag leads to, and a bundle's download
 * through the audit's cache. Verifying and choosing among the candidates is
 * the verifier's (src/verifier/period-members.ts, release-evidence.ts).
 */

/** The referrers API's fallback tags (`sha256-<hex>`): an index of referrers, never a release. */
export const FALLBACK_TAG = /^sha256-[0-9a-f]{64}$/;

/** The most tags an audit reads from one repository: more is refused (exit 2) rather than read without end. */
export const MAX_AUDIT_TAGS = 10_000;

/** The repository of `oci://REGISTRY/REPOSITORY`: an audit reads every tag, so a :TAG or @digest is refused. */
export function auditedRepository(oci: string): OciReference {
  const ref = parseReference(oci);
  if (ref.tag || ref.digest)
    throw new OciError(
      'REFERENCE_INVALID',
      `${oci}: an audit reads every tag of a repository: give oci://REGISTRY/REPOSITORY without :TAG or @digest`,
    );
  return ref;
}

/**
 * The repository's tags that may be releases: not the fallback tags, only those `pattern` matches (when given), at most
 * MAX_AUDIT_TAGS.
 */
export async function releaseTags(
  client: RegistryClient,
  ref: OciReference,
  pattern?: { test(tag: string): boolean },
): Promise<string[]> {
  const tags = (await client.tags(ref.repository)).filter(
    (t) => !FALLBACK_TAG.test(t) && (!pattern || pattern.test(t)),
  );
  if (tags.length > MAX_AUDIT_TAGS)
    throw new OciError(
      'REGISTRY_RESPONSE_INVALID',
      `${formatReference(ref)}: ${tags.length} tags; an audit reads at most ${MAX_AUDIT_TAGS} (choose the releases with --tags)`,
    );
  return tags;
}

/** An evidence bundle in the registry: its one layer and the manifest that holds it. */
export interface EvidenceCandidateLayer {
  layer: Descriptor;
  manifestDigest: string;
}

export interface TagEvidence {
  /** Evidence bundles found for the tag: itself, or an image's referrers naming it. */
  candidates: EvidenceCandidateLayer[];
  image?: { reference: string; digest: string };
  problem?: { state: 'unavailable' | 'missing'; code: string; message: string };
}

/**
 * How a reference is read as evidence, or as an image with evidence among its referrers (evidence-registry.ts's
 * `resolveEvidence` and `imageEvidence`).
 */
export interface EvidenceReaders {
  resolveEvidence(client: RegistryClient, ref: OciReference, label: string): Promise<EvidenceCandidateLayer>;
  imageEvidence(
    client: RegistryClient,
    ref: OciReference,
    label: string,
  ): Promise<{ image: { reference: string; digest: string }; artifacts: EvidenceCandidateLayer[] }>;
}

/**
 * A tag's evidence candidates: the tag itself when it is an evidence bundle;
 * else, when it is an image (a manifest or an index), every evidence bundle
 * among its referrers whose manifest names it as subject (to be verified with
 * the image as a subject its signed statement must cover, and chosen by
 * chooseEvidence). Only what the audit needs is kept of the manifests read.
 */
export async function findTagEvidence(
  client: RegistryClient,
  tagged: OciReference,
  label: string,
  readers: EvidenceReaders,
): Promise<TagEvidence> {
  const keep = (a: EvidenceCandidateLayer): EvidenceCandidateLayer => ({
    layer: a.layer,
    manifestDigest: a.manifestDigest,
  });
  try {
    return { candidates: [keep(await readers.resolveEvidence(client, tagged, label))] };
  } catch (e) {
    if (!(e instanceof OciError)) throw e;
    // Not evidence itself (or not a single manifest: an index answers only to an index's media type): perhaps an image.
    if (e.code !== 'ARTIFACT_INVALID' && e.code !== 'REGISTRY_NOT_FOUND' && e.code !== 'REGISTRY_RESPONSE_INVALID')
      return { candidates: [], problem: { state: 'unavailable', code: e.code, message: e.message } };
  }
  try {
    const found = await readers.imageEvidence(client, tagged, label);
    return { candidates: found.artifacts.map(keep), image: found.image };
  } catch (inner) {
    if (!(inner instanceof OciError)) throw inner;
    if (
      ['ARTIFACT_NOT_FOUND', 'ARTIFACT_INVALID', 'REGISTRY_NOT_FOUND', 'REGISTRY_RESPONSE_INVALID'].includes(inner.code)
    ) {
      return {
        candidates: [],
        problem: {
          state: 'missing',
          code: inner.code,
          message: `${label} is neither an evidence bundle (${BUNDLE_ARTIFACT_TYPE}) nor an image with one among its referrers`,
        },
      };
    }
    return { candidates: [], problem: { state: 'unavailable', code: inner.code, message: inner.message } };
  }
}

/** Each tag's evidence candidates (findTagEvidence), `concurrency` tags at a time. */
export async function tagsEvidence(
  client: RegistryClient,
  ref: OciReference,
  tags: readonly string[],
  concurrency: number,
  readers: EvidenceReaders,
): Promise<Map<string, TagEvidence>> {
  return new Map(
    await pool(
      tags,
      concurrency,
      async (tag) =>
        [tag, await findTagEvidence(client, { ...ref, tag }, formatReference({ ...ref, tag }), readers)] as const,
    ),
  );
}

/**
 * What the tags of one release lead to together: their images, each
 * candidate once (by its layer's digest), and, for a release without any, the
 * problem to report (a tag the registry did not deliver before one that is
 * not evidence).
 */
export function releaseEvidence(parts: readonly TagEvidence[]): {
  images: { reference: string; digest: string }[];
  candidates: EvidenceCandidateLayer[];
  problem?: NonNullable<TagEvidence['problem']>;
} {
  const images = parts.flatMap((p) => (p.image ? [p.image] : []));
  const candidates = [...new Map(parts.flatMap((p) => p.candidates).map((c) => [c.layer.digest, c])).values()];
  const problem =
    parts.find((p) => p.problem?.state === 'unavailable')?.problem ?? parts.find((p) => p.problem)?.problem;
  return { images, candidates, ...(problem ? { problem } : {}) };
}

/** A candidate's bundle as an audit lists it: its layer's title (else `fallback`), digest and size, and where it is. */
export function candidateBundle(
  c: EvidenceCandidateLayer,
  fallback: string,
  url: string,
): { name: string; digest: string; size: number; url: string } {
  return {
    name: c.layer.annotations?.['org.opencontainers.image.title'] ?? fallback,
    digest: c.layer.digest,
    size: c.layer.size,
    url,
  };
}

/** The download cache an audit reads through (BlobDownloadCache): files by sha256. */
export interface BlobCache {
  get(hex: string, size?: number): Promise<string | undefined>;
  putStream(hex: string, source: Readable): Promise<string>;
}

/**
 * The audit's download cache (src/fs/download-cache.ts), which also stores registry blobs, checked against their
 * digest.
 */
export class BlobDownloadCache extends DownloadCache implements BlobCache {
  /** Stores a stream whose digest is known (a registry blob): kept only if it is those bytes. */
  async putStream(hex: string, source: Readable): Promise<string> {
    const { path } = await this.put(async (open) => {
      const counter = new HashingCounter();
      await pipeline(source, counter, open());
      return { sha256: counter.digestHex(), size: counter.bytes };
    });
    if (path !== this.pathOf(hex)) {
      await rm(path, { force: true });
      throw new OciError('DIGEST_MISMATCH', `the registry sent bytes that are not sha256:${hex}`, {
        expected: `sha256:${hex}`,
        found: path.slice(-64),
      });
    }
    return path;
  }
}

/**
 * A bundle layer through the cache, refused before any download when the registry lists more than `maxBundleSize`
 * bytes.
 */
export async function cachedBlob(
  client: RegistryClient,
  cache: BlobCache,
  repository: string,
  layer: Descriptor,
  maxBundleSize: number,
  label: string,
): Promise<string> {
  if (layer.size > maxBundleSize)
    throw new VerifyError(
      'BUNDLE_TOO_LARGE',
      `the registry lists ${layer.size} bytes, more than the ${maxBundleSize} --max-bundle-size allows: not downloaded, so not checked`,
      { path: label },
    );
  const hex = layer.digest.slice('sha256:'.length);
  return (await cache.get(hex, layer.size)) ?? (await cache.putStream(hex, await client.getBlob(repository, layer)));
}
