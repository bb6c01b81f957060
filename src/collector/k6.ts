import * as z from 'zod';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import type { K6Summary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJson, readInput, type Collector } from './collector.js';
import { CollectError } from './errors.js';

export const K6_MEDIA_TYPE = 'application/json';

/**
 * k6's end-of-test summary, in either of the two JSON forms k6 writes:
 *
 * - `k6 run --summary-export=FILE`, the legacy export: each metric is a flat
 *   object of its stats (`{"avg": …, "p(95)": …}`, a rate's `value`, the
 *   `checks` metric's `passes`/`fails`), and `thresholds` maps each threshold
 *   expression to a boolean that is TRUE WHEN THE THRESHOLD FAILED. k6 builds
 *   this file from the handleSummary data in js/summary-wrapper.js
 *   (`oldJSONSummary`) as `thresholds[name] = !threshold.ok`; k6's own test
 *   (js/summary_test.go, TestOldJSONExport) expects `"my_trend<1000": true` for
 *   a threshold whose `LastFailed` is true. The inversion is known and kept for
 *   backward compatibility (grafana/k6#1498, grafana/k6-docs#30).
 * - The `data` object passed to `handleSummary()` (`JSON.stringify(data)`):
 *   each metric has `type`, `contains`, `values: {…}` and
 *   `thresholds: {expr: {ok}}`, where `ok: true` means the threshold PASSED;
 *   `root_group.groups` and `root_group.checks` are arrays.
 *
 * Durations are k6's raw milliseconds (summaryTimeUnit only changes the text
 * summary). Percentiles are present only if listed in `summaryTrendStats`
 * (k6's default lists p(90) and p(95), not p(99)); an absent one is null.
 *
 * `samples` records what the run did: the `iterations` and `http_reqs`
 * counters' counts, null when the summary has no such metric (k6 puts a metric
 * in the summary only once it has observed a sample of it). A threshold over
 * no samples passes in k6, so a run that did nothing reports its thresholds
 * passed; such a run holds nothing (policy/hollow.ts).
 */
export const k6Collector: Collector = {
  name: 'k6',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    const json = parseJson(input, bytes);
    const summary = isHandleSummaryData(json)
      ? fromHandleSummary(input.label, json)
      : fromSummaryExport(input.label, json);
    return outputFor(bytes, 'k6', K6_MEDIA_TYPE, { ...summary });
  },
};

// k6 serialises NaN as null (JSON.stringify), so a stat may be null.
const stat = z.number().nullable();
const count = z.number().int().nonnegative();
const duration = z.number().nonnegative().nullable().optional();
const rate = z.number().min(0).max(1).nullable().optional();
const checkCounts = { passes: count, fails: count };

/* ---- --summary-export ---- */

const exportThresholds = z.record(z.string(), z.boolean()).optional();
const exportMetric = z.object({ thresholds: exportThresholds }).catchall(stat);

interface ExportGroup {
  groups?: Record<string, ExportGroup> | undefined;
  checks?: Record<string, { passes: number; fails: number }> | undefined;
}
const exportGroup: z.ZodType<ExportGroup> = z.lazy(() =>
  z.looseObject({
    groups: z.record(z.string(), exportGroup).optional(),
    checks: z.record(z.string(), z.looseObject(checkCounts)).optional(),
  }),
);

const summaryExportSchema = z.looseObject({
  root_group: exportGroup.optional(),
  metrics: z
    .object({
      checks: z
        .object({ ...checkCounts, value: rate, thresholds: exportThresholds })
        .catchall(stat)
        .optional(),
      http_req_duration: z
        .object({ 'p(90)': duration, 'p(95)': duration, 'p(99)': duration, thresholds: exportThresholds })
        .catchall(stat)
        .optional(),
      http_req_failed: z.object({ value: rate, thresholds: exportThresholds }).catchall(stat).optional(),
      iterations: z.object({ count, thresholds: exportThresholds }).catchall(stat).optional(),
      http_reqs: z.object({ count, thresholds: exportThresholds }).catchall(stat).optional(),
    })
    .catchall(exportMetric),
});

function fromSummaryExport(label: string, json: unknown): K6Summary {
  const parsed = safeParseBounded(summaryExportSchema, json);
  if (!parsed.success) throw invalid(label, 'not a k6 --summary-export file', parsed.error);
  const { metrics, root_group } = parsed.data;
  const passed: string[] = [];
  const failed: string[] = [];
  for (const [metric, m] of Object.entries(metrics)) {
    // In the export, true means the threshold was crossed (failed); see above.
    for (const [expr, crossed] of Object.entries(m?.thresholds ?? {}))
      (crossed ? failed : passed).push(`${metric}:${expr}`);
  }
  const checks = metrics.checks
    ? { passed: metrics.checks.passes, failed: metrics.checks.fails }
    : sumGroupChecks(
        root_group,
        (g) => Object.values(g.groups ?? {}),
        (g) => Object.values(g.checks ?? {}),
      );
  const d = metrics.http_req_duration;
  return {
    checks,
    thresholds: { passed: sorted(passed), failed: sorted(failed) },
    httpReqDuration: { p90: d?.['p(90)'] ?? null, p95: d?.['p(95)'] ?? null, p99: d?.['p(99)'] ?? null },
    httpReqFailedRate: metrics.http_req_failed?.value ?? null,
    samples: { iterations: metrics.iterations?.count ?? null, httpReqs: metrics.http_reqs?.count ?? null },
  };
}

