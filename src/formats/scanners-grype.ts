/**
 * Grype's JSON report (`grype … -o json`), read from the fields its JSON presenter documents: `matches[]`, each a
 * `vulnerability` (`id`, `severity`, `cvss[]`, `fix.versions`, `knownExploited`), its `relatedVulnerabilities[]`
 * and the `artifact` it was found in (`name`, `version`, `type`, `purl`, `locations[]`); `descriptor` names the tool.
 */
import * as z from 'zod';
import type { Cvss, FindingSeverity, ScanReport } from './findings.js';
import {
  checkFindingCount,
  finishFindings,
  isObject,
  lengthOf,
  packageKey,
  packageOf,
  parseWith,
  severityField,
  severityOf,
  someText,
  type Draft,
  type SeverityTable,
} from './scanners-common.js';

/** Grype's severities: Negligible is low. */
const GRYPE_SEVERITIES: SeverityTable = new Map<string, FindingSeverity>([
  ['critical', 'critical'],
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['negligible', 'low'],
  ['unknown', 'unknown'],
]);

const grypeCvssSchema = z.looseObject({
  source: z.string().optional(),
  version: z.string(),
  vector: z.string().optional(),
  metrics: z.looseObject({ baseScore: z.number().optional() }).optional(),
});

const grypeMatchSchema = z.looseObject({
  vulnerability: z.looseObject({
    id: z.string().min(1),
    severity: severityField(GRYPE_SEVERITIES, 'Critical, High, Medium, Low, Negligible, Unknown'),
    cvss: z.array(grypeCvssSchema).nullish(),
    fix: z.looseObject({ versions: z.array(z.string()).nullish() }).nullish(),
    knownExploited: z.array(z.unknown()).nullish(),
  }),
  relatedVulnerabilities: z.array(z.looseObject({ id: z.string() })).nullish(),
  artifact: z.looseObject({
    name: z.string().min(1),
    version: z.string(),
    type: z.string(),
    purl: z.string().optional(),
    locations: z.array(z.looseObject({ path: z.string() })).nullish(),
  }),
});

const grypeReportSchema = z.looseObject({
  matches: z.array(grypeMatchSchema),
  descriptor: z.looseObject({ name: z.string(), version: z.string().optional() }).optional(),
});

/** Whether a JSON value is Grype's report: `matches` and a `descriptor` naming grype, or matches of that shape. */
export function isGrypeReport(json: Record<string, unknown>): boolean {
  if (!Array.isArray(json.matches)) return false;
  if (isObject(json.descriptor) && json.descriptor.name === 'grype') return true;
  const first: unknown = json.matches[0];
  return isObject(first) && isObject(first.vulnerability) && isObject(first.artifact);
}

/** Grype's JSON report read into the model; SCAN_INVALID naming the field where it is not what Grype writes. */
export function readGrype(json: Record<string, unknown>, label: string): ScanReport {
  checkFindingCount(label, ['matches'], lengthOf(json.matches));
  const report = parseWith(grypeReportSchema, json, label, "Grype's JSON report as documented");
  const drafts: Draft[] = report.matches.map(({ vulnerability: v, relatedVulnerabilities, artifact: a }) => {
    const purl = someText(a.purl);
    const cvss = (v.cvss ?? []).map((c): Cvss => ({
      version: c.version,
      ...(someText(c.vector) !== undefined && { vector: c.vector }),
      ...(c.metrics?.baseScore !== undefined && { score: c.metrics.baseScore }),
      ...(someText(c.source) !== undefined && { source: c.source }),
    }));
    const location = someText(a.locations?.[0]?.path);
    return {
      key: packageKey(v.id, purl, a.name, a.version),
      finding: {
        id: v.id,
        aliases: (relatedVulnerabilities ?? []).map((r) => r.id),
        ...(purl !== undefined && { purl }),
        package: packageOf(a.name, a.version, a.type),
        severity: severityOf(GRYPE_SEVERITIES, v.severity) ?? 'unknown',
        cvss,
        fixVersions: v.fix?.versions ?? [],
        cwes: [],
        ...(location !== undefined && { location }),
        ...((v.knownExploited?.length ?? 0) > 0 && { knownExploited: true }),
      },
    };
  });
  const version = someText(report.descriptor?.version);
  return {
    format: 'grype',
    scanner: { name: 'grype', ...(version !== undefined && { version }) },
    findings: finishFindings(drafts),
  };
}
