import { z } from 'zod';
import { issuesInline, zodIssues } from '../core/issues.js';

/**
 * The Sigstore bundle as JSON, field by field from the protobuf-specs
 * definitions (sigstore_bundle.proto, sigstore_common.proto,
 * sigstore_rekor.proto, envelope.proto), in their JSON names. Every object is
 * strict: @sigstore/bundle's parser ignores fields it does not know, so a
 * renamed `rfc3161Timestamps` would silently drop the timestamps while the
 * bundle still verified. Here an unknown or misspelt field, or a null, makes
 * the bundle malformed instead. Values are checked by @sigstore/bundle after.
 */
const b64 = z.string();
const int64 = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);

// proto3 JSON leaves out fields at their default (0, "", []): every field is optional here,
// and what a verifier needs is required by @sigstore/bundle and @sigstore/verify after.
const hashOutput = z.strictObject({ algorithm: z.string().optional(), digest: b64.optional() });
const logId = z.strictObject({ keyId: b64.optional() });
const checkpoint = z.strictObject({ envelope: z.string().optional() });
const inclusionProof = z.strictObject({ logIndex: int64.optional(), rootHash: b64.optional(), treeSize: int64.optional(), hashes: z.array(b64).optional(), checkpoint: checkpoint.optional() });
const inclusionPromise = z.strictObject({ signedEntryTimestamp: b64.optional() });
const kindVersion = z.strictObject({ kind: z.string().optional(), version: z.string().optional() });
const tlogEntry = z.strictObject({
  logIndex: int64.optional(),
  logId: logId.optional(),
  kindVersion: kindVersion.optional(),
  integratedTime: int64.optional(),
  inclusionPromise: inclusionPromise.optional(),
  inclusionProof: inclusionProof.optional(),
  canonicalizedBody: b64.optional(),
});
const certificate = z.strictObject({ rawBytes: b64.optional() });
const timestampVerificationData = z.strictObject({ rfc3161Timestamps: z.array(z.strictObject({ signedTimestamp: b64.optional() })).optional() });
const verificationMaterial = z
  .strictObject({
    publicKey: z.strictObject({ hint: z.string().optional() }).optional(),
    x509CertificateChain: z.strictObject({ certificates: z.array(certificate).optional() }).optional(),
    certificate: certificate.optional(),
    tlogEntries: z.array(tlogEntry).optional(),
    timestampVerificationData: timestampVerificationData.optional(),
  })
  .refine((v) => [v.publicKey, v.x509CertificateChain, v.certificate].filter((x) => x !== undefined).length === 1, 'exactly one of publicKey, x509CertificateChain and certificate');
const dsseEnvelope = z.strictObject({ payload: b64.optional(), payloadType: z.string().optional(), signatures: z.array(z.strictObject({ sig: b64.optional(), keyid: z.string().optional() })).optional() });
const messageSignature = z.strictObject({ messageDigest: hashOutput.optional(), signature: b64.optional() });

export const sigstoreBundleJsonSchema = z
  .strictObject({
    mediaType: z.string(),
    verificationMaterial: verificationMaterial,
    dsseEnvelope: dsseEnvelope.optional(),
    messageSignature: messageSignature.optional(),
  })
  .refine((b) => (b.dsseEnvelope === undefined) !== (b.messageSignature === undefined), 'exactly one of dsseEnvelope and messageSignature');

/** Where a Sigstore bundle's JSON leaves the specification, or undefined. */
export function sigstoreBundleJsonProblem(json: unknown): string | undefined {
  const r = sigstoreBundleJsonSchema.safeParse(json);
  if (r.success) return undefined;
  return issuesInline(zodIssues(r.error));
}
