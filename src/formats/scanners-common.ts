/**
 * What the five scanner readers (`scanners-*.ts`) share: errors that name the field, the severity tables, the bound on
 * findings, and the last step every reader takes: duplicates merged into one finding, lists made distinct, findings
 * sorted so that the same report always gives the same output.
 */
import { appendAll } from '../core/objects.js';
import * as z from 'zod';
import { formatIssuePath, issuesInline, zodIssues, safeParseBounded } from '../core/issues.js';
import { FormatError } from './errors.js';
import { FINDING_SEVERITIES, type Cvss, type Finding, type FindingSeverity } from './findings.js';

/** The most findings one report may hold before it is refused (counted as the report lists them, before merging). */
export const MAX_SCAN_FINDINGS = 200_000;

/** A JSON path as a list of keys and indexes; messages write it `$.matches[3].artifact.name`. */
export type JsonPath = readonly (string | number)[];

/** SCAN_INVALID for one field: the message starts with the file's label and names the field's path. */
export function scanInvalid(label: string, path: JsonPath, why: string): FormatError {
  return new FormatError('SCAN_INVALID', `${label}: ${formatIssuePath(path)}: ${why}`, { file: label });
}

/** SCAN_INVALID when a report lists more findings than MAX_SCAN_FINDINGS; `path` is the list counted. */
export function checkFindingCount(label: string, path: JsonPath, count: number): void {
  if (count > MAX_SCAN_FINDINGS) {
    throw scanInvalid(label, path, `${count} findings, more than the ${MAX_SCAN_FINDINGS} a report may hold`);
  }
}

/** The number of lists' items, for bounds counted before a schema reads them (anything that is not a list counts 0). */
export function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Whether the value is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A failed union's issue replaced by those of the branch that got furthest, so that the deepest field is named. */
function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: z.core.$ZodIssue[]) => branch.reduce((n, i) => Math.max(n, i.path.length), 0);
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      appendAll(out, flatten(best, path));
    } else {
      out.push({ ...issue, path });
    }
  }
  return out;
}

/**
 * A value read with a schema; on failure a FormatError (`code`) whose message starts with the label and names the
 * first fields that break it, every issue kept.
 */
