/**
 * Zod schema for NIST OSCAL 1.1.3 Assessment Results (AR) documents in their
 * JSON serialisation, plus a validator that reports `{path, message}` issues.
 *
 * Written by hand from the OSCAL 1.1.3 model definitions:
 * - the model reference, https://pages.nist.gov/OSCAL-Reference/models/v1.1.3/assessment-results/json-reference/
 *   (generated from the metaschema below);
 * - the metaschema source at tag v1.1.3 of https://github.com/usnistgov/OSCAL:
 *   src/metaschema/oscal_assessment-results_metaschema.xml,
 *   src/metaschema/oscal_assessment-common_metaschema.xml,
 *   src/metaschema/oscal_metadata_metaschema.xml,
 *   src/metaschema/oscal_implementation-common_metaschema.xml and
 *   src/metaschema/oscal_control-common_metaschema.xml;
 * - the datatype patterns of the generated 1.1.3 JSON Schema
 *   (release asset oscal_complete_schema.json, `$id`
 *   http://csrc.nist.gov/ns/oscal/1.0/1.1.3/oscal-complete-schema.json).
 *
 * Conventions (as in the generated JSON Schema):
 * - Every object is strict: a key the model does not define is an error.
 * - Every array is optional unless the model requires it, and when present it
 *   must have at least one item (metaschema `max-occurs="unbounded"` becomes a
 *   JSON array with `minItems: 1`): leave the key out instead of writing `[]`.
 * - Open enumerations (`allow-other="yes"`) are not enforced; only the closed
 *   ones are (party type, origin-actor type, finding-target type and status
 *   state).
 *
 * Beyond the JSON Schema, a few metaschema constraints are enforced:
 * - a control selection has exactly one of `include-all` / `include-controls`
 *   (likewise `include-all` / `include-objectives`, `include-all` /
 *   `include-subjects`);
 * - a hash of a SHA-2 / SHA-3 algorithm is hex of the digest's length;
 * and, on the whole document ({@link oscalAssessmentResultsSchema}):
 * - every `uuid` is unique within the document;
 * - `related-observations[].observation-uuid` and `related-risks[].risk-uuid`
 *   name an observation / risk of the same result;
 * - a `#<uuid>` href (in any `links` item, in `relevant-evidence`, or in
 *   `import-ap`) names a back-matter resource of this document. OSCAL also
 *   allows such a fragment to name a resource of an imported document; this
 *   schema asks for self-contained documents.
 *
 * Not modelled: `local-definitions` (of the document and of a result) and the
 * `tasks` of a risk response. A document that carries them is rejected as
 * having an unknown key rather than accepted unchecked.
 */
import * as z from 'zod';
import { zodIssues, type Issue, safeParseBounded } from '../core/issues.js';
import {
  assessmentResultsSchema,
  oscalFindingSchema,
  oscalObservationSchema,
  oscalResultSchema,
  oscalRiskSchema,
} from './oscal-assessment.js';
import {
  UUID_PATTERN,
  oscalHashSchema,
  oscalLinkSchema,
  oscalMetadataSchema,
  oscalPropertySchema,
  oscalResourceSchema,
} from './oscal-common.js';

// The datatypes and global constructs are in oscal-common.ts, the assessment models in oscal-assessment.ts.
export {
  DATETIME_WITH_TZ,
  TOKEN,
  UUID_PATTERN,
  oscalHashSchema,
  oscalLinkSchema,
  oscalMetadataSchema,
  oscalPropertySchema,
  oscalResourceSchema,
} from './oscal-common.js';
export { oscalFindingSchema, oscalObservationSchema, oscalResultSchema, oscalRiskSchema } from './oscal-assessment.js';

/** The OSCAL release this schema follows (metaschema `<schema-version>`). */
export const OSCAL_VERSION = '1.1.3';

type Path = (string | number)[];

/** Every object in a JSON value, with its path, in document order. */
function* objectsIn(value: unknown, path: Path = []): Generator<{ node: Record<string, unknown>; path: Path }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* objectsIn(value[i], [...path, i]);
  } else if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    yield { node, path };
    for (const [key, child] of Object.entries(node)) yield* objectsIn(child, [...path, key]);
  }
}

/** The array key an item sits in: `links` for `[..., 'links', 3]`. */
function containerOf(path: Path): string | number | undefined {
  return typeof path[path.length - 1] === 'number' ? path[path.length - 2] : undefined;
}

const shown = (path: Path): string => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');

