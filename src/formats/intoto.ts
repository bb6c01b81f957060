import { z } from 'zod';

/**
 * in-toto Statement v1 (in-toto/attestation spec, v1/statement.md and
 * resource_descriptor.md), written from the documented fields.
 */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/**
 * Statement v0.1: what npm provenance and SLSA v0.2 attestations used until
 * 2023. Same fields (subject, predicateType, predicate); accepted in
 * third-party attestations so old releases still verify, never in our own.
 */
export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DigestSet: algorithm → lowercase hex (or encoding the algorithm defines). */
export const digestSetSchema = z.record(z.string().min(1), z.string().min(1));

export const resourceDescriptorSchema = z
  .looseObject({
    name: z.string().optional(),
    uri: z.string().optional(),
    digest: digestSetSchema.optional(),
    content: z.string().optional(),
    downloadLocation: z.string().optional(),
    mediaType: z.string().optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.name !== undefined || r.uri !== undefined || r.digest !== undefined, {
    message: 'a resource descriptor needs at least one of name, uri or digest',
  });

export const statementSchema = z.looseObject({
  _type: z.union([z.literal(IN_TOTO_STATEMENT_V1), z.literal(IN_TOTO_STATEMENT_V01)]),
  // A subject MUST have a digest (statement.md: "subject … MUST be non-empty", digest REQUIRED).
  subject: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        uri: z.string().optional(),
        digest: digestSetSchema.refine((d) => Object.keys(d).length > 0, 'digest must name at least one algorithm'),
      }),
    )
    .min(1),
  predicateType: z.string().min(1),
  predicate: z.record(z.string(), z.unknown()).optional(),
});
export type Statement = z.infer<typeof statementSchema>;
