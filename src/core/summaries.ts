import { z } from 'zod';

/**
 * The typed summary each collector writes into its manifest entry. They live
 * in core because the verifier validates them and the policy engine reads them.
 */
const count = z.number().int().nonnegative();

export const sbomSummarySchema = z.strictObject({
  format: z.enum(['cyclonedx', 'spdx']),
  specVersion: z.string().min(1),
  components: count,
  /** Distinct SPDX license ids (and LicenseRef-…) found, sorted. */
  licenses: z.array(z.string().min(1)),
  /** Components with no license information at all. */
  unlicensed: count,
});
export type SbomSummary = z.infer<typeof sbomSummarySchema>;

export const sarifSummarySchema = z.strictObject({
  tools: z.array(z.string()),
  results: count,
  levels: z.strictObject({ error: count, warning: count, note: count, none: count }),
  severities: z.strictObject({ critical: count, high: count, medium: count, low: count }),
});
export type SarifSummary = z.infer<typeof sarifSummarySchema>;

export const junitSummarySchema = z.strictObject({
  tests: count,
  passed: count,
  failed: count,
  errored: count,
  skipped: count,
  durationSeconds: z.number().nonnegative(),
});
export type JunitSummary = z.infer<typeof junitSummarySchema>;

/**
 * An existing Sigstore bundle taken into the evidence (`collect --attestation`),
 * such as the build's SLSA provenance. `signer` is who was verified to have
 * signed it at collection; `evidence verify` checks it again against that signer.
 */
export const attestationSummarySchema = z.strictObject({
  mediaType: z.string().min(1),
  content: z.enum(['dsse', 'message-signature']),
  payloadType: z.string().optional(),
  predicateType: z.string().optional(),
  subjects: z.array(z.strictObject({ name: z.string().optional(), digest: z.record(z.string(), z.string()) })),
  signer: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('certificate'), identity: z.string(), issuer: z.string() }),
    z.strictObject({ kind: z.literal('public-key'), keyHint: z.string() }),
  ]),
  tlogEntries: count,
  timestamps: count,
});
export type AttestationSummary = z.infer<typeof attestationSummarySchema>;

/** `--file F=KIND`: any file; nothing is read from it but its bytes. */
export const fileSummarySchema = z.strictObject({});
export type FileSummary = z.infer<typeof fileSummarySchema>;

/**
 * Kinds whose summary is produced by a dedicated collector. A user-named kind
 * (`--file notes.md=release-notes`) may not take one of these names, so a
 * policy reading `sbom` can rely on the summary's shape.
 */
export const summarySchemas = {
  sbom: sbomSummarySchema,
  sarif: sarifSummarySchema,
  junit: junitSummarySchema,
  attestation: attestationSummarySchema,
} as const;

export type CollectedKind = keyof typeof summarySchemas;

export function isCollectedKind(kind: string): kind is CollectedKind {
  return Object.prototype.hasOwnProperty.call(summarySchemas, kind);
}

export function summarySchemaFor(kind: string): z.ZodType {
  return isCollectedKind(kind) ? summarySchemas[kind] : fileSummarySchema;
}
