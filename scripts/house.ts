#!/usr/bin/env -S npx tsx
// The house rules that a linter cannot state, checked against the sources:
//   - layers: docs/architecture.md's table of layers ("may import") is held
//     against the import graph of src/ and cli/, both ways: an import the
//     table does not allow is a breach, an allowance no import uses is a
//     claim that is not true; every folder of src/ must have a row;
//   - the arrows no layer may draw (files, network, process) and the one-file
//     verifier's closure;
//   - sizes: no file of src/ over MAX_FILE_LINES, src/commands/ under
//     MAX_COMMANDS_LINES;
//   - "Where is …": every path docs/architecture.md names exists, and every
//     function it names in that answer is in that file.
// `npm run lint` runs it (exit 1 on any problem); test/architecture/layers.test.ts
// runs the same checks and shows that each fires on a made-up breach.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MAX_FILE_LINES = 700;
export const MAX_COMMANDS_LINES = 2500;

export interface Edge {
  from: string;
  /** A file of the project (relative path) or a package specifier. */
  to: string;
  typeOnly: boolean;
}

export interface LayerRow {
  layer: string;
  paths: string[];
  mayImport: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f): string[] => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every TypeScript file of src/ and cli/, as paths relative to the root. */
export function sourceFiles(root = ROOT): string[] {
  return [...walk(join(root, 'src')), ...walk(join(root, 'cli'))].map((p) => relative(root, p)).sort();
}

/** The import graph: one edge per static import, re-export or dynamic import. */
export function importEdges(root = ROOT, files = sourceFiles(root)): Edge[] {
  const edges: Edge[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g)) {
      const spec = m[1] as string;
      const to = spec.startsWith('.')
        ? relative(root, resolve(dirname(join(root, file)), spec)).replace(/\.js$/, '.ts')
        : spec;
      const at = m.index ?? 0;
      // `import type …`, `export type …`, or `import('…').Name` in a type position: erased when compiled.
      const typeImport = /\bimport\s+type\b|\bexport\s+type\b/.test(lineOf(text, at));
      const typePosition = m[0].startsWith('import') && /^\s*\)\.(?!then\b)/.test(text.slice(at + m[0].length));
      edges.push({ from: file, to, typeOnly: typeImport || typePosition });
    }
  }
  return edges;
}

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', text.lastIndexOf('import', index) - 1) + 1;
  return text.slice(start, index);
}

/**
 * The table under "## Layers" in docs/architecture.md: rows of
 * `| layer | paths | what it is | may import |`, where paths and allowances
 * are written in backticks or as plain layer names separated by commas.
 */
