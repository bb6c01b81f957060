import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../src/version.js';

it("PACKAGE_VERSION is package.json's version", async () => {
  expect(PACKAGE_VERSION).toBe(JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')).version);
});
