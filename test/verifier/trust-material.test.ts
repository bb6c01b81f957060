import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, trustMaterialOf } from '../../src/verifier/trust-material.js';
import { loadTrustRoots, publicGoodRoot } from '../../src/verifier/inputs.js';
import { isTrustRootProblem, loadTrustRoot } from '../../src/verifier/trusted-root.js';

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

  it('a root read again (the same text from the same source, another object) is the root loaded then', () => {
    const first = loadTrustRoots([publicGoodRoot()])[0];
    // Read again as a file would be: a new object of the same text; its material is then made once per run.
    const again = loadTrustRoots([{ ...publicGoodRoot(), json: structuredClone(publicGoodRoot().json) }])[0];
    expect(again).toBe(first);
    // Another source, or another text, is loaded anew; a root that is refused is refused each time.
    expect(loadTrustRoots([{ ...publicGoodRoot(), source: 'root.json' }])[0]).not.toBe(first);
    const changed = structuredClone(publicGoodRoot().json) as { tlogs: { publicKey: { validFor?: unknown } }[] };
    delete changed.tlogs[0]?.publicKey.validFor;
    for (let i = 0; i < 2; i++)
      expect(() => loadTrustRoots([{ source: 'bad.json', json: changed }])).toThrow(
        expect.objectContaining({ code: 'TRUSTED_ROOT_INVALID' }),
      );
    // A number JSON cannot write (1e400, read as Infinity) is not the null JSON.stringify makes of it: refused each time.
    const text = JSON.stringify(publicGoodRoot().json);
    const withNull = JSON.parse(text.replace(/"keyDetails":"[A-Z0-9_]+"/, '"keyDetails":null')) as unknown;
    const infinite = JSON.parse(text.replace(/"keyDetails":"[A-Z0-9_]+"/, '"keyDetails":1e400')) as unknown;
    expect(text).toMatch(/"keyDetails":"[A-Z0-9_]+"/);
    const nulled = loadTrustRoot({ source: 'n.json', json: withNull });
    const inf = loadTrustRoot({ source: 'n.json', json: infinite });
    expect([isTrustRootProblem(nulled), isTrustRootProblem(inf)]).toEqual([false, true]);
    expect(isTrustRootProblem(loadTrustRoot({ source: 'n.json', json: infinite }))).toBe(true);
    const cycle: Record<string, unknown> = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' };
    cycle.self = cycle;
    expect(loadTrustRoot({ source: 'cycle', json: cycle })).toMatchObject({ source: 'cycle' });
  });

  it('refuses what is not a PEM public key, and keeps nothing of it', () => {
    expect(() => publicKeyOf('not a key')).toThrow();
    expect(() => publicKeyOf('not a key')).toThrow();
  });
});
