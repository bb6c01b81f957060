import { durationSeconds, parseRfc3339 } from '../formats/time.js';
import { CollectError } from './errors.js';

/**
 * The one instant every snapshot is evaluated at: --as-of (RFC 3339), else
 * SOURCE_DATE_EPOCH, else now, to the second.
 */
export function resolveAsOf(
  asOf: string | undefined,
  env: Record<string, string | undefined>,
  now: () => Date = () => new Date(),
): Date {
  if (asOf !== undefined) {
    const t = parseRfc3339(asOf);
    if (t === undefined)
      throw new CollectError('AS_OF_INVALID', `--as-of: '${asOf}' is not an RFC 3339 time (e.g. 2026-11-22T12:00:00Z)`);
    return new Date(Math.floor(t / 1000) * 1000);
  }
  const sde = env.SOURCE_DATE_EPOCH;
  if (sde !== undefined && sde !== '') {
    if (!/^\d{1,12}$/.test(sde))
      throw new CollectError(
        'SOURCE_DATE_EPOCH_INVALID',
        `SOURCE_DATE_EPOCH must be whole seconds since 1970 (got '${sde}')`,
      );
    return new Date(Number(sde) * 1000);
  }
  return new Date(Math.floor(now().getTime() / 1000) * 1000);
}

/** The longest duration an option may give: a century. */
export const MAX_DURATION_DAYS = 36_500;

/** `30d`, `12h`, `90m`, `2w` → seconds. */
export function parseDuration(value: string, option: string): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined)
    throw new CollectError('DURATION_INVALID', `${option}: '${value}' is not a duration such as 30d, 12h or 90m`);
  if (!(seconds > 0)) throw new CollectError('DURATION_INVALID', `${option}: '${value}' must be longer than zero`);
  // Past a century a window says nothing a release shows, and far past it its start is no date at all.
  if (!(seconds <= MAX_DURATION_DAYS * 86_400))
    throw new CollectError(
      'DURATION_INVALID',
      `${option}: '${value}' is longer than ${MAX_DURATION_DAYS}d (a century)`,
    );
  return seconds;
}

/** RFC 3339 UTC, whole seconds. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
