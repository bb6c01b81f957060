/**
 * The assessment models of OSCAL 1.1.3 as Zod schemas: control and subject
 * selection (control-common, assessment-common), origins and logs,
 * observations, risks and findings (assessment-common), and the result and
 * assessment-results objects (assessment-results). The document root, with
 * its cross-reference rules, is in src/formats/oscal.ts.
 */
import * as z from 'zod';
import {
  backMatterSchema,
  dateTimeWithTz,
  links,
  markupLine,
  markupMultiline,
  nonEmpty,
  oscalMetadataSchema,
  oscalString,
  props,
  responsiblePartySchema,
  token,
  uri,
  uriReference,
  uuid,
} from './oscal-common.js';

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
export const assessmentResultsSchema = z.strictObject({
  uuid,
  metadata: oscalMetadataSchema,
  'import-ap': importApSchema,
  results: nonEmpty(oscalResultSchema),
  'back-matter': backMatterSchema.optional(),
});
