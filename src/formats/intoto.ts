import * as z from 'zod';
import { digestHex } from '../core/digest.js';

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

/**
 * A release's subjects as a statement names them, members in canonical order (digest, then name), so that canonical
 * JSON writes them without a sorted copy of each: a release of 100,000 subjects. Our statement and the standard ones
 * name them alike (src/signer/statement.ts, src/formats/standard-statements.ts).
 */
export function releaseSubjects(subjects: readonly { name: string; digest: string }[]): Statement['subject'] {
  return subjects.map((s) => ({ digest: { sha256: digestHex(s.digest) }, name: s.name }));
}

/**
 * The lines of a Sigstore bundles file or member (`NAME.sigstore.jsonl`,
 * `attestations/standard.sigstore.jsonl`): one bundle per line, blank lines
 * and the last newline dropped. The one splitter of those files.
 */
export function bundleLines(bytes: Uint8Array | undefined): Buffer[] {
  if (!bytes) return [];
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Buffer.from(l, 'utf8'));
}

/**
 * A Sigstore bundle's DSSE payload and type, and the predicate type its
 * statement names, read without verifying anything (for labels and
 * annotations, or to compare with what a bundle should state); undefined
 * when the bytes are no DSSE bundle.
 */
export function dsseContent(
  bundle: Uint8Array,
): { payload: Buffer; payloadType: string; predicateType?: string } | undefined {
  try {
    const dsse = dssePayload(JSON.parse(Buffer.from(bundle).toString('utf8')));
    if (!dsse) return undefined;
    const { payload } = dsse;
    let predicateType: unknown;
    try {
      predicateType = (JSON.parse(payload.toString('utf8')) as { predicateType?: unknown }).predicateType;
    } catch {
      predicateType = undefined;
    }
    return { ...dsse, ...(typeof predicateType === 'string' ? { predicateType } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The DSSE payload (decoded) and its type of a Sigstore bundle already parsed as JSON, read without verifying
 * anything; undefined when it holds no DSSE envelope, or when its payload is longer than `maxBase64` characters.
 */
export function dssePayload(
  bundle: unknown,
  maxBase64 = Number.POSITIVE_INFINITY,
): { payload: Buffer; payloadType: string } | undefined {
  const env = (bundle as { dsseEnvelope?: { payload?: unknown; payloadType?: unknown } } | null)?.dsseEnvelope;
  if (typeof env?.payload !== 'string' || typeof env.payloadType !== 'string' || env.payload.length > maxBase64)
    return undefined;
  return { payload: Buffer.from(env.payload, 'base64'), payloadType: env.payloadType };
}
