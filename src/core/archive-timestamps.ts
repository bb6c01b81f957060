import { safeParseBounded } from './issues.js';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { sha256Hex } from './digest.js';
import { BundleError } from './errors.js';
import { parseJsonStrict } from './strict-json.js';

/**
 * Archive timestamps (docs/bundle-format.md §8): RFC 3161 timestamps added after signing, kept beside the Sigstore
 * bundle (NAME.timestamps.json), so that an archive can be renewed before the timestamp authorities' certificates
 * expire without signing the evidence again. Each renewal is a timestamp over
 *
 *     SHA-256(the Sigstore bundle's exact bytes) ‖ SHA-256(DER of renewal 1) ‖ … ‖ SHA-256(DER of renewal i-1)
 *
 * (32-byte digests, concatenated; the timestamp authority's message imprint is SHA-256 of that): renewal i shows that
 * the signature, its certificate, its log entries and timestamps and every earlier renewal existed at its time. The
 * Sigstore bundle is left as it is, so every Sigstore verifier still reads it.
 */
export const ARCHIVE_TIMESTAMPS_MEDIA_TYPE = 'application/vnd.evidence.archive-timestamps.v1+json';

/** Bounds a hostile file cannot pass: renewals every year for far longer than anyone keeps an archive. */
export const MAX_RENEWALS = 200;
const MAX_TOKEN_BASE64 = 64 * 1024;

const schema = z
  .object({
    mediaType: z.literal(ARCHIVE_TIMESTAMPS_MEDIA_TYPE),
    /** sha256 (hex) of the Sigstore bundle's exact bytes, the one the renewals cover. */
    sigstoreBundleSha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex sha256'),
    renewals: z
      .array(
        z
          .object({
            /** The timestamp response's token (DER), base64. */
            rfc3161Timestamp: z
              .string()
              .max(MAX_TOKEN_BASE64)
              .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
          })
          .strict(),
      )
      .max(MAX_RENEWALS),
  })
  .strict();

export type ArchiveTimestamps = z.infer<typeof schema>;

/** Reads an archive timestamps document; `label` names it in errors (exit 2). */
export function parseArchiveTimestamps(bytes: Uint8Array, label: string): ArchiveTimestamps {
  let json: unknown;
  try {
    json = parseJsonStrict(bytes);
  } catch (e) {
    throw new BundleError('ARCHIVE_TIMESTAMPS_INVALID', `${label}: not valid JSON (${(e as Error).message})`, {
      path: label,
      cause: e,
    });
  }
  const parsed = safeParseBounded(schema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(document)';
    throw new BundleError('ARCHIVE_TIMESTAMPS_INVALID', `${label}: ${at}: ${issue?.message ?? 'invalid'}`, {
      path: label,
    });
  }
  return parsed.data;
}

/** An empty document for the Sigstore bundle `bundleBytes`. */
export function newArchiveTimestamps(bundleBytes: Uint8Array): ArchiveTimestamps {
  return { mediaType: ARCHIVE_TIMESTAMPS_MEDIA_TYPE, sigstoreBundleSha256: sha256Hex(bundleBytes), renewals: [] };
}

/** The tokens' DER, in order. */
export function renewalTokens(doc: ArchiveTimestamps): Buffer[] {
  return doc.renewals.map((r) => Buffer.from(r.rfc3161Timestamp, 'base64'));
}

/** The bytes renewal `index` (0-based) timestamps: the bundle's digest, then each earlier renewal's. */
export function renewalData(bundleBytes: Uint8Array, earlier: Buffer[]): Buffer {
  const digest = (b: Uint8Array) => createHash('sha256').update(b).digest();
  return Buffer.concat([digest(bundleBytes), ...earlier.map(digest)]);
}

export function withRenewal(doc: ArchiveTimestamps, token: Uint8Array): ArchiveTimestamps {
  return { ...doc, renewals: [...doc.renewals, { rfc3161Timestamp: Buffer.from(token).toString('base64') }] };
}

/** The document's bytes as written: two-space JSON and a newline. */
export function serializeArchiveTimestamps(doc: ArchiveTimestamps): Buffer {
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
}
