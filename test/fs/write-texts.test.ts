import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically, writePieces, writeTextsAtomically } from '../../src/fs/atomic.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

describe('writeTextsAtomically', () => {
  it('writes texts made one after another, each when the file has taken the last, and leaves the file whole', async () => {
    const dir = await tmp();
    let made = 0;
    function* texts() {
      for (let i = 0; i < 200; i++) {
        made++;
        yield `${String(i).padStart(4, '0')}${'x'.repeat(64 * 1024)}\n`;
      }
    }
    await writeTextsAtomically(join(dir, 'r.json'), texts());
    expect(made).toBe(200);
    const text = await readFile(join(dir, 'r.json'), 'utf8');
    expect(text.length).toBe(200 * (4 + 64 * 1024 + 1));
    expect(text.split('\n')[199]?.slice(0, 4)).toBe('0199');
    expect(await readdir(dir)).toEqual(['r.json']);
  });

  it('a text that fails to be made leaves nothing behind, and the failure reaches the caller', async () => {
    const dir = await tmp();
    function* texts() {
      yield 'a';
      throw new Error('made wrong');
    }
    await expect(writeTextsAtomically(join(dir, 'r.json'), texts())).rejects.toThrow('made wrong');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writePieces', () => {
  it('waits for a slow stream to drain: never more than its buffer is queued', async () => {
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk: Buffer, _e, done) {
        setTimeout(done, 1);
      },
    });
    let written = 0;
    let queued = 0;
    const write = slow.write.bind(slow);
    slow.write = ((c: string) => {
      written++;
      const more = write(c);
      queued = Math.max(queued, slow.writableLength);
      return more;
    }) as typeof slow.write;
    await writePieces(
      slow,
      (function* () {
        for (let i = 0; i < 50; i++) yield 'y'.repeat(1000);
      })(),
    );
    expect(written).toBe(50);
    // Texts of 1,000 characters into a 1 KiB buffer: each waits for the one before (all 50 at once would queue 50,000).
    expect(queued).toBeLessThanOrEqual(2000);
  });

  it('a stream that fails stops the writing and rejects with its error', async () => {
    const broken = new Writable({
      write(_c, _e, done) {
        done(Object.assign(new Error('EPIPE'), { code: 'EPIPE' }));
      },
    });
    let made = 0;
    function* texts() {
      for (let i = 0; i < 1000; i++) {
        made++;
        yield 'z'.repeat(100_000);
      }
    }
    await expect(writePieces(broken, texts())).rejects.toMatchObject({ code: 'EPIPE' });
    expect(made).toBeLessThan(1000);
  });
});

describe('an error in the last writes', () => {
  it('reaches the caller of writePieces: a stream failing only after it took the last text', async () => {
    const late = new Writable({
      highWaterMark: 1 << 20,
      write(_c, _e, done) {
        setTimeout(() => done(Object.assign(new Error('no space'), { code: 'ENOSPC' })), 5);
      },
    });
    await expect(writePieces(late, ['small'])).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('is OUTPUT_UNWRITABLE from both writers onto a full device (/dev/full), never a success', async () => {
    if (!existsSync('/dev/full')) {
      console.log('skipped: this system has no /dev/full');
      return;
    }
    await expect(writeFileAtomically('/dev/full', 'a small report\n')).rejects.toMatchObject({
      code: 'OUTPUT_UNWRITABLE',
    });
    await expect(writeTextsAtomically('/dev/full', ['a small ', 'report\n'])).rejects.toMatchObject({
      code: 'OUTPUT_UNWRITABLE',
    });
  });
});

describe('-o onto a link to a device', () => {
  it('writes through the link, which stays a link (as root, a link in /dev such as /dev/stdout was replaced)', async () => {
    const dir = await tmp();
    const link = join(dir, 'null-link');
    await symlink('/dev/null', link);
    await writeFileAtomically(link, 'report\n');
    await writeTextsAtomically(link, ['report', '\n']);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readdir(dir)).toEqual(['null-link']);
  });
});
