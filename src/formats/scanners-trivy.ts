/**
 * Trivy's JSON report (`trivy … --format json`, `SchemaVersion` 2), read from the fields its documentation gives:
 * `Results[]`, each a `Target` of a `Type` with `Vulnerabilities[]` (`VulnerabilityID`, `PkgName`, `InstalledVersion`,
 * `PkgIdentifier.PURL`, `FixedVersion`, `Severity`, `Title`, `CweIDs`, `VendorIDs`, `References`, `CVSS` by source);
 * `Trivy.Version` names the tool's version. Misconfigurations, secrets and licenses are not findings here. Trivy gives
 * no aliases: `VendorIDs` and `References` are read but name related advisories, not other ids of one vulnerability.
 */
import * as z from 'zod';
import type { Cvss, FindingSeverity, ScanReport } from './findings.js';
import {
  checkFindingCount,
  cvssVersionOf,
  finishFindings,
  isObject,
  packageKey,
  packageOf,
  parseWith,
  scanInvalid,
  severityField,
  severityOf,
  someText,
  type Draft,
  type SeverityTable,
} from './scanners-common.js';

/** Trivy's severities. */
const TRIVY_SEVERITIES: SeverityTable = new Map<string, FindingSeverity>([
  ['critical', 'critical'],
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['unknown', 'unknown'],
]);

/** The one schema version read. */
const TRIVY_SCHEMA_VERSION = 2;

const trivyCvssSchema = z.looseObject({
  V2Vector: z.string().optional(),
  V2Score: z.number().optional(),
  V3Vector: z.string().optional(),
  V3Score: z.number().optional(),
  V40Vector: z.string().optional(),
  V40Score: z.number().optional(),
});

const trivyVulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string().min(1),
  VendorIDs: z.array(z.string()).nullish(),
  PkgName: z.string().min(1),
  PkgIdentifier: z.looseObject({ PURL: z.string().optional() }).nullish(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Severity: severityField(TRIVY_SEVERITIES, 'CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN'),
  Title: z.string().optional(),
  CweIDs: z.array(z.string()).nullish(),
  CVSS: z.record(z.string(), trivyCvssSchema).nullish(),
  References: z.array(z.string()).nullish(),
});

const trivyReportSchema = z.looseObject({
  SchemaVersion: z.number(),
  Trivy: z.looseObject({ Version: z.string().optional() }).optional(),
  Results: z
    .array(
      z.looseObject({
        Target: z.string(),
        Type: z.string().optional(),
        Vulnerabilities: z.array(trivyVulnerabilitySchema).nullish(),
      }),
    )
    .nullish(),
});

/** Whether a JSON value is Trivy's report: a numeric `SchemaVersion` with `Results` or `ArtifactName`. */
export function isTrivyReport(json: Record<string, unknown>): boolean {
  return typeof json.SchemaVersion === 'number' && (Array.isArray(json.Results) || json.ArtifactName !== undefined);
}

/** Trivy's CVSS ratings by source: V3 (its version from the vector's prefix), V2 as 2.0, V40 as 4.0. */
function trivyCvss(bySource: Record<string, z.infer<typeof trivyCvssSchema>>): Cvss[] {
  const out: Cvss[] = [];
  const push = (version: string | undefined, vector: string | undefined, score: number | undefined, source: string) => {
    if (version === undefined || (vector === undefined && score === undefined)) return;
    out.push({ version, ...(vector !== undefined && { vector }), ...(score !== undefined && { score }), source });
  };
  for (const [source, c] of Object.entries(bySource)) {
    const v3 = someText(c.V3Vector);
    push(cvssVersionOf(v3), v3, c.V3Score, source);
    push('2.0', someText(c.V2Vector), c.V2Score, source);
    push('4.0', someText(c.V40Vector), c.V40Score, source);
  }
  return out;
}

/** Trivy's JSON report read into the model; SCAN_INVALID naming the field where it is not what Trivy writes. */
export function readTrivy(json: Record<string, unknown>, label: string): ScanReport {
  if (json.SchemaVersion !== TRIVY_SCHEMA_VERSION) {
    throw scanInvalid(
      label,
      ['SchemaVersion'],
      `${JSON.stringify(json.SchemaVersion)} is not read (Trivy's JSON report of SchemaVersion ` +
        `${TRIVY_SCHEMA_VERSION} is)`,
    );
  }
  let count = 0;
  if (Array.isArray(json.Results)) {
    for (const r of json.Results as unknown[]) {
      if (isObject(r) && Array.isArray(r.Vulnerabilities)) count += r.Vulnerabilities.length;
    }
  }
  checkFindingCount(label, ['Results'], count);
  const report = parseWith(trivyReportSchema, json, label, "Trivy's JSON report as documented");
  const drafts: Draft[] = [];
  for (const result of report.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      const purl = someText(v.PkgIdentifier?.PURL);
      const title = someText(v.Title);
      const location = someText(result.Target);
      drafts.push({
        key: packageKey(v.VulnerabilityID, purl, v.PkgName, v.InstalledVersion),
        finding: {
          id: v.VulnerabilityID,
          // No aliases: References cite related advisories and VendorIDs name vendors' fixes covering several CVEs;
          // neither says two ids are one vulnerability, and an alias lets a VEX statement or KEV entry apply.
          aliases: [],
          ...(purl !== undefined && { purl }),
          package: packageOf(v.PkgName, v.InstalledVersion, result.Type),
          severity: severityOf(TRIVY_SEVERITIES, v.Severity) ?? 'unknown',
          cvss: trivyCvss(v.CVSS ?? {}),
          fixVersions: (v.FixedVersion ?? '').split(', ').map((s) => s.trim()),
          cwes: v.CweIDs ?? [],
          ...(title !== undefined && { title }),
          ...(location !== undefined && { location }),
        },
      });
    }
  }
  const version = someText(report.Trivy?.Version);
  return {
    format: 'trivy',
    scanner: { name: 'trivy', ...(version !== undefined && { version }) },
    findings: finishFindings(drafts),
  };
}
