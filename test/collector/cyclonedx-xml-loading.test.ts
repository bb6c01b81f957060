import { describe, expect, it, vi } from 'vitest';
import { sbomCollector } from '../../src/collector/sbom.js';
import { CollectError } from '../../src/collector/errors.js';
import { fixture } from '../helpers/tmp.js';

// libxml2-wasm stands in for a WebAssembly module that cannot be had here: the
// factory counts how often it is asked for, and fails.
const asked = vi.hoisted(() => ({ count: 0 }));
vi.mock('libxml2-wasm', () => {
  asked.count += 1;
  throw new Error('no WebAssembly here');
});

const collect = (name: string) => sbomCollector.collect({ file: fixture(`sbom/${name}`), label: name });

describe('the XML schema validator is loaded lazily, and its failure is told as it is', () => {
  it('is not loaded for a JSON SBOM', async () => {
    expect((await collect('cdx-npm-1.6.cdx.json')).summary).toMatchObject({ format: 'cyclonedx' });
    expect(asked.count).toBe(0);
  });

  it('is loaded for an XML SBOM; one that cannot load is SBOM_VALIDATOR_MISSING with the real cause, and is tried again next time', async () => {
    for (const round of [1, 2]) {
      const e = await collect('cdx-npm-1.6.cdx.xml').then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(CollectError);
      expect((e as CollectError).code).toBe('SBOM_VALIDATOR_MISSING');
      expect((e as CollectError).file).toBe('cdx-npm-1.6.cdx.xml');
      expect((e as CollectError).cause).toBeInstanceOf(Error);
      expect(asked.count).toBe(round);
    }
  });
});
