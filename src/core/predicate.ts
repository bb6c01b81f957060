import * as z from 'zod';
import { SHA256_DIGEST } from './digest.js';
import { RFC3339_UTC_SECONDS, sourceSchema } from './manifest.js';
import { isRfc3339 } from './time.js';

/**
 * The predicate of the statement that signs a bundle. Versioned with the URI:
 * a change of meaning gets a new URI.
 */
export const EVIDENCE_PREDICATE_TYPE = 'https://evidence-bundle.dev/attestation/release-evidence/v1';
/** Name of the statement's subject that is the bundle's manifest.json. */
export const MANIFEST_SUBJECT_NAME = 'manifest.json';

export const ciContextSchema = z.strictObject({
  provider: z.string().min(1),
  runUrl: z.string().optional(),
  workflowRef: z.string().optional(),
  eventName: z.string().optional(),
  runnerEnvironment: z.string().optional(),
  runAttempt: z.string().optional(),
});
export type CiContext = z.infer<typeof ciContextSchema>;

/**
 * The Sigstore services a signature was made through, as the signer chose them (docs/signing.md): so that a verifier
 * years later knows which log, timestamp authority and certificate authority to look for in its trusted root.
 */
export const signingContextSchema = z.strictObject({
  /** Where the services came from. */
  from: z.enum([
    'signing-config',
    'trust-root-update',
    'public-good-packaged',
    'trust-root-update-rekor-v2',
    'options',
  ]),
  /** sha256 of the signing config's bytes as read (the packaged one: of its canonical JSON); absent without one. */
  signingConfigDigest: z.string().regex(SHA256_DIGEST).optional(),
  /** The certificate authority's URL; absent for a key. */
  ca: z.string().min(1).optional(),
  tlogs: z.array(z.strictObject({ url: z.string().min(1), majorApiVersion: z.number().int().positive() })),
  tsas: z.array(z.string().min(1)),
});
export type SigningContext = z.infer<typeof signingContextSchema>;

export const evidencePredicateSchema = z.strictObject({
  bundle: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    created: z.string().regex(RFC3339_UTC_SECONDS).refine(isRfc3339),
    manifestDigest: z.string().regex(SHA256_DIGEST),
  }),
  source: sourceSchema,
  entries: z.array(
    z.strictObject({
      path: z.string().min(1),
      kind: z.string().min(1),
      digest: z.string().regex(SHA256_DIGEST),
      summary: z.record(z.string(), z.unknown()),
    }),
  ),
  ci: ciContextSchema.optional(),
  signing: signingContextSchema.optional(),
});
export type EvidencePredicate = z.infer<typeof evidencePredicateSchema>;
