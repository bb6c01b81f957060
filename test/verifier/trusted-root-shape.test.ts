import { describe, expect, it } from 'vitest';
import { publicGoodRoot } from '../../src/verifier/inputs.js';
import { isTrustRootProblem, loadTrustRoot } from '../../src/verifier/trusted-root.js';

/**
 * A trusted root's shape, refused before @sigstore/verify sees it: a list
 * field that is not a list, an authority or log without a validity start,
 * and anything the protobuf mapping itself cannot read. A problem carries no
 * code, only its source and message, so the message is what is asserted.
 */
const MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
const START = '2024-01-01T00:00:00Z';

function problem(json: unknown): string | undefined {
  const loaded = loadTrustRoot({ source: 'root.json', json });
  return isTrustRootProblem(loaded) ? loaded.message : undefined;
}

describe('loadTrustRoot: the shape of a trusted root', () => {
  it('the embedded public-good root loads, dated by its newest validity start', () => {
    const loaded = loadTrustRoot(publicGoodRoot());
    expect(isTrustRootProblem(loaded)).toBe(false);
    expect(loaded).toHaveProperty('date');
  });

  it('a root with an empty list of each kind loads, with no date', () => {
    const loaded = loadTrustRoot({
      source: 'root.json',
      json: { mediaType: MEDIA_TYPE, tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [] },
    });
    expect(isTrustRootProblem(loaded)).toBe(false);
    expect(loaded).not.toHaveProperty('date');
  });

  it('the newest validity start among its authorities is the date', () => {
    const loaded = loadTrustRoot({
      source: 'root.json',
      json: {
        mediaType: MEDIA_TYPE,
        certificateAuthorities: [{ validFor: { start: START } }, { validFor: { start: '2025-06-01T00:00:00Z' } }],
        timestampAuthorities: [{ validFor: { start: '2023-01-01T00:00:00Z' } }],
      },
    });
    expect(loaded).toMatchObject({ source: 'root.json', date: '2025-06-01T00:00:00Z' });
  });

  it('a list field that is not a list is refused, naming the field', () => {
    for (const field of ['tlogs', 'ctlogs', 'certificateAuthorities', 'timestampAuthorities']) {
      expect(problem({ mediaType: MEDIA_TYPE, [field]: { not: 'a list' } }), field).toBe(`${field} is not a list`);
    }
  });

  it('an item without a validFor.start (or with one that is no RFC 3339 instant) is refused, naming it', () => {
    expect(problem({ mediaType: MEDIA_TYPE, tlogs: [{ publicKey: {} }] })).toBe('tlogs[0] has no validFor.start');
    expect(problem({ mediaType: MEDIA_TYPE, ctlogs: [{}] })).toBe('ctlogs[0] has no validFor.start');
    expect(
      problem({
        mediaType: MEDIA_TYPE,
        certificateAuthorities: [{ validFor: { start: START } }, { validFor: { start: 'yesterday' } }],
      }),
    ).toBe('certificateAuthorities[1] has no validFor.start');
    expect(problem({ mediaType: MEDIA_TYPE, timestampAuthorities: [{ validFor: {} }] })).toBe(
      'timestampAuthorities[0] has no validFor.start',
    );
  });

  it('every problem is told, not only the first', () => {
    const message = problem({ mediaType: MEDIA_TYPE, tlogs: 1, ctlogs: [{}] });
    expect(message?.split('; ')).toEqual(['tlogs is not a list', 'ctlogs[0] has no validFor.start']);
  });

  it('a root the protobuf mapping cannot read is refused as not a valid trusted root', () => {
    const message = problem({
      mediaType: MEDIA_TYPE,
      tlogs: [{ publicKey: { keyDetails: 'NO_SUCH_KEY_TYPE', validFor: { start: START } } }],
    });
    expect(message).toMatch(/^not a valid trusted root \(/);
  });

  it('a document without the trusted root media type is refused', () => {
    for (const json of [null, 'root', { mediaType: 1 }, { mediaType: 'application/json' }])
      expect(problem(json), JSON.stringify(json)).toMatch(/^not a Sigstore trusted root/);
  });
});
