/** Blobs down: a blob's size (HEAD), and a blob streamed and checked against its digest as it is read. */

import { Readable, type TransformCallback } from 'node:stream';
import { digestsEqual } from '../../core/digest.js';
import { HashingCounter } from '../../core/hash-stream.js';
import { OciError, quoteUntrusted } from './errors.js';
import { discard } from './http.js';
import { networkErrorCode } from './registry-errors.js';
import { pullAccess, type Access, type BlobDescriptor, type Call, type RegistryRequests } from './request.js';

/** The size of a blob the registry has, or undefined when it has none. */
export async function blobSize(
  core: RegistryRequests,
  repository: string,
  digest: string,
): Promise<number | undefined> {
  core.errors.checkRepository(repository);
  core.errors.checkDigest(digest, repository);
  return headBlob(core, repository, digest, pullAccess(repository));
}

export async function headBlob(
  core: RegistryRequests,
  repository: string,
  digest: string,
  access: Access,
): Promise<number | undefined> {
  const call: Call = {
    method: 'HEAD',
    url: core.url(`/v2/${repository}/blobs/${digest}`),
    repository,
    access,
    what: `blob ${digest}`,
  };
  const res = await core.request(call);
  if (res.status === 404) {
    await discard(res);
    return undefined;
  }
  if (!res.ok) return core.errors.fail(res, call);
  await discard(res);
  const length = res.headers.get('content-length');
  if (length === null || !/^\d{1,16}$/.test(length) || !Number.isSafeInteger(Number(length))) {
    throw core.errors.invalid(call, `HEAD answered without a valid Content-Length (${quoteUntrusted(String(length))})`);
  }
  const sent = res.headers.get('docker-content-digest');
  if (sent !== null && sent !== digest)
    throw core.errors.invalid(call, `HEAD answered for another digest ${quoteUntrusted(sent)}`);
  return Number(length);
}

/**
 * Streams a blob, following redirects (without our Authorization header
 * when they leave the registry's origin). The stream fails with OciError
 * DIGEST_MISMATCH when the bytes are more or fewer than `desc.size` or do
 * not hash to `desc.digest`: consume it to the end before trusting it.
 */
export async function getBlob(core: RegistryRequests, repository: string, desc: BlobDescriptor): Promise<Readable> {
  core.errors.checkRepository(repository);
  core.errors.checkBlobDescriptor(desc, repository);
  const call: Call = {
    method: 'GET',
    url: core.url(`/v2/${repository}/blobs/${desc.digest}`),
    repository,
    access: pullAccess(repository),
    what: `blob ${desc.digest}`,
    headers: { 'accept-encoding': 'identity' },
    transfer: desc.size,
  };
  const res = await core.request(call);
  if (!res.ok) return core.errors.fail(res, call);
  const length = res.headers.get('content-length');
  if (length !== null && /^\d+$/.test(length) && Number(length) !== desc.size) {
    await discard(res);
    throw core.errors.mismatch(
      repository,
      `blob ${desc.digest}: the registry sends ${length} bytes, expected ${desc.size}`,
      String(desc.size),
      length,
    );
  }
  const mismatch = (found: string, why: string, expected: string): OciError =>
    core.errors.mismatch(repository, `blob ${desc.digest}: ${why}`, expected, found);
  const verifier = new VerifyingCounter(desc, mismatch);
  if (!res.body) {
    verifier.end();
    return verifier;
  }
  const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  source.on('error', (err) => {
    verifier.destroy(
      err instanceof OciError
        ? err
        : core.errors.error(
            'REGISTRY_UNREACHABLE',
            repository,
            `blob ${desc.digest}: the download broke off (${networkErrorCode(err)})`,
            { cause: err },
          ),
    );
  });
  verifier.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(verifier);
  return verifier;
}

/** Counts and hashes a download, failing with DIGEST_MISMATCH on too many bytes, too few, or other bytes. */
class VerifyingCounter extends HashingCounter {
  readonly #desc: BlobDescriptor;
  readonly #mismatch: (found: string, why: string, expected: string) => OciError;

  constructor(desc: BlobDescriptor, mismatch: (found: string, why: string, expected: string) => OciError) {
    super({
      limit: desc.size,
      onLimit: () => mismatch(`>${desc.size}`, `the registry sent more than ${desc.size} bytes`, String(desc.size)),
    });
    this.#desc = desc;
    this.#mismatch = mismatch;
  }

  override _flush(cb: TransformCallback): void {
    if (this.bytes !== this.#desc.size) {
      cb(
        this.#mismatch(
          String(this.bytes),
          `the registry sent ${this.bytes} bytes, expected ${this.#desc.size}`,
          String(this.#desc.size),
        ),
      );
      return;
    }
    const found = `sha256:${this.digestHex()}`;
    if (!digestsEqual(found, this.#desc.digest)) {
      cb(this.#mismatch(found, `the registry sent bytes with digest ${found}`, this.#desc.digest));
      return;
    }
    cb();
  }
}
