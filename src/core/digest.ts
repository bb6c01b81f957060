import { createHash, timingSafeEqual, type KeyObject } from 'node:crypto';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const SHA512_HEX = /^[0-9a-f]{128}$/;
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export type Sha256Digest = `sha256:${string}`;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The sha256 of a public key's SubjectPublicKeyInfo (DER), hex: what a Sigstore bundle's key hint names. */
export function keySha256Hex(key: KeyObject): string {
  return sha256Hex(key.export({ type: 'spki', format: 'der' }));
}

export function sha256Digest(data: Uint8Array | string): Sha256Digest {
  return `sha256:${sha256Hex(data)}`;
}

export function digestHex(digest: string): string {
  const i = digest.indexOf(':');
  return i < 0 ? digest : digest.slice(i + 1);
}

export function toDigest(hex: string): Sha256Digest {
  return `sha256:${hex}`;
}

/** Constant-time comparison of two hex digests (or `alg:hex` strings). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
