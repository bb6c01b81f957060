/**
 * Blobs up, their digest known beforehand: the registry's copy checked first,
 * then a mount from another repository, one streamed PUT, or PATCH chunks.
 * The chunks, the closing PUT and the cancel are shared with the uploads of
 * blob-stream-upload.ts.
 */
import { pipeline, type Readable } from 'node:stream';
import { digestsEqual } from '../../core/digest.js';
import { HashingCounter } from '../../core/hash-stream.js';
import { headBlob } from './blob-download.js';
import { OciError, quoteUntrusted } from './errors.js';
import { discard } from './http.js';
import type { Access, BlobDescriptor, Call, RegistryRequests } from './request.js';

/**
 * Uploads a blob unless the repository already has it: `open` is called for
 * each attempt and must stream exactly the bytes of `desc`. Blobs up to
 * chunkSize go in one streamed PUT, bigger ones in PATCH chunks (one chunk
 * in flight while the next is read: two in memory). With `mountFrom`, the registry is first asked to
 * link the blob from that repository of the same registry.
 */
export async function pushBlob(
  core: RegistryRequests,
  repository: string,
  desc: BlobDescriptor,
  open: () => Readable,
  options: { mountFrom?: string } = {},
): Promise<'exists' | 'mounted' | 'uploaded'> {
  core.errors.checkRepository(repository);
  core.errors.checkBlobDescriptor(desc, repository);
  const mount = options.mountFrom !== undefined && options.mountFrom !== repository ? options.mountFrom : undefined;
  if (mount !== undefined) core.errors.checkRepository(mount);
  // One token for the whole push, mount source included.
  const access = new Map<string, 'pull' | 'push'>([[repository, 'push']]);
  if (mount !== undefined) access.set(mount, 'pull');
  const existing = await headBlob(core, repository, desc.digest, access);
  if (existing !== undefined) {
    if (existing !== desc.size) {
      throw core.errors.error(
        'REGISTRY_RESPONSE_INVALID',
        repository,
        `blob ${desc.digest}: the registry has it with size ${existing}, expected ${desc.size}`,
      );
    }
    return 'exists';
  }

  let start: Call;
  if (mount !== undefined) {
    const url = core.url(`/v2/${repository}/blobs/uploads/`);
    url.searchParams.set('mount', desc.digest);
    url.searchParams.set('from', mount);
    start = {
      method: 'POST',
      url,
      repository,
      access,
      what: `blob ${desc.digest} mount from ${mount}`,
      headers: { 'content-length': '0' },
    };
  } else {
    start = {
      method: 'POST',
      url: core.url(`/v2/${repository}/blobs/uploads/`),
      repository,
      access,
      what: `blob ${desc.digest} upload`,
      headers: { 'content-length': '0' },
    };
  }
  const res = await core.request(start);
  if (res.status === 201 && start.url.searchParams.has('mount')) {
    await discard(res);
    return 'mounted';
  }
  if (res.status !== 202) return core.errors.fail(res, start);
  await discard(res);
  const location = core.location(res, start);
  if (desc.size <= core.chunkSize) await uploadMonolithic(core, repository, desc, open, location, access);
  else await uploadChunked(core, repository, desc, open, location, access);
  return 'uploaded';
}

