import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { verifyBundleIntegrity } from '../../src/verifier/verify-bundle.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: declared sizes. What a manifest declares bounds how much is
 * decompressed; the total it may declare is capped (default 8 GiB, or
 * --max-bundle-size), checked before any blob is read.
 */
function declaring(size: number): Buffer {
  const m = baselineManifest();
  const e = m.entries[2] as { size: number };
  e.size = size;
  const p = parts({ manifest: m });
  return bundleOf(membersOf(p));
}

describe('declared sizes are capped before blobs are read', () => {
  it.each([2 ** 52, 9 * 2 ** 30, Number.MAX_SAFE_INTEGER])(
    'a manifest declaring %d bytes stops at DECLARED_SIZE_TOO_LARGE',
    async (size) => {
      const { report, contents } = await verifyBundleIntegrity(Readable.from([declaring(size)]));
      expect(report.ok).toBe(false);
      const failed = report.checks.filter((c) => !c.ok && !c.skipped);
      expect(failed.map((c) => c.code)).toContain('DECLARED_SIZE_TOO_LARGE');
      // Nothing after the manifest was read.
      expect(contents.members).toEqual(['manifest.json']);
    },
  );

  it("the blobs' total counts, not each blob alone", async () => {
    const m = baselineManifest();
    for (const e of m.entries) (e as { size: number }).size = 5 * 2 ** 30;
    // Two entries share a digest and so one blob: 2 blobs × 5 GiB = 10 GiB > 8 GiB.
    const { report } = await verifyBundleIntegrity(Readable.from([bundleOf(membersOf(parts({ manifest: m })))]));
    expect(report.checks.map((c) => c.code)).toContain('DECLARED_SIZE_TOO_LARGE');
  });

  it('--max-bundle-size moves the cap, both ways', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'b.tar.gz'), bundleOf(membersOf(parts())));
    const fine = await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir });
    expect(fine.code).toBe(0);
    const tight = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--max-bundle-size', '20', '--json'], {
      cwd: dir,
    });
    // Refused for its size, the bundle was not checked at all: no verdict on it (exit 2), the option named.
    expect(tight.code).toBe(2);
    expect(tight.stderr).toContain('[BUNDLE_TOO_LARGE]');
    expect(tight.stderr).toContain('--max-bundle-size');
    await writeFile(join(dir, 'big.tar.gz'), declaring(9 * 2 ** 30));
    const raised = await runCli(['verify', 'big.tar.gz', '--integrity-only', '--max-bundle-size', '10GiB', '--json'], {
      cwd: dir,
    });
    // Past the cap, the lie itself is found: the blob is not 9 GiB.
    expect(JSON.parse(raised.stdout).checks.map((c: { code?: string }) => c.code)).not.toContain(
      'DECLARED_SIZE_TOO_LARGE',
    );
    expect(raised.code).toBe(1);
    expect((await runCli(['verify', 'b.tar.gz', '--max-bundle-size', 'lots'], { cwd: dir })).code).toBe(2);
    const ext = await runCli(['extract', 'big.tar.gz', '-o', 'out', '--integrity-only', '--json'], { cwd: dir });
    expect(ext.code).toBe(2);
    expect(ext.stderr).toContain('[BUNDLE_TOO_LARGE]');
  });

  it('extract moves each staged blob into place: entries sharing a digest are still all written', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'b.tar.gz'), bundleOf(membersOf(parts())));
    const r = await runCli(['extract', 'b.tar.gz', '-o', 'out', '--integrity-only', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([
      'release-notes/CHANGES.md',
      'release-notes/COPY.md',
      'test-report/report.xml',
    ]);
  });
});
