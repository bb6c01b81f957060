import * as z from 'zod';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import type { CoverageSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJson, readInput, stripBom, type Collector, type CollectorInput } from './collector.js';
import { CollectError, type InputIssue } from './errors.js';
import { attr, children, parseInputXml, type XmlNode } from './xml.js';

export const LCOV_MEDIA_TYPE = 'text/x-lcov';
export const COBERTURA_MEDIA_TYPE = 'application/xml';
export const ISTANBUL_SUMMARY_MEDIA_TYPE = 'application/json';

interface Counts {
  covered: number;
  total: number;
}

/**
 * Line and branch coverage from an lcov tracefile, a Cobertura XML report or
 * an istanbul `json-summary`, told apart by content: `<` starts XML, `{`
 * JSON, anything else must read as lcov. Ratios are covered/total worked out
 * here (null when nothing was measured), not the tool's rounded percentages.
 */
export const coverageCollector: Collector = {
  name: 'coverage',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    const text = stripBom(bytes.toString('utf8'));
    const first = /\S/.exec(text)?.[0];
    if (first === '<') return summaryOutput(bytes, 'cobertura', COBERTURA_MEDIA_TYPE, cobertura(input, bytes));
    if (first === '{')
      return summaryOutput(bytes, 'istanbul-json-summary', ISTANBUL_SUMMARY_MEDIA_TYPE, istanbulSummary(input, bytes));
    return summaryOutput(bytes, 'lcov', LCOV_MEDIA_TYPE, lcov(input, text));
  },
};

function summaryOutput(
  bytes: Buffer,
  format: CoverageSummary['format'],
  mediaType: string,
  c: { lines: Counts; branches: Counts },
) {
  const summary: CoverageSummary = { format, lines: withRatio(c.lines), branches: withRatio(c.branches) };
  return outputFor(bytes, 'coverage', mediaType, { ...summary });
}

function withRatio(c: Counts): CoverageSummary['lines'] {
  return { covered: c.covered, total: c.total, ratio: c.total === 0 ? null : c.covered / c.total };
}

function invalid(input: CollectorInput, what: string, issues: InputIssue[]): CollectError {
  return new CollectError('COVERAGE_INVALID', `${input.label}: ${what}`, { file: input.label, issues });
}

/* ---- lcov ---- */

interface LcovRecord {
  file: string;
  line: number;
  lf?: number;
  lh?: number;
  brf?: number;
  brh?: number;
  da: Map<string, number>;
  brda: Map<string, boolean>;
}

/**
 * lcov tracefile (geninfo(1) "TRACEFILE FORMAT"): records from `SF:` to
 * `end_of_record`. Per record the LF/LH and BRF/BRH totals are used when
 * present; otherwise DA lines are counted (covered: hits > 0) and BRDA lines
 * (covered: taken is a number > 0; "-" means the block never ran).
 * Unknown `KEY:` lines (FN, FNDA, VER, …) are passed over.
 */
