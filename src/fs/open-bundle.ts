import { countingStream, type ByteProgress } from './progress.js';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { VerifyError } from '../verifier/errors.js';

const BUNDLE_READ_CHUNK = 1024 * 1024;

/** Opens a bundle file for one streaming read, with errors that name it. */
/** `size` is the opened file's, from the same handle the stream reads (not a second look by path). */
export async function openBundle(
  cwd: string,
  bundle: string,
  onBytes?: ByteProgress,
): Promise<{ path: string; stream: Readable; size: number }> {
  const path = resolve(cwd, bundle);
  let handle;
  let size: number;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    size = info.size;
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (e) {
    await handle?.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new VerifyError('BUNDLE_NOT_FOUND', `${bundle}: no such file`, { path: bundle, cause: e });
    throw new VerifyError('BUNDLE_UNREADABLE', `${bundle}: cannot be read (${code ?? (e as Error).message})`, {
      path: bundle,
      cause: e,
    });
  }
  // 1 MiB: gunzip, not reading, sets the pace here, and larger reads only add to memory. A small bundle is read in
  // reads of its size (at least 8 KiB): a 1 MiB buffer for each of many small bundles kept the garbage collector busy
  // (`evidence index`, an audit), and so did a 64 KiB one: each read, the last that finds the end included, takes a
  // buffer of this size outside the heap, which lasts until a full collection when the stream lives across network
  // waits (an audit's bundles of 6 KB took 128 KiB each, docs/performance.md).
  const stream = handle.createReadStream({ highWaterMark: Math.min(BUNDLE_READ_CHUNK, Math.max(8 * 1024, size + 1)) });
  if (!onBytes) return { path, stream, size };
  const counted = countingStream(bundle, size, onBytes);
  stream.on('error', (e) => counted.destroy(e));
  return { path, stream: stream.pipe(counted), size };
}
