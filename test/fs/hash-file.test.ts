import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HASH_READ_CHUNK } from '../../src/core/hash-stream.js';
import { hashFile } from '../../src/fs/hash-file.js';
import { useTmp } from '../helpers/tmp.js';

const exec = promisify(execFile);
const tmp = useTmp();

describe('hashFile', () => {
  it.each([0, 1, HASH_READ_CHUNK - 1, HASH_READ_CHUNK, HASH_READ_CHUNK + 1, 2 * HASH_READ_CHUNK + 12345])(
    'agrees with sha256sum and sha512sum on %i bytes',
    async (n) => {
      const dir = await tmp();
      const file = join(dir, 'f');
      await writeFile(file, Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff)));
      const got = await hashFile(file, ['sha256', 'sha512']);
      expect(got.size).toBe(n);
      expect(got.hex.sha256).toBe((await exec('sha256sum', [file])).stdout.split(' ')[0]);
      expect(got.hex.sha512).toBe((await exec('sha512sum', [file])).stdout.split(' ')[0]);
    },
  );

  it('rejects with the file system error of a missing file', async () => {
    await expect(hashFile(join(await tmp(), 'none'), ['sha256'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
