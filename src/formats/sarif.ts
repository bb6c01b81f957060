/**
 * Zod schema for SARIF 2.1.0 logs, plus a pure summary helper.
 *
 * Written from the OASIS "Static Analysis Results Interchange Format (SARIF)
 * Version 2.1.0" specification (incorporating Errata 01). Section numbers in
 * the comments refer to that document (§3.x = "File format").
 *
 * Every object is a loose object: properties the spec documents are
 * type-checked, anything else (including the many less common documented
 * properties not listed here) is kept without checking.
 */
import * as z from 'zod';

// ---------------------------------------------------------------------------
// Common pieces
// ---------------------------------------------------------------------------

/** §3.27.10 / §3.58.6: the four levels. */
export const SARIF_LEVELS = ['none', 'note', 'warning', 'error'] as const;
export type SarifLevel = (typeof SARIF_LEVELS)[number];

/** §3.27.9: result kinds. */
export const SARIF_KINDS = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] as const;

const sarifLevel = z.enum(SARIF_LEVELS);

/** An array index where -1 means "not set" (§3.7.2 / e.g. §3.27.6). */
const indexOrMinusOne = z.int().min(-1);

const NUMERIC_STRING = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * §3.8: property bag. `tags` (§3.8.3) is an array of strings. GitHub code
 * scanning additionally reads `security-severity`, a string holding a number
 * in 0.0-10.0, from rule (and result) property bags.
 */
export const sarifPropertyBagSchema = z.looseObject({
  tags: z.array(z.string()).optional(),
  'security-severity': z.string().regex(NUMERIC_STRING, { message: 'must be a string holding a number' }).optional(),
});

/** §3.11: message. It SHALL contain text or id (§3.11.3). */
export const sarifMessageSchema = z
  .looseObject({
    text: z.string().optional(),
    markdown: z.string().optional(),
    id: z.string().optional(),
    arguments: z.array(z.string()).optional(),
    properties: sarifPropertyBagSchema.optional(),
  })
  .refine((m) => m.text !== undefined || m.id !== undefined, {
    message: 'message must have a text or an id property',
  });

