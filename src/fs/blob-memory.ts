import { Writable } from 'node:stream';

/**
 * A blob sink (the verifier's `blobSink`) keeping blobs in memory up to a budget: each at most `each` bytes, all
 * together at most `total`; blobs beyond it are not kept (their readers see them absent and say so).
 */
export function blobsInMemory(
  each: number,
  total: number,
): { blobs: Map<string, Buffer>; sink: (hex: string, size: number) => Writable | undefined } {
  const blobs = new Map<string, Buffer>();
  let left = total;
  return {
    blobs,
    sink: (hex, size) => {
      if (size > each || size > left) return undefined;
      left -= size;
      const parts: Buffer[] = [];
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          parts.push(chunk);
          done();
        },
        final(done) {
          blobs.set(hex, Buffer.concat(parts));
          done();
        },
      });
    },
  };
}
