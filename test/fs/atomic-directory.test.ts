import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDirectoryAtomically, writeFileAtomically } from '../../src/fs/atomic.js';
import { FileError } from '../../src/fs/small-file.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

describe('writeDirectoryAtomically', () => {
  it('a committed folder appears at the target, and nothing else is left beside it', async () => {
    const dir = await tmp();
    const target = join(dir, 'out');
    const result = await writeDirectoryAtomically(target, async (staging, commit) => {
      await mkdir(join(staging, 'scratch'));
      await mkdir(join(staging, 'tree', 'a'), { recursive: true });
      await writeFile(join(staging, 'tree', 'a', 'f.txt'), 'hello');
      await commit(join(staging, 'tree'));
      return 42;
    });
    expect(result).toBe(42);
    expect(await readFile(join(target, 'a', 'f.txt'), 'utf8')).toBe('hello');
    expect(await readdir(dir)).toEqual(['out']);
  });

  it('replaces an empty directory, but not one with anything in it', async () => {
    const dir = await tmp();
    const target = join(dir, 'out');
    await mkdir(target);
    await writeDirectoryAtomically(target, async (staging, commit) => {
      await writeFile(join(staging, 'f'), 'x');
      await commit(staging);
    });
    expect(await readdir(target)).toEqual(['f']);
    const failed = await writeDirectoryAtomically(target, async (staging, commit) => {
      await mkdir(join(staging, 'tree'));
      await commit(join(staging, 'tree'));
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(FileError);
    expect((failed as FileError).code).toBe('OUTPUT_UNWRITABLE');
    expect(await readdir(target)).toEqual(['f']);
    expect(await readdir(dir)).toEqual(['out']);
  });

  it("without a commit, or when fill fails, nothing appears; fill's error passes as it is", async () => {
    const dir = await tmp();
    const target = join(dir, 'out');
    await writeDirectoryAtomically(target, async (staging) => {
      await writeFile(join(staging, 'f'), 'x');
    });
    expect(await readdir(dir)).toEqual([]);
    const mine = new Error('verification failed');
    await expect(
      writeDirectoryAtomically(target, async (staging) => {
        await writeFile(join(staging, 'f'), 'x');
        throw mine;
      }),
    ).rejects.toBe(mine);
    expect(await readdir(dir)).toEqual([]);
  });

  it("maps the file system's errors through the caller's own error", async () => {
    const dir = await tmp();
    const target = join(dir, 'out');
    await mkdir(target);
    await writeFile(join(target, 'kept'), 'x');
    const failed = await writeDirectoryAtomically(
      target,
      async (staging, commit) => commit(staging),
      (e) => Object.assign(new Error('mine'), { code: 'MINE', cause: e }),
    ).catch((e: unknown) => e);
    expect((failed as { code?: string }).code).toBe('MINE');
  });

  it("sweeps a dead run's staging folder beside the target, as files' leftovers are", async () => {
    const dir = await tmp();
    // A pid that cannot run: the leftover of a process killed with SIGKILL.
    const leftover = join(dir, '.out.999999999.0123456789ab.partial');
    await mkdir(join(leftover, 'tree'), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(leftover, old, old);
    await writeDirectoryAtomically(join(dir, 'out'), async (staging, commit) => commit(staging));
    expect(await readdir(dir)).toEqual(['out']);
  });
});

describe('writeFileAtomically', () => {
  it('writes a string, bytes, or pieces one after another', async () => {
    const dir = await tmp();
    const file = join(dir, 'f');
    await writeFileAtomically(file, 'text');
    expect(await readFile(file, 'utf8')).toBe('text');
    await writeFileAtomically(file, Buffer.from('bytes'));
    expect(await readFile(file, 'utf8')).toBe('bytes');
    await writeFileAtomically(file, [Buffer.from('a'), Buffer.from('bc'), new Uint8Array([100])]);
    expect(await readFile(file, 'utf8')).toBe('abcd');
    await writeFileAtomically(file, []);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('writes to a pipe or device that is there, never replacing it with a regular file (`-o /dev/null` as root)', async () => {
    const dir = await tmp();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // A reader of the pipe, as a shell's `-o >(…)` or a device would take the bytes.
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let got = '';
    reader.stdout.on('data', (c: Buffer) => (got += c.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    await writeFileAtomically(fifo, [Buffer.from('through '), Buffer.from('the pipe')]);
    await done;
    expect(got).toBe('through the pipe');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(['pipe']);
  });
});
