import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { copyUpTo, upTo } from '../../src/fs/tail.js';

/** A writable that keeps what it is given and records whether it was ended. */
function sink(): Writable & { bytes: () => Buffer; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const w = new Writable({
    write: (c: Buffer, _e, next) => {
      chunks.push(c);
      next();
    },
    final: (done) => {
      ended = true;
      done();
    },
  });
  return Object.assign(w, { bytes: () => Buffer.concat(chunks), ended: () => ended });
}

const chunked = (bytes: Buffer, size: number): Readable => {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
};

describe('upTo', () => {
  it('passes the first bytes and keeps the rest aside, whatever the chunking', async () => {
    const data = Buffer.from('0123456789abcdef');
    for (const size of [1, 3, 7, 16]) {
      const rest: Buffer[] = [];
      const out = sink();
      await pipeline(chunked(data, size), upTo(10, rest), out);
      expect(out.bytes().toString()).toBe('0123456789');
      expect(Buffer.concat(rest).toString()).toBe('abcdef');
    }
  });
});

describe('copyUpTo', () => {
  const first = gzipSync(Buffer.from('content '.repeat(1000)));
  const second = gzipSync(Buffer.from('attestations'));
  const file = Buffer.concat([first, second]);

  it('copies up to a member boundary, leaves the output open, and keeps the tail', async () => {
    const out = sink();
    const copy = copyUpTo(chunked(file, 100), out, first.length);
    await copy.copying;
    expect(await copy.boundary).toBe(true);
    expect(out.bytes().equals(first)).toBe(true);
    expect(out.ended()).toBe(false);
    expect(Buffer.concat(copy.rest).equals(second)).toBe(true);
  });

  it('says so when the cut is not where a gzip member ends', async () => {
    const copy = copyUpTo(chunked(file, 100), sink(), first.length - 5);
    await copy.copying;
    expect(await copy.boundary).toBe(false);
    expect(Buffer.concat(copy.rest).length).toBe(second.length + 5);
  });
});