/**
 * The root of an OSCAL 1.1.3 Assessment Results JSON document:
 * `{ "$schema"?: string, "assessment-results": {...} }`.
 *
 * Document-wide rules (UUIDs compare case-insensitively, RFC 4122):
 * - every `uuid` is unique;
 * - a finding's or risk's `related-observations[].observation-uuid`, and a
 *   finding's `related-risks[].risk-uuid`, name an observation / risk of the
 *   same result;
 * - an href `#<uuid>` in a `links` item, in `relevant-evidence` or in
 *   `import-ap` (and any `#...` href of a link with `rel: "reference"`, per
 *   the metadata metaschema's `index-back-matter-resource` constraint) names a
 *   resource in this document's back-matter.
 */
export const oscalAssessmentResultsSchema = z
  .strictObject({
    $schema: z.string().optional(),
    'assessment-results': assessmentResultsSchema,
  })
  .superRefine((doc, ctx) => {
    const ar = doc['assessment-results'];

    // Unique uuids.
    const seen = new Map<string, Path>();
    for (const { node, path } of objectsIn(doc)) {
      if (typeof node.uuid !== 'string') continue;
      const key = node.uuid.toLowerCase();
      const first = seen.get(key);
      if (first)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'uuid'],
          message: `duplicate uuid ${node.uuid} (first used at $${shown(first)})`,
        });
      else seen.set(key, [...path, 'uuid']);
    }

    // related-observations / related-risks within one result.
    ar.results.forEach((result, ri) => {
      const at: Path = ['assessment-results', 'results', ri];
      const observations = new Set((result.observations ?? []).map((o) => o.uuid.toLowerCase()));
      const risks = new Set((result.risks ?? []).map((r) => r.uuid.toLowerCase()));
      const checkObservations = (refs: { 'observation-uuid': string }[] | undefined, owner: Path): void =>
        refs?.forEach((ref, k) => {
          if (!observations.has(ref['observation-uuid'].toLowerCase())) {
            ctx.addIssue({
              code: 'custom',
              path: [...owner, 'related-observations', k, 'observation-uuid'],
              message: `no observation ${ref['observation-uuid']} in this result`,
            });
          }
        });
      result.findings?.forEach((finding, fi) => {
        const owner: Path = [...at, 'findings', fi];
        checkObservations(finding['related-observations'], owner);
        finding['related-risks']?.forEach((ref, k) => {
          if (!risks.has(ref['risk-uuid'].toLowerCase())) {
            ctx.addIssue({
              code: 'custom',
              path: [...owner, 'related-risks', k, 'risk-uuid'],
              message: `no risk ${ref['risk-uuid']} in this result`,
            });
          }
        });
      });
      result.risks?.forEach((risk, ki) => checkObservations(risk['related-observations'], [...at, 'risks', ki]));
    });

    // #uuid hrefs name back-matter resources.
    const resources = new Set((ar['back-matter']?.resources ?? []).map((r) => r.uuid.toLowerCase()));
    for (const { node, path } of objectsIn(doc)) {
      const container = containerOf(path);
      const isLink = container === 'links';
      const isEvidence = container === 'relevant-evidence';
      const isImportAp = path.length === 2 && path[1] === 'import-ap';
      if (!(isLink || isEvidence || isImportAp) || typeof node.href !== 'string' || !node.href.startsWith('#'))
        continue;
      const fragment = node.href.slice(1);
      if (!UUID_PATTERN.test(fragment) && !(isLink && node.rel === 'reference')) continue;
      if (!resources.has(fragment.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'href'],
          message: `${node.href} names no back-matter resource`,
        });
      }
    }
  });

export type OscalAssessmentResultsDocument = z.infer<typeof oscalAssessmentResultsSchema>;
export type OscalAssessmentResults = OscalAssessmentResultsDocument['assessment-results'];
export type OscalMetadata = z.infer<typeof oscalMetadataSchema>;
export type OscalResult = z.infer<typeof oscalResultSchema>;
export type OscalObservation = z.infer<typeof oscalObservationSchema>;
export type OscalFinding = z.infer<typeof oscalFindingSchema>;
export type OscalRisk = z.infer<typeof oscalRiskSchema>;
export type OscalResource = z.infer<typeof oscalResourceSchema>;
export type OscalProperty = z.infer<typeof oscalPropertySchema>;
export type OscalLink = z.infer<typeof oscalLinkSchema>;
export type OscalHash = z.infer<typeof oscalHashSchema>;

/**
 * Validates a parsed JSON value as an OSCAL 1.1.3 Assessment Results
 * document. Issue paths look like `$.assessment-results.results[0].uuid`.
 */
export function validateOscalAssessmentResults(doc: unknown): { ok: true } | { ok: false; issues: Issue[] } {
  const parsed = safeParseBounded(oscalAssessmentResultsSchema, doc);
  return parsed.success ? { ok: true } : { ok: false, issues: zodIssues(parsed.error) };
}
