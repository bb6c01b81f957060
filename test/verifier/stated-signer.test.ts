import { describe, expect, it } from 'vitest';
import { describeReplaced, replacedSignature } from '../../src/verifier/stated-signer.js';

const bundle = (verificationMaterial: unknown): Buffer =>
  Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial,
      dsseEnvelope: { payload: 'e30=', payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'AA==' }] },
    }),
  );

describe('replacedSignature', () => {
  it('is none when the bundle had no signature member', () => {
    expect(replacedSignature(undefined, false)).toBeUndefined();
  });

  it('says why a signature it cannot read is unreadable, never what it does not know', () => {
    expect(replacedSignature(undefined, true)).toEqual({
      signer: { kind: 'unreadable', reason: 'it was not read (larger than the reader keeps)' },
      checked: false,
    });
    expect(replacedSignature(Buffer.from('nope'), true)?.signer).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/^not valid JSON/),
    });
    const garbled = replacedSignature(bundle({ certificate: { rawBytes: 'AAAA' }, tlogEntries: [] }), true);
    expect(garbled?.signer).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/^its certificate cannot be read/),
    });
  });

  it('a key with no hint stated, and a certificate naming nothing, are said as such', () => {
    const keyed = replacedSignature(bundle({ publicKey: {}, tlogEntries: [] }), true);
    expect(keyed).toEqual({ signer: { kind: 'public-key' }, checked: false });
    expect(describeReplaced(keyed as NonNullable<typeof keyed>)).toBe(
      "replaced the bundle's previous signature, signed with a key (hint none stated); that signature was not checked, so this is only what it states",
    );
    expect(describeReplaced({ signer: { kind: 'certificate' }, checked: false })).toMatch(
      /signed keylessly by no identity stated \(issuer none stated\); that signature was not checked/,
    );
  });
});
