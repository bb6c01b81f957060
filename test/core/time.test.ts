import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  daysInMonth,
  endBound,
  endOfDay,
  isRfc3339,
  parseCalendarDate,
  parseDateOrInstant,
  parseRfc3339,
  startBound,
} from '../../src/core/time.js';

/** The one strict reader of dates and instants (src/core/time.ts). */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** A real day: its year, month and a day that month has (by a table written out here, not by the module). */
const realDay = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .filter(({ y, m, d }) => d <= [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);
const dateText = ({ y, m, d }: { y: number; m: number; d: number }): string => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** UTC milliseconds of a real day, computed with setUTCFullYear (Date.UTC reads years 0-99 as 1900-1999). */
function utcDay(y: number, m: number, d: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getTime();
}

describe('calendar dates', () => {
  it('every real day is read, at the start of its day, UTC', () => {
    fc.assert(
      fc.property(realDay, ({ y, m, d }) => {
        expect(parseCalendarDate(dateText({ y, m, d }))).toBe(utcDay(y, m, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('every real day round-trips through the instant it names', () => {
    fc.assert(
      fc.property(realDay, (day) => {
        const ms = parseCalendarDate(dateText(day)) as number;
        const back = new Date(ms);
        expect(dateText({ y: back.getUTCFullYear(), m: back.getUTCMonth() + 1, d: back.getUTCDate() })).toBe(
          dateText(day),
        );
        expect(back.getUTCHours() + back.getUTCMinutes() + back.getUTCSeconds() + back.getUTCMilliseconds()).toBe(0);
        expect(parseRfc3339(`${dateText(day)}T00:00:00Z`)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('a day past the end of its month, day 0 and month 0 or 13 are refused (never rolled over as Date.parse does)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 69 }),
        (y, m, past) => {
          const last = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
          const d = last + past;
          if (d > 99) return;
          expect(parseCalendarDate(`${pad(y, 4)}-${pad(m)}-${pad(d)}`)).toBeUndefined();
          expect(parseRfc3339(`${pad(y, 4)}-${pad(m)}-${pad(d)}T12:00:00Z`)).toBeUndefined();
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 13, max: 99 }),
        fc.integer({ min: 1, max: 28 }),
        (y, m, d) => {
          expect(parseCalendarDate(`${pad(y, 4)}-${pad(m)}-${pad(d)}`)).toBeUndefined();
          expect(parseCalendarDate(`${pad(y, 4)}-00-${pad(d)}`)).toBeUndefined();
          expect(parseCalendarDate(`${pad(y, 4)}-${pad((d % 12) + 1)}-00`)).toBeUndefined();
        },
      ),
    );
  });

  it('knows leap years', () => {
    expect(parseCalendarDate('2026-02-29')).toBeUndefined();
    expect(parseCalendarDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(parseCalendarDate('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(parseCalendarDate('2100-02-29')).toBeUndefined();
    expect(parseCalendarDate('2026-02-30')).toBeUndefined();
    expect(parseCalendarDate('2026-06-31')).toBeUndefined();
    expect(parseCalendarDate('2026-13-01')).toBeUndefined();
    expect([
      daysInMonth(2026, 2),
      daysInMonth(2028, 2),
      daysInMonth(1900, 2),
      daysInMonth(2026, 4),
      daysInMonth(2026, 12),
    ]).toEqual([28, 29, 28, 30, 31]);
  });

  it('refuses what is not YYYY-MM-DD', () => {
    for (const text of [
      'tomorrow',
      '',
      '2026-1-01',
      '2026-01-1',
      '26-01-01',
      '+2026-01-01',
      '2026/01/01',
      ' 2026-01-01',
      '2026-01-01 ',
      '20260101',
      '2026-01-01T00:00:00Z',
    ]) {
      expect(parseCalendarDate(text)).toBeUndefined();
    }
  });
});

describe('RFC 3339 date-times', () => {
  const hhmmss = fc.record({
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
  });
  const offset = fc.oneof(
    fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
    fc
      .record({
        sign: fc.constantFrom('+', '-'),
        oh: fc.integer({ min: 0, max: 23 }),
        om: fc.integer({ min: 0, max: 59 }),
      })
      .map(({ sign, oh, om }) => `${sign}${pad(oh)}:${pad(om)}`),
  );
  const fraction = fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,12}$/));

  it('every valid date-time is the instant it names, to the millisecond (checked against an independent sum)', () => {
    fc.assert(
      fc.property(realDay, hhmmss, fraction, offset, fc.constantFrom('T', 't'), (day, { h, mi, s }, frac, off, t) => {
        const text = `${dateText(day)}${t}${pad(h)}:${pad(mi)}:${pad(s)}${frac}${off}`;
        const sign = off[0] === '-' ? -1 : 1;
        const offMinutes = /^[Zz]$/.test(off) ? 0 : sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
        const millis = frac ? Number(frac.slice(1, 4).padEnd(3, '0')) : 0;
        const expected = utcDay(day.y, day.m, day.d) + ((h * 60 + mi - offMinutes) * 60 + s) * 1000 + millis;
        expect(parseRfc3339(text)).toBe(expected);
        expect(isRfc3339(text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Date.parse wherever the text is valid (Date is only lenient beyond that)', () => {
    // Up to nine digits of fraction: V8 reads some longer ones wrongly (.0006000000 as 6 ms).
    const shortFraction = fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/));
    fc.assert(
      fc.property(realDay, hhmmss, shortFraction, offset, (day, { h, mi, s }, frac, off) => {
        const text = `${dateText(day)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac}${off.toUpperCase()}`;
        expect(parseRfc3339(text)).toBe(Date.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses hours, minutes, seconds and offsets out of range', () => {
    fc.assert(
      fc.property(
        realDay,
        fc.constantFrom('h', 'mi', 's', 'oh', 'om'),
        fc.integer({ min: 0, max: 99 }),
        (day, field, n) => {
          const v = { h: 12, mi: 30, s: 30, oh: 1, om: 0, [field]: n };
          const text = `${dateText(day)}T${pad(v.h)}:${pad(v.mi)}:${pad(v.s)}+${pad(v.oh)}:${pad(v.om)}`;
          const inRange = v.h <= 23 && v.mi <= 59 && v.s <= 59 && v.oh <= 23 && v.om <= 59;
          expect(parseRfc3339(text) !== undefined).toBe(inRange);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2026-06-31T25:00:00Z', 'a day June does not have, and hour 25'],
    ['2026-02-29T00:00:00Z', 'not a leap year'],
    ['2026-01-01T24:00:00Z', 'hour 24'],
    ['2026-12-31T23:59:60Z', 'a leap second (refused everywhere)'],
    ['2016-12-31T23:59:60Z', 'even a real one'],
    ['2026-01-01T00:00Z', 'seconds are required'],
    ['2026-01-01T00:00:00', 'an offset is required'],
    ['2026-01-01 00:00:00Z', 'a space for T'],
    ['2026-01-01T00:00:00.Z', 'a fraction without digits'],
    ['2026-01-01T00:00:00+0100', 'an offset without its colon'],
    ['2026-01-01T00:00:00+01', 'an offset without minutes'],
    ['2026-01-01T00:00:00+24:00', 'an offset of 24 hours'],
    ['2026-01-01T00:00:00+01:60', 'an offset of 60 minutes'],
    ['2026-01-01T00:00:00UTC', 'a zone name'],
    ['Thu, 01 Jan 2026 00:00:00 GMT', 'an HTTP date'],
    ['1767225600', 'epoch seconds'],
    ['tomorrow', 'a word'],
  ])('refuses %s (%s)', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
    expect(parseDateOrInstant(text)).toBeUndefined();
  });

  it('reads the edges: offsets, lower-case letters, long fractions cut to the millisecond', () => {
    expect(parseRfc3339('2026-03-10T13:00:00+01:00')).toBe(Date.UTC(2026, 2, 10, 12));
    expect(parseRfc3339('2026-03-10T00:30:00-23:59')).toBe(Date.UTC(2026, 2, 11, 0, 29));
    expect(parseRfc3339('2026-03-10t12:00:00.5z')).toBe(Date.UTC(2026, 2, 10, 12, 0, 0, 500));
    expect(parseRfc3339('2026-03-10T12:00:00.999999999Z')).toBe(Date.UTC(2026, 2, 10, 12, 0, 0, 999));
    expect(parseRfc3339('0000-01-01T00:00:00Z')).toBe(utcDay(0, 1, 1));
    expect(parseRfc3339('9999-12-31T23:59:59Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });
});

describe('dates or instants, and the one end of a day', () => {
  it('tells a date from an instant', () => {
    expect(parseDateOrInstant('2026-06-30')).toEqual({ kind: 'date', ms: Date.UTC(2026, 5, 30) });
    expect(parseDateOrInstant('2026-06-30T12:00:00Z')).toEqual({ kind: 'instant', ms: Date.UTC(2026, 5, 30, 12) });
  });

  it('a date as a last bound covers its whole day, UTC: every millisecond before the next day starts', () => {
    fc.assert(
      fc.property(realDay, (day) => {
        const start = parseCalendarDate(dateText(day)) as number;
        expect(endOfDay(start)).toBe(start + DAY_MS - 1);
        expect(endBound(dateText(day))).toBe(start + DAY_MS - 1);
        expect(startBound(dateText(day))).toBe(start);
      }),
    );
    expect(new Date(endBound('2026-06-30') as number).toISOString()).toBe('2026-06-30T23:59:59.999Z');
    expect(endBound('2026-06-30')! + 1).toBe(parseCalendarDate('2026-07-01'));
    // The day's last second belongs to it.
    expect(parseRfc3339('2026-06-30T23:59:59.5Z')! <= endBound('2026-06-30')!).toBe(true);
  });

  it('an instant as a bound is exact', () => {
    expect(endBound('2026-06-30T12:00:00+02:00')).toBe(Date.UTC(2026, 5, 30, 10));
    expect(startBound('2026-06-30T12:00:00+02:00')).toBe(Date.UTC(2026, 5, 30, 10));
  });

  it('no bound from what is not a real date or instant', () => {
    for (const text of ['2026-02-30', '2026-13-01', 'tomorrow', '2026-06-31T25:00:00Z', '']) {
      expect(endBound(text)).toBeUndefined();
      expect(startBound(text)).toBeUndefined();
    }
  });
});
