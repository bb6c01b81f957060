/**
 * A check not made is not a check passed: `verify --integrity-only` skips the signature, and its text says the checks
 * not made apart, never "All checks passed" (tenth review of issue 26: a vulnerabilities check that could not be made
 * stood under that line).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** A folder holding b.tar.gz: an unsigned bundle of one JUnit report. */
async function unsignedBundle(): Promise<string> {
  const dir = await tmp();
  const made = await runCli(
    ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--junit', fixture('junit/pytest.junit.xml'), '-q'],
    { cwd: dir },
  );
  expect(made.code).toBe(0);
  return dir;
}

describe('the verify report\u2019s last line', () => {
  it('counts the checks not made apart, and says all passed only when every check was made', async () => {
    const dir = await unsignedBundle();
    const r = await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir });
    expect(r.code).toBe(0);
    const skipped = r.stdout.split('\n').filter((l) => l.startsWith('SKIP')).length;
    expect(skipped).toBeGreaterThan(0);
    expect(r.stdout).not.toContain('All checks passed');
    expect(r.stdout).toContain(`No check failed; ${skipped} check${skipped === 1 ? '' : 's'} not made (SKIP above).`);
  });
});

describe('an integrity-only verification', () => {
  it('is never called verified: its verdict is integrity-only, Markdown counts the checks not made, and no VSA states it passed', async () => {
    const dir = await unsignedBundle();
    const json = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { verdict: string; mode: string };
    expect(report).toMatchObject({ verdict: 'integrity-only', mode: 'integrity-only' });
    const md = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--format', 'markdown'], { cwd: dir });
    expect(md.stdout).not.toContain('all passed');
    expect(md.stdout).toMatch(/## Checks \(none failed, \d+ not made\)/);
    // A VSA says PASSED or FAILED of a verification; integrity alone is neither, so the command line refuses it.
    const vsa = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--vsa', 'vsa.json'], { cwd: dir });
    expect(vsa.code).toBe(2);
    expect(vsa.stderr).toContain('[USAGE]');
  });
});
