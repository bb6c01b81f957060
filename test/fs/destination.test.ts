import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isEmptyOrAbsent } from '../../src/fs/destination.js';

describe('isEmptyOrAbsent', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('is true for an absent path and an empty folder, false for a folder with a file and for a file', async () => {
    const base = await mkdtemp(join(tmpdir(), 'evidence-dest-'));
    dirs.push(base);
    expect(await isEmptyOrAbsent(join(base, 'absent'))).toBe(true);
    await mkdir(join(base, 'empty'));
    expect(await isEmptyOrAbsent(join(base, 'empty'))).toBe(true);
    await mkdir(join(base, 'full'));
    await writeFile(join(base, 'full', 'a'), 'a');
    expect(await isEmptyOrAbsent(join(base, 'full'))).toBe(false);
    expect(await isEmptyOrAbsent(join(base, 'full', 'a'))).toBe(false);
  });
});
