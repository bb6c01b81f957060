/**
 * Issue 28: starting the CLI loads only the command line. What `evidence --version` and `--help` run is cli/bin.ts and
 * what it imports statically (cli/main.ts, cli/run.ts, each command's options); the commands' work, the report
 * renderers, their schemas (zod) and the progress bar (cli-progress) are imported when used. This follows the static
 * imports from cli/bin.ts through the sources and fails when one reaches a package that only a command's work needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();

/** The files and packages reached from `entry` through static imports (`import type` and `import()` excluded). */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1] as string;
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
        continue;
      }
      const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (existsSync(ts)) visit(ts);
    }
  };
  visit(join(ROOT, entry));
  return { files, packages };
}

describe('starting the CLI', () => {
  it('imports commander and the command line, not the commands\u2019 work, schemas or progress bar', () => {
    const { files, packages } = staticGraph('cli/bin.ts');
    // cli/bin.ts imports cli/main.ts dynamically, after enabling the compile cache: follow it too.
    const main = staticGraph('cli/main.ts');
    for (const f of main.files) files.add(f);
    for (const p of main.packages) packages.add(p);
    expect([...packages].sort()).toEqual(['commander']);
    const loaded = [...files].map((f) => f.slice(ROOT.length + 1));
    expect(loaded.filter((f) => f.startsWith('src/commands/') || f.startsWith('src/formats/'))).toEqual([]);
    expect(loaded).toContain('cli/run.ts');
  });

  it('enables Node\u2019s compile cache before loading the command line', () => {
    const bin = readFileSync(join(ROOT, 'cli/bin.ts'), 'utf8');
    expect(bin).toMatch(/enableCompileCache\?\.\(\);\s*await import\('\.\/main\.js'\)/);
  });
});

describe('--version alone, answered before the command line loads', () => {
  it('prints the version and a newline, as commander does, only for --version or -V alone', async () => {
    const { versionOnly } = await import('../../cli/version-only.js');
    const { PACKAGE_VERSION } = await import('../../src/version.js');
    for (const flag of ['--version', '-V']) {
      let out = '';
      expect(versionOnly([flag], { write: (s: string) => (out += s) })).toBe(true);
      expect(out).toBe(`${PACKAGE_VERSION}\n`);
    }
    for (const argv of [[], ['--help'], ['--version', 'x'], ['verify', '--version'], ['--versions']]) {
      let out = '';
      expect(versionOnly(argv, { write: (s: string) => (out += s) }), argv.join(' ')).toBe(false);
      expect(out).toBe('');
    }
  });

  it('is what both entries ask first, so that --version loads neither commander nor the program', () => {
    for (const entry of ['cli/bin.ts', 'cli/verify-standalone.ts']) {
      const text = readFileSync(join(ROOT, entry), 'utf8');
      const statics = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      expect(statics.sort(), entry).toEqual(
        entry === 'cli/bin.ts'
          ? ['./help-only.js', './node-support.js', './pipes.js', './version-only.js', 'node:module']
          : ['./pipes.js', './version-only.js'],
      );
      expect(text).toMatch(
        entry === 'cli/bin.ts'
          ? /const argv = process\.argv\.slice\(2\);\nif \(!versionOnly\(argv, process\.stdout\) && !helpOnly\(argv, /
          : /if \(!versionOnly\(process\.argv\.slice\(2\), process\.stdout\)\)/,
      );
    }
    // --help alone (cli/help-only.ts) imports only how Node's own modules are taken, which imports node:module alone.
    expect(staticGraph('cli/help-only.ts').packages.size).toBe(0);
    expect([...staticGraph('cli/help-only.ts').files].map((f) => f.slice(ROOT.length + 1)).sort()).toEqual([
      'cli/help-only.ts',
      'src/fs/builtin.ts',
    ]);
    expect(readFileSync(join(ROOT, 'src/fs/builtin.ts'), 'utf8').match(/^import .*$/gm)).toEqual([
      "import { createRequire } from 'node:module';",
    ]);
  });
});
