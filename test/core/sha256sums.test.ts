import { describe, expect, it } from 'vitest';
import { formatSha256Sums, parseSha256Sums } from '../../src/core/sha256sums.js';

const a = 'a'.repeat(64);
const b = 'b'.repeat(64);

describe('SHA256SUMS', () => {
  it('writes sorted coreutils lines and reads them back', () => {
    const bytes = formatSha256Sums([
      { hex: b, path: 'manifest.json' },
      { hex: a, path: 'blobs/sha256/x' },
    ]);
    expect(bytes.toString()).toBe(`${a}  blobs/sha256/x\n${b}  manifest.json\n`);
    expect(parseSha256Sums(bytes)).toEqual({
      ok: true,
      lines: [
        { hex: a, path: 'blobs/sha256/x' },
        { hex: b, path: 'manifest.json' },
      ],
    });
  });

  it.each([
    ['no final newline', `${a}  x`],
    ['one space', `${a} x\n`],
    ['binary marker', `${a} *x\n`],
    ['upper-case hex', `${a.toUpperCase()}  x\n`],
    ['short hex', `${a.slice(1)}  x\n`],
    ['unsorted', `${a}  y\n${a}  x\n`],
    ['repeated path', `${a}  x\n${b}  x\n`],
    ['CRLF', `${a}  x\r\n`],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x0a])],
  ])('refuses %s', (_name, text) => {
    expect(parseSha256Sums(Buffer.from(text as string)).ok).toBe(false);
  });
});
