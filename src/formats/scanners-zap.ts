/**
 * OWASP ZAP's Traditional JSON Report (and its "with Requests and Responses" variant, the same fields), read from
 * the fields ZAP's report documentation gives: `@version`, `@generated`, `site[]`, each with its `@name` and its
 * `alerts[]` (`pluginid`, `alert`/`name`, `riskcode`, `riskdesc`, `cweid`, `instances[].uri`). ZAP writes numbers
 * as strings (`"riskcode": "3"`); both are read.
 *
 * A web alert names no package: its id is `zap:<pluginid>`; the same plugin's alerts on one site (its variants,
 * `alertRef` `10020-1`, `10020-2`, …) are one finding.
 */
import * as z from 'zod';
import type { FindingSeverity, ScanReport } from './findings.js';
import {
  checkFindingCount,
  finishFindings,
  isObject,
  parseWith,
  severityOf,
  someText,
  type Draft,
  type SeverityTable,
} from './scanners-common.js';

/** ZAP's risk codes: 3 high, 2 medium, 1 low, 0 informational (low). */
const RISK_CODES: ReadonlyMap<number, FindingSeverity> = new Map<number, FindingSeverity>([
  [3, 'high'],
  [2, 'medium'],
  [1, 'low'],
  [0, 'low'],
]);

/** The risk named first in `riskdesc` (`High (Medium)`: risk, then confidence). */
const RISK_NAMES: SeverityTable = new Map<string, FindingSeverity>([
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['informational', 'low'],
]);

/** An integer as ZAP writes it: a string of digits (`"-1"` for none) or a number. */
const zapInteger = z.union([z.int(), z.string().regex(/^\s*-?\d+\s*$/, { message: 'expected an integer' })]);

const zapAlertSchema = z.looseObject({
  pluginid: zapInteger,
  alert: z.string().optional(),
  name: z.string().optional(),
  riskcode: zapInteger.refine((r) => RISK_CODES.has(Number(r)), { message: 'expected a risk code 0-3' }).optional(),
  riskdesc: z.string().optional(),
  cweid: zapInteger.optional(),
  instances: z.array(z.looseObject({ uri: z.string() })).nullish(),
});

const zapReportSchema = z.looseObject({
  '@version': z.string().optional(),
  '@generated': z.string().optional(),
  site: z.array(z.looseObject({ '@name': z.string(), alerts: z.array(zapAlertSchema) })),
});

/** Whether a JSON value is ZAP's traditional JSON report: `@version` or `@generated`, and `site[]` with `alerts`. */
export function isZapReport(json: Record<string, unknown>): boolean {
  if (!Array.isArray(json.site)) return false;
  if (json['@version'] === undefined && json['@generated'] === undefined) return false;
  const first: unknown = json.site[0];
  return first === undefined || (isObject(first) && Array.isArray(first.alerts));
}

/** An alert's severity: its risk code, else the risk its `riskdesc` names, else unknown. */
function zapSeverity(alert: z.infer<typeof zapAlertSchema>): FindingSeverity {
  if (alert.riskcode !== undefined) return RISK_CODES.get(Number(alert.riskcode)) ?? 'unknown';
  const risk = alert.riskdesc?.trim().split(/\s+/)[0];
  return severityOf(RISK_NAMES, risk) ?? 'unknown';
}

/** ZAP's traditional JSON report read into the model; SCAN_INVALID naming the field where it is not what ZAP writes. */
export function readZap(json: Record<string, unknown>, label: string): ScanReport {
  let count = 0;
  for (const s of json.site as unknown[]) if (isObject(s) && Array.isArray(s.alerts)) count += s.alerts.length;
  checkFindingCount(label, ['site'], count);
  const report = parseWith(zapReportSchema, json, label, "ZAP's traditional JSON report as documented");
  const drafts: Draft[] = [];
  for (const site of report.site) {
    for (const alert of site.alerts) {
      const pluginId = String(alert.pluginid).trim();
      const cwe = alert.cweid === undefined ? 0 : Number(alert.cweid);
      const title = someText(alert.alert) ?? someText(alert.name);
      const location = someText(alert.instances?.[0]?.uri) ?? someText(site['@name']);
      drafts.push({
        key: `zap:${pluginId}\u0000site\u0000${site['@name']}`,
        finding: {
          id: `zap:${pluginId}`,
          aliases: [],
          severity: zapSeverity(alert),
          cvss: [],
          fixVersions: [],
          cwes: cwe > 0 ? [`CWE-${cwe}`] : [],
          ...(title !== undefined && { title }),
          ...(location !== undefined && { location }),
        },
      });
    }
  }
  const version = someText(report['@version']);
  return {
    format: 'zap',
    scanner: { name: 'zap', ...(version !== undefined && { version }) },
    findings: finishFindings(drafts),
  };
}
