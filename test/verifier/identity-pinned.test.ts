import { describe, expect, it } from 'vitest';
import { indexReleases } from '../../src/commands/release-index.js';
import { identityNotPinned, literalPrefix, signersNotPinned } from '../../src/verifier/identity-policy.js';
import { requirePinnedSigner } from '../../src/verifier/inputs.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const loose = (
  pattern: string,
  issuer: { certificateOidcIssuer?: string; certificateOidcIssuerRegexp?: string } = {},
) =>
  identityNotPinned({
    certificateIdentityRegexp: pattern,
    ...(Object.keys(issuer).length ? issuer : { certificateOidcIssuer: ISSUER }),
  });

describe('whether an identity pattern says who signed', () => {
  it('a pattern that names the repository (and more) pins the signer', () => {
    for (const pattern of [
      'https://github\\.com/acme/web/\\.github/workflows/release\\.yml@refs/tags/v.*',
      '^https://github\\.com/acme/web/.*',
      // An organisation's index pins its owner: every repository of acme, nobody else's.
      '^https://github\\.com/acme/.*',
      'https://gitlab\\.com/acme/web//\\.gitlab-ci\\.yml@refs/heads/main',
      'release-bot@acme\\.example',
      '(?i)https://github\\.com/acme/web/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+',
    ])
      expect(loose(pattern), pattern).toBeUndefined();
  });

  it('one that lets anyone of a kind sign does not, and says why', () => {
    for (const pattern of [
      '.*',
      '.+',
      '(.*)',
      '\\S*',
      '[^x]*',
      'https://.*',
      'https://github\\.com/.*',
      'https://github\\.com/.*@refs/tags/v.*',
      '.*@refs/tags/.*',
      'https://github\\.com/.*/\\.github/workflows/release\\.yml@.*',
      'https://github\\.com/acme.*',
      'https://github\\.com/[^/]+/[^/]+/.*',
      '.*@gmail\\.com',
      'a|.*',
    ])
      expect(loose(pattern), pattern).toMatch(/does not say who signed|names no owner/);
  });

  it('an issuer pattern that matches any issuer does not pin it; exact identities and GitHub options do', () => {
    expect(loose('https://github\\.com/acme/web/.*', { certificateOidcIssuerRegexp: '.*' })).toMatch(
      /matches any issuer/,
    );
    expect(
      loose('https://github\\.com/acme/web/.*', {
        certificateOidcIssuerRegexp: 'https://token\\.actions\\.githubusercontent\\.com',
      }),
    ).toBeUndefined();
    expect(identityNotPinned({ certificateIdentity: 'https://x', certificateOidcIssuer: ISSUER })).toBeUndefined();
    expect(
      identityNotPinned({ signerWorkflow: 'acme/web/.github/workflows/release.yml', certificateOidcIssuer: ISSUER }),
    ).toBeUndefined();
  });

  it("a policy's signers pin it when one that matched does", () => {
    const any = { issuerRegexp: '.*', subjectRegexp: '.*' };
    const acme = { issuer: ISSUER, subjectRegexp: 'https://github\\.com/acme/web/.*' };
    expect(signersNotPinned([any])).toMatch(/^the policy's signers: /);
    expect(signersNotPinned([any, acme])).toBeUndefined();
    expect(signersNotPinned([])).toBeUndefined();
  });

  it('reads the literal start of a pattern up to its first uncertain character', () => {
    expect(literalPrefix('^https://github\\.com/acme/web/.*')).toBe('https://github.com/acme/web/');
    expect(literalPrefix('https://github\\.com/acmee?/x')).toBe('https://github.com/acme');
    expect(literalPrefix('a\\d')).toBe('a');
    expect(literalPrefix('x|y')).toBe('');
  });

  it('audit and index refuse a signer that is not pinned, before anything is read', async () => {
    const identity = { certificateIdentityRegexp: '.*', certificateOidcIssuer: ISSUER };
    expect(() => requirePinnedSigner(identity, 'evidence index')).toThrow(/names no owner|does not say who/);
    expect(() =>
      requirePinnedSigner({ certificateIdentity: 'https://x', certificateOidcIssuer: ISSUER }, 'x'),
    ).not.toThrow();
    await expect(
      indexReleases({ cwd: process.cwd(), db: '/nonexistent/never-opened.db', sources: [], identity }),
    ).rejects.toMatchObject({ code: 'IDENTITY_POLICY_REQUIRED' });
  });
});
