/**
 * Times and durations as the inputs and policies write them, read one way
 * everywhere: durations such as `30d`, `12h`, `90m`, `2w`, `5m` (windows,
 * maxAge, SLO burn-rate windows) here; calendar dates and RFC 3339 instants
 * (DORA records, --as-of, policies, periods) in `core/time.ts` (with the one
 * end of a day), where the bundle format's own times are read too.
 */

export { parseRfc3339 } from '../core/time.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;

/** `30d` → 2592000; undefined when the text is not a number and one of s, m, h, d, w. */
export function durationSeconds(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : undefined;
}
