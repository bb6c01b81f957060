import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFilesSha256 } from '../../src/fs/hash-pool.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** What sha256 and size a file has, read whole here. */
async function expected(file: string): Promise<{ hex: string; size: number }> {
  const bytes = await readFile(file);
  return { hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

/** 80 small files (more than the threads' least), so that the worker threads hash them. */
async function smallFiles(dir: string): Promise<string[]> {
  await mkdir(join(dir, 'small'), { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < 80; i++) {
    const file = join(dir, 'small', `f${i}`);
    await writeFile(file, `file ${i}\n`.repeat(i));
    files.push(file);
  }
  return files;
}

describe('hashFilesSha256 (worker threads)', () => {
  it('hashes files read in one call and in many alike: sizes about the read buffer (1 MiB), and empty', async () => {
    const dir = await tmp();
    const files = await smallFiles(dir);
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const file = join(dir, `s${size}`);
      await writeFile(file, Buffer.alloc(size, size % 251));
      files.push(file);
    }
    const out = await hashFilesSha256(files, { threads: 2 });
    for (let i = 0; i < files.length; i++) expect(out[i], files[i]).toEqual(await expected(files[i] as string));
  });

  it('refuses what is no regular file, without waiting on a FIFO: a FIFO, links to it and to a device', async () => {
    const dir = await tmp();
    const files = await smallFiles(dir);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await symlink(join(dir, 'fifo'), join(dir, 'to-fifo'));
    await symlink('/dev/zero', join(dir, 'to-zero'));
    await symlink(files[3] as string, join(dir, 'to-file'));
    const odd = ['fifo', 'to-fifo', 'to-zero', 'to-file', 'missing'].map((f) => join(dir, f));
    const out = await hashFilesSha256([...files, ...odd], { threads: 2 });
    const [fifo, toFifo, toZero, toFile, missing] = out.slice(files.length);
    for (const r of [fifo, toFifo, toZero])
      expect(r).toEqual({ failure: expect.objectContaining({ code: 'ENOTFILE' }) });
    // A link to a regular file is followed and hashed as its target.
    expect(toFile).toEqual(await expected(files[3] as string));
    expect(missing).toEqual({ failure: expect.objectContaining({ code: 'ENOENT' }) });
    for (let i = 0; i < files.length; i++) expect(out[i]).toEqual(await expected(files[i] as string));
  });
});
