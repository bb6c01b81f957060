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
import { z } from 'zod';
import { zodIssues, type Issue } from '../core/issues.js';

/** The OSCAL release this schema follows (metaschema `<schema-version>`). */
export const OSCAL_VERSION = '1.1.3';

// ---------------------------------------------------------------------------
// Datatypes (JSON Schema 1.1.3 definitions)
// ---------------------------------------------------------------------------

/** UUIDDatatype: an RFC 4122 version 4 or version 5 UUID (variant 8, 9, a or b). */
export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;

/**
 * DateTimeWithTimezoneDatatype: years 1900-2999, seconds required, optional
 * fractional seconds, then `Z` or one of the listed UTC offsets. A timezone is
 * required.
 */
export const DATETIME_WITH_TZ =
  /^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$/;

/** TokenDatatype (an XML NCName): a letter or `_`, then letters, digits, `.`, `-`, `_`. */
export const TOKEN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

/** StringDatatype: non-empty, no leading or trailing whitespace (newlines allowed inside). */
const STRING_PATTERN = /^\S(.*\S)?$/s;

/** URIDatatype: an absolute URI (a scheme, `:`, then something). */
const URI_PATTERN = /^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$/;

/** Base64Datatype. */
const BASE64_PATTERN = /^[0-9A-Za-z+/]+={0,2}$/;

/** EmailAddressDatatype: StringDatatype plus `^.+@.+$`. */
const EMAIL_PATTERN = /^.+@.+$/;

const uuid = z.string().regex(UUID_PATTERN, { message: 'must be a version 4 or 5 UUID (RFC 4122)' });
const dateTimeWithTz = z
  .string()
  .regex(DATETIME_WITH_TZ, { message: 'must be a date-time with a timezone, e.g. 2024-05-01T12:00:00Z' });
const token = z
  .string()
  .regex(TOKEN, { message: 'must be a token (a letter or _, then letters, digits, ".", "-" or "_")' });
const oscalString = z
  .string()
  .regex(STRING_PATTERN, { message: 'must be a non-empty string without leading or trailing whitespace' });
const uri = z.string().regex(URI_PATTERN, { message: 'must be an absolute URI' });
/** URIReferenceDatatype: no pattern (absolute, relative or a `#uuid` fragment). */
const uriReference = z.string();
/** markup-line / markup-multiline: Markdown text, no pattern in JSON. */
const markupLine = z.string();
const markupMultiline = z.string();
const email = oscalString.regex(EMAIL_PATTERN, { message: 'must be an email address' });

/** An optional-in-the-model array: when present, at least one item. */
function nonEmpty<T extends z.ZodType>(item: T) {
  return z.array(item).min(1, { message: 'must have at least one item (leave the key out instead of an empty array)' });
}

// ---------------------------------------------------------------------------
// Global constructs (oscal_metadata_metaschema.xml)
// ---------------------------------------------------------------------------

/** `property`: a namespaced name/value pair. */
export const oscalPropertySchema = z.strictObject({
  name: token,
  uuid: uuid.optional(),
  ns: uri.optional(),
  value: oscalString,
  class: token.optional(),
  group: token.optional(),
  remarks: markupMultiline.optional(),
});

/** `link`: a reference to a local (`#uuid`) or remote resource. */
export const oscalLinkSchema = z.strictObject({
  href: uriReference,
  rel: token.optional(),
  'media-type': oscalString.optional(),
  'resource-fragment': oscalString.optional(),
  text: markupLine.optional(),
});

const props = nonEmpty(oscalPropertySchema).optional();
const links = nonEmpty(oscalLinkSchema).optional();

/** `document-id`. */
const documentIdSchema = z.strictObject({
  scheme: uri.optional(),
  identifier: oscalString,
});

