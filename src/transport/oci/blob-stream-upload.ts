/**
 * Blobs up whose digest is known only once they are read (push: the bundle
 * verified from the same read): one streamed PATCH of the whole blob when its
 * size is known, else chunks; closed under the digest the caller gives at the
 * end, or cancelled.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { headBlob } from './blob-download.js';
import { cancelUpload, closeUpload, failUpload, sendChunks } from './blob-upload.js';
import { OciError, quoteUntrusted } from './errors.js';
import { discard } from './http.js';
import type { Access, Call, RegistryRequests } from './request.js';

/**
 * Uploads a blob whose digest is known only once it is read: the bytes of
 * `source` go up in chunks as they are read, and the upload is closed only
 * under the digest `accept` gives at the end (told the size); when it
 * throws, the upload is cancelled. The caller hashes what it reads anyway
 * (push verifies the bundle from the same read), so the bytes are hashed
 * once: one read of the source, one hash.
 */
export async function pushBlobStream(
  core: RegistryRequests,
  repository: string,
  source: Readable,
  accept: (size: number) => Promise<string>,
  options: { size?: number } = {},
): Promise<{ digest: string; size: number; existed: boolean }> {
  core.errors.checkRepository(repository);
  const access = new Map<string, 'pull' | 'push'>([[repository, 'push']]);
  const start: Call = {
    method: 'POST',
    url: core.url(`/v2/${repository}/blobs/uploads/`),
    repository,
    access,
    what: 'blob upload',
    headers: { 'content-length': '0' },
  };
  const res = await core.request(start);
  if (res.status !== 202) {
    source.destroy();
    return core.errors.fail(res, start);
  }
  await discard(res);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(source, counter, () => undefined);
  const location = core.location(res, start);
  const url =
    options.size !== undefined
      ? await sendStreamed(core, repository, counter, options.size, location, access)
      : await sendChunks(core, repository, 'stream', counter, location, access);
  let digest: string;
  try {
    digest = await accept(size);
  } catch (err) {
    await cancelUpload(core, repository, url, access);
    throw err;
  }
  const blob = { digest, size };
  // Already there (a second push): the upload is dropped, the blob kept as it is.
  const existing = await headBlob(core, repository, blob.digest, access);
  if (existing !== undefined) {
    await cancelUpload(core, repository, url, access);
    if (existing !== blob.size)
      throw core.errors.error(
        'REGISTRY_RESPONSE_INVALID',
        repository,
        `blob ${blob.digest}: the registry has it with size ${existing}, expected ${blob.size}`,
      );
    return { ...blob, existed: true };
  }
  await closeUpload(core, repository, blob.digest, url, access);
  return { ...blob, existed: false };
}

/**
 * The whole blob in one PATCH, streamed as it is read, of a length known
 * beforehand (no Content-Range: the "stream" upload docker push uses, which
 * registries that take docker push accept). One request instead of one per
 * chunk, nothing buffered but what is in flight. The body cannot be sent
 * twice: a registry that asks to authenticate again mid-upload fails it.
 */
async function sendStreamed(
  core: RegistryRequests,
  repository: string,
  source: Readable,
  size: number,
  location: URL,
  access: Access,
): Promise<URL> {
  let sent = false;
  let bodyError: unknown;
  const tooMany = (): OciError =>
    core.errors.mismatch(
      repository,
      `blob stream upload: the source gave more than the ${size} bytes it was said to have`,
      String(size),
      `>${size}`,
    );
  const body = (): AsyncIterable<Uint8Array> => {
    if (sent)
      throw core.errors.error(
        'REGISTRY_RESPONSE_INVALID',
        repository,
        'blob stream upload: the registry asked to authenticate again in the middle of the upload',
      );
    sent = true;
    return (async function* () {
      let count = 0;
      try {
        for await (const piece of source) {
          count += (piece as Buffer).length;
          // Never a byte past the Content-Length: it would be read as the next request on the connection.
          if (count > size) throw tooMany();
          yield piece as Buffer;
        }
        if (count !== size)
          throw new OciError(
            'DIGEST_MISMATCH',
            `blob stream upload: the source ended after ${count} of the ${size} bytes it was said to have`,
            { expected: String(size), found: String(count) },
          );
      } catch (err) {
        bodyError = err;
        throw err;
      }
    })();
  };
  const call: Call = {
    method: 'PATCH',
    url: location,
    repository,
    access,
    what: `blob stream upload (${size} bytes)`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    bodyError: () => bodyError,
    transfer: size,
  };
  try {
    // node:http rather than fetch: fetch copies every piece of a streamed body, 1 GiB of copies for a 1 GiB bundle.
    const res = await core.streamedRequest(call, body(), () => bodyError);
    if (res.status === 400 || res.status === 405 || res.status === 416 || res.status === 401) {
      // Refused as a kind of request (a registry that wants Content-Range, or a token it will not take for it): chunks
      // instead.
      await discard(res);
      throw core.errors.error(
        'STREAM_UPLOAD_REFUSED',
        repository,
        `blob stream upload: the registry answered HTTP ${res.status} to a whole-blob PATCH`,
        { status: res.status },
      );
    }
    if (res.status !== 202) return await failUpload(core, res, call);
    await discard(res);
    const range = res.headers.get('range');
    if (range !== null && range !== `0-${size - 1}`)
      throw core.errors.invalid(
        call,
        `the registry acknowledged range ${quoteUntrusted(range)}, expected 0-${size - 1}`,
      );
    return res.headers.has('location') ? core.location(res, call) : location;
  } catch (err) {
    source.destroy();
    await cancelUpload(core, repository, location, access);
    throw err;
  }
}