export function parseWith<T extends z.ZodType>(
  schema: T,
  json: unknown,
  label: string,
  what: string,
  code: 'SCAN_INVALID' | 'KEV_INVALID' = 'SCAN_INVALID',
): z.output<T> {
  const parsed = safeParseBounded(schema, json, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = zodIssues(new z.ZodError(flatten(parsed.error.issues, [])));
  throw new FormatError(code, `${label}: ${issuesInline(issues, 3)} (not ${what})`, { file: label, issues });
}

// ---------------------------------------------------------------------------
// Severities
// ---------------------------------------------------------------------------

/** A tool's severity names (lower-cased) and what each is in the model. */
export type SeverityTable = ReadonlyMap<string, FindingSeverity>;

/** The model's severity for a tool's name of one, read case-insensitively; undefined when the table lacks it. */
export function severityOf(table: SeverityTable, text: string | undefined): FindingSeverity | undefined {
  return text === undefined ? undefined : table.get(text.toLowerCase());
}

/** A string that is one of the table's severity names, in any case. */
export function severityField(table: SeverityTable, names: string): z.ZodString {
  return z.string().refine((s) => table.has(s.toLowerCase()), { message: `expected one of ${names} (any case)` });
}

/** CVSS's qualitative band of a base score: 9.0 and up critical, 7.0 high, 4.0 medium, above 0 low; else undefined. */
export function bandOf(score: number): FindingSeverity | undefined {
  if (!Number.isFinite(score) || score <= 0) return undefined;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** The number a string holds when it is a plain decimal number (`7.5`), else undefined. */
export function numberIn(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (text === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

/** The more severe of two severities (`unknown` is the least). */
function worse(a: FindingSeverity, b: FindingSeverity): FindingSeverity {
  return FINDING_SEVERITIES.indexOf(a) <= FINDING_SEVERITIES.indexOf(b) ? a : b;
}

/** The CVSS version a vector states in its prefix (`CVSS:3.1/…` → `3.1`), else undefined. */
export function cvssVersionOf(vector: string | undefined): string | undefined {
  return vector === undefined ? undefined : /^CVSS:(\d+\.\d+)\//.exec(vector)?.[1];
}

/** Text that says something: trimmed, undefined when empty. */
export function someText(text: string | null | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

// ---------------------------------------------------------------------------
// Merging and order
// ---------------------------------------------------------------------------

/** A finding as one entry of a report gives it, with the key that tells duplicates (same advisory, same package). */
export interface Draft {
  key: string;
  finding: Finding;
}

/** The key of a package finding: its id and purl, else its id and package name and version. */
export function packageKey(id: string, purl: string | undefined, name: string, version: string | undefined): string {
  return purl !== undefined ? `${id}\u0000purl\u0000${purl}` : `${id}\u0000pkg\u0000${name}\u0000${version ?? ''}`;
}

function distinct<T>(items: T[], keyOf: (item: T) => string = String): T[] {
  if (items.length < 2) return items;
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = keyOf(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

const cvssKey = (c: Cvss): string => JSON.stringify([c.version, c.vector ?? null, c.score ?? null, c.source ?? null]);

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Findings in the order output takes: by id, then purl (else package name), then location, then version. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compare(a.id, b.id) ||
    compare(a.purl ?? a.package?.name ?? '', b.purl ?? b.package?.name ?? '') ||
    compare(a.location ?? '', b.location ?? '') ||
    compare(a.package?.version ?? '', b.package?.version ?? '')
  );
}

/**
 * The report's findings: drafts with the same key merged into one (aliases, CVSS ratings, fix versions and CWEs
 * joined, the worst severity, the first title and location the report gives, known exploited if any says so), every
 * list distinct (aliases sorted, without the id), sorted by compareFindings.
 */
export function finishFindings(drafts: Iterable<Draft>): Finding[] {
  // Lists are joined in place: copying them on every duplicate would make many duplicates quadratic.
  const merged = new Map<string, Finding>();
  for (const { key, finding } of drafts) {
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, {
        ...finding,
        aliases: [...finding.aliases],
        cvss: [...finding.cvss],
        fixVersions: [...finding.fixVersions],
        cwes: [...finding.cwes],
      });
      continue;
    }
    for (const a of finding.aliases) seen.aliases.push(a);
    for (const c of finding.cvss) seen.cvss.push(c);
    for (const v of finding.fixVersions) seen.fixVersions.push(v);
    for (const c of finding.cwes) seen.cwes.push(c);
    seen.severity = worse(seen.severity, finding.severity);
    seen.title ??= finding.title;
    seen.location ??= finding.location;
    if (finding.knownExploited === true) seen.knownExploited = true;
  }
  const out: Finding[] = [];
  for (const f of merged.values()) {
    const aliases = f.aliases.filter((a) => a !== '' && a !== f.id);
    const finding: Finding = {
      id: f.id,
      aliases: aliases.length < 2 ? aliases : distinct(aliases).sort(compare),
      severity: f.severity,
      cvss: distinct(f.cvss, cvssKey),
      fixVersions: distinct(f.fixVersions.filter((v) => v !== '')),
      cwes: distinct(f.cwes.filter((c) => c !== '')),
    };
    if (f.purl !== undefined) finding.purl = f.purl;
    if (f.package !== undefined) finding.package = f.package;
    if (f.title !== undefined) finding.title = f.title;
    if (f.location !== undefined) finding.location = f.location;
    if (f.knownExploited === true) finding.knownExploited = true;
    out.push(finding);
  }
  return out.sort(compareFindings);
}

/** The model's package: its name, and its version and ecosystem where the report gives them (empty text is none). */
export function packageOf(name: string, version?: string, ecosystem?: string): NonNullable<Finding['package']> {
  const v = someText(version);
  const e = someText(ecosystem);
  return { name, ...(v !== undefined && { version: v }), ...(e !== undefined && { ecosystem: e }) };
}
