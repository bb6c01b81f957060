import { SHA256_HEX } from './digest.js';

/** Member names of a bundle, in the order they are written. */
export const MANIFEST_MEMBER = 'manifest.json';
export const SUMS_MEMBER = 'SHA256SUMS';
export const ATTESTATION_MEMBER = 'attestations/evidence.sigstore.json';
/**
 * The standard in-toto statements (SBOM, test result, vulnerabilities, release), one Sigstore bundle per line
 * (docs/bundle-format.md §4.4).
 */
export const STANDARD_MEMBER = 'attestations/standard.sigstore.jsonl';
export const BLOB_PREFIX = 'blobs/sha256/';

export function blobMember(hex: string): string {
  return `${BLOB_PREFIX}${hex}`;
}

export type MemberRole = 'manifest' | 'sums' | 'attestation' | 'standard' | 'blob';

/**
 * Rank of each role in the member order; blobs then sort by name. Bundles
 * are written with the attestations last, in a gzip member of their own
 * (§1.3); bundles written before that kept them before the blobs, and still
 * read (LEGACY_ROLE_ORDER). A reader takes the legacy order when an
 * attestation comes before any blob.
 */
export const ROLE_ORDER: Record<MemberRole, number> = { manifest: 0, sums: 1, blob: 2, attestation: 3, standard: 4 };
export const LEGACY_ROLE_ORDER: Record<MemberRole, number> = {
  manifest: 0,
  sums: 1,
  attestation: 2,
  standard: 3,
  blob: 4,
};

export function memberRole(name: string): MemberRole | undefined {
  if (name === MANIFEST_MEMBER) return 'manifest';
  if (name === SUMS_MEMBER) return 'sums';
  if (name === ATTESTATION_MEMBER) return 'attestation';
  if (name === STANDARD_MEMBER) return 'standard';
  if (name.startsWith(BLOB_PREFIX) && SHA256_HEX.test(name.slice(BLOB_PREFIX.length))) return 'blob';
  return undefined;
}

/** Fixed tar metadata: what makes two runs over the same inputs byte-identical. */
export const MEMBER_MODE = 0o644;
export const MEMBER_UID = 0;
export const MEMBER_GID = 0;

/** Limits the reader enforces before the manifest tells it what to expect. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
export const MAX_ATTESTATION_BYTES = 16 * 1024 * 1024;
/**
 * The standard attestations together: what they restate is at most 8 MiB (formats/standard-statements.ts), 4/3 of it in
 * base64, and a certificate and log entry per line.
 */
export const MAX_STANDARD_ATTESTATIONS_BYTES = 16 * 1024 * 1024;
/** Headers, padding and the end-of-archive record, generously: GNU tar pads to 10 KiB records. */
export const TAR_OVERHEAD_PER_MEMBER = 1024;
export const TAR_TRAILER_ALLOWANCE = 20 * 1024;

/**
 * The output chunk of every gunzip over a bundle. zlib's default (16 KiB)
 * means one callback on the reading thread per 16 KiB: for a 1 GiB bundle
 * that callback traffic, not inflating, was most of verify's time (measured:
 * verify of 1 GiB 5.5 s with 16 KiB chunks, 2.2 s with 1 MiB; docs/performance.md).
 */
export const GUNZIP_CHUNK_BYTES = 1024 * 1024;
