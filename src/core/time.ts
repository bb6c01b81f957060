/**
 * Dates and instants as inputs write them, read one strict way everywhere:
 * policies and their waivers, audit periods, --as-of, DORA records, SLO
 * snapshots, manifests and summaries, registry annotations, release listings.
 *
 * - A calendar date is `YYYY-MM-DD` (RFC 3339 full-date): a month 01-12 and a
 *   day that month has, leap years counted (2028-02-29 is a day, 2026-02-29
 *   is not).
 * - An instant is an RFC 3339 date-time: a calendar date, `T` (or `t`),
 *   `hh:mm:ss` with hours 00-23, minutes and seconds 00-59, an optional
 *   fraction (kept to the millisecond, the rest cut off), then `Z` (or `z`)
 *   or an offset `±hh:mm` with hours 00-23 and minutes 00-59.
 * - A leap second (`:60`) is refused. RFC 3339 allows it only where a leap
 *   second was inserted, which takes a table to know; milliseconds since 1970
 *   cannot name it; the clocks that write these inputs never do; and none is
 *   to be inserted again. Refusing it everywhere is one rule instead of a
 *   guess.
 * - One end of a day: a calendar date used as the last day of something (a
 *   period's `--until`, a waiver's `expires`) covers the whole of that day,
 *   UTC, up to but not including the start of the next day. In milliseconds,
 *   its last instant is 23:59:59.999Z (endOfDay); an instant given instead is
 *   exact. 23:59:59Z would leave the day's last second out.
 *
 * Nothing here asks JavaScript's Date to read text: `Date.parse` takes
 * 2026-02-30 for 2 March and 2026-13-01 for nothing at all.
 */

export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Days in a month (1-12) of a year of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to a real day, or undefined when there is no such day. */
function dayNumber(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Days from civil (H. Hinnant): arithmetic only, no Date.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `2026-12-31` → milliseconds at the start of that day (UTC); undefined when it is not a real calendar date. */
export function parseCalendarDate(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const days = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  return days === undefined ? undefined : days * DAY_MS;
}

/** Milliseconds since 1970 of an RFC 3339 date-time, or undefined when it is not one (or names no real instant). */
export function parseRfc3339(text: string): number | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return undefined;
  const days = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (days === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return days * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

/** Whether the text is an RFC 3339 date-time naming a real instant. */
export function isRfc3339(text: string): boolean {
  return parseRfc3339(text) !== undefined;
}

/** A calendar date (the start of its day, UTC) or an instant, as written. */
export type DateOrInstant = { kind: 'date'; ms: number } | { kind: 'instant'; ms: number };

/** A calendar date or an RFC 3339 date-time; undefined when it is neither, or names no real day or instant. */
export function parseDateOrInstant(text: string): DateOrInstant | undefined {
  const day = parseCalendarDate(text);
  if (day !== undefined) return { kind: 'date', ms: day };
  const at = parseRfc3339(text);
  return at === undefined ? undefined : { kind: 'instant', ms: at };
}

/** The last millisecond of the UTC day that starts at `dayStart`: the next day's start, not included. */
export function endOfDay(dayStart: number): number {
  return dayStart + DAY_MS - 1;
}

/** A first bound (`--since`): a date is the start of its day, UTC; an instant is itself. Undefined when neither. */
export function startBound(text: string): number | undefined {
  return parseDateOrInstant(text)?.ms;
}

/**
 * A last bound, included (`--until`, a waiver's `expires`): a date runs to its endOfDay; an instant is itself.
 * Undefined when neither.
 */
export function endBound(text: string): number | undefined {
  const read = parseDateOrInstant(text);
  if (read === undefined) return undefined;
  return read.kind === 'date' ? endOfDay(read.ms) : read.ms;
}
