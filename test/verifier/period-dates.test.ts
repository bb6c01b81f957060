import { describe, expect, it } from 'vitest';
import { periodBounds, summarizePeriod } from '../../src/verifier/period.js';
import { loadPolicy } from '../../src/verifier/policy/evaluate.js';

/** An audit period's ends and its waivers' ends are read by core/time.ts, with the one end of a day. */

describe('period bounds', () => {
  it('a date runs from the start of its first day to the end of its last, UTC, both included', () => {
    expect(periodBounds('2026-01-01', '2026-06-30')).toEqual({
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 6, 1) - 1,
    });
  });

  it('instants are exact, offsets counted', () => {
    expect(periodBounds('2026-01-01T08:00:00+01:00', '2026-06-30t12:00:00.250z')).toEqual({
      from: Date.UTC(2026, 0, 1, 7),
      to: Date.UTC(2026, 5, 30, 12, 0, 0, 250),
    });
  });

  it.each([
    ['2026-02-30'],
    ['2026-13-01'],
    ['2026-02-29'],
    ['tomorrow'],
    ['2026-06-31T25:00:00Z'],
    ['2026-06-30T23:59:60Z'],
  ])('no bound from %j (never the day Date.parse would roll it over to)', (text) => {
    expect(periodBounds(text, '2026-12-31').from).toBeNaN();
    expect(periodBounds('2026-01-01', text).to).toBeNaN();
  });
});

describe('waivers over a period', () => {
  const policy = loadPolicy(
    Buffer.from(
      'version: 1\nrules:\n  - name: r\n    expr: "true"\nwaivers:\n  - rule: r\n    reason: x\n    expires: 2026-06-30\n',
    ),
    'policy.yaml',
  );
  const expiredIn = (since: string, until: string): boolean | undefined =>
    summarizePeriod({ since, until, members: [], policy }).waivers[0]?.expiredInPeriod;

  it('a waiver dated to a day runs to the same end of that day as a period does', () => {
    expect(expiredIn('2026-01-01', '2026-06-30')).toBe(true);
    expect(expiredIn('2026-07-01', '2026-12-31')).toBe(false);
    // Still waived half a second before midnight: the day's last second is the waiver's.
    expect(expiredIn('2026-01-01', '2026-06-30T23:59:59.500Z')).toBe(false);
    expect(expiredIn('2026-06-30T23:59:59.999Z', '2026-12-31')).toBe(true);
  });
});
