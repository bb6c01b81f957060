import { basename, extname } from 'node:path';
import { parseYamlDocuments } from '../formats/yaml.js';
import * as z from 'zod';
import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import { isRfc3339 } from '../core/time.js';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import { BURN_WINDOWS, type SloSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { isoSeconds, parseDuration } from './as-of.js';
import { generatedOutput, parseJson, readInput, type Collector, type CollectorInput } from './collector.js';
import { CollectError } from './errors.js';
import type { PrometheusClient } from './prometheus.js';

export const SLO_SNAPSHOT_MEDIA_TYPE = 'application/vnd.evidence.slo-snapshot+json';
export const SLO_SNAPSHOT_TYPE = 'evidence-slo-snapshot/v1';
const DEFAULT_PERIOD = '30d';
type BurnWindow = (typeof BURN_WINDOWS)[number];

/** Multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5): [long, short, threshold]. */
export const ALERTS = {
  page: [
    ['1h', '5m', 14.4],
    ['6h', '30m', 6],
  ],
  ticket: [
    ['1d', '2h', 3],
    ['3d', '6h', 1],
  ],
} as const satisfies Record<string, readonly (readonly [BurnWindow, BurnWindow, number])[]>;

// --- Definitions -----------------------------------------------------------

const windowTemplate = z.string().min(1);

/** Sloth's prometheus/v1 spec (sloth.dev): objective in percent, queries with {{.window}}. */
const slothSchema = z.looseObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  slos: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        objective: z.number().gt(0).lt(100),
        sli: z.union([
          z.looseObject({ events: z.strictObject({ error_query: windowTemplate, total_query: windowTemplate }) }),
          z.looseObject({ raw: z.strictObject({ error_ratio_query: windowTemplate }) }),
        ]),
      }),
    )
    .min(1),
});

const promSource = z.looseObject({
  metricSource: z.looseObject({
    type: z.string().regex(/^prometheus$/i, 'only Prometheus metric sources are supported'),
    spec: z.looseObject({ query: z.string().min(1) }),
  }),
});

/** OpenSLO v1 (github.com/OpenSLO/OpenSLO, v1 SLO with an inline ratioMetric SLI). */
const openSloSchema = z.looseObject({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.looseObject({
    service: z.string().min(1),
    indicator: z.looseObject({
      spec: z.looseObject({
        ratioMetric: z
          .looseObject({
            counter: z.boolean().optional(),
            good: promSource.optional(),
            bad: promSource.optional(),
            total: promSource,
          })
          .refine(
            (r) => (r.good === undefined) !== (r.bad === undefined),
            'a ratioMetric needs exactly one of good or bad',
          ),
      }),
    }),
    timeWindow: z
      .array(
        z.looseObject({
          duration: z.string().regex(/^\d+[mhdw]$/),
          isRolling: z.literal(true, 'only rolling time windows are supported'),
        }),
      )
      .length(1),
    objectives: z
      .array(z.looseObject({ target: z.number().gt(0).lt(1) }))
      .length(1, 'exactly one objective is supported'),
  }),
});

/** One SLO, whichever format it came from. */
export interface SloDefinition {
  name: string;
  service: string;
  objective: number;
  period: string;
  /** The error-ratio PromQL for a window such as `30d`. */
  errorRatioQuery(window: string): string;
}

export function parseSloDefinitions(text: string, label: string): SloDefinition[] {
  let docs: unknown[];
  try {
    docs = parseYamlDocuments(text);
  } catch (e) {
    throw new CollectError(
      'SLO_DEFINITION_INVALID',
      `${label}: not valid YAML (${(e as Error).message.split('\n')[0]})`,
      {
        file: label,
      },
    );
  }
  const out: SloDefinition[] = [];
  docs.forEach((doc, d) => {
    const raw = doc as Record<string, unknown> | null;
    if (raw === null) return;
    const at = docs.length > 1 ? `document ${d + 1}: ` : '';
    if (raw.version === 'prometheus/v1') {
      const parsed = safeParseBounded(slothSchema, raw);
      if (!parsed.success)
        throw new CollectError('SLO_DEFINITION_INVALID', `${label}: ${at}not a valid Sloth SLO spec`, {
          file: label,
          issues: zodIssues(parsed.error),
        });
      for (const slo of parsed.data.slos) {
        const sli = slo.sli as {
          events?: { error_query: string; total_query: string };
          raw?: { error_ratio_query: string };
        };
        out.push({
          name: slo.name,
          service: parsed.data.service,
          objective: round(slo.objective / 100),
          period: DEFAULT_PERIOD,
          errorRatioQuery: (w) =>
            sli.events
              ? `(${fill(sli.events.error_query, w)}) / (${fill(sli.events.total_query, w)})`
              : fill((sli.raw as { error_ratio_query: string }).error_ratio_query, w),
        });
      }
    } else if (raw.apiVersion === 'openslo/v1') {
      if (raw.kind !== 'SLO') return; // Services, SLIs kept elsewhere, … are not SLOs.
      const parsed = safeParseBounded(openSloSchema, raw);
      if (!parsed.success)
        throw new CollectError('SLO_DEFINITION_INVALID', `${label}: ${at}not a supported OpenSLO v1 SLO`, {
          file: label,
          issues: zodIssues(parsed.error),
        });
      const spec = parsed.data.spec;
      const ratio = spec.indicator.spec.ratioMetric;
      const total = ratio.total.metricSource.spec.query;
      const part = (ratio.good ?? ratio.bad)!.metricSource.spec.query;
      out.push({
        name: parsed.data.metadata.name,
        service: spec.service,
        objective: (spec.objectives[0] as { target: number }).target,
        period: (spec.timeWindow[0] as { duration: string }).duration,
        errorRatioQuery: (w) =>
          ratio.good
            ? `1 - (${counterQuery(part, w, label)}) / (${counterQuery(total, w, label)})`
            : `(${counterQuery(part, w, label)}) / (${counterQuery(total, w, label)})`,
      });
    } else {
      throw new CollectError(
        'SLO_DEFINITION_INVALID',
        `${label}: ${at}neither a Sloth spec (version: prometheus/v1) nor OpenSLO (apiVersion: openslo/v1)`,
        { file: label },
      );
    }
  });
  if (out.length === 0) throw new CollectError('SLO_DEFINITION_INVALID', `${label}: defines no SLO`, { file: label });
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name))
      throw new CollectError('SLO_DEFINITION_INVALID', `${label}: two SLOs are named '${s.name}'`, { file: label });
    names.add(s.name);
    parseDuration(s.period, `${label}: ${s.name} period`);
  }
  return out;
}

