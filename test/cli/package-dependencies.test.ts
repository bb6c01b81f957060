/**
 * The package installs its `dependencies` only: every package that the library (dist/src) or the unbundled command
 * line (dist/cli) imports must be one of them. The bundle (dist/bin) carries most of its packages inside it, which
 * hid @sigstore/tuf being a devDependency: `trust-root update` failed from dist/cli/bin.js and the library once
 * installed (an outside review found it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

describe('the package\u2019s dependencies', () => {
  it('hold every package the library and the unbundled command line import, statically or when used', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Map<string, string>();
    // cli/action.ts is the GitHub Action's entry, shipped only as the committed bundle dist/action/index.mjs.
    for (const file of [...sources('src'), ...sources('cli')].filter((f) => f !== join('cli', 'action.ts'))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:^import\s+(?!type\b)[^;]*?from\s+|import\(\s*)'([^'.][^']*)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!imported.has(name)) imported.set(name, file);
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([n, f]) => `${n} (${f})`);
    expect(missing).toEqual([]);
  });
});