/** `responsible-party`: a role filled by one or more parties. */
const responsiblePartySchema = z.strictObject({
  'role-id': token,
  'party-uuids': nonEmpty(uuid),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `revision` (metadata.revisions). */
const revisionSchema = z.strictObject({
  title: markupLine.optional(),
  published: dateTimeWithTz.optional(),
  'last-modified': dateTimeWithTz.optional(),
  version: oscalString,
  'oscal-version': oscalString.optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `role`. */
const roleSchema = z.strictObject({
  id: token,
  title: markupLine,
  'short-name': oscalString.optional(),
  description: markupMultiline.optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `address`. */
const addressSchema = z.strictObject({
  type: token.optional(),
  'addr-lines': nonEmpty(oscalString).optional(),
  city: oscalString.optional(),
  state: oscalString.optional(),
  'postal-code': oscalString.optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { message: 'must be a two-letter country code' })
    .optional(),
});

/** `telephone-number`. */
const telephoneNumberSchema = z.strictObject({
  type: oscalString.optional(),
  number: oscalString,
});

/** `location`. */
const locationSchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  address: addressSchema.optional(),
  'email-addresses': nonEmpty(email).optional(),
  'telephone-numbers': nonEmpty(telephoneNumberSchema).optional(),
  urls: nonEmpty(uri).optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `party`: a person or an organization (closed enumeration). */
const partySchema = z.strictObject({
  uuid,
  type: z.enum(['person', 'organization']),
  name: oscalString.optional(),
  'short-name': oscalString.optional(),
  'external-ids': nonEmpty(z.strictObject({ scheme: uri, id: oscalString })).optional(),
  props,
  links,
  'email-addresses': nonEmpty(email).optional(),
  'telephone-numbers': nonEmpty(telephoneNumberSchema).optional(),
  addresses: nonEmpty(addressSchema).optional(),
  'location-uuids': nonEmpty(uuid).optional(),
  'member-of-organizations': nonEmpty(uuid).optional(),
  remarks: markupMultiline.optional(),
});

/** `action`: an action applied by a role within a given party to the content. */
const actionSchema = z.strictObject({
  uuid,
  date: dateTimeWithTz.optional(),
  type: token,
  system: uri,
  props,
  links,
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `metadata`: title, last-modified, version and oscal-version are required. */
export const oscalMetadataSchema = z.strictObject({
  title: markupLine,
  published: dateTimeWithTz.optional(),
  'last-modified': dateTimeWithTz,
  version: oscalString,
  'oscal-version': oscalString,
  revisions: nonEmpty(revisionSchema).optional(),
  'document-ids': nonEmpty(documentIdSchema).optional(),
  props,
  links,
  roles: nonEmpty(roleSchema).optional(),
  locations: nonEmpty(locationSchema).optional(),
  parties: nonEmpty(partySchema).optional(),
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  actions: nonEmpty(actionSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** Hex digest length (characters) per hash algorithm (metaschema `hash` constraints). */
const HASH_HEX_LENGTHS = new Map<string, number>([
  ['SHA-224', 56],
  ['SHA-256', 64],
  ['SHA-384', 96],
  ['SHA-512', 128],
  ['SHA3-224', 56],
  ['SHA3-256', 64],
  ['SHA3-384', 96],
  ['SHA3-512', 128],
]);

/**
 * `hash`: `{algorithm, value}`. For the SHA-2 / SHA-3 algorithms the value
 * must be hex of the digest's length (a metaschema rule the JSON Schema does
 * not carry); other algorithms are accepted as any string.
 */
export const oscalHashSchema = z
  .strictObject({
    algorithm: oscalString,
    value: oscalString,
  })
  .superRefine((hash, ctx) => {
    const length = HASH_HEX_LENGTHS.get(hash.algorithm);
    if (length === undefined) return;
    if (hash.value.length !== length || !/^[0-9A-Fa-f]+$/.test(hash.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `a ${hash.algorithm} hash must be ${length} hex characters`,
      });
    }
  });

/** `rlink`: a pointer to an external copy of a resource. */
const rlinkSchema = z.strictObject({
  href: uriReference,
  'media-type': oscalString.optional(),
  hashes: nonEmpty(oscalHashSchema).optional(),
});

/** `resource` (back-matter). */
export const oscalResourceSchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  description: markupMultiline.optional(),
  props,
  'document-ids': nonEmpty(documentIdSchema).optional(),
  citation: z.strictObject({ text: markupLine, props, links }).optional(),
  rlinks: nonEmpty(rlinkSchema).optional(),
  base64: z
    .strictObject({
      filename: token.optional(),
      'media-type': oscalString.optional(),
      value: z.string().regex(BASE64_PATTERN, { message: 'must be base64' }),
    })
    .optional(),
  remarks: markupMultiline.optional(),
});

/** `back-matter`. */
const backMatterSchema = z.strictObject({
  resources: nonEmpty(oscalResourceSchema).optional(),
});

// ---------------------------------------------------------------------------
// Control and subject selection (control-common, assessment-common)
// ---------------------------------------------------------------------------

/** `include-all`: an empty object. */
const includeAllSchema = z.strictObject({});

/** `select-control-by-id`. */
const selectControlByIdSchema = z.strictObject({
  'control-id': token,
  'statement-ids': nonEmpty(token).optional(),
});

/** A metaschema `<choice>` of `include-all` and a selection list: exactly one. */
function exactlyOne(other: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const hasAll = value['include-all'] !== undefined;
    const hasList = value[other] !== undefined;
    if (hasAll && hasList)
      ctx.addIssue({ code: 'custom', message: `has both include-all and ${other}; exactly one is allowed` });
    else if (!hasAll && !hasList)
      ctx.addIssue({ code: 'custom', message: `needs exactly one of include-all or ${other}` });
  };
}

/** `control-selection` (reviewed-controls): exactly one of include-all / include-controls. */
const controlSelectionSchema = z
  .strictObject({
    description: markupMultiline.optional(),
    props,
    links,
    'include-all': includeAllSchema.optional(),
    'include-controls': nonEmpty(selectControlByIdSchema).optional(),
    'exclude-controls': nonEmpty(selectControlByIdSchema).optional(),
    remarks: markupMultiline.optional(),
  })
  .superRefine(exactlyOne('include-controls'));

/** `control-objective-selection`: exactly one of include-all / include-objectives. */
const controlObjectiveSelectionSchema = z
  .strictObject({
    description: markupMultiline.optional(),
    props,
    links,
    'include-all': includeAllSchema.optional(),
    'include-objectives': nonEmpty(z.strictObject({ 'objective-id': token })).optional(),
    'exclude-objectives': nonEmpty(z.strictObject({ 'objective-id': token })).optional(),
    remarks: markupMultiline.optional(),
  })
  .superRefine(exactlyOne('include-objectives'));

/** `reviewed-controls`: `control-selections` is required. */
const reviewedControlsSchema = z.strictObject({
  description: markupMultiline.optional(),
  props,
  links,
  'control-selections': nonEmpty(controlSelectionSchema),
  'control-objective-selections': nonEmpty(controlObjectiveSelectionSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `select-subject-by-id`. */
const selectSubjectByIdSchema = z.strictObject({
  'subject-uuid': uuid,
  type: token,
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `assessment-subject`: exactly one of include-all / include-subjects. */
const assessmentSubjectSchema = z
  .strictObject({
    type: token,
    description: markupMultiline.optional(),
    props,
    links,
    'include-all': includeAllSchema.optional(),
    'include-subjects': nonEmpty(selectSubjectByIdSchema).optional(),
    'exclude-subjects': nonEmpty(selectSubjectByIdSchema).optional(),
    remarks: markupMultiline.optional(),
  })
  .superRefine(exactlyOne('include-subjects'));

/** `subject-reference` (observation, mitigating-factor and required-asset subjects). */
const subjectReferenceSchema = z.strictObject({
  'subject-uuid': uuid,
  type: token,
  title: markupLine.optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

// ---------------------------------------------------------------------------
// Origins, logs (assessment-common)
// ---------------------------------------------------------------------------

/** `related-task`. */
const relatedTaskSchema = z.strictObject({
  'task-uuid': uuid,
  props,
  links,
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  subjects: nonEmpty(assessmentSubjectSchema).optional(),
  'identified-subject': z
    .strictObject({
      'subject-placeholder-uuid': uuid,
      subjects: nonEmpty(assessmentSubjectSchema),
    })
    .optional(),
  remarks: markupMultiline.optional(),
});

/** `origin-actor`: type is a closed enumeration. */
const originActorSchema = z.strictObject({
  type: z.enum(['tool', 'assessment-platform', 'party']),
  'actor-uuid': uuid,
  'role-id': token.optional(),
  props,
  links,
});

/** `origin`: who or what produced an observation, finding or risk. */
const originSchema = z.strictObject({
  actors: nonEmpty(originActorSchema),
  'related-tasks': nonEmpty(relatedTaskSchema).optional(),
});

/** `logged-by`. */
const loggedBySchema = z.strictObject({
  'party-uuid': uuid,
  'role-id': token.optional(),
});

// ---------------------------------------------------------------------------
// Observation, risk, finding (assessment-common)
// ---------------------------------------------------------------------------

/** `relevant-evidence`: description is required, href is optional. */
const relevantEvidenceSchema = z.strictObject({
  href: uriReference.optional(),
  description: markupMultiline,
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `observation`: methods (min 1) and collected are required. */
export const oscalObservationSchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  description: markupMultiline,
  props,
  links,
  methods: nonEmpty(oscalString),
  types: nonEmpty(token).optional(),
  origins: nonEmpty(originSchema).optional(),
  subjects: nonEmpty(subjectReferenceSchema).optional(),
  'relevant-evidence': nonEmpty(relevantEvidenceSchema).optional(),
  collected: dateTimeWithTz,
  expires: dateTimeWithTz.optional(),
  remarks: markupMultiline.optional(),
});

/** `threat-id`. */
const threatIdSchema = z.strictObject({
  system: uri,
  href: uriReference.optional(),
  id: uri,
});

/** `facet` (risk characterization). */
const facetSchema = z.strictObject({
  name: token,
  system: uri,
  value: oscalString,
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `characterization`: origin (single) and facets (min 1) are required. */
const characterizationSchema = z.strictObject({
  props,
  links,
  origin: originSchema,
  facets: nonEmpty(facetSchema),
});

/** `mitigating-factor` (no remarks in 1.1.3). */
const mitigatingFactorSchema = z.strictObject({
  uuid,
  'implementation-uuid': uuid.optional(),
  description: markupMultiline,
  props,
  links,
  subjects: nonEmpty(subjectReferenceSchema).optional(),
});

/** `required-asset` (risk response). */
const requiredAssetSchema = z.strictObject({
  uuid,
  subjects: nonEmpty(subjectReferenceSchema).optional(),
  title: markupLine.optional(),
  description: markupMultiline,
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `response` (risk remediation). Its `tasks` are not modelled. */
const responseSchema = z.strictObject({
  uuid,
  lifecycle: token,
  title: markupLine,
  description: markupMultiline,
  props,
  links,
  origins: nonEmpty(originSchema).optional(),
  'required-assets': nonEmpty(requiredAssetSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `risk-log` entry. */
const riskLogEntrySchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  description: markupMultiline.optional(),
  start: dateTimeWithTz,
  end: dateTimeWithTz.optional(),
  props,
  links,
  'logged-by': nonEmpty(loggedBySchema).optional(),
  'status-change': token.optional(),
  'related-responses': nonEmpty(
    z.strictObject({
      'response-uuid': uuid,
      props,
      links,
      'related-tasks': nonEmpty(relatedTaskSchema).optional(),
      remarks: markupMultiline.optional(),
    }),
  ).optional(),
  remarks: markupMultiline.optional(),
});

/** `related-observation`. */
const relatedObservationSchema = z.strictObject({ 'observation-uuid': uuid });

/** `risk`: statement and status (an open token enumeration) are required; no remarks in 1.1.3. */
export const oscalRiskSchema = z.strictObject({
  uuid,
  title: markupLine,
  description: markupMultiline,
  statement: markupMultiline,
  props,
  links,
  status: token,
  origins: nonEmpty(originSchema).optional(),
  'threat-ids': nonEmpty(threatIdSchema).optional(),
  characterizations: nonEmpty(characterizationSchema).optional(),
  'mitigating-factors': nonEmpty(mitigatingFactorSchema).optional(),
  deadline: dateTimeWithTz.optional(),
  remediations: nonEmpty(responseSchema).optional(),
  'risk-log': z.strictObject({ entries: nonEmpty(riskLogEntrySchema) }).optional(),
  'related-observations': nonEmpty(relatedObservationSchema).optional(),
});

/** `finding-target`: type and status.state are closed enumerations. */
const findingTargetSchema = z.strictObject({
  type: z.enum(['statement-id', 'objective-id']),
  'target-id': token,
  title: markupLine.optional(),
  description: markupMultiline.optional(),
  props,
  links,
  status: z.strictObject({
    state: z.enum(['satisfied', 'not-satisfied']),
    reason: token.optional(),
    remarks: markupMultiline.optional(),
  }),
  'implementation-status': z.strictObject({ state: token, remarks: markupMultiline.optional() }).optional(),
  remarks: markupMultiline.optional(),
});

/** `finding`: target is required. */
export const oscalFindingSchema = z.strictObject({
  uuid,
  title: markupLine,
  description: markupMultiline,
  props,
  links,
  origins: nonEmpty(originSchema).optional(),
  target: findingTargetSchema,
  'implementation-statement-uuid': uuid.optional(),
  'related-observations': nonEmpty(relatedObservationSchema).optional(),
  'related-risks': nonEmpty(z.strictObject({ 'risk-uuid': uuid })).optional(),
  remarks: markupMultiline.optional(),
});

// ---------------------------------------------------------------------------
// Result and document (assessment-results)
// ---------------------------------------------------------------------------

/** `assessment-part` (attestation parts), recursive through `parts`. */
const assessmentPartSchema = z.strictObject({
  uuid: uuid.optional(),
  name: token,
  ns: uri.optional(),
  class: token.optional(),
  title: markupLine.optional(),
  props,
  prose: markupMultiline.optional(),
  get parts(): z.ZodOptional<z.ZodArray<typeof assessmentPartSchema>> {
    return nonEmpty(assessmentPartSchema).optional();
  },
  links,
});

/** `attestation`. */
const attestationSchema = z.strictObject({
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  parts: nonEmpty(assessmentPartSchema),
});

/** `assessment-log` entry. */
const assessmentLogEntrySchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  description: markupMultiline.optional(),
  start: dateTimeWithTz,
  end: dateTimeWithTz.optional(),
  props,
  links,
  'logged-by': nonEmpty(loggedBySchema).optional(),
  'related-tasks': nonEmpty(relatedTaskSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `result`: uuid, title, description, start and reviewed-controls are required. */
export const oscalResultSchema = z.strictObject({
  uuid,
  title: markupLine,
  description: markupMultiline,
  start: dateTimeWithTz,
  end: dateTimeWithTz.optional(),
  props,
  links,
  'reviewed-controls': reviewedControlsSchema,
  attestations: nonEmpty(attestationSchema).optional(),
  'assessment-log': z.strictObject({ entries: nonEmpty(assessmentLogEntrySchema) }).optional(),
  observations: nonEmpty(oscalObservationSchema).optional(),
  risks: nonEmpty(oscalRiskSchema).optional(),
  findings: nonEmpty(oscalFindingSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `import-ap`: href is required. */
const importApSchema = z.strictObject({
  href: uriReference,
  remarks: markupMultiline.optional(),
});

/** `assessment-results`. */
const assessmentResultsSchema = z.strictObject({
  uuid,
  metadata: oscalMetadataSchema,
  'import-ap': importApSchema,
  results: nonEmpty(oscalResultSchema),
  'back-matter': backMatterSchema.optional(),
});

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
  const parsed = oscalAssessmentResultsSchema.safeParse(doc);
  return parsed.success ? { ok: true } : { ok: false, issues: zodIssues(parsed.error) };
}
