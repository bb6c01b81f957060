import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  withoutEndOfArchive,
  writeBundle,
  type BlobSource,
  type WriteBundleInput,
} from '../../src/core/bundle-writer.js';
import { baselineBlobs, baselineManifest, MTIME } from '../helpers/craft.js';

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

async function written(extra: Partial<WriteBundleInput>): Promise<Buffer> {
  const blobs = new Map<string, BlobSource>();
  for (const [hex, bytes] of baselineBlobs()) blobs.set(hex, bufferSource(bytes, `fixture:${hex.slice(0, 8)}`));
  const { out, bytes } = sink();
  await writeBundle({ manifest: baselineManifest(), blobs, mtime: MTIME, ...extra }, out);
  return bytes();
}

describe('writeBundle signing while the content is written (`sign`)', () => {
  const attestation = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}\n');
  const standard = Buffer.from('{"a":1}\n{"b":2}\n');

  it('writes the bytes it writes when the attestations are given, asking for them once', async () => {
    let asked = 0;
    const signing = await written({
      sign: async () => {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { attestation, standard };
      },
    });
    expect(asked).toBe(1);
    expect(signing.equals(await written({ attestation, standard }))).toBe(true);
    expect(signing.equals(await written({}))).toBe(false);
  });

  it("fails with the signing's error, whatever was written before", async () => {
    const failure = Object.assign(new Error('the signer is gone'), { code: 'SIGNING_SERVICE_FAILED' });
    await expect(
      written({
        sign: () => Promise.reject(failure),
      }),
    ).rejects.toBe(failure);
  });
});

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