/* ---- handleSummary() data ---- */

const handleThresholds = z.record(z.string(), z.looseObject({ ok: z.boolean() })).optional();
const metricType = z.enum(['counter', 'gauge', 'rate', 'trend']);
const handleMetric = z.looseObject({
  type: metricType,
  contains: z.string().optional(),
  values: z.record(z.string(), stat),
  thresholds: handleThresholds,
});

interface HandleGroup {
  groups?: HandleGroup[] | undefined;
  checks?: { passes: number; fails: number }[] | undefined;
}
const handleGroup: z.ZodType<HandleGroup> = z.lazy(() =>
  z.looseObject({
    groups: z.array(handleGroup).optional(),
    checks: z.array(z.looseObject(checkCounts)).optional(),
  }),
);

const handleSummarySchema = z.looseObject({
  root_group: handleGroup.optional(),
  metrics: z
    .object({
      checks: handleMetric.extend({ values: z.looseObject({ ...checkCounts, rate }).catchall(stat) }).optional(),
      http_req_duration: handleMetric
        .extend({ values: z.looseObject({ 'p(90)': duration, 'p(95)': duration, 'p(99)': duration }).catchall(stat) })
        .optional(),
      http_req_failed: handleMetric.extend({ values: z.looseObject({ rate }).catchall(stat) }).optional(),
      iterations: handleMetric.extend({ values: z.looseObject({ count }).catchall(stat) }).optional(),
      http_reqs: handleMetric.extend({ values: z.looseObject({ count }).catchall(stat) }).optional(),
    })
    .catchall(handleMetric),
});

function fromHandleSummary(label: string, json: unknown): K6Summary {
  const parsed = safeParseBounded(handleSummarySchema, json);
  if (!parsed.success) throw invalid(label, 'not k6 handleSummary() data', parsed.error);
  const { metrics, root_group } = parsed.data;
  const passed: string[] = [];
  const failed: string[] = [];
  for (const [metric, m] of Object.entries(metrics)) {
    for (const [expr, t] of Object.entries(m?.thresholds ?? {})) (t.ok ? passed : failed).push(`${metric}:${expr}`);
  }
  const c = metrics.checks?.values;
  const checks = c
    ? { passed: c.passes, failed: c.fails }
    : sumGroupChecks(
        root_group,
        (g) => g.groups ?? [],
        (g) => g.checks ?? [],
      );
  const d = metrics.http_req_duration?.values;
  return {
    checks,
    thresholds: { passed: sorted(passed), failed: sorted(failed) },
    httpReqDuration: { p90: d?.['p(90)'] ?? null, p95: d?.['p(95)'] ?? null, p99: d?.['p(99)'] ?? null },
    httpReqFailedRate: metrics.http_req_failed?.values.rate ?? null,
    samples: {
      iterations: metrics.iterations?.values.count ?? null,
      httpReqs: metrics.http_reqs?.values.count ?? null,
    },
  };
}

/**
 * handleSummary data is told from the export by what only it has: the
 * `state`/`options` members, arrays in `root_group`, or a metric's `values`.
 */
function isHandleSummaryData(json: unknown): boolean {
  if (!isRecord(json)) return false;
  if (isRecord(json.state) || isRecord(json.options)) return true;
  const root = json.root_group;
  if (isRecord(root) && (Array.isArray(root.checks) || Array.isArray(root.groups))) return true;
  return isRecord(json.metrics) && Object.values(json.metrics).some((m) => isRecord(m) && isRecord(m.values));
}

/** Without a `checks` metric (k6 omits it when no check ran) the groups' checks are added up. */
function sumGroupChecks<G>(
  root: G | undefined,
  groups: (g: G) => G[],
  checks: (g: G) => { passes: number; fails: number }[],
): { passed: number; failed: number } {
  const out = { passed: 0, failed: 0 };
  const visit = (g: G): void => {
    for (const c of checks(g)) {
      out.passed += c.passes;
      out.failed += c.fails;
    }
    groups(g).forEach(visit);
  };
  if (root !== undefined) visit(root);
  return out;
}

function invalid(label: string, what: string, error: z.ZodError): CollectError {
  return new CollectError('K6_INVALID', `${label}: ${what}`, { file: label, issues: zodIssues(error) });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sorted(names: string[]): string[] {
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
