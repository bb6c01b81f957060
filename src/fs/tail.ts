import { open } from 'node:fs/promises';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GUNZIP_CHUNK_BYTES } from '../core/layout.js';
import { tee } from './tee.js';

/** A file's last `max` bytes and where they start. */
export async function lastBytes(path: string, max: number): Promise<{ bytes: Buffer; offset: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const bytes = Buffer.alloc(length);
    await handle.read(bytes, 0, length, size - length);
    return { bytes, offset: size - length };
  } finally {
    await handle.close();
  }
}

/**
 * The first `end` bytes of `source` copied byte for byte into `out` (left
 * open for more), while a gunzip checks that they end at a gzip member
 * (`boundary`: false when they do not). The rest of the stream is read and
 * kept aside in `rest`, complete once `copying` has settled.
 */
export function copyUpTo(
  source: Readable,
  out: Writable,
  end: number,
): { copying: Promise<void>; boundary: Promise<boolean>; rest: Buffer[] } {
  const rest: Buffer[] = [];
  const cut = upTo(end, rest);
  pipeline(source, cut).catch(() => undefined);
  const [toFile, toGunzip] = tee(cut);
  const copying = pipeline(toFile, out, { end: false });
  copying.catch(() => undefined);
  const boundary = pipeline(
    toGunzip,
    createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
    new Writable({ write: (_c, _e, next) => next() }),
  ).then(
    () => true,
    () => false,
  );
  return { copying, boundary, rest };
}

/** The first `end` bytes of a stream; the rest is read and kept aside in `rest` (a tail of a few kilobytes). */
export function upTo(end: number, rest: Buffer[]): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const keep = Math.max(0, Math.min(chunk.length, end - seen));
      seen += chunk.length;
      if (keep < chunk.length) rest.push(chunk.subarray(keep));
      done(null, keep === chunk.length ? chunk : keep > 0 ? chunk.subarray(0, keep) : undefined);
    },
  });
}
