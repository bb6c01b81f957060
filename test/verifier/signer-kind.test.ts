import { describe, expect, it } from 'vitest';
import { requireSigner, signerKindMismatch } from '../../src/verifier/signer-kind.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const code = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('requireSigner', () => {
  it('refuses only a signature no signer of either kind was given for', () => {
    expect(code(() => requireSigner('certificate', { policy: {} }, 'the bundle'))).toBe('IDENTITY_POLICY_REQUIRED');
    expect(code(() => requireSigner('public-key', { policy: {} }, 'the bundle'))).toBe('KEY_REQUIRED');
    // An issuer alone names no signer.
    expect(code(() => requireSigner('certificate', { policy: { certificateOidcIssuer: ISSUER } }, 'x'))).toBe(
      'IDENTITY_POLICY_REQUIRED',
    );
    // A signer of the other kind given: checked, and failed there (signerKindMismatch), not refused here.
    expect(code(() => requireSigner('certificate', { policy: {}, keys: [{ label: 'k.pem' }] }, 'x'))).toBeUndefined();
    expect(code(() => requireSigner('public-key', { policy: {}, signers: [{ issuer: ISSUER }] }, 'x'))).toBeUndefined();
    // A bundle that does not parse is neither kind: verifySigstoreBundle reports it.
    expect(code(() => requireSigner(undefined, { policy: {} }, 'x'))).toBeUndefined();
  });
});

describe('signerKindMismatch', () => {
  const mismatch = (...args: Parameters<typeof signerKindMismatch>) =>
    signerKindMismatch(...args)?.find((c) => c.code === 'SIGNER_KIND_MISMATCH');

  it('is none when a signer of the signature’s kind was given, or none at all', () => {
    const keys = [{ label: 'k.pem' }];
    const identity = { certificateIdentity: 'https://x', certificateOidcIssuer: ISSUER };
    expect(signerKindMismatch('certificate', { policy: identity, keys }, {})).toBeUndefined();
    expect(signerKindMismatch('certificate', { policy: {} }, {})).toBeUndefined();
    expect(signerKindMismatch('public-key', { policy: identity, keys }, {})).toBeUndefined();
    expect(signerKindMismatch('public-key', { policy: {} }, {})).toBeUndefined();
  });

  it('names the identity asked for as it was given', () => {
    const asked = (policy: Parameters<typeof signerKindMismatch>[1]['policy']) =>
      mismatch('public-key', { policy }, { keyHint: 'abc' })?.expected;
    expect(asked({ certificateIdentityRegexp: '^https://github\\.com/acme/.*', certificateOidcIssuer: ISSUER })).toBe(
      `a signer identity (matching ^https://github\\.com/acme/.*, issuer ${ISSUER})`,
    );
    expect(
      asked({ signerWorkflow: 'acme/web/.github/workflows/r.yml', certificateOidcIssuerRegexp: '^https://t$' }),
    ).toBe('a signer identity (workflow acme/web/.github/workflows/r.yml, issuer matching ^https://t$)');
    expect(asked({ sourceRepository: 'acme/web', certificateOidcIssuer: ISSUER })).toBe(
      `a signer identity (repository acme/web, issuer ${ISSUER})`,
    );
    expect(mismatch('public-key', { policy: {}, signers: [{ issuer: ISSUER }, { issuer: ISSUER }] }, {})).toMatchObject(
      {
        id: 'identity',
        ok: false,
        expected: "a signer identity (one of the policy's 2 signers)",
        found: 'signed with a key (hint none)',
      },
    );
  });

  it('says the signature was not checked, and names a certificate it cannot read without its subject', () => {
    const checks = signerKindMismatch(
      'certificate',
      { policy: {}, keys: [{ label: 'a.pem' }, { label: 'b.pem' }] },
      { certificate: Buffer.from('not a certificate') },
    );
    expect(checks?.map((c) => [c.id, c.code, c.skipped ?? false])).toEqual([
      ['signature', 'NOT_REACHED', true],
      ['identity', 'SIGNER_KIND_MISMATCH', false],
    ]);
    expect(checks?.[1]).toMatchObject({ expected: 'the key a.pem, b.pem', found: 'signed keylessly (a certificate)' });
  });
});