async function uploadMonolithic(
  core: RegistryRequests,
  repository: string,
  desc: BlobDescriptor,
  open: () => Readable,
  location: URL,
  access: Access,
): Promise<void> {
  let counter: HashingCounter | undefined;
  let bodyError: unknown;
  let attempt = 0;
  // Called once per attempt (a 401 on the PUT reopens the stream): only the current attempt's error counts.
  const body = (): AsyncIterable<Uint8Array> => {
    const c = sourceCounter(core, repository, desc, open);
    const mine = ++attempt;
    counter = c;
    bodyError = undefined;
    const short = (): OciError => uploadMismatch(core, repository, desc, { bytes: c.bytes });
    return (async function* () {
      try {
        for await (const chunk of c) yield chunk as Buffer;
        if (c.bytes !== desc.size) throw short();
      } catch (err) {
        if (mine === attempt) bodyError = err;
        throw err;
      } finally {
        c.destroy();
      }
    })();
  };
  const call: Call = {
    method: 'PUT',
    url: withDigest(location, desc.digest),
    repository,
    access,
    what: `blob ${desc.digest} upload`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
    body,
    bodyError: () => bodyError,
    transfer: desc.size,
  };
  const res = await core.request(call);
  // When the stream was read to its end, check it ourselves, whatever the registry said.
  if (counter?.readableEnded) {
    const found = `sha256:${counter.digestHex()}`;
    if (!digestsEqual(found, desc.digest)) {
      await discard(res);
      throw uploadMismatch(core, repository, desc, { digest: found });
    }
  }
  if (res.status === 201) {
    await discard(res);
    return;
  }
  return failUpload(core, res, call);
}

async function uploadChunked(
  core: RegistryRequests,
  repository: string,
  desc: BlobDescriptor,
  open: () => Readable,
  location: URL,
  access: Access,
): Promise<void> {
  const counter = sourceCounter(core, repository, desc, open);
  const url = await sendChunks(core, repository, desc.digest, counter, location, access);
  const found = `sha256:${counter.digestHex()}`;
  if (counter.bytes !== desc.size || !digestsEqual(found, desc.digest)) {
    await cancelUpload(core, repository, url, access);
    throw uploadMismatch(
      core,
      repository,
      desc,
      counter.bytes !== desc.size ? { bytes: counter.bytes } : { digest: found },
    );
  }
  await closeUpload(core, repository, desc.digest, url, access);
}

/**
 * PATCHes of the chunk size from `source` to the upload at `location`; the upload's URL for what follows. Cancels the
 * upload on failure.
 */
