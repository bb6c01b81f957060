/**
 * Issue 28: `evidence --help` alone is printed by the bundle from text rendered when the package was built
 * (cli/help-only.ts), without loading commander. It must be exactly what the command line from these sources prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { helpOnly, renderedTopHelp } from '../../cli/help-only.js';
import { run } from '../../cli/run.js';

const BUNDLE = 'dist/bin/evidence.js';

function sink(isTTY?: boolean): { write(s: string): boolean; isTTY?: boolean; text: string } {
  const out = { text: '', isTTY, write: (s: string) => ((out.text += s), true) };
  return out;
}

describe('helpOnly', () => {
  it('answers --help, -h or help alone when the output is not a terminal and the text is there', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const out = sink();
      expect(helpOnly(argv, out, () => 'Usage: x\n')).toBe(true);
      expect(out.text).toBe('Usage: x\n');
    }
  });

  it('leaves everything else to commander: other arguments, a terminal, no rendered text', () => {
    const cases: [string[], boolean, string | undefined][] = [
      [['collect', '--help'], false, 'text'],
      [['--help', 'collect'], false, 'text'],
      [['help', 'verify'], false, 'text'],
      [[], false, 'text'],
      [['--HELP'], false, 'text'],
      [['--help'], true, 'text'],
      [['--help'], false, undefined],
    ];
    for (const [argv, isTTY, text] of cases) {
      const out = sink(isTTY);
      expect(helpOnly(argv, out, () => text)).toBe(false);
      expect(out.text).toBe('');
    }
  });

  it('reads no text where none was rendered', () => {
    expect(renderedTopHelp(new URL('./nowhere/x.js', import.meta.url).href)).toBeUndefined();
  });
});

describe('the bundle\u2019s --help', () => {
  it('is what the command line from these sources prints, for --help, -h and help', async () => {
    const stdout = sink(false);
    const code = await run(['--help'], { stdout, stderr: sink(false), env: {}, cwd: process.cwd() });
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^Usage: evidence /);
    for (const flag of ['--help', '-h', 'help']) {
      const { stdout: printed } = await promisify(execFile)(process.execPath, [BUNDLE, flag], {
        env: { ...process.env, EVIDENCE_NO_NODE_WARNING: '1' },
      });
      expect(printed).toBe(stdout.text);
    }
  });
});
