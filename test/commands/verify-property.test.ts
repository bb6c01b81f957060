import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { logicalPathProblem } from '../../src/core/manifest.js';
import { describe, expect, it } from 'vitest';
import { collect } from '../../src/commands/collect.js';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** Random evidence sets: opaque files of random kinds, names and bytes, some identical. */
const evidenceSet = fc.uniqueArray(
  fc.record({
    // Any name the portable path rule accepts (docs/bundle-format.md §2.1); others are refused at collection.
    name: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/).filter((n) => logicalPathProblem(`notes/${n}`) === undefined),
    kind: fc.constantFrom('notes', 'release-notes', 'raw', 'attestation-copy'),
    bytes: fc.uint8Array({ minLength: 0, maxLength: 3000 }),
  }),
  { minLength: 1, maxLength: 8, selector: (e) => `${e.kind}/${e.name}` },
);

async function bundleOf(dir: string, set: { name: string; kind: string; bytes: Uint8Array }[]): Promise<string> {
  const args: string[] = [];
  for (const [i, e] of set.entries()) {
    const sub = join(dir, String(i));
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, e.name), e.bytes);
    args.push(`${join(sub, e.name)}=${e.kind}`);
  }
  const { output } = await collect({
    cwd: dir,
    env: { SOURCE_DATE_EPOCH: '0' },
    output: 'b.tar.gz',
    name: 'p',
    version: '1',
    file: args,
    force: true,
  });
  return output;
}

describe('verify (properties)', () => {
  it('any evidence set that is collected verifies', async () => {
    await fc.assert(
      fc.asyncProperty(evidenceSet, async (set) => {
        const dir = await tmp();
        const output = await bundleOf(dir, set);
        const { report } = await verifyBundleIntegrity(createReadStream(output));
        expect(report.checks.filter((c) => !c.ok && !c.skipped)).toEqual([]);
        expect(report.ok).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('changing any one byte of the tar fails verification or leaves the content as it was', async () => {
    const dir = await tmp();
    const set = [
      { name: 'a.txt', kind: 'notes', bytes: new TextEncoder().encode('alpha '.repeat(200)) },
      { name: 'b.bin', kind: 'raw', bytes: Uint8Array.from({ length: 1500 }, (_, i) => (i * 7) & 0xff) },
    ];
    const tarBytes = gunzipSync(await readFile(await bundleOf(dir, set)));
    const original = await contentOf(tarBytes);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: tarBytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
        const mutated = Buffer.from(tarBytes);
        mutated[pos] = ((mutated[pos] as number) + delta) & 0xff;
        const { report, contents } = await verifyBundleIntegrity(Readable.from([gzipSync(mutated)]));
        if (report.ok) {
          // Header fields such as mtime or uid may change; what the bundle says may not.
          expect(await contentOf(mutated)).toEqual(original);
          expect(contents.manifestBytes?.equals(original.manifest)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The manifest and blobs a tar holds, as the reader sees them. */
async function contentOf(tarBytes: Buffer): Promise<{ manifest: Buffer; blobs: string[] }> {
  const blobs: string[] = [];
  const { contents } = await verifyBundleIntegrity(Readable.from([gzipSync(tarBytes)]), {
    blobSink: (hex) => {
      const chunks: Buffer[] = [];
      return new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c);
          cb();
        },
        final(cb) {
          blobs.push(`${hex}:${Buffer.concat(chunks).toString('base64')}`);
          cb();
        },
      });
    },
  });
  return { manifest: contents.manifestBytes ?? Buffer.alloc(0), blobs: blobs.sort() };
}
