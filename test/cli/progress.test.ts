import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const exec = promisify(execFile);
const tmp = useTmp();
const BIN = new URL('../../dist/bin/evidence.js', import.meta.url).pathname;
// util-linux's script(1) runs a command on a real pseudo-terminal.
const haveScript = existsSync('/usr/bin/script');
if (!haveScript) {
  console.warn('SKIPPED: the pseudo-terminal progress tests need script(1) from util-linux (apt-get install bsdutils)');
}

/** Runs the CLI on a pseudo-terminal; returns what the terminal showed. */
async function onTerminal(dir: string, args: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec('script', ['-qec', `node ${BIN} ${args}`, '/dev/null'], {
    cwd: dir,
    env: { ...process.env, CI: '', EVIDENCE_PROGRESS_DELAY_MS: '0', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

const BAR = /\d+% \| [\d.]+ [KMG]?i?B of [\d.]+ [KMG]?i?B \| [\d.]+ [KMG]?i?B\/s \| \d+s left/;

describe.skipIf(!haveScript)('progress on long work', () => {
  it('is drawn on a terminal for collect, verify and extract: bytes done, rate, time left', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'data.bin'), randomBytes(8 * 1024 * 1024));
    expect(await onTerminal(dir, 'collect -o b.tar.gz --name a --version 1 --file data.bin')).toMatch(BAR);
    expect(await onTerminal(dir, 'verify b.tar.gz --integrity-only')).toMatch(BAR);
    expect(await onTerminal(dir, 'extract b.tar.gz -o out --integrity-only')).toMatch(BAR);
  });

  it('never fails the work it shows: the one-file verifier copied alone (no cli-progress beside it) verifies without a bar', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'data.bin'), randomBytes(8 * 1024 * 1024));
    const made = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--file', 'data.bin', '-q'],
      {
        cwd: dir,
      },
    );
    expect(made.code, made.stderr).toBe(0);
    await copyFile(new URL('../../dist/evidence-verify.mjs', import.meta.url), join(dir, 'evidence-verify.mjs'));
    const { stdout } = await exec(
      'script',
      ['-qec', 'node evidence-verify.mjs b.tar.gz --integrity-only; echo "exit=$?"', '/dev/null'],
      { cwd: dir, env: { ...process.env, CI: '', EVIDENCE_PROGRESS_DELAY_MS: '0' }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain('exit=0');
    expect(stdout).not.toContain('ARCHIVE_CORRUPT');
    expect(stdout).toContain('INTEGRITY ONLY');
  });

  it('is not drawn in CI, with --quiet, with --json, or when standard error is not a terminal', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'data.bin'), randomBytes(8 * 1024 * 1024));
    expect(
      (
        await runCli(['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--file', 'data.bin', '-q'], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    expect(await onTerminal(dir, 'verify b.tar.gz --integrity-only', { CI: 'true' })).not.toMatch(BAR);
    expect(await onTerminal(dir, 'verify b.tar.gz --integrity-only --quiet')).not.toMatch(BAR);
    const json = await onTerminal(dir, 'verify b.tar.gz --integrity-only --json');
    expect(json).not.toMatch(BAR);
    expect(JSON.parse(json.replace(/\r\n/g, '\n')).verdict).toBe('integrity-only');
    // Not a terminal: nothing at all on standard error.
    const piped = await runCli(['verify', 'b.tar.gz', '--integrity-only'], {
      cwd: dir,
      env: { EVIDENCE_PROGRESS_DELAY_MS: '0' },
    });
    expect(piped.stderr).toBe('');
  });
});