/** §3.12: multiformatMessageString (text is required). */
export const sarifMultiformatMessageStringSchema = z.looseObject({
  text: z.string(),
  markdown: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.4: artifactLocation. */
export const sarifArtifactLocationSchema = z.looseObject({
  uri: z.string().optional(),
  uriBaseId: z.string().optional(),
  index: indexOrMinusOne.optional(),
  description: sarifMessageSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.3: artifactContent. */
const sarifArtifactContentSchema = z.looseObject({
  text: z.string().optional(),
  binary: z.string().optional(),
  rendered: sarifMultiformatMessageStringSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.30: region. Line/column numbers are 1-based. */
export const sarifRegionSchema = z.looseObject({
  startLine: z.int().min(1).optional(),
  startColumn: z.int().min(1).optional(),
  endLine: z.int().min(1).optional(),
  endColumn: z.int().min(1).optional(),
  charOffset: indexOrMinusOne.optional(),
  charLength: z.int().min(0).optional(),
  byteOffset: indexOrMinusOne.optional(),
  byteLength: z.int().min(0).optional(),
  snippet: sarifArtifactContentSchema.optional(),
  message: sarifMessageSchema.optional(),
  sourceLanguage: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.29: physicalLocation. */
export const sarifPhysicalLocationSchema = z.looseObject({
  address: z.looseObject({}).optional(),
  artifactLocation: sarifArtifactLocationSchema.optional(),
  region: sarifRegionSchema.optional(),
  contextRegion: sarifRegionSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.33: logicalLocation. */
const sarifLogicalLocationSchema = z.looseObject({
  name: z.string().optional(),
  index: indexOrMinusOne.optional(),
  fullyQualifiedName: z.string().optional(),
  decoratedName: z.string().optional(),
  parentIndex: indexOrMinusOne.optional(),
  kind: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.28: location. */
export const sarifLocationSchema = z.looseObject({
  id: indexOrMinusOne.optional(),
  physicalLocation: sarifPhysicalLocationSchema.optional(),
  logicalLocations: z.array(sarifLogicalLocationSchema).optional(),
  message: sarifMessageSchema.optional(),
  annotations: z.array(sarifRegionSchema).optional(),
  relationships: z.array(z.looseObject({})).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

// ---------------------------------------------------------------------------
// Tool and rules
// ---------------------------------------------------------------------------

/** §3.54: toolComponentReference. */
export const sarifToolComponentReferenceSchema = z.looseObject({
  name: z.string().optional(),
  index: indexOrMinusOne.optional(),
  guid: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.52: reportingDescriptorReference. */
export const sarifReportingDescriptorReferenceSchema = z.looseObject({
  id: z.string().optional(),
  index: indexOrMinusOne.optional(),
  guid: z.string().optional(),
  toolComponent: sarifToolComponentReferenceSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.50: reportingConfiguration. */
export const sarifReportingConfigurationSchema = z.looseObject({
  enabled: z.boolean().optional(),
  level: sarifLevel.optional(),
  rank: z.number().min(-1).max(100).optional(),
  parameters: sarifPropertyBagSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.49: reportingDescriptor (a rule or a notification descriptor). */
export const sarifReportingDescriptorSchema = z.looseObject({
  id: z.string(),
  deprecatedIds: z.array(z.string()).optional(),
  guid: z.string().optional(),
  deprecatedGuids: z.array(z.string()).optional(),
  name: z.string().optional(),
  deprecatedNames: z.array(z.string()).optional(),
  shortDescription: sarifMultiformatMessageStringSchema.optional(),
  fullDescription: sarifMultiformatMessageStringSchema.optional(),
  messageStrings: z.record(z.string(), sarifMultiformatMessageStringSchema).optional(),
  defaultConfiguration: sarifReportingConfigurationSchema.optional(),
  helpUri: z.string().optional(),
  help: sarifMultiformatMessageStringSchema.optional(),
  relationships: z.array(z.looseObject({})).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.19: toolComponent (the driver or an extension). */
export const sarifToolComponentSchema = z.looseObject({
  name: z.string(),
  guid: z.string().optional(),
  product: z.string().optional(),
  productSuffix: z.string().optional(),
  fullName: z.string().optional(),
  organization: z.string().optional(),
  version: z.string().optional(),
  semanticVersion: z.string().optional(),
  dottedQuadFileVersion: z.string().optional(),
  releaseDateUtc: z.string().optional(),
  downloadUri: z.string().optional(),
  informationUri: z.string().optional(),
  shortDescription: sarifMultiformatMessageStringSchema.optional(),
  fullDescription: sarifMultiformatMessageStringSchema.optional(),
  language: z.string().optional(),
  rules: z.array(sarifReportingDescriptorSchema).optional(),
  notifications: z.array(sarifReportingDescriptorSchema).optional(),
  taxa: z.array(sarifReportingDescriptorSchema).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.18: tool. */
export const sarifToolSchema = z.looseObject({
  driver: sarifToolComponentSchema,
  extensions: z.array(sarifToolComponentSchema).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

// ---------------------------------------------------------------------------
// Invocations, artifacts
// ---------------------------------------------------------------------------

/** §3.51: configurationOverride. */
export const sarifConfigurationOverrideSchema = z.looseObject({
  configuration: sarifReportingConfigurationSchema,
  descriptor: sarifReportingDescriptorReferenceSchema,
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.58: notification. */
const sarifNotificationSchema = z.looseObject({
  message: sarifMessageSchema,
  level: sarifLevel.optional(),
  descriptor: sarifReportingDescriptorReferenceSchema.optional(),
  associatedRule: sarifReportingDescriptorReferenceSchema.optional(),
  locations: z.array(sarifLocationSchema).optional(),
  timeUtc: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.20: invocation (executionSuccessful is required, §3.20.14). */
export const sarifInvocationSchema = z.looseObject({
  executionSuccessful: z.boolean(),
  commandLine: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  startTimeUtc: z.string().optional(),
  endTimeUtc: z.string().optional(),
  exitCode: z.int().optional(),
  exitCodeDescription: z.string().optional(),
  exitSignalName: z.string().optional(),
  exitSignalNumber: z.int().optional(),
  ruleConfigurationOverrides: z.array(sarifConfigurationOverrideSchema).optional(),
  notificationConfigurationOverrides: z.array(sarifConfigurationOverrideSchema).optional(),
  toolExecutionNotifications: z.array(sarifNotificationSchema).optional(),
  toolConfigurationNotifications: z.array(sarifNotificationSchema).optional(),
  workingDirectory: sarifArtifactLocationSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.24: artifact. */
export const sarifArtifactSchema = z.looseObject({
  location: sarifArtifactLocationSchema.optional(),
  parentIndex: indexOrMinusOne.optional(),
  offset: z.int().min(0).optional(),
  length: indexOrMinusOne.optional(),
  roles: z.array(z.string()).optional(),
  mimeType: z.string().optional(),
  contents: sarifArtifactContentSchema.optional(),
  encoding: z.string().optional(),
  sourceLanguage: z.string().optional(),
  hashes: z.record(z.string(), z.string()).optional(),
  lastModifiedTimeUtc: z.string().optional(),
  description: sarifMessageSchema.optional(),
  properties: sarifPropertyBagSchema.optional(),
});

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

/** §3.27: result. */
export const sarifResultSchema = z.looseObject({
  ruleId: z.string().optional(),
  ruleIndex: indexOrMinusOne.optional(),
  rule: sarifReportingDescriptorReferenceSchema.optional(),
  kind: z.enum(SARIF_KINDS).optional(),
  level: sarifLevel.optional(),
  message: sarifMessageSchema,
  analysisTarget: sarifArtifactLocationSchema.optional(),
  locations: z.array(sarifLocationSchema).optional(),
  guid: z.string().optional(),
  correlationGuid: z.string().optional(),
  occurrenceCount: z.int().min(1).optional(),
  partialFingerprints: z.record(z.string(), z.string()).optional(),
  fingerprints: z.record(z.string(), z.string()).optional(),
  relatedLocations: z.array(sarifLocationSchema).optional(),
  codeFlows: z.array(z.looseObject({})).optional(),
  stacks: z.array(z.looseObject({})).optional(),
  suppressions: z.array(z.looseObject({ kind: z.enum(['inSource', 'external']) })).optional(),
  baselineState: z.enum(['new', 'unchanged', 'updated', 'absent']).optional(),
  rank: z.number().min(-1).max(100).optional(),
  provenance: z.looseObject({ invocationIndex: indexOrMinusOne.optional() }).optional(),
  fixes: z.array(z.looseObject({})).optional(),
  hostedViewerUri: z.string().optional(),
  workItemUris: z.array(z.string()).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

// ---------------------------------------------------------------------------
// Run and log
// ---------------------------------------------------------------------------

/** §3.14: run. */
export const sarifRunSchema = z.looseObject({
  tool: sarifToolSchema,
  invocations: z.array(sarifInvocationSchema).optional(),
  artifacts: z.array(sarifArtifactSchema).optional(),
  logicalLocations: z.array(sarifLogicalLocationSchema).optional(),
  /** §3.14.23: null when the tool failed to start or produce results. */
  results: z.array(sarifResultSchema).nullable().optional(),
  automationDetails: z.looseObject({ id: z.string().optional(), guid: z.string().optional() }).optional(),
  originalUriBaseIds: z.record(z.string(), sarifArtifactLocationSchema).optional(),
  baselineGuid: z.string().optional(),
  columnKind: z.enum(['utf16CodeUnits', 'unicodeCodePoints']).optional(),
  language: z.string().optional(),
  properties: sarifPropertyBagSchema.optional(),
});

/** §3.13: sarifLog. */
export const sarifLogSchema = z.looseObject({
  version: z.literal('2.1.0'),
  $schema: z.string().optional(),
  runs: z.array(sarifRunSchema),
  inlineExternalProperties: z.array(z.looseObject({})).optional(),
  properties: sarifPropertyBagSchema.optional(),
});

export type SarifLog = z.infer<typeof sarifLogSchema>;
export type SarifRun = z.infer<typeof sarifRunSchema>;
export type SarifResult = z.infer<typeof sarifResultSchema>;
export type SarifToolComponent = z.infer<typeof sarifToolComponentSchema>;
export type SarifReportingDescriptor = z.infer<typeof sarifReportingDescriptorSchema>;

// ---------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------

type SarifReportingDescriptorRef = z.infer<typeof sarifReportingDescriptorReferenceSchema>;

/**
 * §3.52.3 / §3.54: the tool component a descriptor reference points into: an
 * extension when toolComponent names one (by index, guid or name), the driver
 * when toolComponent is absent or names the driver. Undefined when it names a
 * component that is not in the run.
 */
function resolveComponent(run: SarifRun, ref: SarifReportingDescriptorRef | undefined): SarifToolComponent | undefined {
  const tc = ref?.toolComponent;
  const { driver, extensions = [] } = run.tool;
  if (!tc) return driver;
  if (tc.index !== undefined && tc.index >= 0) return extensions[tc.index];
  let known = componentsOf.get(run);
  if (!known) {
    known = { byGuid: new Map(), byName: new Map() };
    for (const c of [driver, ...extensions]) {
      const guid = c.guid?.toLowerCase();
      if (guid !== undefined && !known.byGuid.has(guid)) known.byGuid.set(guid, c);
      if (c.name !== undefined && !known.byName.has(c.name)) known.byName.set(c.name, c);
    }
    componentsOf.set(run, known);
  }
  if (tc.guid !== undefined) {
    const byGuid = known.byGuid.get(tc.guid.toLowerCase());
    if (byGuid) return byGuid;
  }
  if (tc.name !== undefined) return known.byName.get(tc.name);
  return driver;
}

/** A run's tool components by guid (lower-cased) and by name, the first of each, made once per run. */
const componentsOf = new WeakMap<
  SarifRun,
  { byGuid: Map<string, SarifToolComponent>; byName: Map<string, SarifToolComponent> }
>();

/** Each component's rules by id (the first of an id), made once: a lookup per result must not scan every rule. */
const rulesById = new WeakMap<SarifToolComponent, Map<string, SarifReportingDescriptor>>();

/** The most leading components of a hierarchical ruleId looked up: ids of more parts are not rules' ids in practice. */
const MAX_RULE_PREFIXES = 16;

/**
 * Finds a rule in a component by index (preferred, §3.27.6) or by id. A
 * hierarchical ruleId such as "CA2101/1" (§3.27.5) also matches a rule whose
 * id is one of its leading components ("CA2101"), the longest first, up to
 * MAX_RULE_PREFIXES of them.
 */
function findRule(
  component: SarifToolComponent | undefined,
  index: number | undefined,
  id: string | undefined,
): SarifReportingDescriptor | undefined {
  const rules = component?.rules;
  if (!component || !rules) return undefined;
  if (index !== undefined && index >= 0) {
    const byIndex = rules[index];
    if (byIndex) return byIndex;
  }
  if (id === undefined) return undefined;
  let byId = rulesById.get(component);
  if (!byId) {
    byId = new Map();
    for (const r of rules) if (!byId.has(r.id)) byId.set(r.id, r);
    rulesById.set(component, byId);
  }
  const exact = byId.get(id);
  if (exact) return exact;
  let end = id.lastIndexOf('/');
  for (let tried = 0; end > 0 && tried < MAX_RULE_PREFIXES; tried++, end = id.lastIndexOf('/', end - 1)) {
    const hit = byId.get(id.slice(0, end));
    if (hit) return hit;
  }
  return undefined;
}

/** §3.27.5-3.27.7: the reportingDescriptor a result refers to, if it can be found. */
function resolveRule(run: SarifRun, result: SarifResult): SarifReportingDescriptor | undefined {
  const ref = result.rule;
  const component = resolveComponent(run, ref);
  const index = result.ruleIndex !== undefined && result.ruleIndex >= 0 ? result.ruleIndex : ref?.index;
  const id = result.ruleId ?? ref?.id;
  return findRule(component, index, id);
}

/**
 * Each invocation's ruleConfigurationOverrides as the level each rule gets (the first override of a rule wins), made
 * once per run: looking overrides up per result would multiply results by overrides.
 */
const overrideLevels = new WeakMap<SarifRun, Map<number, Map<SarifReportingDescriptor, SarifLevel | undefined>>>();

function overrideLevel(run: SarifRun, invocationIndex: number, rule: SarifReportingDescriptor): SarifLevel | undefined {
  let byInvocation = overrideLevels.get(run);
  if (!byInvocation) {
    byInvocation = new Map<number, Map<SarifReportingDescriptor, SarifLevel | undefined>>();
    overrideLevels.set(run, byInvocation);
  }
  let levels = byInvocation.get(invocationIndex);
  if (!levels) {
    levels = new Map();
    for (const o of run.invocations?.[invocationIndex]?.ruleConfigurationOverrides ?? []) {
      const target = findRule(resolveComponent(run, o.descriptor), o.descriptor.index, o.descriptor.id);
      if (target && !levels.has(target)) levels.set(target, o.configuration.level);
    }
    byInvocation.set(invocationIndex, levels);
  }
  return levels.get(rule);
}

/**
 * §3.27.10: a result's effective level.
 * - kind present and not "fail": "none" (level, if present, must be "none").
 * - level present: level.
 * - otherwise, for the result's rule: the level of a ruleConfigurationOverride
 *   in the invocation named by provenance.invocationIndex, else the rule's
 *   defaultConfiguration.level, else "warning".
 */
export function effectiveSarifLevel(run: SarifRun, result: SarifResult): SarifLevel {
  if (result.kind !== undefined && result.kind !== 'fail') return 'none';
  if (result.level !== undefined) return result.level;
  const rule = resolveRule(run, result);
  if (rule) {
    const invocationIndex = result.provenance?.invocationIndex;
    if (invocationIndex !== undefined && invocationIndex >= 0) {
      const level = overrideLevel(run, invocationIndex, rule);
      if (level !== undefined) return level;
    }
    if (rule.defaultConfiguration?.level !== undefined) return rule.defaultConfiguration.level;
  }
  return 'warning';
}

function parseSeverity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !NUMERIC_STRING.test(value)) return undefined;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A result's security severity (GitHub convention): the result's own
 * properties["security-severity"] if it parses as a number, else its rule's.
 */
export function sarifSecuritySeverity(run: SarifRun, result: SarifResult): number | undefined {
  const own = parseSeverity(result.properties?.['security-severity']);
  if (own !== undefined) return own;
  return parseSeverity(resolveRule(run, result)?.properties?.['security-severity']);
}

/** GitHub's bands: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0.0. */
export function securitySeverityBand(score: number): 'critical' | 'high' | 'medium' | 'low' | undefined {
  if (score >= 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  if (score > 0.0) return 'low';
  return undefined;
}

/**
 * Whether a JSON value is ESLint's own output (`eslint -f json`): an array
 * of `{filePath, messages: [...]}`, one per file linted. It is often given
 * where SARIF is wanted; the SARIF formatter is a separate package.
 */
export function isEslintJsonOutput(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (f: unknown) =>
        f !== null &&
        typeof f === 'object' &&
        typeof (f as { filePath?: unknown }).filePath === 'string' &&
        Array.isArray((f as { messages?: unknown }).messages),
    )
  );
}
