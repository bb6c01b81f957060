/**
 * A small OCI distribution client over fetch: references, credentials and
 * registry auth, blobs, manifests and referrers. No console, no environment,
 * no process: everything comes in through options.
 */
export * from './errors.js';
export * from './reference.js';
export * from './auth.js';
export * from './manifest.js';
export {
  RegistryClient,
  DEFAULT_CHUNK_SIZE,
  type RegistryClientOptions,
  type BlobDescriptor,
  type FetchedManifest,
} from './client.js';
