import { appendAll } from '../../core/objects.js';
/**
 * Manifests and referrers: manifests up and down (each checked against its
 * digest), the tag list, the referrers API with the `sha256-<hex>` fallback
 * tag of registries without it.
 */
import { parseJsonShallow } from '../../core/strict-json.js';
import { issuesInline, zodIssues, safeParseBounded } from '../../core/issues.js';
import { digestsEqual, sha256Digest } from '../../core/digest.js';
import { OciError, quoteUntrusted } from './errors.js';
import { discard } from './http.js';
import { nextLink } from '../http/link.js';
import {
  MAX_OCI_MANIFEST_BYTES,
  MEDIA_TYPE_RE,
  OCI_INDEX,
  OCI_MANIFEST,
  descriptorSchema,
  imageIndexSchema,
  referrersTag,
  type Descriptor,
  type ImageIndex,
} from './manifest.js';
import { digestProblem, tagProblem } from './reference.js';
import { pullAccess, pushAccess, type Call, type RegistryRequests } from './request.js';

const MAX_REFERRER_PAGES = 64;
const MAX_TAG_PAGES = 64;

export interface FetchedManifest {
  /** The exact bytes served, whose sha256 is `digest`. */
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

function mediaTypeOf(header: string | null): string | undefined {
  const base = header?.split(';')[0]?.trim();
  return base === undefined || base === '' ? undefined : base;
}

/**
 * Uploads a manifest (or index) under a tag or its digest. `subjectAccepted`
 * is true when the registry answered with `OCI-Subject` (OCI distribution
 * 1.1: it indexed the subject, so the referrers API will list this).
 */
export async function pushManifest(
  core: RegistryRequests,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<{ digest: string; subjectAccepted: boolean }> {
  core.errors.checkRepository(repository);
  core.errors.checkReference(reference, repository);
  if (!MEDIA_TYPE_RE.test(mediaType))
    throw core.errors.error(
      'DESCRIPTOR_INVALID',
      repository,
      `manifest media type ${quoteUntrusted(mediaType)} is not a media type`,
    );
  if (bytes.byteLength > MAX_OCI_MANIFEST_BYTES) {
    throw core.errors.error(
      'DESCRIPTOR_INVALID',
      repository,
      `manifest for ${reference} is ${bytes.byteLength} bytes, more than the ${MAX_OCI_MANIFEST_BYTES} registries accept`,
    );
  }
  const digest = sha256Digest(bytes);
  if (reference.includes(':') && !digestsEqual(digest, reference)) {
    throw core.errors.mismatch(repository, `manifest to push as ${reference} has digest ${digest}`, reference, digest);
  }
  const call: Call = {
    method: 'PUT',
    url: core.url(`/v2/${repository}/manifests/${reference}`),
    repository,
    access: pushAccess(repository),
    what: `manifest ${reference} upload`,
    headers: { 'content-type': mediaType },
    body: bytes,
    transfer: bytes.byteLength,
  };
  const res = await core.request(call);
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) return core.errors.fail(res, call);
  await discard(res);
  const sent = res.headers.get('docker-content-digest');
  if (sent !== null && sent !== digest)
    throw core.errors.invalid(
      call,
      `the registry reports digest ${quoteUntrusted(sent)} for a manifest whose digest is ${digest}`,
    );
  return { digest, subjectAccepted: res.headers.has('oci-subject') };
}

/**
 * Fetches a manifest by tag or digest. The digest returned is the sha256 of
 * the exact bytes; by digest, it must equal the one asked for, and a
 * Docker-Content-Digest header must agree with it. The media type must be
 * one of `accept`.
 */
export async function getManifest(
  core: RegistryRequests,
  repository: string,
  reference: string,
  accept: readonly string[] = [OCI_MANIFEST, OCI_INDEX],
): Promise<FetchedManifest> {
  core.errors.checkRepository(repository);
  core.errors.checkReference(reference, repository);
  const call: Call = {
    method: 'GET',
    url: core.url(`/v2/${repository}/manifests/${reference}`),
    repository,
    access: pullAccess(repository),
    what: `manifest ${reference}`,
    headers: { accept: accept.join(', '), 'accept-encoding': 'identity' },
  };
  const res = await core.request(call);
  if (!res.ok) return core.errors.fail(res, call);
  const bytes = await core.readJsonBody(res, call, MAX_OCI_MANIFEST_BYTES);
  const digest = sha256Digest(bytes);
  if (reference.includes(':') && !digestsEqual(digest, reference)) {
    throw core.errors.mismatch(
      repository,
      `manifest ${reference}: the registry sent bytes with digest ${digest}`,
      reference,
      digest,
    );
  }
  const sent = res.headers.get('docker-content-digest');
  if (sent !== null) {
    if (digestProblem(sent))
      throw core.errors.invalid(call, `Docker-Content-Digest ${quoteUntrusted(sent)} is not a sha256 digest`);
    if (!digestsEqual(sent, digest))
      throw core.errors.mismatch(
        repository,
        `manifest ${reference}: Docker-Content-Digest is ${sent} but the bytes have digest ${digest}`,
        sent,
        digest,
      );
  }
  let json: unknown;
  try {
    json = parseJsonShallow(bytes.toString('utf8'));
  } catch {
    throw core.errors.invalid(call, 'the manifest is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw core.errors.invalid(call, 'the manifest is not a JSON object');
  const declared = (json as { mediaType?: unknown }).mediaType;
  const header = mediaTypeOf(res.headers.get('content-type'));
  if (declared !== undefined && typeof declared !== 'string')
    throw core.errors.invalid(call, "the manifest's mediaType is not a string");
  if (declared !== undefined && header !== undefined && declared !== header) {
    throw core.errors.invalid(
      call,
      `Content-Type ${quoteUntrusted(header)} disagrees with the manifest's mediaType ${quoteUntrusted(declared)}`,
    );
  }
  const mediaType = declared ?? header;
  if (mediaType === undefined)
    throw core.errors.invalid(call, 'the manifest has no media type (no mediaType field, no Content-Type)');
  if (accept.length > 0 && !accept.includes(mediaType))
    throw core.errors.invalid(
      call,
      `media type ${quoteUntrusted(mediaType)} is not one of those asked for (${accept.join(', ')})`,
    );
  return { bytes, mediaType, digest };
}

/**
 * The manifests that name `subjectDigest` as their subject: from the
 * referrers API (OCI distribution 1.1), or, where the registry has none
 * (404), from the `sha256-<hex>` fallback tag. Filtered by artifactType
 * here too, since registries may ignore the filter. These are the
 * registry's claims: check each referrer's subject before trusting it.
 */
export async function referrers(
  core: RegistryRequests,
  repository: string,
  subjectDigest: string,
  options: { artifactType?: string } = {},
): Promise<Descriptor[]> {
  core.errors.checkRepository(repository);
  core.errors.checkDigest(subjectDigest, repository);
  let url = core.url(`/v2/${repository}/referrers/${subjectDigest}`);
  if (options.artifactType !== undefined) url.searchParams.set('artifactType', options.artifactType);
  const found: Descriptor[] = [];
  for (let page = 0; ; page++) {
    const call: Call = {
      method: 'GET',
      url,
      repository,
      access: pullAccess(repository),
      what: `referrers of ${subjectDigest}`,
      headers: { accept: OCI_INDEX, 'accept-encoding': 'identity' },
    };
    const res = await core.request(call);
    if (res.status === 404 && page === 0) {
      await discard(res);
      return fallbackReferrers(core, repository, subjectDigest, options.artifactType);
    }
    if (!res.ok) return core.errors.fail(res, call);
    const bytes = await core.readJsonBody(res, call, MAX_OCI_MANIFEST_BYTES);
    appendAll(found, parseIndex(core, bytes, call).manifests);
    const next = nextPage(core, res, url, call, page, MAX_REFERRER_PAGES, 'referrers');
    if (next === undefined) break;
    url = next;
  }
  return filterByArtifactType(found, options.artifactType);
}

/**
 * The repository's tags (GET /v2/<name>/tags/list), every page, following
 * Link headers only within the registry. A registry's answer: each tag's
 * manifest is still read and checked by the caller.
 */
export async function tags(core: RegistryRequests, repository: string): Promise<string[]> {
  core.errors.checkRepository(repository);
  let url = core.url(`/v2/${repository}/tags/list`);
  url.searchParams.set('n', '1000');
  const found: string[] = [];
  for (let page = 0; ; page++) {
    const call: Call = {
      method: 'GET',
      url,
      repository,
      access: pullAccess(repository),
      what: 'tag list',
      headers: { accept: 'application/json', 'accept-encoding': 'identity' },
    };
    const res = await core.request(call);
    if (!res.ok) return core.errors.fail(res, call);
    const bytes = await core.readJsonBody(res, call, MAX_OCI_MANIFEST_BYTES);
    let parsed: { tags?: unknown };
    try {
      parsed = parseJsonShallow(bytes.toString('utf8')) as { tags?: unknown };
    } catch {
      throw core.errors.invalid(call, 'the tag list is not JSON');
    }
    const tags = parsed.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && tagProblem(t) === undefined))
      throw core.errors.invalid(call, 'the tag list holds something that is not a tag');
    appendAll(found, tags as string[]);
    const next = nextPage(core, res, url, call, page, MAX_TAG_PAGES, 'tags');
    if (next === undefined) break;
    url = next;
  }
  return [...new Set(found)];
}

/** The next page a Link header names (RFC 5988 rel="next"), only within this registry and up to `max` pages. */
function nextPage(
  core: RegistryRequests,
  res: Response,
  url: URL,
  call: Call,
  page: number,
  max: number,
  what: string,
): URL | undefined {
  const next = nextLink(res.headers.get('link'));
  if (next === undefined) return undefined;
  if (page + 1 >= max) throw core.errors.invalid(call, `more than ${max} pages of ${what}`);
  let nextUrl: URL;
  try {
    nextUrl = new URL(next, url);
  } catch {
    throw core.errors.invalid(call, `Link ${quoteUntrusted(next)} is not a URL`);
  }
  if (nextUrl.origin !== core.origin)
    throw core.errors.invalid(call, `Link ${quoteUntrusted(next)} leaves the registry`);
  return nextUrl;
}

async function fallbackReferrers(
  core: RegistryRequests,
  repository: string,
  subjectDigest: string,
  artifactType: string | undefined,
): Promise<Descriptor[]> {
  const current = await fallbackIndex(core, repository, subjectDigest);
  return current ? filterByArtifactType(current.index.manifests, artifactType) : [];
}

async function fallbackIndex(
  core: RegistryRequests,
  repository: string,
  subjectDigest: string,
): Promise<{ index: ImageIndex; digest: string } | undefined> {
  const tag = referrersTag(subjectDigest);
  let fetched: FetchedManifest;
  try {
    fetched = await getManifest(core, repository, tag, [OCI_INDEX]);
  } catch (err) {
    if (err instanceof OciError && err.code === 'REGISTRY_NOT_FOUND') return undefined;
    throw err;
  }
  return {
    index: parseIndex(core, fetched.bytes, { repository, what: `referrers tag ${tag}` }),
    digest: fetched.digest,
  };
}

/**
 * Adds `descriptor` to the `sha256-<hex>` fallback index of `subjectDigest`
 * (for registries without the referrers API), creating it if needed.
 * Read-modify-write with no lock: distribution has no conditional PUT, so
 * concurrent writers can lose an entry. The previous index is not deleted.
 */
export async function addReferrerToFallbackIndex(
  core: RegistryRequests,
  repository: string,
  subjectDigest: string,
  descriptor: Descriptor,
): Promise<{ digest: string; updated: boolean }> {
  core.errors.checkRepository(repository);
  core.errors.checkDigest(subjectDigest, repository);
  const parsed = safeParseBounded(descriptorSchema, descriptor);
  if (!parsed.success)
    throw core.errors.error(
      'DESCRIPTOR_INVALID',
      repository,
      `referrer descriptor is invalid: ${issuesInline(zodIssues(parsed.error))}`,
    );
  const tag = referrersTag(subjectDigest);
  const current = await fallbackIndex(core, repository, subjectDigest);
  if (current?.index.manifests.some((m) => m.digest === parsed.data.digest))
    return { digest: current.digest, updated: false };
  const index: ImageIndex = current?.index ?? { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  const next: ImageIndex = { ...index, mediaType: OCI_INDEX, manifests: [...index.manifests, parsed.data] };
  const { digest } = await pushManifest(core, repository, tag, Buffer.from(JSON.stringify(next), 'utf8'), OCI_INDEX);
  return { digest, updated: true };
}

function parseIndex(core: RegistryRequests, bytes: Buffer, call: Pick<Call, 'repository' | 'what'>): ImageIndex {
  let json: unknown;
  try {
    json = parseJsonShallow(bytes.toString('utf8'));
  } catch {
    throw core.errors.invalid(call, 'the image index is not valid JSON');
  }
  const parsed = safeParseBounded(imageIndexSchema, json);
  if (!parsed.success) {
    throw core.errors.invalid(call, `not a valid OCI image index (${issuesInline(zodIssues(parsed.error))})`);
  }
  return parsed.data;
}

function filterByArtifactType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? descriptors : descriptors.filter((d) => d.artifactType === artifactType);
}
