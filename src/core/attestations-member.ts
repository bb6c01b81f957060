import { gunzipSync } from 'node:zlib';
import {
  ATTESTATION_MEMBER,
  MAX_ATTESTATION_BYTES,
  MAX_STANDARD_ATTESTATIONS_BYTES,
  STANDARD_MEMBER,
} from './layout.js';
import { headerProblems, headerSize } from './tar-header.js';

/**
 * The attestations member (docs/bundle-format.md §1.3): the last gzip member
 * of a bundle, holding only the attestation members and the tar's
 * end-of-archive. Signing replaces it without recompressing the content
 * before it. This finds where it starts in the bundle's last bytes.
 */

/**
 * How many of a bundle's last bytes can hold its attestations member: both attestation members at their limits, headers
 * and end-of-archive, compressed (random data grows by a few bytes per 16 KiB), and slack.
 */
export const ATTESTATIONS_TAIL_BYTES = MAX_ATTESTATION_BYTES + MAX_STANDARD_ATTESTATIONS_BYTES + 1024 * 1024;

/**
 * Where in `tail` (a bundle's last bytes) its attestations member starts, or
 * undefined when the bundle has none (one written before §1.3: signing it
 * rewrites it into that layout). Our writer's gzip header (§1.2) found from the end backwards
 * counts only if what follows it is one gzip stream to the very end whose
 * content is attestation members (by name, each well framed) and the
 * end-of-archive: a match inside compressed data cannot be that.
 */
export function locateAttestationsMember(tail: Uint8Array): number | undefined {
  const bytes = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  let tries = 0;
  for (let i = bytes.length - 20; i >= 0; i--) {
    if (!matchesHeader(bytes, i)) continue;
    // A tail crafted to repeat the header cannot make this quadratic: past a few tries, the bundle is signed the slow
    // way.
    if (++tries > MAX_TRIES) return undefined;
    const candidate = bytes.subarray(i);
    let plain: Buffer;
    try {
      // Bounded: the member holds at most the attestations; and it must be one gzip stream that ends exactly at the end
      // of the file.
      const { buffer, engine } = gunzipSync(candidate, {
        info: true,
        maxOutputLength: ATTESTATIONS_TAIL_BYTES,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      if (engine.bytesWritten !== candidate.length) continue;
      plain = buffer;
    } catch {
      continue;
    }
    if (isAttestationsTar(plain)) return i;
  }
  return undefined;
}

/**
 * The header our writer gives every member (§1.2): magic, deflate, no flags, mtime 0 (XFL and OS, the two bytes after,
 * are zlib's to choose).
 */
const MEMBER_HEADER = Buffer.from('1f8b080000000000', 'hex');
/** Candidates tried before giving up (a real bundle needs one). */
const MAX_TRIES = 16;

function matchesHeader(bytes: Buffer, at: number): boolean {
  return (
    bytes[at] === 0x1f && bytes.compare(MEMBER_HEADER, 0, MEMBER_HEADER.length, at, at + MEMBER_HEADER.length) === 0
  );
}

/** Attestation members only, each once and in order, then two zero blocks and nothing but zeros. */
export function isAttestationsTar(plain: Uint8Array): boolean {
  const names = [ATTESTATION_MEMBER, STANDARD_MEMBER];
  let at = 0;
  let next = 0;
  while (at + 512 <= plain.length) {
    const block = plain.subarray(at, at + 512);
    if (block.every((b) => b === 0)) return plain.length - at >= 1024 && plain.subarray(at).every((b) => b === 0);
    if (headerProblems(block).length > 0 || block[156] !== 0x30) return false;
    const name = Buffer.from(block.subarray(0, 100)).toString('latin1').replace(/\0.*$/s, '');
    const index = names.indexOf(name, next);
    const size = headerSize(block);
    if (index === -1 || size === undefined) return false;
    next = index + 1;
    at += 512 + Math.ceil(Number(size) / 512) * 512;
  }
  return false;
}
