import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers hold (docs/architecture.md): an import graph is read from the
 * sources (static and dynamic imports) and every arrow that must never exist
 * is looked for. The checker is shown to fire on arrows made up for it.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

interface Edge {
  from: string;
  /** A file of the project (relative path) or a package specifier. */
  to: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'cli'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g)) {
      const spec = m[1] as string;
      const to = spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
      out.push({ from: relative(ROOT, file), to });
    }
  }
  return out;
}

/** The layer of a project file: src/<layer>/…, src/<file>.ts, or cli. */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'cli') return 'cli';
  if (parts[0] !== 'src') return 'package';
  return parts.length > 2 ? (parts[1] as string) : (parts[1] as string).replace(/\.ts$/, '');
}

const NETWORK = /^(node:)?(http|https|net|tls|dgram|dns)$|^undici$|^@octokit\//;
const FS = /^(node:)?fs(\/promises)?$/;
const TRANSPORT = new Set(['oci', 'github', 'net', 'transport']);

interface Rule {
  name: string;
  broken: (e: Edge) => boolean;
}

const project = (e: Edge): boolean => e.to.startsWith('src/') || e.to.startsWith('cli/');

const RULES: Rule[] = [
  {
    name: 'core imports nothing else of the project, no fs, no network',
    broken: (e) =>
      layerOf(e.from) === 'core' && ((project(e) && layerOf(e.to) !== 'core') || FS.test(e.to) || NETWORK.test(e.to)),
  },
  {
    name: 'formats import only core',
    broken: (e) =>
      layerOf(e.from) === 'formats' &&
      ((project(e) && !['core', 'formats'].includes(layerOf(e.to))) || FS.test(e.to) || NETWORK.test(e.to)),
  },
  {
    name: 'the verifier never imports commands, collector, signer, transport, present, fs or the network',
    broken: (e) =>
      layerOf(e.from) === 'verifier' &&
      ((project(e) && ['commands', 'collector', 'signer', 'present', 'cli', ...TRANSPORT].includes(layerOf(e.to))) ||
        FS.test(e.to) ||
        NETWORK.test(e.to)),
  },
  {
    name: 'the collector never imports commands, transport or the network: outside services come in behind its interfaces',
    broken: (e) =>
      layerOf(e.from) === 'collector' &&
      ((project(e) && ['commands', 'cli', ...TRANSPORT].includes(layerOf(e.to))) || NETWORK.test(e.to)),
  },
  {
    name: 'the signer never imports commands, collector, present or transport: its services come in behind small interfaces',
    broken: (e) =>
      layerOf(e.from) === 'signer' &&
      project(e) &&
      ['commands', 'collector', 'present', 'cli', ...TRANSPORT].includes(layerOf(e.to)),
  },
  {
    name: 'present never imports commands or transport',
    broken: (e) =>
      layerOf(e.from) === 'present' && project(e) && ['commands', 'cli', ...TRANSPORT].includes(layerOf(e.to)),
  },
  { name: 'nothing in src imports cli', broken: (e) => e.from.startsWith('src/') && e.to.startsWith('cli/') },
  {
    name: 'the one-file verifier is built from the verify command alone',
    broken: (e) =>
      ['cli/verify-program.ts', 'cli/verify-standalone.ts', 'cli/options.ts', 'cli/progress.ts'].includes(e.from) &&
      (e.to === 'cli/run.ts' ||
        (project(e) && TRANSPORT.has(layerOf(e.to))) ||
        /^@octokit\/|^@sigstore\/(sign|tuf)$/.test(e.to)),
  },
];

function violations(all: Edge[]): string[] {
  return RULES.flatMap((r) => all.filter(r.broken).map((e) => `${r.name}: ${e.from} → ${e.to}`));
}

describe('layers', () => {
  const all = edges();

  it('reads the import graph', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.some((e) => e.from === 'cli/run.ts' && e.to === 'cli/verify-program.ts')).toBe(true);
  });

  it('has none of the arrows that must never exist', () => {
    expect(violations(all)).toEqual([]);
  });

  it('would see each of them', () => {
    const made: Edge[] = [
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
      { from: 'cli/verify-program.ts', to: '@octokit/rest' },
    ];
    expect(violations(made)).toHaveLength(made.length);
  });

  it('core uses no process or console', () => {
    for (const file of sources(join(ROOT, 'src', 'core'))) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(/\bprocess\.|\bconsole\./.test(code), relative(ROOT, file)).toBe(false);
    }
  });
});
