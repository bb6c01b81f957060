import { describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/collector/as-of.js';
import { CollectError } from '../../src/collector/errors.js';

/** --as-of is read by core/time.ts: an RFC 3339 time naming a real instant, or AS_OF_INVALID (exit 2). */

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof CollectError ? e.code : 'not a CollectError';
  }
  return undefined;
};

describe('--as-of', () => {
  it.each([
    ['2026-02-30T12:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-02-29T00:00:00Z'],
    ['2026-06-31T25:00:00Z'],
    ['2026-06-30T24:00:00Z'],
    ['2026-06-30T23:59:60Z'],
    ['2026-06-30T12:00:00+24:00'],
    ['2026-06-30'],
    ['tomorrow'],
    ['1767225600'],
  ])('refuses %j', (asOf) => {
    expect(codeOf(() => resolveAsOf(asOf, {}))).toBe('AS_OF_INVALID');
  });

  it('reads an offset and cuts to the whole second', () => {
    expect(resolveAsOf('2028-02-29T13:00:00.750+01:00', {}).toISOString()).toBe('2028-02-29T12:00:00.000Z');
  });
});
