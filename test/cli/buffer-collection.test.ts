/**
 * The audit and index commands ask for a full collection when buffers outside the heap pile up
 * (cli/buffer-collection.ts, issue 28): the buffers of releases already verified are freed then, not tens of MiB later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GAP_FACTOR, MIN_GAP_MS, collectWhenBuffersPile, collectorFunction } from '../../cli/buffer-collection.js';

describe('collectWhenBuffersPile', () => {
  it("frees buffers whose owners are gone, and leaves V8's --expose-gc as it found it", async () => {
    const gc = collectorFunction();
    expect(typeof gc).toBe('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const kept: { buffers: Buffer[] } = { buffers: Array.from({ length: 64 }, () => Buffer.alloc(256 * 1024, 1)) };
    const holding = process.memoryUsage().arrayBuffers;
    const c = collectWhenBuffersPile({ budget: 1024 * 1024, everyMs: 5, gc });
    try {
      await sleep(20);
      expect(c.forced).toBe(0); // all 16 MiB still held, none grown since it began looking
      kept.buffers = [];
      // Grow past the budget with buffers nobody keeps: what was dropped is freed with them.
      for (let i = 0; i < 100 && process.memoryUsage().arrayBuffers > holding - 8 * 1024 * 1024; i++) {
        Buffer.alloc(512 * 1024);
        await sleep(5);
      }
      expect(c.forced).toBeGreaterThan(0);
      expect(process.memoryUsage().arrayBuffers).toBeLessThan(holding - 8 * 1024 * 1024);
    } finally {
      c.stop();
    }
  });

  it('asks only when the buffers grew by its budget since the last collection', async () => {
    let level = 0;
    let asked = 0;
    let clock = 0;
    const c = collectWhenBuffersPile({
      budget: 100,
      everyMs: 2,
      now: () => clock,
      buffers: () => {
        clock += 1000; // each look long past the one before
        return level;
      },
      gc: () => {
        asked++;
        level = 10; // what is left after it
      },
    });
    try {
      level = 90;
      await sleep(20);
      expect(asked).toBe(0);
      level = 120;
      await sleep(20);
      expect(asked).toBe(1);
      level = 105; // 95 over what was left: not yet
      await sleep(20);
      expect(asked).toBe(1);
      level = 111;
      await sleep(20);
      expect(asked).toBe(2);
      expect(c.forced).toBe(2);
    } finally {
      c.stop();
    }
  });

  it('spaces what it asks for: never sooner than MIN_GAP_MS, nor than GAP_FACTOR times the last one took', async () => {
    let clock = 0;
    let asked = 0;
    let level = 0;
    const c = collectWhenBuffersPile({
      budget: 1,
      everyMs: 1,
      now: () => clock,
      buffers: () => (level += 1000), // always growing: a large bundle streaming through
      gc: () => {
        asked++;
        clock += 50; // each takes 50 ms: the next no sooner than 1,000 ms after it ends
      },
    });
    try {
      await sleep(30);
      expect(asked).toBe(1);
      clock += MIN_GAP_MS; // past the least gap, not past 20 times 50 ms
      await sleep(30);
      expect(asked).toBe(1);
      clock += GAP_FACTOR * 50;
      await sleep(30);
      expect(asked).toBe(2);
    } finally {
      c.stop();
    }
  });

  it('does nothing where the runtime gives no collector', () => {
    const c = collectWhenBuffersPile({ gc: undefined });
    expect(c.forced).toBe(0);
    c.stop();
  });
});
