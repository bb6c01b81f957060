import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A temporary directory removed after the current test. */
export function useTmp(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-test-'));
    made.push(dir);
    return dir;
  };
}

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
export const fixture = (path: string): string => join(FIXTURES, path);
