import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { HASH_READ_CHUNK } from '../core/hash-stream.js';

export type HashAlgorithm = 'sha256' | 'sha512';

/**
 * Hashes a file with one or more algorithms in one pass. Two reused buffers:
 * the next read is in flight while the current chunk is hashed, which measured
 * on a par with `openssl dgst` here, where a stream pipeline was about 0.75×
 * (docs/performance.md). Memory is two chunks whatever the file's size.
 */
export async function hashFile<A extends HashAlgorithm>(
  path: string,
  algorithms: readonly A[],
  reuse?: HashBuffers,
): Promise<{ size: number; hex: Record<A, string> }> {
  const handle = await open(path, 'r');
  try {
    const hashes = algorithms.map((a) => [a, createHash(a)] as [A, Hash]);
    // A caller's buffers, or two of the file's size (a bundle of kilobytes does not take two 4 MiB buffers each time:
    // that memory, outside the heap, made the garbage collector run every few files).
    const buffers = reuse?.buffers ?? hashBuffers((await handle.stat()).size).buffers;
    let which = 0;
    let size = 0;
    const length = buffers[0].length;
    let pending = handle.read(buffers[0], 0, length, null);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      which ^= 1;
      pending = handle.read(buffers[which] as Buffer, 0, length, null);
      const chunk = buffer.subarray(0, bytesRead);
      for (const [, h] of hashes) h.update(chunk);
      size += bytesRead;
    }
    return { size, hex: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])) as Record<A, string> };
  } finally {
    await handle.close();
  }
}

/**
 * The two read buffers of hashFile, for a caller that hashes many files one
 * after another (release subjects: a tree of 10,000 files): allocated once,
 * not twice per file, which left the garbage collector most of the work.
 */
export interface HashBuffers {
  readonly buffers: [Buffer, Buffer];
}

/** Read buffers for files up to `size` bytes (larger ones are read in more reads): at least 8 KiB, at most 4 MiB. */
export function hashBuffers(size = HASH_READ_CHUNK): HashBuffers {
  const length = Math.min(HASH_READ_CHUNK, Math.max(8 * 1024, size + 1));
  return { buffers: [Buffer.allocUnsafeSlow(length), Buffer.allocUnsafeSlow(length)] };
}
