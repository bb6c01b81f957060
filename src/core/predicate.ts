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
});
export type EvidencePredicate = z.infer<typeof evidencePredicateSchema>;
