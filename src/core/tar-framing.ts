import { headerProblems, headerSize } from './tar-header.js';
import { Transform, type TransformCallback } from 'node:stream';
import type { Header } from 'tar-stream';
import { HashingCounter } from './hash-stream.js';
import { MAX_MANIFEST_BYTES, TAR_OVERHEAD_PER_MEMBER, memberRole } from './layout.js';
import type { Finding } from './bundle-contents.js';

/**
 * The gzip and tar framing of a bundle as src/core/bundle-reader.ts reads it:
 * the meter on the decompressed stream and the counter on the compressed one,
 * and what a member's header or a stream error means as a finding.
 */

class LimitError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed data exceeds ${limit} bytes`);
  }
}

/** A tar framing problem seen in the raw bytes: a header GNU tar refuses, or data hidden in padding. */
export interface FramingProblem {
  kind: 'header' | 'padding';
  /** Offset of the member's header in the tar stream. */
  header: number;
  message: string;
}

/**
 * Counts decompressed bytes, enforces a limit that grows once the manifest is
 * known, remembers where the last non-zero byte was, and follows the tar
 * framing on the raw bytes: each header is checked as GNU tar checks it
 * (src/core/tar-header.ts), and the padding after each member's data must be
 * zeros. tar-stream reads lenient headers and skips padding unseen; this
 * sees both, at the cost of a few comparisons per member.
 */
export class DecompressedMeter extends Transform {
  bytes = 0;
  lastNonZero = -1;
  limit = MAX_MANIFEST_BYTES + TAR_OVERHEAD_PER_MEMBER;
  readonly problems: FramingProblem[] = [];
  #header = 0; // offset of the next (or current) header
  #headerBytes = Buffer.alloc(512);
  #headerFill = 0;
  #dataEnd = 0; // the current member's data ends here; padding runs to #header
  #tracking = true;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.bytes + chunk.length > this.limit) {
      cb(new LimitError(this.limit));
      return;
    }
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== 0) {
        this.lastNonZero = this.bytes + i;
        break;
      }
    }
    if (this.#tracking) this.#frame(chunk, this.bytes);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  #frame(chunk: Buffer, start: number): void {
    let i = 0;
    while (i < chunk.length && this.#tracking) {
      const at = start + i;
      if (at < this.#dataEnd) {
        i += Math.min(chunk.length - i, this.#dataEnd - at);
      } else if (at < this.#header) {
        const end = i + Math.min(chunk.length - i, this.#header - at);
        for (let j = i; j < end; j++) {
          if (chunk[j] !== 0) {
            this.problems.push({
              kind: 'padding',
              header: this.#header,
              message: `non-zero bytes at offset ${start + j}, in the padding after a member's data`,
            });
            break;
          }
        }
        i = end;
      } else {
        const n = Math.min(chunk.length - i, 512 - this.#headerFill);
        chunk.copy(this.#headerBytes, this.#headerFill, i, i + n);
        this.#headerFill += n;
        i += n;
        if (this.#headerFill === 512) this.#onHeader();
      }
    }
  }

  #onHeader(): void {
    const block = this.#headerBytes;
    this.#headerFill = 0;
    // A zero block ends the archive; what follows is the trailer, checked by lastNonZero.
    if (block.every((b) => b === 0)) {
      this.#tracking = false;
      return;
    }
    const problems = headerProblems(block);
    const size = headerSize(block);
    if (problems.length > 0 || size === undefined || size > BigInt(Number.MAX_SAFE_INTEGER)) {
      for (const p of problems)
        this.problems.push({
          kind: 'header',
          header: this.#header,
          message: `${p.message} (${JSON.stringify(p.value)})`,
        });
      // Past a header GNU tar refuses, the framing is no longer known.
      this.#tracking = false;
      return;
    }
    const dataStart = this.#header + 512;
    this.#dataEnd = dataStart + Number(size);
    this.#header = dataStart + pad512(Number(size));
  }
}

export const pad512 = (n: number): number => Math.ceil(n / 512) * 512;

/** Hashes and counts the compressed bytes, and keeps the first few: enough to tell whether the input began as gzip. */
export class CompressedCounter extends HashingCounter {
  head = Buffer.alloc(0);

  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    if (this.head.length < 4) this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
    super._transform(chunk, enc, cb);
  }

  /** Magic 1f 8b, method 8 (deflate), no reserved flags: a header zlib accepts. */
  startsAsGzip(): boolean {
    const h = this.head;
    return h.length === 4 && h[0] === 0x1f && h[1] === 0x8b && h[2] === 8 && ((h[3] as number) & 0xe0) === 0;
  }
}

export function memberProblem(h: Header): Pick<Finding, 'code' | 'message'> | undefined {
  const name = h.name;
  if (h.pax && Object.keys(h.pax).length > 0) {
    return {
      code: 'PAX_HEADER_NOT_ALLOWED',
      message: `'${name}' carries a PAX extended header (${Object.keys(h.pax).join(', ')}); bundles never need one`,
    };
  }
  switch (h.type) {
    case 'file':
      break;
    case 'symlink':
      return { code: 'SYMLINK_MEMBER', message: `'${name}' is a symbolic link (to '${h.linkname ?? ''}')` };
    case 'link':
      return { code: 'HARDLINK_MEMBER', message: `'${name}' is a hard link (to '${h.linkname ?? ''}')` };
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return { code: 'DEVICE_MEMBER', message: `'${name}' is a ${h.type}` };
    default:
      return {
        code: 'UNSUPPORTED_MEMBER_TYPE',
        message: `'${name}' is a ${h.type ?? 'unknown'} member; bundles hold regular files only`,
      };
  }
  if (name.startsWith('/') || name.split('/').includes('..') || name.includes('\\') || /^[A-Za-z]:/.test(name)) {
    return { code: 'UNSAFE_PATH', message: `'${name}' is an absolute path or climbs out of the bundle` };
  }
  if (!memberRole(name)) {
    return { code: 'UNEXPECTED_MEMBER', message: `'${name}' is not a member a bundle may hold` };
  }
  return undefined;
}

export function classify(e: unknown, pipeError: unknown, startedAsGzip: boolean): Finding {
  const err = (pipeError ?? e) as NodeJS.ErrnoException & { code?: string };
  if (err instanceof LimitError || e instanceof LimitError) {
    const limit = (err instanceof LimitError ? err : (e as LimitError)).limit;
    return {
      check: 'archive',
      code: 'DECOMPRESSION_LIMIT_EXCEEDED',
      message: `decompressed data exceeds ${limit} bytes, more than the manifest declares`,
    };
  }
  const message = err?.message ?? String(err);
  // zlib reads what follows a gzip member as the next member: when the input
  // began with a valid gzip header, a header error can only come from bytes
  // after the end of the gzip stream.
  if (
    err?.code === 'Z_DATA_ERROR' &&
    startedAsGzip &&
    /header check|unknown compression method|unknown header flags/.test(message)
  ) {
    return {
      check: 'archive',
      code: 'TRAILING_GARBAGE',
      message: 'bytes that are not gzip data follow the end of the gzip stream',
    };
  }
  if (err?.code === 'Z_DATA_ERROR' && /header check/.test(message)) {
    return { check: 'archive', code: 'ARCHIVE_NOT_GZIP', message: 'the bundle is not gzip-compressed data' };
  }
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return { check: 'archive', code: 'ARCHIVE_TRUNCATED', message: `the bundle ends early: ${message}` };
  }
  return { check: 'archive', code: 'ARCHIVE_CORRUPT', message: `the bundle cannot be read: ${message}` };
}
