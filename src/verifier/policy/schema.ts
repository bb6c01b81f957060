import * as z from 'zod';
import { parseDateOrInstant } from '../../core/time.js';

const duration = z.string().regex(/^\d+(s|m|h|d|w)$/, 'a duration such as 24h, 7d or 90m');
/** A control a requirement, rule or cross-check evidences (docs/audit.md): `SOC2-CC8.1`, or one of the policy's own. */
const controls = z.array(z.string().min(1).max(128)).max(64).default([]);
const crossCheckName = z.enum(['sbom-version', 'sarif-commit', 'junit-commit', 'changes-commit', 'changes-rules-time']);
/**
 * A real calendar date (2026-12-31) or RFC 3339 time (core/time.ts): 2026-02-30 or `tomorrow` is refused when the
 * policy loads.
 */
const date = z
  .string()
  .refine(
    (s) => parseDateOrInstant(s) !== undefined,
    'a real date (2026-12-31) or RFC 3339 time (2026-12-31T18:00:00Z)',
  );

/** The policy file (docs/policy.md). Names may be added to, never changed. */
export const policySchema = z.strictObject({
  version: z.literal(1),
  /** Allowed signers: any entry that matches is enough. */
  identity: z
    .array(
      z
        .strictObject({
          issuer: z.string().min(1).optional(),
          issuerRegexp: z.string().min(1).optional(),
          subject: z.string().min(1).optional(),
          subjectRegexp: z.string().min(1).optional(),
        })
        .refine(
          (i) => (i.issuer ?? i.issuerRegexp) !== undefined && (i.subject ?? i.subjectRegexp) !== undefined,
          'an identity needs an issuer (or issuerRegexp) and a subject (or subjectRegexp)',
        ),
    )
    .optional(),
  require: z
    .array(
      z.strictObject({
        kind: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
        maxAge: duration.optional(),
        min: z.number().int().positive().optional(),
        /** Refuse entries whose summary records tolerated deviations from their specification (SBOMs). */
        conformant: z.boolean().optional(),
        controls,
      }),
    )
    .default([]),
  rules: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, dots, dashes and underscores'),
        expr: z.string().min(1),
        message: z.string().optional(),
        controls,
      }),
    )
    .default([]),
  waivers: z.array(z.strictObject({ rule: z.string().min(1), reason: z.string().min(1), expires: date })).default([]),
  /** Consistency checks between the evidence and the bundle, switched on by name. */
  crossChecks: z.array(z.union([crossCheckName, z.strictObject({ name: crossCheckName, controls })])).default([]),
});
export type Policy = z.infer<typeof policySchema>;
