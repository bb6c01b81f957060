import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/options.js';
import { byteProgress, drawsProgress, isCi, stepProgress } from '../../cli/progress.js';

/**
 * One rule for every progress display of the command line: drawn (control
 * sequences, redrawn in place) only on a terminal, not in CI, not with
 * --quiet or --json.
 */
function io(tty: boolean, env: Record<string, string | undefined> = {}): CliIo & { err: () => string } {
  let err = '';
  const stderr = { write: (s: string) => ((err += s), true), isTTY: tty };
  return {
    stdout: { write: () => true, isTTY: tty },
    stderr,
    env: { EVIDENCE_PROGRESS_DELAY_MS: '0', ...env },
    cwd: '/',
    err: () => err,
  };
}

describe('isCi', () => {
  it('CI set to anything but empty or false', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});

describe('drawsProgress', () => {
  it('only on a terminal, outside CI, without --quiet or --json', () => {
    expect(drawsProgress(io(true), {})).toBe(true);
    expect(drawsProgress(io(false), {})).toBe(false);
    expect(drawsProgress(io(true, { CI: 'true' }), {})).toBe(false);
    expect(drawsProgress(io(true), { quiet: true })).toBe(false);
    expect(drawsProgress(io(true), { json: true })).toBe(false);
  });

  it('asks the raw stream, not the escaped one', () => {
    const raw = io(true);
    expect(drawsProgress({ ...raw, stderr: { write: () => true }, raw }, {})).toBe(true);
  });
});

describe('the byte bar', () => {
  it('is not drawn in CI, even on a terminal', () => {
    const ci = io(true, { CI: 'true' });
    const bar = byteProgress(ci, {});
    expect(bar.onBytes).toBeUndefined();
    bar.stop();
    expect(ci.err()).toBe('');
  });
});

describe('the step line', () => {
  it('is redrawn in place on a terminal, the last step kept', () => {
    const t = io(true);
    const steps = stepProgress(t, { lines: true });
    expect(steps.active).toBe(true);
    steps.step('[1/2] v1');
    steps.step('[2/2] v2', true);
    steps.stop();
    expect(t.err()).toBe('\r\x1b[2K[1/2] v1\r\x1b[2K[2/2] v2\n');
  });

  it('is cleared when stopped before its last step', () => {
    const t = io(true);
    const steps = stepProgress(t, {});
    steps.step('sbom 1/3: a.json');
    steps.stop();
    expect(t.err()).toBe('\r\x1b[2Ksbom 1/3: a.json\r\x1b[2K');
  });

  it('in CI: plain lines where they are a log (lines), nothing otherwise; never a control sequence', () => {
    const log = io(true, { CI: 'true' });
    const lines = stepProgress(log, { lines: true });
    expect(lines.active).toBe(true);
    lines.step('[1/2] v1');
    lines.step('[2/2] v2', true);
    lines.stop();
    expect(log.err()).toBe('[1/2] v1\n[2/2] v2\n');

    const quietCi = io(true, { CI: 'true' });
    const none = stepProgress(quietCi, {});
    expect(none.active).toBe(false);
    none.step('sbom 1/3: a.json');
    none.stop();
    expect(quietCi.err()).toBe('');
  });

  it('not on a terminal: the same as in CI; with --quiet: nothing at all', () => {
    const piped = io(false);
    stepProgress(piped, { lines: true }).step('[1/1] v1', true);
    expect(piped.err()).toBe('[1/1] v1\n');
    const quiet = io(true);
    const steps = stepProgress(quiet, { quiet: true, lines: true });
    expect(steps.active).toBe(false);
    steps.step('[1/1] v1', true);
    expect(quiet.err()).toBe('');
  });
});