function lcov(input: CollectorInput, text: string): { lines: Counts; branches: Counts } {
  const issues: InputIssue[] = [];
  const lines = { covered: 0, total: 0 };
  const branches = { covered: 0, total: 0 };
  let rec: LcovRecord | undefined;
  let records = 0;
  const nonNegInt = (raw: string, where: string): number | undefined => {
    if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
    issues.push({ path: where, message: `"${raw}" is not a non-negative integer` });
    return undefined;
  };
  const close = (): void => {
    if (!rec) return;
    const r = rec;
    const where = `line ${r.line}`;
    const daCovered = [...r.da.values()].filter((h) => h > 0).length;
    const lineCounts =
      r.lf !== undefined && r.lh !== undefined
        ? { total: r.lf, covered: r.lh }
        : { total: r.da.size, covered: daCovered };
    const brCovered = [...r.brda.values()].filter(Boolean).length;
    const branchCounts =
      r.brf !== undefined && r.brh !== undefined
        ? { total: r.brf, covered: r.brh }
        : { total: r.brda.size, covered: brCovered };
    if (lineCounts.covered > lineCounts.total)
      issues.push({ path: where, message: `${r.file}: ${lineCounts.covered} lines hit of ${lineCounts.total}` });
    if (branchCounts.covered > branchCounts.total)
      issues.push({ path: where, message: `${r.file}: ${branchCounts.covered} branches hit of ${branchCounts.total}` });
    lines.covered += lineCounts.covered;
    lines.total += lineCounts.total;
    branches.covered += branchCounts.covered;
    branches.total += branchCounts.total;
    records++;
    rec = undefined;
  };
  const rows = text.split(/\r?\n/);
  rows.forEach((raw, i) => {
    const row = raw.trim();
    const where = `line ${i + 1}`;
    if (row === '') return;
    if (row === 'end_of_record') {
      if (!rec) issues.push({ path: where, message: 'end_of_record outside a record' });
      close();
      return;
    }
    const m = /^([A-Z]+):(.*)$/.exec(row);
    if (!m) {
      issues.push({ path: where, message: `not an lcov line: "${row.slice(0, 60)}"` });
      return;
    }
    const key = m[1] as string;
    const value = m[2] as string;
    if (key === 'TN' || key === 'VER') return;
    if (key === 'SF') {
      if (rec) issues.push({ path: where, message: `SF before the end_of_record of ${rec.file}` });
      close();
      rec = { file: value, line: i + 1, da: new Map(), brda: new Map() };
      return;
    }
    if (!rec) {
      if (['DA', 'BRDA', 'LF', 'LH', 'BRF', 'BRH'].includes(key))
        issues.push({ path: where, message: `${key} outside a record (no SF before it)` });
      return;
    }
    switch (key) {
      case 'DA': {
        // DA:<line>,<hits>[,<checksum>]
        const [ln, hits] = value.split(',');
        const n = nonNegInt(ln ?? '', where);
        const h = hits !== undefined && /^-?\d+$/.test(hits.trim()) ? Math.max(0, Number(hits.trim())) : undefined;
        if (h === undefined) issues.push({ path: where, message: `"${hits ?? ''}" is not a hit count` });
        if (n !== undefined && h !== undefined) rec.da.set(String(n), (rec.da.get(String(n)) ?? 0) + h);
        return;
      }
      case 'BRDA': {
        // BRDA:<line>,<block>,<branch>,<taken>; taken is "-" when the block never ran.
        const parts = value.split(',');
        if (parts.length < 4) {
          issues.push({ path: where, message: 'BRDA needs line,block,branch,taken' });
          return;
        }
        const taken = (parts[parts.length - 1] as string).trim();
        if (taken !== '-' && !/^\d+$/.test(taken)) {
          issues.push({ path: where, message: `"${taken}" is not a branch count or "-"` });
          return;
        }
        const id = parts.slice(0, -1).join(',');
        rec.brda.set(id, (rec.brda.get(id) ?? false) || (taken !== '-' && Number(taken) > 0));
        return;
      }
      case 'LF':
      case 'LH':
      case 'BRF':
      case 'BRH': {
        const n = nonNegInt(value, where);
        if (n !== undefined) rec[key.toLowerCase() as 'lf' | 'lh' | 'brf' | 'brh'] = n;
        return;
      }
      default:
        return;
    }
  });
  if (rec)
    issues.push({
      path: `line ${rec.line}`,
      message: `the record for ${rec.file} has no end_of_record`,
    });
  if (records === 0 && issues.length === 0)
    issues.push({
      path: 'line 1',
      message: 'no SF: record (not an lcov tracefile, Cobertura XML or istanbul json-summary)',
    });
  if (issues.length > 0) throw invalid(input, 'not a valid lcov tracefile', issues);
  return { lines, branches };
}

/* ---- Cobertura ---- */

/**
 * Cobertura XML: the root's lines-valid/lines-covered and
 * branches-valid/branches-covered when given; otherwise the class-level
 * <line> elements (packages/package/classes/class/lines/line, not the copies
 * under <methods>) are counted: covered when hits > 0, and branches from
 * `condition-coverage="50% (1/2)"` on lines with branch="true".
 */
