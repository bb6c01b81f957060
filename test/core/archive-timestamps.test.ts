import { describe, expect, it } from 'vitest';
import {
  ARCHIVE_TIMESTAMPS_MEDIA_TYPE,
  MAX_RENEWALS,
  newArchiveTimestamps,
  parseArchiveTimestamps,
  renewalData,
  serializeArchiveTimestamps,
  withRenewal,
} from '../../src/core/archive-timestamps.js';
import { BundleError } from '../../src/core/errors.js';
import { sha256Hex } from '../../src/core/digest.js';
import { createHash } from 'node:crypto';

const BUNDLE = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof BundleError ? `${e.code} ${e.message}` : `other ${String(e)}`;
  }
  return undefined;
};

describe('archive timestamps document (docs/bundle-format.md §8)', () => {
  it('round-trips: a new document for a bundle, a renewal added, written and read back', () => {
    const doc = withRenewal(newArchiveTimestamps(BUNDLE), Buffer.from([1, 2, 3]));
    expect(doc.sigstoreBundleSha256).toBe(sha256Hex(BUNDLE));
    const back = parseArchiveTimestamps(serializeArchiveTimestamps(doc), 't.json');
    expect(back).toEqual(doc);
    expect(back.renewals[0]?.rfc3161Timestamp).toBe('AQID');
  });

  it('each renewal covers the bundle and every renewal before it: 32-byte digests, concatenated in order', () => {
    const d = (b: Uint8Array) => createHash('sha256').update(b).digest();
    const a = Buffer.from('first token');
    const b = Buffer.from('second token');
    expect(renewalData(BUNDLE, [])).toEqual(d(BUNDLE));
    expect(renewalData(BUNDLE, [a, b])).toEqual(Buffer.concat([d(BUNDLE), d(a), d(b)]));
    expect(renewalData(BUNDLE, [b, a]).equals(renewalData(BUNDLE, [a, b]))).toBe(false);
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['a duplicate key', `{"mediaType":"${ARCHIVE_TIMESTAMPS_MEDIA_TYPE}","mediaType":"x"}`, 'not valid JSON'],
    [
      'another media type',
      JSON.stringify({ mediaType: 'x', sigstoreBundleSha256: 'a'.repeat(64), renewals: [] }),
      'mediaType',
    ],
    [
      'an uppercase digest',
      JSON.stringify({ mediaType: ARCHIVE_TIMESTAMPS_MEDIA_TYPE, sigstoreBundleSha256: 'A'.repeat(64), renewals: [] }),
      'sigstoreBundleSha256',
    ],
    ['a field the format does not have', JSON.stringify({ ...newArchiveTimestamps(BUNDLE), note: 'x' }), '(document)'],
    [
      'a token that is not base64',
      JSON.stringify({ ...newArchiveTimestamps(BUNDLE), renewals: [{ rfc3161Timestamp: 'not base64!' }] }),
      'renewals.0.rfc3161Timestamp',
    ],
    [
      'too many renewals',
      JSON.stringify({
        ...newArchiveTimestamps(BUNDLE),
        renewals: Array.from({ length: MAX_RENEWALS + 1 }, () => ({ rfc3161Timestamp: 'AQID' })),
      }),
      'renewals',
    ],
  ])('refuses %s (ARCHIVE_TIMESTAMPS_INVALID, naming the file and field)', (_, text, where) => {
    const got = code(() => parseArchiveTimestamps(Buffer.from(text), 'x.timestamps.json'));
    expect(got).toMatch(/^ARCHIVE_TIMESTAMPS_INVALID x\.timestamps\.json: /);
    expect(got).toContain(where);
  });
});
