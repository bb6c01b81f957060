import { describe, expect, it } from 'vitest';
import {
  isPublicGoodRefresh,
  originRecord,
  PUBLIC_GOOD_TUF,
  refreshedRootLabel,
  requireOutputForOtherMirror,
} from '../../src/verifier/trust-origin.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const record = (o: { mirror: string; tufRootDigest?: string }) =>
  originRecord({ ...o, trustedRootDigest: DIGEST, now: new Date(0) });

describe("a refreshed trusted root's label, by the record of its origin", () => {
  it("public-good only from public-good's repository and embedded TUF root, for the bytes recorded", () => {
    expect(refreshedRootLabel('/r.json', DIGEST, record({ mirror: `${PUBLIC_GOOD_TUF}/` }))).toBe(
      `/r.json (recorded as refreshed from public-good, ${PUBLIC_GOOD_TUF}; the record is not signed)`,
    );
    const own = `sha256:${'b'.repeat(64)}`;
    expect(refreshedRootLabel('/r.json', DIGEST, record({ mirror: PUBLIC_GOOD_TUF, tufRootDigest: own }))).toBe(
      `/r.json (refreshed from ${PUBLIC_GOOD_TUF}, TUF root ${own}: not public-good)`,
    );
    expect(refreshedRootLabel('/r.json', DIGEST, record({ mirror: 'https://tuf.internal' }))).toBe(
      '/r.json (refreshed from https://tuf.internal, TUF root embedded: not public-good)',
    );
  });

  it('without a record, with one that is not one, or one of other bytes: origin not recorded', () => {
    expect(refreshedRootLabel('/r.json', DIGEST, undefined)).toBe('/r.json (refreshed, origin not recorded)');
    for (const bad of [null, 'x', { format: 'other' }, { ...record({ mirror: PUBLIC_GOOD_TUF }), mirror: 1 }])
      expect(refreshedRootLabel('/r.json', DIGEST, bad)).toMatch(
        /origin not recorded: the record beside it is not one/,
      );
    expect(refreshedRootLabel('/r.json', `sha256:${'c'.repeat(64)}`, record({ mirror: PUBLIC_GOOD_TUF }))).toMatch(
      /origin not recorded: the record beside it is of another file/,
    );
  });

  it('another repository or TUF root is written where verify and sign look by default only with -o', () => {
    expect(isPublicGoodRefresh({})).toBe(true);
    expect(isPublicGoodRefresh({ mirrorUrl: PUBLIC_GOOD_TUF })).toBe(true);
    const codeOf = (o: Parameters<typeof requireOutputForOtherMirror>[0]): string | undefined => {
      try {
        requireOutputForOtherMirror(o);
        return undefined;
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(codeOf({})).toBeUndefined();
    expect(codeOf({ mirrorUrl: 'http://127.0.0.1:1' })).toBe('TRUST_ROOT_OUTPUT_REQUIRED');
    expect(codeOf({ tufRoot: 'root.json' })).toBe('TRUST_ROOT_OUTPUT_REQUIRED');
    expect(codeOf({ mirrorUrl: 'http://127.0.0.1:1', output: 'root.json' })).toBeUndefined();
  });
});
