import type { Issue } from './issues.js';
import type { Manifest } from './manifest.js';

/** Every finding code reading a bundle can report (src/core/bundle-reader.ts). */
export const READ_FINDING_CODES = [
  'ARCHIVE_NOT_GZIP',
  'ARCHIVE_CORRUPT',
  'ARCHIVE_TRUNCATED',
  'TRAILING_GARBAGE',
  'DECOMPRESSION_LIMIT_EXCEEDED',
  'DECLARED_SIZE_TOO_LARGE',
  'TAR_HEADER_INVALID',
  'TAR_PADDING_NOT_ZERO',
  'HIDDEN_TAR_HEADER',
  'UNSAFE_PATH',
  'SYMLINK_MEMBER',
  'HARDLINK_MEMBER',
  'DEVICE_MEMBER',
  'UNSUPPORTED_MEMBER_TYPE',
  'PAX_HEADER_NOT_ALLOWED',
  'UNEXPECTED_MEMBER',
  'DUPLICATE_MEMBER',
  'MEMBER_ORDER',
  'MEMBER_TOO_LARGE',
  'MANIFEST_MISSING',
  'MANIFEST_NOT_FIRST',
  'MANIFEST_TOO_LARGE',
  'MANIFEST_INVALID_JSON',
  'MANIFEST_UNSUPPORTED_VERSION',
  'MANIFEST_SCHEMA',
  'MANIFEST_NOT_CANONICAL',
  'BLOB_SIZE_MISMATCH',
  'BLOB_DIGEST_MISMATCH',
  'BLOB_UNREFERENCED',
] as const;
export type ReadFindingCode = (typeof READ_FINDING_CODES)[number];

/** Which verification check a finding belongs to. */
export type ReadCheck = 'archive' | 'members' | 'manifest' | 'blobs';

export interface Finding {
  check: ReadCheck;
  code: ReadFindingCode;
  message: string;
  /** The tar member or JSON path concerned. */
  path?: string;
  expected?: string;
  found?: string;
}

export interface BlobSeen {
  size: number;
  /** The sha256 the content actually has. */
  foundHex: string;
  ok: boolean;
}

export interface BundleContents {
  findings: Finding[];
  /** False when reading stopped before the end of the archive. */
  complete: boolean;
  /** sha256 of the compressed bundle bytes read, and how many there were. */
  bundleHex: string;
  compressedSize: number;
  members: string[];
  manifestBytes?: Buffer;
  manifest?: Manifest;
  manifestIssues?: Issue[];
  sumsBytes?: Buffer;
  attestationBytes?: Buffer;
  /** attestations/standard.sigstore.jsonl: the standard statements' Sigstore bundles, one per line. */
  standardBytes?: Buffer;
  blobs: Map<string, BlobSeen>;
  /** Contents of the blobs chosen with keepBlob that verified, by hex. */
  kept: Map<string, Buffer>;
}
