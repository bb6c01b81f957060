import { describe, expect, it } from 'vitest';
import { newArchiveTimestamps, withRenewal } from '../../src/core/archive-timestamps.js';
import { protectedUntil, verifyRenewals } from '../../src/verifier/archive-timestamps.js';

const BUNDLE = Buffer.from('{"a":1}');

describe('verifyRenewals without trust material (the rest: test/signer/renewal.test.ts)', () => {
  it('a file with no renewal, or whose token is not a timestamp, does not verify', () => {
    const empty = verifyRenewals(newArchiveTimestamps(BUNDLE), BUNDLE, [], [], 't.json');
    expect(empty.checks.map((c) => [c.ok, c.code])).toEqual([[false, 'RENEWAL_INVALID']]);
    const junk = verifyRenewals(
      withRenewal(newArchiveTimestamps(BUNDLE), Buffer.from('junk')),
      BUNDLE,
      [],
      [],
      't.json',
    );
    expect(junk.checks.map((c) => c.code)).toEqual(['RENEWAL_INVALID']);
    expect(junk.checks[0]?.message).toContain('is not a granted RFC 3161 timestamp');
    expect(junk.renewals).toEqual([{ verified: false }]);
  });

  it('a file for other bytes is not for this bundle', () => {
    const r = verifyRenewals(newArchiveTimestamps(Buffer.from('other')), BUNDLE, [], [], 't.json');
    expect(r.checks.map((c) => c.code)).toEqual(['RENEWAL_NOT_FOR_THIS_BUNDLE']);
  });

  it('what a signature rests on holds until its authorities expire or are retired; logs count only without a TSA', () => {
    expect(protectedUntil([])).toBeUndefined();
    const parts = [
      { part: 'certificate authority' as const, name: 'ca', certificatesUntil: '2031-01-01T00:00:00Z' },
      { part: 'transparency log' as const, name: 'log', validUntil: '2026-06-01T00:00:00Z' },
      { part: 'transparency log' as const, name: 'open log' },
    ];
    // A timestamp authority dates the signature: its window's end (retired in 2027) counts, the rotated log's not.
    const tsa = {
      part: 'timestamp authority' as const,
      name: 'tsa',
      validUntil: '2027-01-01T00:00:00Z',
      certificatesUntil: '2032-01-01T00:00:00Z',
    };
    expect(protectedUntil([...parts, tsa])?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    // No timestamp authority: the log's signed time dates it, so its window counts.
    expect(protectedUntil(parts)?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });

  it('a DER value that is no timestamp is RENEWAL_INVALID, not a crash', () => {
    const r = verifyRenewals(
      withRenewal(newArchiveTimestamps(BUNDLE), Buffer.from('MAA=', 'base64')),
      BUNDLE,
      [],
      [],
      't.json',
    );
    expect(r.checks.map((c) => c.code)).toEqual(['RENEWAL_INVALID']);
  });
});
