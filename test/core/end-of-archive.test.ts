import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createBundleGzip, withoutEndOfArchive } from '../../src/core/bundle-writer.js';

function sink(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

describe('withoutEndOfArchive', () => {
  it('passes everything but the last 1,024 bytes, however the stream is cut', async () => {
    const body = randomBytes(9000);
    const all = Buffer.concat([body, Buffer.alloc(1024)]);
    for (const cuts of [[all.length], [1, 2, 3, 4096, 1023, 1024, 1025], [5000, 5023, 1], [10023, 1], [1023, 9001]]) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (const n of cuts) {
        chunks.push(all.subarray(at, Math.min(all.length, at + n)));
        at += n;
      }
      if (at < all.length) chunks.push(all.subarray(at));
      const { out, bytes } = sink();
      await pipeline(Readable.from(chunks.filter((c) => c.length > 0)), withoutEndOfArchive(), out);
      expect(bytes().equals(body), `cuts ${cuts.join(',')}`).toBe(true);
    }
  });

  it('refuses a stream that does not end with the end-of-archive', async () => {
    const { out } = sink();
    await expect(pipeline(Readable.from([randomBytes(3000)]), withoutEndOfArchive(), out)).rejects.toMatchObject({
      code: 'BUNDLE_WRITE_FAILED',
    });
  });
});

describe('createBundleGzip', () => {
  it("writes the bytes gzip's one call writes at level 6, fed in pieces", async () => {
    // Compressible, as a manifest's digests are, and given in two pieces.
    const text = Buffer.from(randomBytes(6 * 1024 * 1024).toString('hex'));
    const { out, bytes } = sink();
    await pipeline(Readable.from([text.subarray(0, 5_000_000), text.subarray(5_000_000)]), createBundleGzip(), out);
    expect(bytes().equals(gzipSync(text, { level: 6 }))).toBe(true);
    expect(gunzipSync(bytes()).equals(text)).toBe(true);
  });
});
