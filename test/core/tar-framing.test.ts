import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { CompressedCounter, DecompressedMeter, classify, memberProblem, pad512 } from '../../src/core/tar-framing.js';

/**
 * A ustar header for a regular file of `size` bytes, its checksum right unless `sizeField` overrides the size digits.
 */
function ustarHeader(name: string, size: number, sizeField?: string): Buffer {
  const h = Buffer.alloc(512);
  const put = (offset: number, text: string): void => void h.write(text, offset, 'latin1');
  put(0, name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, sizeField ?? `${size.toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  put(156, '0');
  put(257, 'ustar\0');
  put(263, '00');
  put(148, '        ');
  const sum = h.reduce((n, b) => n + b, 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** One member with its data and padding, then the two zero blocks that end an archive. */
function archive(data: Buffer, header = ustarHeader('manifest.json', data.length)): Buffer {
  const padding = Buffer.alloc(pad512(data.length) - data.length);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

async function meter(bytes: Buffer, limit?: number, chunk = 100): Promise<DecompressedMeter> {
  const m = new DecompressedMeter();
  if (limit !== undefined) m.limit = limit;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  await pipeline(Readable.from(chunks), m, sink);
  return m;
}

const header = (h: Partial<Header>): Header => ({ name: 'manifest.json', type: 'file', size: 0, ...h }) as Header;

describe('the tar framing', () => {
  it('pads to 512-byte blocks', () => {
    expect([0, 1, 511, 512, 513].map(pad512)).toEqual([0, 512, 512, 512, 1024]);
  });

  it('sees nothing wrong in a well-framed archive, in chunks of any size', async () => {
    for (const chunk of [1, 100, 512, 4096]) {
      const m = await meter(archive(Buffer.from('{"a":1}')), undefined, chunk);
      expect(m.problems).toEqual([]);
      expect(m.bytes).toBe(512 + 512 + 1024);
      expect(m.lastNonZero).toBe(512 + 6);
    }
  });

  it('sees a non-zero byte hidden in the padding after a member', async () => {
    const bytes = archive(Buffer.from('{"a":1}'));
    bytes[512 + 100] = 0x41;
    const m = await meter(bytes);
    expect(m.problems.map((p) => [p.kind, p.header])).toEqual([['padding', 1024]]);
  });

  it('sees a header GNU tar refuses, and stops following the framing there', async () => {
    const data = Buffer.from('{"a":1}');
    const m = await meter(archive(data, ustarHeader('manifest.json', data.length, '0000000000\u0039\0')));
    expect(m.problems.map((p) => [p.kind, p.header])).toEqual([['header', 0]]);
  });

  it('stops a stream that decompresses past its limit, and classifies that', async () => {
    const err = await meter(archive(Buffer.alloc(2000, 1)), 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(classify(err, undefined, true).code).toBe('DECOMPRESSION_LIMIT_EXCEEDED');
  });

  it('tells gzip input by its first four bytes', async () => {
    const starts = async (bytes: number[]): Promise<boolean> => {
      const c = new CompressedCounter();
      await pipeline(
        Readable.from([Buffer.from(bytes.slice(0, 1)), Buffer.from(bytes.slice(1))]),
        c,
        new Writable({ write: (_c, _e, cb) => cb() }),
      );
      return c.startsAsGzip();
    };
    expect(await starts([0x1f, 0x8b, 8, 0, 0])).toBe(true);
    expect(await starts([0x1f, 0x8b, 8, 0xe0, 0])).toBe(false);
    expect(await starts([0x50, 0x4b, 3, 4])).toBe(false);
    expect(await starts([0x1f, 0x8b])).toBe(false);
  });
});

describe('classify', () => {
  const zlib = (code: string, message: string): Error => Object.assign(new Error(message), { code });

  it('reads zlib errors as archive findings', () => {
    expect(classify(zlib('Z_DATA_ERROR', 'incorrect header check'), undefined, true).code).toBe('TRAILING_GARBAGE');
    expect(classify(zlib('Z_DATA_ERROR', 'unknown compression method'), undefined, true).code).toBe('TRAILING_GARBAGE');
    expect(classify(zlib('Z_DATA_ERROR', 'incorrect header check'), undefined, false).code).toBe('ARCHIVE_NOT_GZIP');
    expect(classify(zlib('Z_BUF_ERROR', 'unexpected end of file'), undefined, true).code).toBe('ARCHIVE_TRUNCATED');
    expect(classify(new Error('Unexpected end of data'), undefined, true).code).toBe('ARCHIVE_TRUNCATED');
    expect(classify(zlib('Z_DATA_ERROR', 'invalid distance too far back'), undefined, true).code).toBe(
      'ARCHIVE_CORRUPT',
    );
  });

  it('prefers the pipeline error to the one the reader saw', () => {
    const f = classify(new Error('reader'), zlib('Z_BUF_ERROR', 'unexpected end of file'), true);
    expect(f).toMatchObject({ check: 'archive', code: 'ARCHIVE_TRUNCATED' });
  });
});

describe('memberProblem', () => {
  it('accepts the regular files a bundle holds', () => {
    expect(memberProblem(header({}))).toBeUndefined();
    expect(memberProblem(header({ name: `blobs/sha256/${'a'.repeat(64)}` }))).toBeUndefined();
  });

  it('refuses every other member with its own code', () => {
    const code = (h: Partial<Header>): string | undefined => memberProblem(header(h))?.code;
    expect(code({ pax: { path: 'x' } })).toBe('PAX_HEADER_NOT_ALLOWED');
    expect(code({ type: 'symlink', linkname: '/etc/passwd' })).toBe('SYMLINK_MEMBER');
    expect(code({ type: 'link', linkname: 'manifest.json' })).toBe('HARDLINK_MEMBER');
    expect(code({ type: 'fifo' })).toBe('DEVICE_MEMBER');
    expect(code({ type: 'block-device' })).toBe('DEVICE_MEMBER');
    expect(code({ type: 'directory' })).toBe('UNSUPPORTED_MEMBER_TYPE');
    expect(code({ name: '../manifest.json' })).toBe('UNSAFE_PATH');
    expect(code({ name: '/manifest.json' })).toBe('UNSAFE_PATH');
    expect(code({ name: 'C:manifest.json' })).toBe('UNSAFE_PATH');
    expect(code({ name: 'notes.txt' })).toBe('UNEXPECTED_MEMBER');
  });
});
