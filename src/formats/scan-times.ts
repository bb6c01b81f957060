/**
 * The times of a vulnerability scan, for the in-toto vulns v0.2 predicate's `metadata.scanStartedOn` and
 * `scanFinishedOn` (spec/predicates/vulns_02.md: both required, each an in-toto Timestamp, RFC 3339 in UTC "Z"). Only
 * a time the scan's own report states is restated; none is made up (docs/interop.md, "The times the standard
 * statements state"):
 * - a SARIF log: its first run's first invocation, `startTimeUtc` and `endTimeUtc`; one of them alone stands for both;
 * - Grype's JSON report: `descriptor.timestamp`, and Trivy's: `CreatedAt`, the time each says it wrote the report,
 *   the one time it states, so it stands for both;
 * - OSV-Scanner's and `npm audit --json`'s reports state no time; ZAP's `@generated` names no time zone, so no
 *   instant.
 * A report that states no time, or one that is not an RFC 3339 date-time naming a real instant, gets no vulns
 * statement: the predicate requires the times, and any other would be a time nobody measured. The reason says which
 * field was read and what it held.
 *
 * Bundles signed before this rule state other times (LEGACY_SCAN_TIMES); the verifier accepts that form, named, as
 * what those bundles were signed with (verifier/stated-attestations.ts).
 */
import { parseRfc3339 } from '../core/time.js';
import type { ScanFormat } from './findings.js';
import { isObject } from './scanners-common.js';

/** The scan's times as the predicate writes them, or why there are none to restate. */
export type ScanTimes = { started: string; finished: string } | { reason: string };

/**
 * The form of the vulns statements' times signed before they were read from the reports: a `--scan` report's are
 * both the manifest's `created`; a SARIF log's are its first invocation's `startTimeUtc` as written (else the
 * manifest's `created`) and `endTimeUtc` as written (else the start). The bundle's creation is not when a scan ran:
 * nothing measured it. A verifier accepts a bundle's standard statements in this form only when every line is in it.
 * Those bundles were signed before XML text was decoded too: in this form a JUnit report's test names are read as the
 * XML writes them (LEGACY_XML_TEXT, formats/xml.ts; StandardForm in formats/standard-statements.ts).
 */
export const LEGACY_SCAN_TIMES = 'legacy-scan-times';

/**
 * An RFC 3339 date-time naming a real instant, written in UTC with `Z`: the same instant, its fraction of a second
 * kept as written (an offset shifts whole minutes only). Undefined when the text is not one, or its UTC year is not
 * four digits.
 */
export function utcTimestamp(text: string): string | undefined {
  const ms = parseRfc3339(text);
  if (ms === undefined) return undefined;
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined;
  const fraction = /\.(\d+)(?:[Zz]|[+-]\d{2}:\d{2})$/.exec(text)?.[1];
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** A stated value, quoted and cut short for a reason. */
const quoted = (value: unknown): string => {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
};

const NOT_INSTANT = 'is not an RFC 3339 date-time naming a real instant';

/** A SARIF log's scan times: its first run's first invocation's, either alone standing for both. */
export function sarifScanTimes(invocation: { startTimeUtc?: unknown; endTimeUtc?: unknown } | undefined): ScanTimes {
  const read = (field: 'startTimeUtc' | 'endTimeUtc'): string | { reason: string } | undefined => {
    const value = invocation?.[field];
    if (value === undefined) return undefined;
    const at = typeof value === 'string' ? utcTimestamp(value) : undefined;
    return at ?? { reason: `its first invocation's ${field} ${quoted(value)} ${NOT_INSTANT}` };
  };
  const start = read('startTimeUtc');
  const end = read('endTimeUtc');
  if (typeof start === 'object') return start;
  if (typeof end === 'object') return end;
  const started = start ?? end;
  if (started === undefined) return { reason: "its first run's first invocation states no startTimeUtc or endTimeUtc" };
  const finished = end ?? started;
  if ((parseRfc3339(finished) as number) < (parseRfc3339(started) as number))
    return {
      reason: `its first invocation's endTimeUtc ${quoted(finished)} is before its startTimeUtc ${quoted(started)}`,
    };
  return { started, finished };
}

/** Where each scanner's report states its time, as a JSON path, and how to read it; or why it states none. */
const REPORT_TIME: Record<ScanFormat, { path: string; read: (json: Record<string, unknown>) => unknown } | string> = {
  grype: { path: '$.descriptor.timestamp', read: (j) => (isObject(j.descriptor) ? j.descriptor.timestamp : undefined) },
  trivy: { path: '$.CreatedAt', read: (j) => j.CreatedAt },
  'osv-scanner': "OSV-Scanner's JSON report states no time of its scan",
  'npm-audit': "npm audit's JSON report states no time of its audit",
  zap: "ZAP's report states its time ($['@generated']) without a time zone: no instant",
};

/** A scanner's report's time, standing for both the scan's start and finish: the one time the report states. */
export function reportScanTimes(json: Record<string, unknown>, format: ScanFormat): ScanTimes {
  const where = REPORT_TIME[format];
  if (typeof where === 'string') return { reason: where };
  const value = where.read(json);
  if (value === undefined) return { reason: `its report states no time (${where.path})` };
  const at = typeof value === 'string' ? utcTimestamp(value) : undefined;
  return at === undefined
    ? { reason: `its ${where.path} ${quoted(value)} ${NOT_INSTANT}` }
    : { started: at, finished: at };
}

/** The legacy form's times (LEGACY_SCAN_TIMES), exactly as bundles signed before the rule above state them. */
export function legacyScanTimes(
  created: string,
  invocation?: { startTimeUtc?: unknown; endTimeUtc?: unknown },
): { started: string; finished: string } {
  const started = typeof invocation?.startTimeUtc === 'string' ? invocation.startTimeUtc : created;
  const finished = typeof invocation?.endTimeUtc === 'string' ? invocation.endTimeUtc : started;
  return { started, finished };
}
