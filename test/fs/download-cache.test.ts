import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DownloadCache } from '../../src/fs/download-cache.js';
import { useTmp } from '../helpers/tmp.js';

/** The audit's download cache (src/fs/download-cache.ts): files by sha256, on disk. */

const tmp = useTmp();
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A `write` for put: writes `text` to the writable it opens and reports what it wrote. */
const writing =
  (text: string) =>
  async (open: () => NodeJS.WritableStream): Promise<{ sha256: string; size: number }> => {
    await new Promise<void>((done) => open().end(text, () => done()));
    return { sha256: sha(text), size: Buffer.byteLength(text) };
  };

describe('DownloadCache', () => {
  it('stores under the digest written, and gives it back hashed again', async () => {
    const cache = new DownloadCache(await tmp());
    const got = await cache.put(writing('bundle bytes'));
    expect(got).toEqual({ path: cache.pathOf(sha('bundle bytes')), sha256: sha('bundle bytes'), size: 12 });
    expect(await readFile(got.path, 'utf8')).toBe('bundle bytes');
    expect(await cache.get(sha('bundle bytes'))).toBe(got.path);
    expect(await cache.get(sha('bundle bytes'), 12)).toBe(got.path);
    expect(await cache.get(sha('absent'))).toBeUndefined();
    // No temporary is left beside what was stored.
    expect(await readdir(join(cache.dir, 'sha256'))).toEqual([sha('bundle bytes')]);
  });

  it('a cached file of another size or other bytes is dropped, not used', async () => {
    const cache = new DownloadCache(await tmp());
    const { path } = await cache.put(writing('right'));
    expect(await cache.get(sha('right'), 99)).toBeUndefined();
    expect(await readdir(join(cache.dir, 'sha256'))).toEqual([]);
    await cache.put(writing('right'));
    await writeFile(path, 'wrong');
    expect(await cache.get(sha('right'))).toBeUndefined();
    expect(await readdir(join(cache.dir, 'sha256'))).toEqual([]);
  });

  it("remembers the digest a source's name was stored under", async () => {
    const cache = new DownloadCache(await tmp());
    expect(await cache.ref('github asset 1')).toBeUndefined();
    await cache.put(writing('enterprise'), 'github asset 1');
    expect(await cache.ref('github asset 1')).toBe(sha('enterprise'));
    expect(await cache.ref('github asset 2')).toBeUndefined();
  });

  it('a failed write leaves nothing behind', async () => {
    const cache = new DownloadCache(await tmp());
    await expect(
      cache.put(async (open) => {
        await new Promise<void>((done) => open().end('part', () => done()));
        throw Object.assign(new Error('cut'), { code: 'CUT' });
      }),
    ).rejects.toMatchObject({ code: 'CUT' });
    expect(await readdir(join(cache.dir, 'sha256'))).toEqual([]);
  });

  it('only a sha256 hex digest names a file', () => {
    const cache = new DownloadCache('/nowhere');
    expect(cache.pathOf('a'.repeat(64))).toBe(join('/nowhere', 'sha256', 'a'.repeat(64)));
    for (const bad of ['', 'A'.repeat(64), '../x', 'a'.repeat(63)]) expect(() => cache.pathOf(bad)).toThrow(RangeError);
  });
});
