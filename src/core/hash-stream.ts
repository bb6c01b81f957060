import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A pass-through that hashes and counts what flows through it: the one place
 * where streamed content is digested, for writing, verifying and subjects alike.
 */
export class HashingCounter extends Transform {
  readonly #hash: Hash;
  #bytes = 0;
  readonly #limit: number;
  readonly #onLimit: (() => Error) | undefined;

  constructor(options: { algorithm?: 'sha256' | 'sha512'; limit?: number; onLimit?: () => Error } = {}) {
    super();
    this.#hash = createHash(options.algorithm ?? 'sha256');
    this.#limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.#onLimit = options.onLimit;
  }

  get bytes(): number {
    return this.#bytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limit) {
      cb(this.#onLimit ? this.#onLimit() : new Error(`more than ${this.#limit} bytes`));
      return;
    }
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  /** Hex digest; call once, after the stream has ended. */
  digestHex(): string {
    return this.#hash.digest('hex');
  }
}

/**
 * Read size for files that are hashed or copied: 4 MiB reads. With Node's
 * default 64 KiB, hashing measured about 0.6× openssl here (docs/performance.md).
 */
export const HASH_READ_CHUNK = 4 * 1024 * 1024;
