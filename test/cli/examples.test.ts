import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommanderError, type Command } from 'commander';
import { EXAMPLES, buildProgram } from '../../cli/run.js';
import { hasIdentityConstraint } from '../../src/verifier/identity-policy.js';

/**
 * Every command line the README, examples/ and the commands' --help show is
 * one the CLI accepts as written: each is parsed by the real program (its
 * options, choices and required options), stopped just before its action, and
 * checked for what the library would refuse at once (a keyless verify that
 * names no signer). The demo (npm run demo) runs the main ones for real.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

/** Shell words of one command line: quotes kept together, variables left as written, a pipe or redirect ends it. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '#' && !started && cur === '') break;
    else if (ch === '|' || ch === '>' || ch === ';' || ch === '&') break;
    else if (/\s/.test(ch)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

interface Example {
  where: string;
  argv: string[];
}

/** `evidence …` (or `npx @evidence-bundle/evidence@V …`, after VAR=value assignments) → its arguments. */
function asEvidence(line: string): string[] | undefined {
  const w = words(line);
  while (w[0] && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) w.shift();
  if (w[0] === 'evidence') return w.slice(1);
  if (w[0] === 'npx') {
    const at = w.findIndex((x) => /^@evidence-bundle\/evidence(@|$)/.test(x));
    if (at > 0) return w.slice(at + 1);
  }
  if (w[0] === 'node' && w[1]?.endsWith('evidence-verify.mjs')) return ['verify', ...w.slice(2)];
  return undefined;
}

/** Logical lines of a shell snippet (backslash continuations joined). */
function logicalLines(text: string): string[] {
  return text.replace(/\\\n\s*/g, ' ').split('\n');
}

function fromMarkdown(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    for (const line of logicalLines(m[1] as string)) {
      const argv = asEvidence(line.trim());
      if (argv) out.push({ where: relative(ROOT, file), argv });
    }
  }
  return out;
}

function fromWorkflow(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/run: \|\n((?:[ \t]+.*\n?)+)/g)) {
    for (const line of logicalLines(m[1] as string)) {
      const argv = asEvidence(line.trim());
      if (argv) out.push({ where: relative(ROOT, file), argv });
    }
  }
  return out;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

const documented: Example[] = [
  ...fromMarkdown(join(ROOT, 'README.md')),
  ...filesUnder(join(ROOT, 'examples'), '.md').flatMap(fromMarkdown),
  ...filesUnder(join(ROOT, 'examples'), '.yml').flatMap(fromWorkflow),
  ...Object.entries(EXAMPLES).flatMap(([name, lines]) =>
    lines.map((l) => ({ where: `evidence ${name} --help`, argv: asEvidence(l) ?? [] })),
  ),
];

class Stop extends Error {}

/** Parses argv with the real program; returns the command that would run and its options, or commander's complaint. */
async function parse(argv: string[]): Promise<{ command?: string; opts?: Record<string, unknown>; error?: string }> {
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: ROOT };
  const program = buildProgram(io, { exitCode: 0 });
  let seen: { command: string; opts: Record<string, unknown> } | undefined;
  program.hook('preAction', (_root: Command, action: Command) => {
    seen = { command: action.name(), opts: action.opts() };
    throw new Stop();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof Stop) return seen ?? {};
    if (e instanceof CommanderError)
      return e.code === 'commander.version' || e.code === 'commander.helpDisplayed'
        ? { command: 'evidence' }
        : { error: e.message };
    throw e;
  }
  return { error: 'no command ran' };
}

const VERIFYING = new Set(['verify', 'extract', 'report', 'verify-attestation', 'fetch']);

describe('documented command lines run as written', () => {
  it('finds the examples', () => {
    expect(documented.filter((d) => d.where === 'README.md').length).toBeGreaterThanOrEqual(10);
    expect(documented.some((d) => d.where.startsWith('examples/github/'))).toBe(true);
  });

  it.each(documented.map((d) => [`${d.where}: evidence ${d.argv.join(' ')}`.slice(0, 160), d] as const))(
    '%s',
    async (_name, d) => {
      const r = await parse(d.argv);
      expect(r.error, `${d.where}: evidence ${d.argv.join(' ')}`).toBeUndefined();
      const o = r.opts ?? {};
      if (VERIFYING.has(r.command ?? '') && !o.integrityOnly && !o.key && !o.downloadOnly && !o.policy) {
        const identity = Object.fromEntries(
          [
            'certificateIdentity',
            'certificateIdentityRegexp',
            'certificateOidcIssuer',
            'certificateOidcIssuerRegexp',
            'signerWorkflow',
            'sourceRepository',
          ].map((k) => [k, o[k] as string | undefined]),
        );
        expect(
          hasIdentityConstraint(identity),
          `${d.where}: a keyless ${r.command} must name a signer and an issuer`,
        ).toBe(true);
      }
    },
  );
});