function fill(template: string, window: string): string {
  return template.replaceAll('{{.window}}', window).replaceAll('{{ .window }}', window);
}

/** OpenSLO names counters, not windows: a bare selector becomes its increase over the window. */
function counterQuery(query: string, window: string, label: string): string {
  if (query.includes('.window')) return fill(query, window);
  if (/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/.test(query.trim())) return `sum(increase(${query.trim()}[${window}]))`;
  throw new CollectError(
    'SLO_DEFINITION_INVALID',
    `${label}: the OpenSLO query '${query}' must be a counter selector (metric{labels}) or use {{.window}}`,
    { file: label },
  );
}

// --- Snapshot ---------------------------------------------------------------

const snapshotSchema = z.strictObject({
  type: z.literal(SLO_SNAPSHOT_TYPE),
  asOf: z.string().refine(isRfc3339, 'an RFC 3339 time naming a real instant'),
  prometheus: z.string(),
  definitions: z.strictObject({ file: z.string(), sha256: z.string() }),
  slos: z.array(
    z.strictObject({
      name: z.string(),
      service: z.string(),
      objective: z.number().gt(0).lt(1),
      period: z.string(),
      queries: z.record(z.string(), z.string()),
    }),
  ),
  results: z.array(z.strictObject({ query: z.string(), time: z.string(), value: z.string(), data: z.unknown() })),
  generator: z.string(),
});
export type SloSnapshot = z.infer<typeof snapshotSchema>;

export type SloSource = { kind: 'live'; prometheus: PrometheusClient } | { kind: 'snapshot' };

/**
 * SLOs from Prometheus at one instant: every query is sent with `time` = the
 * as-of instant, so all figures come from one consistent point. The blob is a
 * snapshot holding every query and its raw answer; `--slo-snapshot` reads
 * such a snapshot back and recomputes the figures from the answers in it.
 */
export function sloCollector(options: { source: SloSource; asOf: Date }): Collector {
  return {
    name: 'slo',
    version: PACKAGE_VERSION,
    async collect(input: CollectorInput) {
      const bytes = await readInput(input);
      const snapshot =
        options.source.kind === 'live'
          ? await takeSnapshot(input, bytes, options.source.prometheus, options.asOf)
          : readSnapshot(input, bytes);
      const summary = summarize(snapshot, options.source.kind === 'live', input.label);
      const out = canonicalBytes(snapshot);
      const name = `${basename(input.file, extname(input.file))}.json`;
      return generatedOutput(out, name, 'slo', SLO_SNAPSHOT_MEDIA_TYPE, summary);
    },
  };
}

async function takeSnapshot(
  input: CollectorInput,
  bytes: Buffer,
  prometheus: PrometheusClient,
  asOf: Date,
): Promise<SloSnapshot> {
  const definitions = parseSloDefinitions(bytes.toString('utf8'), input.label);
  const slos = definitions.map((d) => {
    const queries: Record<string, string> = { sli: d.errorRatioQuery(d.period) };
    for (const w of BURN_WINDOWS) queries[w] = d.errorRatioQuery(w);
    return { name: d.name, service: d.service, objective: d.objective, period: d.period, queries };
  });
  const unique = [...new Set(slos.flatMap((s) => Object.values(s.queries)))];
  const results: SloSnapshot['results'] = [];
  // A few at a time: one consistent instant, without flooding the server.
  for (let i = 0; i < unique.length; i += 4) {
    const batch = await Promise.all(
      unique.slice(i, i + 4).map(async (query) => ({ query, data: await prometheus.query(query, asOf) })),
    );
    for (const { query, data } of batch)
      results.push({ query, time: isoSeconds(asOf), value: scalarOf(query, data), data });
  }
  return {
    type: SLO_SNAPSHOT_TYPE,
    asOf: isoSeconds(asOf),
    prometheus: prometheus.url,
    definitions: { file: basename(input.file), sha256: sha256Hex(bytes) },
    slos,
    results,
    generator: `evidence ${PACKAGE_VERSION}`,
  };
}