export async function sendChunks(
  core: RegistryRequests,
  repository: string,
  what: string,
  source: AsyncIterable<unknown> & { destroy(e?: Error): void },
  location: URL,
  access: Access,
): Promise<URL> {
  let offset = 0;
  let url = location;
  // A chunk is sent as the pieces it was read in, streamed: no copy into one buffer, and none
  // by fetch (which copies a byte-array body); the pieces are kept until the chunk is acknowledged,
  // so the body can be sent again after a 401.
  const send = async (pieces: Buffer[], length: number): Promise<void> => {
    const end = offset + length - 1;
    const call: Call = {
      method: 'PATCH',
      url,
      repository,
      access,
      what: `blob ${what} upload (bytes ${offset}-${end})`,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${end}`,
        'content-length': String(length),
      },
      transfer: length,
      body: () =>
        // eslint-disable-next-line @typescript-eslint/require-await -- Call.body is an AsyncIterable; these chunks are already in memory
        (async function* () {
          yield* pieces;
        })(),
    };
    const res = await core.request(call);
    if (res.status !== 202) return failUpload(core, res, call);
    await discard(res);
    const range = res.headers.get('range');
    if (range !== null && range !== `0-${end}`)
      throw core.errors.invalid(call, `the registry acknowledged range ${quoteUntrusted(range)}, expected 0-${end}`);
    if (res.headers.has('location')) url = core.location(res, call);
    offset = end + 1;
  };

  // One chunk in flight while the next is read: the source (and whatever reads it beside the
  // upload, such as push's integrity check) keeps going while the registry takes a chunk in.
  let inFlight: Promise<void> | undefined;
  const dispatch = async (pieces: Buffer[], length: number): Promise<void> => {
    if (inFlight) await inFlight;
    inFlight = send(pieces, length);
    inFlight.catch(() => undefined);
  };
  let parts: Buffer[] = [];
  let buffered = 0;
  try {
    for await (const piece of source) {
      let rest = piece as Buffer;
      while (buffered + rest.length >= core.chunkSize) {
        const take = core.chunkSize - buffered;
        parts.push(rest.subarray(0, take));
        rest = rest.subarray(take);
        const chunk = parts;
        parts = [];
        buffered = 0;
        await dispatch(chunk, core.chunkSize);
      }
      if (rest.length > 0) {
        parts.push(rest);
        buffered += rest.length;
      }
    }
    if (buffered > 0) await dispatch(parts, buffered);
    if (inFlight) await inFlight;
  } catch (err) {
    source.destroy();
    // The chunk still in flight ends (or fails) before the upload is cancelled.
    await inFlight?.catch(() => undefined);
    await cancelUpload(core, repository, url, access);
    throw err;
  }
  return url;
}

/** The upload's closing PUT, naming the digest the registry must find. */
export async function closeUpload(
  core: RegistryRequests,
  repository: string,
  digest: string,
  url: URL,
  access: Access,
): Promise<void> {
  const call: Call = {
    method: 'PUT',
    url: withDigest(url, digest),
    repository,
    access,
    what: `blob ${digest} upload`,
    headers: { 'content-length': '0' },
  };
  const res = await core.request(call);
  if (res.status !== 201) return failUpload(core, res, call);
  await discard(res);
}

/** The caller's stream was not the blob it was said to be: the wrong size, or the wrong digest. */
function uploadMismatch(
  core: RegistryRequests,
  repository: string,
  desc: BlobDescriptor,
  found: { bytes: number } | { digest: string },
): OciError {
  return 'bytes' in found
    ? core.errors.mismatch(
        repository,
        `blob ${desc.digest} to upload: the stream gave ${found.bytes} bytes, expected ${desc.size}`,
        String(desc.size),
        String(found.bytes),
      )
    : core.errors.mismatch(
        repository,
        `blob ${desc.digest} to upload: the stream's bytes have digest ${found.digest}`,
        desc.digest,
        found.digest,
      );
}

/** The caller's stream, counted and hashed, failing as soon as it passes the declared size. */
function sourceCounter(
  core: RegistryRequests,
  repository: string,
  desc: BlobDescriptor,
  open: () => Readable,
): HashingCounter {
  const counter = new HashingCounter({
    limit: desc.size,
    onLimit: () =>
      core.errors.mismatch(
        repository,
        `blob ${desc.digest} to upload: the stream gave more than ${desc.size} bytes`,
        String(desc.size),
        `>${desc.size}`,
      ),
  });
  pipeline(open(), counter, () => undefined);
  return counter;
}

export async function cancelUpload(
  core: RegistryRequests,
  repository: string,
  url: URL,
  access: Access,
): Promise<void> {
  try {
    const res = await core.request({ method: 'DELETE', url, repository, access, what: 'upload cancel' });
    await discard(res);
  } catch {
    // best effort: the registry expires abandoned uploads
  }
}

/** Upload failures: a digest the registry computed differently is DIGEST_MISMATCH. */
export async function failUpload(core: RegistryRequests, res: Response, call: Call): Promise<never> {
  try {
    return await core.errors.fail(res, call);
  } catch (err) {
    if (
      err instanceof OciError &&
      err.status === 400 &&
      err.registryCodes?.some((c) => c === 'DIGEST_INVALID' || c === 'SIZE_INVALID')
    ) {
      throw new OciError('DIGEST_MISMATCH', err.message, {
        registry: core.registry,
        repository: call.repository,
        status: 400,
        registryCodes: err.registryCodes,
        algorithm: 'sha256',
        expected: call.url.searchParams.get('digest') ?? undefined,
      });
    }
    throw err;
  }
}

/** `?digest=` appended to an upload location, keeping the registry's own query (its upload state) byte for byte. */
export function withDigest(location: URL, digest: string): URL {
  const base = new URL(location);
  base.hash = '';
  return new URL(`${base.href}${base.search === '' ? '?' : '&'}digest=${encodeURIComponent(digest)}`);
}
