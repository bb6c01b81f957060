/**
 * `npm audit --json` as npm 7 and later write it (`auditReportVersion: 2`), read from the fields npm's documentation
 * and its audit report give: `vulnerabilities`, keyed by package name, each with a `severity`, the `via[]` that make
 * it vulnerable, its `range` and `fixAvailable`. A `via` object is one advisory (`source`, `name`, `title`, `url`,
 * `severity`, `cwe`, `cvss`, `range`) and gives one finding; a `via` string names another vulnerable package (the
 * advisory is listed under that package) and gives none. npm 6's format (`advisories`) is refused, not guessed at.
 *
 * npm audit reports version ranges, not installed versions: its findings name the package but have no version and no
 * purl. Their id is the GHSA id of the advisory's `url`; an advisory whose url is not a GitHub advisory (a registry
 * of its own) is `npm:<source>`.
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

/** npm's severities: moderate is medium, info is low. */
const NPM_SEVERITIES: SeverityTable = new Map<string, FindingSeverity>([
  ['critical', 'critical'],
  ['high', 'high'],
  ['moderate', 'medium'],
  ['low', 'low'],
  ['info', 'low'],
]);
const NPM_SEVERITY_NAMES = 'critical, high, moderate, low, info';

const viaAdvisorySchema = z.looseObject({
  source: z.union([z.number(), z.string()]).optional(),
  name: z.string().min(1),
  title: z.string().optional(),
  url: z.string(),
  severity: severityField(NPM_SEVERITIES, NPM_SEVERITY_NAMES).optional(),
  cwe: z.array(z.string()).nullish(),
  cvss: z.looseObject({ score: z.number(), vectorString: z.string().nullish() }).nullish(),
  range: z.string().optional(),
});

const npmAuditSchema = z.looseObject({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(
    z.string(),
    z.looseObject({
      name: z.string().optional(),
      severity: severityField(NPM_SEVERITIES, NPM_SEVERITY_NAMES),
      via: z.array(z.union([z.string(), viaAdvisorySchema])),
      range: z.string().optional(),
      fixAvailable: z.union([z.boolean(), z.looseObject({ name: z.string(), version: z.string() })]).optional(),
    }),
  ),
});

/** Whether a JSON value is `npm audit --json` output: npm 7+'s (`auditReportVersion`, `vulnerabilities`) or npm 6's. */
export function isNpmAuditReport(json: Record<string, unknown>): boolean {
  if (typeof json.auditReportVersion === 'number' && isObject(json.vulnerabilities)) return true;
  return isNpm6Report(json);
}

/** npm 6's format: `advisories` by id, with its `actions` or `metadata`, and no `auditReportVersion`. */
function isNpm6Report(json: Record<string, unknown>): boolean {
  return (
    json.auditReportVersion === undefined &&
    isObject(json.advisories) &&
    (Array.isArray(json.actions) || isObject(json.metadata))
  );
}

const GHSA_URL = /^https:\/\/github\.com\/advisories\/(GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})$/i;

/** `npm audit --json` (npm 7+) read into the model; SCAN_INVALID naming the field where it is not what npm writes. */
export function readNpmAudit(json: Record<string, unknown>, label: string): ScanReport {
  if (isNpm6Report(json)) {
    throw scanInvalid(
      label,
      ['advisories'],
      "npm 6's audit format (advisories by id) is not read: run `npm audit --json` with npm 7 or later " +
        '(auditReportVersion 2)',
    );
  }
  if (json.auditReportVersion !== 2) {
    throw scanInvalid(
      label,
      ['auditReportVersion'],
      `${JSON.stringify(json.auditReportVersion)} is not read (npm 7 and later write auditReportVersion 2)`,
    );
  }
  let count = 0;
  for (const entry of Object.values(json.vulnerabilities as Record<string, unknown>)) {
    if (isObject(entry) && Array.isArray(entry.via)) count += entry.via.filter(isObject).length;
  }
  checkFindingCount(label, ['vulnerabilities'], count);
  const report = parseWith(npmAuditSchema, json, label, 'npm audit --json output (npm 7+) as documented');
  const drafts: Draft[] = [];
  for (const [key, entry] of Object.entries(report.vulnerabilities)) {
    entry.via.forEach((via, i) => {
      if (typeof via === 'string') return;
      const ghsa = GHSA_URL.exec(via.url.trim())?.[1];
      const source = via.source === undefined ? undefined : String(via.source);
      if (ghsa === undefined && someText(source) === undefined) {
        throw scanInvalid(
          label,
          ['vulnerabilities', key, 'via', i, 'url'],
          `${JSON.stringify(via.url)} is not a GitHub advisory and the advisory has no source id`,
        );
      }
      const id = ghsa !== undefined ? `GHSA${ghsa.slice(4).toLowerCase()}` : `npm:${source}`;
      const vector = someText(via.cvss?.vectorString);
      const version = cvssVersionOf(vector);
      const score = via.cvss?.score ?? 0;
      const cvss: Cvss[] =
        score > 0 && version !== undefined ? [{ version, ...(vector !== undefined && { vector }), score }] : [];
      // fixAvailable is the fix of the whole entry: the package to install may be another (a dependent); its version
      // is a fix version of this package only when it names this package.
      const fix = entry.fixAvailable;
      const fixVersions = typeof fix === 'object' && fix.name === via.name ? [fix.version] : [];
      const title = someText(via.title);
      drafts.push({
        key: packageKey(id, undefined, via.name, undefined),
        finding: {
          id,
          aliases: [],
          package: packageOf(via.name, undefined, 'npm'),
          severity: severityOf(NPM_SEVERITIES, via.severity ?? entry.severity) ?? 'unknown',
          cvss,
          fixVersions,
          cwes: via.cwe ?? [],
          ...(title !== undefined && { title }),
        },
      });
    });
  }
  return { format: 'npm-audit', scanner: { name: 'npm audit' }, findings: finishFindings(drafts) };
}
