import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ROOT,
  contributingProblems,
  foldersWithoutRow,
  houseProblems,
  importEdges,
  layerProblems,
  layerTable,
  sizeProblems,
  sourceFiles,
  whereIsProblems,
} from '../../scripts/house.js';

/**
 * The layers hold as docs/architecture.md's table says, both ways (no import
 * the table forbids, no allowance the code does not use), every folder has a
 * row, no file outgrows its limit, and every "Where is …" answer names a file
 * that exists and functions that are in it. The checks are scripts/house.ts,
 * which `npm run lint` runs too; each is shown to fire on a made-up breach.
 */
const markdown = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const table = layerTable(markdown);

describe('the house', () => {
  it('reads the import graph and the table', () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.from === 'cli/run.ts' && e.to === 'cli/verify-program.ts')).toBe(true);
    expect(table.map((r) => r.layer)).toEqual(
      expect.arrayContaining(['core', 'formats', 'verifier', 'commands', 'cli']),
    );
  });

  it('holds: layers as the docs say, sizes, "Where is …" paths', () => {
    expect(houseProblems()).toEqual([]);
  });

  it('sees an import the table does not allow, and an allowance nothing uses', () => {
    const files = sourceFiles();
    const made = [
      { from: 'src/core/manifest.ts', to: 'src/verifier/report.ts' },
      { from: 'src/core/manifest.ts', to: 'node:fs' },
      { from: 'src/formats/spdx.ts', to: 'src/collector/sbom.ts' },
      { from: 'src/verifier/verify-bundle.ts', to: 'src/commands/verify.ts' },
      { from: 'src/verifier/verify-bundle.ts', to: 'node:fs/promises' },
      { from: 'src/verifier/verify-bundle.ts', to: 'src/transport/oci/client.ts' },
      { from: 'src/verifier/verify-bundle.ts', to: 'node:https' },
      { from: 'src/collector/slo.ts', to: 'src/transport/prometheus.ts' },
      { from: 'src/collector/slo.ts', to: 'node:http' },
      { from: 'src/signer/sigstore.ts', to: 'src/transport/http/timeout.ts' },
      { from: 'src/present/html.ts', to: 'src/commands/inspect.ts' },
      { from: 'src/present/html.ts', to: 'src/transport/github/releases.ts' },
      { from: 'src/commands/verify.ts', to: 'cli/run.ts' },
      { from: 'src/diff/result.ts', to: 'node:https' },
    ].map((e) => ({ ...e, typeOnly: false }));
    for (const e of made)
      expect(
        layerProblems(table, [e], files).some((p) => p.includes(`${e.from} → ${e.to}`)),
        `${e.from} → ${e.to}`,
      ).toBe(true);
    // The one-file verifier's closure: reaching a network client is seen.
    const verifierReach = [
      { from: 'cli/verify-standalone.ts', to: 'cli/verify-program.ts', typeOnly: false },
      { from: 'cli/verify-program.ts', to: '@octokit/rest', typeOnly: false },
    ];
    expect(layerProblems(table, verifierReach, files).join('\n')).toContain('reaches @octokit/rest');
    // An allowance in the table that no import uses is a claim that is not true.
    const claimed = [
      { layer: 'core', paths: ['src/core/'], mayImport: ['formats'] },
      { layer: 'formats', paths: ['src/formats/'], mayImport: [] },
    ];
    expect(layerProblems(claimed, [], [])).toEqual([expect.stringContaining('core may import formats')]);
  });

  it('sees a folder without a row, a file in no layer, and a file over the limit', () => {
    expect(foldersWithoutRow(table.filter((r) => r.layer !== 'diff'))).toContain(
      "src/diff/ has no row in docs/architecture.md's table of layers",
    );
    expect(layerProblems([], [], ['src/new/thing.ts'])[0]).toContain('src/new/thing.ts: in no layer');
    const root = mkdtempSync(join(tmpdir(), 'evidence-house-'));
    mkdirSync(join(root, 'src', 'commands'), { recursive: true });
    writeFileSync(join(root, 'src', 'commands', 'big.ts'), 'x;\n'.repeat(701));
    writeFileSync(join(root, 'src', 'commands', 'more.ts'), 'x;\n'.repeat(1800));
    expect(sizeProblems(root, ['src/commands/big.ts', 'src/commands/more.ts'])).toEqual([
      'src/commands/big.ts: 701 lines, more than 700: split it by concern',
      'src/commands/more.ts: 1800 lines, more than 700: split it by concern',
      'src/commands/: 2501 lines, at most 2499: rules and helpers belong below commands',
    ]);
    rmSync(root, { recursive: true, force: true });
  });

  it('sees a "Where is …" answer whose file or function is not there', () => {
    const made =
      '## Where is …\n\n- **… x?** `src/core/manifest.ts` (`noSuchFunction`), and `src/core/no-such-file.ts`.\n- **… y?** `src/core/time.ts` (`parseRfc3339`).\n';
    expect(whereIsProblems(made)).toEqual([
      'docs/architecture.md says noSuchFunction is in src/core/manifest.ts, but it is not',
      'docs/architecture.md names src/core/no-such-file.ts, which does not exist',
    ]);
  });

  it("sees a CONTRIBUTING.md path that is gone, but not an example's new file", () => {
    expect(contributingProblems('`src/core/manifest.ts`, `src/collector/lighthouse.ts`, `src/core/gone.ts`')).toEqual([
      'CONTRIBUTING.md names src/core/gone.ts, which does not exist',
    ]);
  });

  it('core uses no process or console', () => {
    for (const file of sourceFiles().filter((f) => f.startsWith('src/core/'))) {
      const code = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(/\bprocess\.|\bconsole\./.test(code), file).toBe(false);
    }
  });
});
