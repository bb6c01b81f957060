/**
 * OSV-Scanner's JSON output (`osv-scanner --format json`), read from the fields its documentation gives:
 * `results[]`, each a `source` (`path`, `type`) and its `packages[]`, each a `package` (`name`, `version`,
 * `ecosystem`), the `vulnerabilities[]` that affect it as OSV schema records (`id`, `aliases`, `summary`,
 * `severity[]`, `affected[].ranges[].events[]`, `database_specific`) and `groups[]` (`ids`, `aliases`,
 * `max_severity`). A package with no vulnerabilities (license findings only) gives no finding.
 */
import { PackageURL } from 'packageurl-js';
import * as z from 'zod';
import type { Cvss, FindingSeverity, ScanReport } from './findings.js';
import {
  bandOf,
  checkFindingCount,
  cvssVersionOf,
  finishFindings,
  isObject,
  lengthOf,
  MAX_SCAN_FINDINGS,
  numberIn,
  packageKey,
  packageOf,
  parseWith,
  scanInvalid,
  severityOf,
  someText,
  type Draft,
  type SeverityTable,
} from './scanners-common.js';

/** GitHub Security Advisories' severities, as OSV records carry them in `database_specific.severity`. */
const GHSA_SEVERITIES: SeverityTable = new Map<string, FindingSeverity>([
  ['critical', 'critical'],
  ['high', 'high'],
  ['moderate', 'medium'],
  ['low', 'low'],
]);

/** OSV ecosystems that have a purl type (the purl specification's types); others get no purl. */
const PURL_TYPES: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'],
  ['PyPI', 'pypi'],
  ['Go', 'golang'],
  ['Maven', 'maven'],
  ['crates.io', 'cargo'],
  ['RubyGems', 'gem'],
  ['NuGet', 'nuget'],
  ['Packagist', 'composer'],
  ['Pub', 'pub'],
  ['Hex', 'hex'],
]);

