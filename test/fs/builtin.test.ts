/**
 * Node's own modules taken without an ES import (src/fs/builtin.ts): through process.getBuiltinModule where Node has
 * it, and through require on a Node without it (20.0 to 20.15, 22.0 to 22.2), which evidence warns of but must still
 * run on (README).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModule } from '../../src/fs/builtin.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'dist/bin/evidence.js');
const VERIFIER = join(process.cwd(), 'dist/evidence-verify.mjs');
const work = mkdtempSync(join(tmpdir(), 'evidence-builtin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('builtinModule', () => {
  it('gives Node\u2019s own modules, with and without process.getBuiltinModule', () => {
    const p = process as { getBuiltinModule?: unknown };
    const own = p.getBuiltinModule;
    for (const present of [true, false]) {
      if (!present) delete p.getBuiltinModule;
      try {
        expect(typeof builtinModule('node:fs').readFileSync).toBe('function');
        expect(builtinModule('node:crypto').randomBytes(6)).toHaveLength(6);
        expect(typeof builtinModule('node:stream').Transform).toBe('function');
      } finally {
        p.getBuiltinModule = own;
      }
    }
  });

  it('lets the bundled command and the one-file verifier run on a Node without process.getBuiltinModule', async () => {
    // The runtime of a Node before 20.16 or 22.3, as far as these files can tell: the function removed before the
    // entry loads.
    const without = ['--import', 'data:text/javascript,delete process.getBuiltinModule'];
    const env = { ...process.env, EVIDENCE_NO_NODE_WARNING: '1', SOURCE_DATE_EPOCH: '0' };
    writeFileSync(join(work, 'notes.txt'), 'release notes\n');
    const bundle = join(work, 'b.tar.gz');
    const help = await run(process.execPath, [...without, BIN, '--help'], { env });
    expect(help.stdout).toMatch(/^Usage: evidence /);
    await run(
      process.execPath,
      [...without, BIN, 'collect', '-o', bundle, '--name', 'n', '--version', '1', '--file', join(work, 'notes.txt')],
      { env, cwd: work },
    );
    for (const entry of [[BIN, 'verify'], [VERIFIER]]) {
      const verified = await run(process.execPath, [...without, ...entry, bundle, '--integrity-only', '--json'], {
        env,
      });
      const report = JSON.parse(verified.stdout) as { ok?: boolean; mode?: string; bundle?: { entries?: number } };
      expect([report.ok, report.mode, report.bundle?.entries], entry[0]).toEqual([true, 'integrity-only', 1]);
    }
  });
});