function readSnapshot(input: CollectorInput, bytes: Buffer): SloSnapshot {
  const parsed = safeParseBounded(snapshotSchema, parseJson(input, bytes));
  if (!parsed.success)
    throw new CollectError('SLO_SNAPSHOT_INVALID', `${input.label}: not an evidence SLO snapshot`, {
      file: input.label,
      issues: zodIssues(parsed.error),
    });
  // The figures are recomputed from the raw answers, so a hand-edited value cannot hide.
  for (const r of parsed.data.results) {
    const again = scalarOf(r.query, r.data as never, input.label);
    if (again !== r.value)
      throw new CollectError(
        'SLO_SNAPSHOT_INVALID',
        `${input.label}: the value recorded for ${r.query} is not the one its raw answer holds`,
        { file: input.label },
      );
  }
  return parsed.data;
}

/** The one sample an error-ratio query must return; no series or NaN is an error, never a silent zero. */
function scalarOf(query: string, data: { resultType: string; result: unknown }, label = 'Prometheus'): string {
  let value: unknown;
  if (data.resultType === 'scalar') value = (data.result as [number, string])[1];
  else if (data.resultType === 'vector') {
    const series = data.result as { value: [number, string] }[];
    if (!Array.isArray(series) || series.length === 0)
      throw new CollectError('PROMETHEUS_NO_DATA', `${label}: ${query} returned no series (no data for that window?)`);
    if (series.length > 1)
      throw new CollectError(
        'PROMETHEUS_NO_DATA',
        `${label}: ${query} returned ${series.length} series; an SLI query must aggregate to one (use sum())`,
      );
    value = series[0]?.value?.[1];
  } else throw new CollectError('PROMETHEUS_NO_DATA', `${label}: ${query} returned a ${data.resultType}, not a number`);
  if (typeof value !== 'string' || !Number.isFinite(Number(value))) {
    throw new CollectError(
      'PROMETHEUS_NO_DATA',
      `${label}: ${query} evaluated to ${String(value)} (no requests in the window?)`,
    );
  }
  return value;
}

/**
 * An error ratio outside [0, 1] (more good events than events: the two queries count different requests, or a counter
 * was reset between them) is refused, naming the SLO and its query: read as 0 it would be an SLI of 100 % and a whole
 * error budget, which the answers do not show.
 */
function summarize(snapshot: SloSnapshot, live: boolean, label: string): SloSummary {
  const valueOf = new Map(snapshot.results.map((r) => [r.query, Number(r.value)]));
  const get = (s: SloSnapshot['slos'][number], key: string): number => {
    const q = s.queries[key];
    const v = q === undefined ? undefined : valueOf.get(q);
    if (v === undefined)
      throw new CollectError('SLO_SNAPSHOT_INVALID', `${label}: the snapshot has no answer for ${q}`);
    if (v < 0 || v > 1)
      throw new CollectError(
        'SLO_ERROR_RATIO_INVALID',
        `${label}: SLO ${s.name}: its error ratio over ${key === 'sli' ? s.period : key} is ${v}, not between 0 and 1 (more good events than events?)`,
        { file: label, issues: [{ path: `SLO ${s.name}, query ${q}`, message: `evaluated to ${v}` }] },
      );
    return v;
  };
  return {
    asOf: snapshot.asOf,
    live,
    slos: snapshot.slos.map((s) => {
      const budget = 1 - s.objective;
      const errorRatio = get(s, 'sli');
      const burn = Object.fromEntries(BURN_WINDOWS.map((w) => [w, round(get(s, w) / budget)])) as Record<
        BurnWindow,
        number
      >;
      const fires = (rules: readonly (readonly [BurnWindow, BurnWindow, number])[]): boolean =>
        rules.some(([long, short, t]) => burn[long] > t && burn[short] > t);
      const consumed = round(errorRatio / budget);
      return {
        name: s.name,
        service: s.service,
        objective: s.objective,
        period: s.period,
        sli: round(1 - errorRatio),
        errorBudget: { total: round(budget), consumed, remaining: round(1 - consumed) },
        burnRates: burn,
        alerts: { page: fires(ALERTS.page), ticket: fires(ALERTS.ticket) },
      };
    }),
  };
}

/** Twelve significant digits: enough for any SLO, and stable across platforms. */
function round(n: number): number {
  return Number(n.toPrecision(12));
}
