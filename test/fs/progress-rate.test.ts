import { describe, expect, it } from 'vitest';
import { byteProgress } from '../../cli/progress.js';
import { MIN_RATE_MS, RateMeter } from '../../src/fs/progress.js';

/**
 * Class: progress display. The first sample shows no rate (a buffer read a
 * millisecond after the start is no measure of anything); a rate is shown
 * once enough time has passed, over the bytes of that time only.
 */
const MiB = 1024 * 1024;

describe('RateMeter', () => {
  it('no rate before MIN_RATE_MS, then bytes over the time since the start', () => {
    const meter = new RateMeter(1000);
    expect(meter.rate(1001, 1 * MiB, 100 * MiB)).toBeUndefined();
    expect(meter.rate(1000 + MIN_RATE_MS - 1, 5 * MiB, 100 * MiB)).toBeUndefined();
    expect(meter.rate(3000, 20 * MiB, 100 * MiB)).toBe(10 * MiB);
  });

  it('a new step measures from its own start and its own first bytes', () => {
    const meter = new RateMeter(0);
    expect(meter.rate(10_000, 100 * MiB)).toBe(10 * MiB);
    meter.restart(10_000, 4 * MiB);
    expect(meter.rate(10_001, 5 * MiB)).toBeUndefined();
    expect(meter.rate(12_000, 8 * MiB)).toBe(2 * MiB);
  });

  it('work already whole has its average; not over a few milliseconds, nor when the count went back', () => {
    const meter = new RateMeter(0);
    expect(meter.rate(50, 8 * MiB, 8 * MiB)).toBe(160 * MiB);
    expect(meter.rate(2, 8 * MiB, 8 * MiB)).toBeUndefined();
    meter.restart(0, 4 * MiB);
    expect(meter.rate(1000, 1 * MiB)).toBeUndefined();
  });
});

describe('the bar on a terminal', () => {
  it('its first frame, a moment after the start, shows no rate', () => {
    let drawn = '';
    const stderr = { write: (s: string) => ((drawn += s), true), isTTY: true };
    const progress = byteProgress(
      { stdout: { write: () => true }, stderr, env: { EVIDENCE_PROGRESS_DELAY_MS: '0' }, cwd: '/' },
      {},
    );
    try {
      progress.onBytes?.({ label: 'data.bin', done: 4 * MiB, total: 64 * MiB });
      expect(drawn).toContain('4.0 MiB of 64 MiB');
      expect(drawn).not.toMatch(/\d B\/s|[KMG]iB\/s/);
    } finally {
      progress.stop();
    }
  });
});
