import { createPublicKey, type KeyObject } from 'node:crypto';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';

/**
 * A trusted root's material (its CAs' and logs' certificates and keys, parsed) and a named key's parsed form, made
 * once per root and key rather than once per signature: an audit of 500 releases rebuilt the public-good root's
 * material for every bundle and statement, 7 % of its time, and parsed the --key PEM as often, 7 % more (issue 28).
 * Both are pure functions of their inputs, and @sigstore/verify only reads the material it is given.
 */
type Root = Parameters<typeof toTrustMaterial>[0];

const materials = new WeakMap<Root, Map<KeyObject | undefined, TrustMaterial>>();

export function trustMaterialOf(root: Root, key?: KeyObject): TrustMaterial {
  let byKey = materials.get(root);
  if (!byKey) materials.set(root, (byKey = new Map<KeyObject | undefined, TrustMaterial>()));
  let material = byKey.get(key);
  if (!material) {
    material = toTrustMaterial(root, key ? () => ({ publicKey: key, validFor: () => true }) : undefined);
    byKey.set(key, material);
  }
  return material;
}

/** Keys as named by the user (a few per run): at most this many parsed forms are kept. */
const MAX_KEYS = 64;
const keys = new Map<string, KeyObject>();

/** The public key a PEM holds; throws as createPublicKey does on anything else. */
export function publicKeyOf(pem: string): KeyObject {
  let key = keys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(pem, key);
  }
  return key;
}