function cobertura(input: CollectorInput, bytes: Buffer): { lines: Counts; branches: Counts } {
  const doc = parseInputXml(input, bytes);
  const roots = children(doc, 'coverage');
  const root = roots[0];
  if (roots.length !== 1 || !root)
    throw invalid(input, 'the root element must be Cobertura <coverage>', [
      { path: '/', message: 'no <coverage> root element' },
    ]);
  const issues: InputIssue[] = [];
  const count = (name: string): number | undefined => {
    const raw = attr(root, name);
    if (raw === undefined) return undefined;
    if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
    issues.push({ path: `/coverage/@${name}`, message: `"${raw}" is not a non-negative integer` });
    return undefined;
  };
  const lv = count('lines-valid');
  const lc = count('lines-covered');
  const bv = count('branches-valid');
  const bc = count('branches-covered');
  let lines: Counts | undefined = lv !== undefined && lc !== undefined ? { total: lv, covered: lc } : undefined;
  let branches: Counts | undefined = bv !== undefined && bc !== undefined ? { total: bv, covered: bc } : undefined;
  if (!lines || !branches) {
    const fromLines = { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
    children(root, 'packages').forEach((pkgs, a) =>
      children(pkgs, 'package').forEach((pkg, b) =>
        children(pkg, 'classes').forEach((classes, c) =>
          children(classes, 'class').forEach((cls, d) =>
            children(cls, 'lines').forEach((ls, e) =>
              children(ls, 'line').forEach((line, f) => {
                const where = `/coverage/packages[${a + 1}]/package[${b + 1}]/classes[${c + 1}]/class[${d + 1}]/lines[${e + 1}]/line[${f + 1}]`;
                countLine(line, where, fromLines, issues);
              }),
            ),
          ),
        ),
      ),
    );
    lines ??= fromLines.lines;
    branches ??= fromLines.branches;
  }
  if (lines.covered > lines.total)
    issues.push({ path: '/coverage', message: `${lines.covered} lines covered of ${lines.total}` });
  if (branches.covered > branches.total)
    issues.push({ path: '/coverage', message: `${branches.covered} branches covered of ${branches.total}` });
  if (issues.length > 0) throw invalid(input, 'not a valid Cobertura report', issues);
  return { lines, branches };
}

function countLine(
  line: XmlNode,
  where: string,
  into: { lines: Counts; branches: Counts },
  issues: InputIssue[],
): void {
  const hits = (attr(line, 'hits') ?? '').trim();
  if (!/^\d+$/.test(hits)) {
    issues.push({ path: `${where}/@hits`, message: `"${hits}" is not a hit count` });
    return;
  }
  into.lines.total++;
  if (Number(hits) > 0) into.lines.covered++;
  if (attr(line, 'branch') !== 'true') return;
  const cc = attr(line, 'condition-coverage');
  const m = cc === undefined ? null : /\((\d+)\/(\d+)\)/.exec(cc);
  if (!m) {
    issues.push({ path: `${where}/@condition-coverage`, message: `"${cc ?? ''}" has no (covered/total)` });
    return;
  }
  into.branches.covered += Number(m[1]);
  into.branches.total += Number(m[2]);
}

/* ---- istanbul json-summary ---- */

const nonNeg = z.number().int().nonnegative();
const istanbulCounts = z.looseObject({
  total: nonNeg,
  covered: nonNeg,
  skipped: nonNeg.optional(),
  pct: z.union([z.number(), z.literal('Unknown')]).optional(),
});
const istanbulSummarySchema = z.looseObject({
  total: z.looseObject({
    lines: istanbulCounts,
    statements: istanbulCounts.optional(),
    functions: istanbulCounts.optional(),
    branches: istanbulCounts,
  }),
});

/** istanbul's `json-summary` reporter (coverage-summary.json): the `total` member. */
function istanbulSummary(input: CollectorInput, bytes: Buffer): { lines: Counts; branches: Counts } {
  const parsed = safeParseBounded(istanbulSummarySchema, parseJson(input, bytes));
  if (!parsed.success)
    throw invalid(input, 'not an istanbul json-summary (coverage-summary.json)', zodIssues(parsed.error));
  const { lines, branches } = parsed.data.total;
  const issues: InputIssue[] = [];
  if (lines.covered > lines.total)
    issues.push({ path: '$.total.lines.covered', message: `${lines.covered} covered of ${lines.total}` });
  if (branches.covered > branches.total)
    issues.push({ path: '$.total.branches.covered', message: `${branches.covered} covered of ${branches.total}` });
  if (issues.length > 0) throw invalid(input, 'not a valid istanbul json-summary', issues);
  return {
    lines: { covered: lines.covered, total: lines.total },
    branches: { covered: branches.covered, total: branches.total },
  };
}