const osvVulnerabilitySchema = z.looseObject({
  id: z.string().min(1),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  severity: z.array(z.looseObject({ type: z.string(), score: z.string() })).nullish(),
  affected: z
    .array(
      z.looseObject({
        package: z.looseObject({ ecosystem: z.string(), name: z.string() }).optional(),
        ranges: z
          .array(
            z.looseObject({
              type: z.string(),
              events: z.array(z.looseObject({ introduced: z.string().optional(), fixed: z.string().optional() })),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
  // Free-form by the OSV schema: only GHSA's `severity` and `cwe_ids` are read, and a severity of another shape is
  // no severity.
  database_specific: z.looseObject({ severity: z.unknown(), cwe_ids: z.array(z.string()).optional() }).nullish(),
});

const osvReportSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      source: z.looseObject({ path: z.string(), type: z.string().optional() }),
      packages: z
        .array(
          z.looseObject({
            package: z.looseObject({
              name: z.string().min(1),
              version: z.string().optional(),
              ecosystem: z.string().optional(),
            }),
            vulnerabilities: z.array(osvVulnerabilitySchema).nullish(),
            groups: z
              .array(
                z.looseObject({
                  ids: z.array(z.string()),
                  aliases: z.array(z.string()).nullish(),
                  max_severity: z.union([z.string(), z.number()]).optional(),
                }),
              )
              .nullish(),
          }),
        )
        .nullish(),
    }),
  ),
});

type OsvVulnerability = z.infer<typeof osvVulnerabilitySchema>;
type OsvGroup = { ids: string[]; aliases?: string[] | null; max_severity?: string | number };

/** Whether a JSON value is OSV-Scanner's output: `results` of `{source, packages}` (or none, with its config). */
export function isOsvScannerReport(json: Record<string, unknown>): boolean {
  if (!Array.isArray(json.results)) return false;
  const first: unknown = json.results[0];
  if (first === undefined) return json.experimental_config !== undefined;
  return isObject(first) && isObject(first.source) && Array.isArray(first.packages);
}

/** The purl of a package as OSV names it (`pkg:<type>/<namespace>/<name>@<version>`), else undefined. */
export function osvPurl(ecosystem: string | undefined, name: string, version: string | undefined): string | undefined {
  const type = ecosystem === undefined ? undefined : PURL_TYPES.get(ecosystem);
  if (type === undefined || someText(version) === undefined) return undefined;
  let namespace: string | undefined;
  let short = name;
  if (type === 'maven') {
    const parts = name.split(':');
    if (parts.length !== 2) return undefined;
    [namespace, short] = parts as [string, string];
  } else if (type === 'npm' || type === 'composer') {
    const slash = name.indexOf('/');
    if (slash > 0) [namespace, short] = [name.slice(0, slash), name.slice(slash + 1)];
  } else if (type === 'golang') {
    const slash = name.lastIndexOf('/');
    if (slash > 0) [namespace, short] = [name.slice(0, slash), name.slice(slash + 1)];
  }
  try {
    return new PackageURL(type, namespace, short, version, undefined, undefined).toString();
  } catch {
    return undefined;
  }
}

/** A package name as an ecosystem compares it (PyPI's normalised form; others as given). */
function comparableName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

/** The `fixed` events of the affected entries about this package, in order. */
function fixedVersions(v: OsvVulnerability, ecosystem: string | undefined, name: string): string[] {
  const eco = (ecosystem ?? '').split(':')[0] ?? '';
  const want = comparableName(eco, name);
  const out: string[] = [];
  for (const a of v.affected ?? []) {
    if (a.package === undefined) continue;
    const theirs = a.package.ecosystem.split(':')[0] ?? '';
    if (theirs !== eco || comparableName(theirs, a.package.name) !== want) continue;
    for (const r of a.ranges ?? []) for (const e of r.events) if (e.fixed !== undefined) out.push(e.fixed);
  }
  return out;
}

/** CVSS ratings in `severity[]`: vectors as given, their version from the type and the vector's prefix. */
function osvCvss(v: OsvVulnerability): Cvss[] {
  const out: Cvss[] = [];
  for (const s of v.severity ?? []) {
    const vector = s.score.trim();
    if (!vector.includes('/')) continue;
    const version =
      s.type === 'CVSS_V2' ? '2.0' : s.type === 'CVSS_V3' || s.type === 'CVSS_V4' ? cvssVersionOf(vector) : undefined;
    if (version !== undefined) out.push({ version, vector });
  }
  return out;
}

/**
 * The severity: GHSA's in `database_specific.severity`; else the band of the highest numeric CVSS score in
 * `severity[]` (vectors are not computed), else of the `max_severity` of the package's group holding this id;
 * else unknown.
 */
function osvSeverity(v: OsvVulnerability, groupOf: ReadonlyMap<string, OsvGroup>): FindingSeverity {
  const ghsa = v.database_specific?.severity;
  const stated = typeof ghsa === 'string' ? severityOf(GHSA_SEVERITIES, ghsa) : undefined;
  if (stated !== undefined) return stated;
  const scores = (v.severity ?? [])
    .filter((s) => s.type.startsWith('CVSS_'))
    .map((s) => numberIn(s.score))
    .filter((n): n is number => n !== undefined);
  if (scores.length > 0) return bandOf(scores.reduce((a, b) => Math.max(a, b))) ?? 'unknown';
  const group = groupOf.get(v.id);
  const max = numberIn(group?.max_severity);
  return (max === undefined ? undefined : bandOf(max)) ?? 'unknown';
}

/** SCAN_INVALID when the packages' groups name more ids than a report may hold findings (they group findings). */
function checkGroupIds(json: Record<string, unknown>, label: string): void {
  let ids = 0;
  for (const r of json.results as unknown[]) {
    if (!isObject(r) || !Array.isArray(r.packages)) continue;
    for (const p of r.packages as unknown[]) {
      if (!isObject(p) || !Array.isArray(p.groups)) continue;
      for (const g of p.groups as unknown[]) if (isObject(g)) ids += lengthOf(g.ids) + lengthOf(g.aliases);
    }
  }
  if (ids > MAX_SCAN_FINDINGS * 4)
    throw scanInvalid(label, ['results'], `groups name ${ids} ids, more than ${MAX_SCAN_FINDINGS * 4}`);
}

/** OSV-Scanner's JSON output read into the model; SCAN_INVALID naming the field where it is not what it writes. */
export function readOsvScanner(json: Record<string, unknown>, label: string): ScanReport {
  let count = 0;
  for (const r of json.results as unknown[]) {
    if (!isObject(r) || !Array.isArray(r.packages)) continue;
    for (const p of r.packages as unknown[]) {
      if (isObject(p) && Array.isArray(p.vulnerabilities)) count += p.vulnerabilities.length;
    }
  }
  checkFindingCount(label, ['results'], count);
  checkGroupIds(json, label);
  const report = parseWith(osvReportSchema, json, label, "OSV-Scanner's JSON output as documented");
  const drafts: Draft[] = [];
  for (const result of report.results) {
    const location = someText(result.source.path);
    for (const { package: pkg, vulnerabilities, groups } of result.packages ?? []) {
      const purl = osvPurl(pkg.ecosystem, pkg.name, pkg.version);
      // Each id's group, found once per package (a search per vulnerability would be quadratic); the first wins.
      const groupOf = new Map<string, OsvGroup>();
      for (const g of groups ?? []) for (const id of g.ids) if (!groupOf.has(id)) groupOf.set(id, g);
      for (const v of vulnerabilities ?? []) {
        const title = someText(v.summary);
        drafts.push({
          key: packageKey(v.id, purl, pkg.name, pkg.version),
          finding: {
            id: v.id,
            aliases: v.aliases ?? [],
            ...(purl !== undefined && { purl }),
            package: packageOf(pkg.name, pkg.version, pkg.ecosystem),
            severity: osvSeverity(v, groupOf),
            cvss: osvCvss(v),
            fixVersions: fixedVersions(v, pkg.ecosystem, pkg.name),
            cwes: v.database_specific?.cwe_ids ?? [],
            ...(title !== undefined && { title }),
            ...(location !== undefined && { location }),
          },
        });
      }
    }
  }
  return { format: 'osv-scanner', scanner: { name: 'osv-scanner' }, findings: finishFindings(drafts) };
}