export function layerTable(markdown: string): LayerRow[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Layers'));
  if (!section) throw new Error('docs/architecture.md has no "## Layers" section');
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| layer') && !l.startsWith('| ---'));
  return rows.map((row) => {
    const cells = row.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim());
    const [layer = '', paths = '', , mayImport = ''] = cells;
    return {
      layer,
      paths: [...paths.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string),
      mayImport: mayImport === 'nothing' ? [] : mayImport.split(/,\s*/).map((s) => s.replace(/`/g, '').trim()),
    };
  });
}

/** The layer of a project file: the row whose path is the longest prefix of it. */
export function layerOf(table: LayerRow[], file: string): string | undefined {
  let best: { p: string; layer: string } | undefined;
  for (const row of table)
    for (const p of row.paths)
      if ((p.endsWith('/') ? file.startsWith(p) : file === p) && (!best || p.length > best.p.length))
        best = { p, layer: row.layer };
  return best?.layer;
}

const NETWORK = /^(node:)?(http|https|http2|net|tls|dgram|dns)$|^undici$|^@octokit\//;
const FS = /^(node:)?fs(\/promises)?$/;
const PROCESS = /^(node:)?(child_process|worker_threads|os)$/;

/** Arrows no table can allow: what would make a layer reach out on its own. */
export const FORBIDDEN: { name: string; test: (from: string, e: Edge) => boolean }[] = [
  {
    name: 'core touches no files, network or processes',
    test: (from, e) => from === 'core' && (FS.test(e.to) || NETWORK.test(e.to) || PROCESS.test(e.to)),
  },
  {
    name: 'formats touch no files or network',
    test: (from, e) => from === 'formats' && (FS.test(e.to) || NETWORK.test(e.to)),
  },
  {
    name: 'the verifier touches no files, network or processes: offline by structure',
    test: (from, e) => from === 'verifier' && (FS.test(e.to) || NETWORK.test(e.to) || PROCESS.test(e.to)),
  },
  {
    name: 'the collector, signer and diff reach no network on their own',
    test: (from, e) => ['collector', 'signer', 'diff'].includes(from) && NETWORK.test(e.to),
  },
  {
    name: 'present writes no files and reaches no network',
    test: (from, e) => from === 'present' && (FS.test(e.to) || NETWORK.test(e.to)),
  },
];

/**
 * The files the one-file verifier is built from, which must not reach the CLI's other commands or the network clients.
 */
export const VERIFIER_ENTRY = 'cli/verify-standalone.ts';
const NOT_IN_VERIFIER = /^@octokit\/|^@sigstore\/(sign|tuf)$/;

/** The files reachable from `entry` through project imports that stay in the compiled code. */
export function closure(edges: Edge[], entry: string): Set<string> {
  const seen = new Set([entry]);
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop() as string;
    for (const e of edges)
      if (e.from === f && !e.typeOnly && isProject(e.to) && !seen.has(e.to)) {
        seen.add(e.to);
        todo.push(e.to);
      }
  }
  return seen;
}

const isProject = (to: string): boolean => to.startsWith('src/') || to.startsWith('cli/');

/** Every layer problem: breaches, untrue allowances, folders without a row, forbidden arrows. */
export function layerProblems(table: LayerRow[], edges: Edge[], files: string[]): string[] {
  const problems: string[] = [];
  const used = new Map(table.map((r) => [r.layer, new Set<string>()]));
  for (const f of files) if (!layerOf(table, f)) problems.push(`${f}: in no layer of docs/architecture.md's table`);
  for (const e of edges) {
    const from = layerOf(table, e.from);
    if (!from) continue;
    for (const rule of FORBIDDEN) if (rule.test(from, e)) problems.push(`${rule.name}: ${e.from} → ${e.to}`);
    if (!isProject(e.to)) continue;
    const to = layerOf(table, e.to);
    if (!to || to === from) continue;
    const row = table.find((r) => r.layer === from);
    if (!row?.mayImport.includes(to))
      problems.push(`${from} may not import ${to} (docs/architecture.md): ${e.from} → ${e.to}`);
    else used.get(from)?.add(to);
  }
  for (const row of table)
    for (const allowed of row.mayImport)
      if (!used.get(row.layer)?.has(allowed) && allowed !== row.layer)
        problems.push(
          `docs/architecture.md says ${row.layer} may import ${allowed}, but nothing in ${row.layer} does: say only what is true`,
        );
  for (const f of closure(edges, VERIFIER_ENTRY)) {
    if (f === 'cli/run.ts') problems.push(`the one-file verifier reaches cli/run.ts`);
    // Transport's error classes are pure: the one exit-code table (cli/exit-codes.ts) names them for every command.
    if (layerOf(table, f) === 'transport' && !f.endsWith('/errors.ts'))
      problems.push(`the one-file verifier reaches transport: ${f}`);
    for (const e of edges)
      if (e.from === f && !e.typeOnly && NOT_IN_VERIFIER.test(e.to))
        problems.push(`the one-file verifier reaches ${e.to}: ${f}`);
  }
  return problems;
}

/** Folders of src/ (one level down) that the table has no row for. */
export function foldersWithoutRow(table: LayerRow[], root = ROOT): string[] {
  const folders = readdirSync(join(root, 'src')).filter((f) => statSync(join(root, 'src', f)).isDirectory());
  return folders
    .filter((f) => !table.some((r) => r.paths.includes(`src/${f}/`)))
    .map((f) => `src/${f}/ has no row in docs/architecture.md's table of layers`);
}

export function sizeProblems(root = ROOT, files = sourceFiles(root)): string[] {
  const problems: string[] = [];
  let commands = 0;
  for (const f of files.filter((f) => f.startsWith('src/'))) {
    const lines = readFileSync(join(root, f), 'utf8').split('\n').length - 1;
    if (f.startsWith('src/commands/')) commands += lines;
    if (lines > MAX_FILE_LINES) problems.push(`${f}: ${lines} lines, more than ${MAX_FILE_LINES}: split it by concern`);
  }
  if (commands >= MAX_COMMANDS_LINES)
    problems.push(
      `src/commands/: ${commands} lines, at most ${MAX_COMMANDS_LINES - 1}: rules and helpers belong below commands`,
    );
  return problems;
}

/**
 * "Where is …" answers: each bullet names files in backticks and, in
 * parentheses right after a file, the functions found there. Each file must
 * exist and each function must be declared in it.
 */
export function whereIsProblems(markdown: string, root = ROOT): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Where is'));
  if (!section) return ['docs/architecture.md has no "## Where is …" section'];
  const problems: string[] = [];
  for (const m of section.matchAll(/`((?:src|cli|test|scripts|docs|bench)\/[^`\s]+)`(?:\s*\(([^)]*)\))?/g)) {
    const path = m[1] as string;
    if (!existsSync(join(root, path))) {
      problems.push(`docs/architecture.md names ${path}, which does not exist`);
      continue;
    }
    if (!m[2] || statSync(join(root, path)).isDirectory()) continue;
    const text = readFileSync(join(root, path), 'utf8');
    for (const n of m[2].matchAll(/`([A-Za-z_#$][\w$]*)`/g)) {
      const name = (n[1] as string).replace(/^#/, '');
      const declared = new RegExp(
        `(?:function\\*?|const|let|class|interface|type|enum|async function)\\s+${name}\\b|#?\\b${name}\\s*\\(|\\b${name}\\s*[:=]`,
      ).test(text);
      if (!declared) problems.push(`docs/architecture.md says ${n[1]} is in ${path}, but it is not`);
    }
  }
  return problems;
}

/**
 * CONTRIBUTING.md's walk-throughs point at real files: each path it names
 * exists, but for the new files of its examples (`lighthouse`, `<name>`).
 */
export function contributingProblems(markdown: string, root = ROOT): string[] {
  const problems: string[] = [];
  for (const m of markdown.matchAll(/`((?:src|cli|test|scripts|docs|bench)\/[^`\s]*)`/g)) {
    const path = m[1] as string;
    if (/lighthouse|<name>/.test(path)) continue;
    if (!existsSync(join(root, path))) problems.push(`CONTRIBUTING.md names ${path}, which does not exist`);
  }
  return problems;
}

export function houseProblems(root = ROOT): string[] {
  const markdown = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const table = layerTable(markdown);
  const files = sourceFiles(root);
  const all = [
    ...foldersWithoutRow(table, root),
    ...layerProblems(table, importEdges(root, files), files),
    ...sizeProblems(root, files),
    ...whereIsProblems(markdown, root),
    ...contributingProblems(readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8'), root),
  ];
  return [...new Set(all)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = houseProblems();
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} house rule${problems.length === 1 ? '' : 's'} broken (scripts/house.ts)`);
    process.exit(1);
  }
  console.log('house rules hold: layers as docs/architecture.md says, file sizes, "Where is …" paths');
}
