/**
 * The command line keeps V8's young generation at its first size (cli/young-generation.ts, issue 28), so that a long
 * audit or a collect of many subjects does not keep 128 MiB of it; a user's own sizing is kept.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { youngGenerationSizedByUser } from '../../cli/young-generation.js';

/** The young generation's size after 40 MiB of objects that survive, in a fresh process, with or without the flag. */
function youngGenerationAfterSurvivors(flag: boolean): number {
  const script = `
    const v8 = require('node:v8');
    ${flag ? "v8.setFlagsFromString('--semi-space-growth-factor=1');" : ''}
    const kept = [];
    for (let i = 0; i < 400000; i++) kept.push({ i, s: 'x'.repeat(64) + i });
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size);
    if (kept.length < 0) console.log(kept);
  `;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe('the young generation', () => {
  it('set from inside the process, stays at its first size while objects survive; V8 grows it otherwise', () => {
    const grown = youngGenerationAfterSurvivors(false);
    const kept = youngGenerationAfterSurvivors(true);
    expect(kept).toBeLessThan(grown);
    expect(kept).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it("is left as the user sized it, in node's own options or NODE_OPTIONS", () => {
    expect(youngGenerationSizedByUser([], undefined)).toBe(false);
    expect(youngGenerationSizedByUser(['--enable-source-maps'], '--max-old-space-size=4096')).toBe(false);
    expect(youngGenerationSizedByUser(['--max-semi-space-size=16'], undefined)).toBe(true);
    expect(youngGenerationSizedByUser([], '--trace-gc  --semi-space-growth-factor=2')).toBe(true);
    expect(youngGenerationSizedByUser([], '--min_semi_space_size=4')).toBe(true);
  });
});
