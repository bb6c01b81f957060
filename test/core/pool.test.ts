import { describe, expect, it } from 'vitest';
import { pool } from '../../src/core/pool.js';

/** Bounded parallelism, in order (src/core/pool.ts). */

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pool', () => {
  it('keeps the order of the items, whatever order the work finishes in', async () => {
    const out = await pool([30, 5, 20, 1, 10], 3, async (ms, i) => {
      await tick(ms);
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
  });

  it('runs at most `limit` at once, and uses them all', async () => {
    let running = 0;
    let most = 0;
    await pool(
      Array.from({ length: 12 }, (_, i) => i),
      4,
      async () => {
        running++;
        most = Math.max(most, running);
        await tick(2);
        running--;
      },
    );
    expect(most).toBe(4);
  });

  it('counts what is done, 1 to n, each once', async () => {
    const counts: number[] = [];
    await pool(['a', 'b', 'c', 'd', 'e'], 2, async (_item, _i, done) => {
      await tick(1);
      counts.push(done());
    });
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  it('an empty list, or a limit above its length', async () => {
    expect(await pool([], 4, () => Promise.resolve(1))).toEqual([]);
    expect(await pool([1, 2], 32, (n) => Promise.resolve(n * 2))).toEqual([2, 4]);
  });

  it('fails as the work fails', async () => {
    await expect(
      pool([1, 2, 3], 2, (n) => (n === 2 ? Promise.reject(new RangeError('two')) : Promise.resolve(n))),
    ).rejects.toThrow(RangeError);
  });
});
