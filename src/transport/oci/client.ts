import type { Readable } from 'node:stream';
import { blobSize, getBlob } from './blob-download.js';
import { pushBlobStream } from './blob-stream-upload.js';
import { pushBlob } from './blob-upload.js';
import type { Descriptor } from './manifest.js';
import {
  addReferrerToFallbackIndex,
  getManifest,
  pushManifest,
  referrers,
  tags,
  type FetchedManifest,
} from './manifests.js';
import { RegistryRequests, type BlobDescriptor, type RegistryClientOptions } from './request.js';

export { DEFAULT_CHUNK_SIZE, type BlobDescriptor, type RegistryClientOptions } from './request.js';
export type { FetchedManifest } from './manifests.js';

/**
 * A client of the OCI distribution API for one registry, over fetch.
 *
 * Every answer is treated as hostile: JSON bodies are size-capped and
 * validated, and everything pulled is checked against its sha256 digest.
 * Secrets given or obtained (password, tokens) never appear in errors.
 *
 * Made of parts: the request core (request.ts: auth, redirects, deadlines,
 * errors) that the blob modules (blob-download.ts, blob-upload.ts,
 * blob-stream-upload.ts) and manifests.ts speak through; each method is
 * documented where it is written.
 */
export class RegistryClient {
  readonly registry: string;
  readonly #core: RegistryRequests;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.#core = new RegistryRequests(registry, options);
    this.registry = registry;
  }

  /** The size of a blob the registry has, or undefined when it has none (blob-download.ts). */
  blobSize(repository: string, digest: string): Promise<number | undefined> {
    return blobSize(this.#core, repository, digest);
  }

  /** Uploads a blob of known digest unless the repository has it, mounted when it can be (blob-upload.ts). */
  pushBlob(
    repository: string,
    desc: BlobDescriptor,
    open: () => Readable,
    options: { mountFrom?: string } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    return pushBlob(this.#core, repository, desc, open, options);
  }

  /**
   * Uploads a blob whose digest is known only once it is read, closed under the digest `accept` gives
   * (blob-stream-upload.ts).
   */
  pushBlobStream(
    repository: string,
    source: Readable,
    accept: (size: number) => Promise<string>,
    options: { size?: number } = {},
  ): Promise<{ digest: string; size: number; existed: boolean }> {
    return pushBlobStream(this.#core, repository, source, accept, options);
  }

  /** Streams a blob, failing with DIGEST_MISMATCH unless it is exactly `desc` (blob-download.ts). */
  getBlob(repository: string, desc: BlobDescriptor): Promise<Readable> {
    return getBlob(this.#core, repository, desc);
  }

  /** Uploads a manifest (or index) under a tag or its digest (manifests.ts). */
  pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<{ digest: string; subjectAccepted: boolean }> {
    return pushManifest(this.#core, repository, reference, bytes, mediaType);
  }

  /** Fetches a manifest by tag or digest, checked against its digest and media type (manifests.ts). */
  getManifest(repository: string, reference: string, accept?: readonly string[]): Promise<FetchedManifest> {
    return getManifest(this.#core, repository, reference, accept);
  }

  /** The manifests that name `subjectDigest` as their subject: the registry's claims (manifests.ts). */
  referrers(repository: string, subjectDigest: string, options: { artifactType?: string } = {}): Promise<Descriptor[]> {
    return referrers(this.#core, repository, subjectDigest, options);
  }

  /** The repository's tags, every page (manifests.ts). */
  tags(repository: string): Promise<string[]> {
    return tags(this.#core, repository);
  }

  /** Adds `descriptor` to the `sha256-<hex>` fallback index of `subjectDigest` (manifests.ts). */
  addReferrerToFallbackIndex(
    repository: string,
    subjectDigest: string,
    descriptor: Descriptor,
  ): Promise<{ digest: string; updated: boolean }> {
    return addReferrerToFallbackIndex(this.#core, repository, subjectDigest, descriptor);
  }
}
