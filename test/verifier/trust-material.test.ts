import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, trustMaterialOf } from '../../src/verifier/trust-material.js';
import { loadTrustRoots, publicGoodRoot } from '../../src/verifier/inputs.js';

describe('trust material and keys, made once', () => {
  it('gives the same material for the same root and key, and another for another key', () => {
    const root = (loadTrustRoots([publicGoodRoot()])[0] as { root: Parameters<typeof trustMaterialOf>[0] }).root;
    const a = trustMaterialOf(root);
    expect(trustMaterialOf(root)).toBe(a);
    expect(a.certificateAuthorities.length).toBeGreaterThan(0);
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    const key = publicKeyOf(pem as string);
    expect(publicKeyOf(pem as string)).toBe(key);
    const withKey = trustMaterialOf(root, key);
    expect(withKey).not.toBe(a);
    expect(trustMaterialOf(root, key)).toBe(withKey);
    expect(withKey.publicKey('any hint').publicKey).toBe(key);
  });

  it('refuses what is not a PEM public key, and keeps nothing of it', () => {
    expect(() => publicKeyOf('not a key')).toThrow();
    expect(() => publicKeyOf('not a key')).toThrow();
  });
});
