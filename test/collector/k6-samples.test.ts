import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Collector } from '../../src/collector/k6.js';
import type { Manifest } from '../../src/core/manifest.js';
import { k6SummarySchema } from '../../src/core/summaries.js';
import { describeSummary } from '../../src/present/text.js';
import { controlResults } from '../../src/verifier/controls/index.js';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { hollowWhy } from '../../src/verifier/policy/hollow.js';
import { baselineManifest } from '../helpers/craft.js';
import { summaryEntry } from '../helpers/entries.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * Class: a load test that ran nothing read as a load test that passed. k6 passes a threshold over no samples, so a
 * run with no iteration and no request reports its thresholds passed; the summary records what the run counted
 * (`samples`), and such a run holds nothing to judge.
 */
const tmp = useTmp();

async function collectJson(value: unknown) {
  const file = join(await tmp(), 'k6.json');
  await writeFile(file, JSON.stringify(value));
  return k6Collector.collect({ file, label: 'k6.json' });
}

/** The outside review's reproduction (k6-zero.json): handleSummary data of a run that made no iteration. */
const ZERO_RUN = {
  state: { testRunDurationMs: 1000 },
  options: {},
  root_group: { name: '', groups: [], checks: [] },
  metrics: {
    iterations: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 } },
    http_req_duration: {
      type: 'trend',
      contains: 'time',
      values: { 'p(90)': null, 'p(95)': null, avg: null },
      thresholds: { 'p(95)<500': { ok: true } },
    },
    http_req_failed: {
      type: 'rate',
      contains: 'default',
      values: { rate: null, passes: 0, fails: 0 },
      thresholds: { 'rate<0.01': { ok: true } },
    },
  },
};

function ruleOver(summary: Record<string, unknown>) {
  const m: Manifest = {
    ...baselineManifest(),
    entries: [...baselineManifest().entries, summaryEntry('k6', 1, summary)],
  };
  const policy = {
    version: 1,
    rules: [{ name: 'r', expr: 'k6.all(k, size(k.thresholds.failed) == 0)', controls: ['C'] }],
  };
  const result = evaluatePolicy(loadPolicy(Buffer.from(JSON.stringify(policy)), 'p'), {
    manifest: m,
    blobs: new Map(),
    mode: 'signed',
    now: new Date(),
  });
  return { rule: result.rules[0], control: controlResults(result)[0] };
}

describe('what a k6 run did', () => {
  it('a run with no iteration and no request: counted, hollow, said so, and its thresholds rule shows nothing', async () => {
    const { summary } = await collectJson(ZERO_RUN);
    expect(summary).toMatchObject({
      thresholds: { passed: ['http_req_duration:p(95)<500', 'http_req_failed:rate<0.01'], failed: [] },
      samples: { iterations: 0, httpReqs: 0 },
    });
    expect(k6SummarySchema.safeParse(summary).success).toBe(true);
    expect(hollowWhy(summaryEntry('k6', 1, summary))).toMatch(/without iterations or requests/);
    expect(describeSummary('k6', summary)).toMatch(
      /^NO ITERATIONS OR REQUESTS \(a run that did nothing proves nothing/,
    );
    const { rule, control } = ruleOver(summary);
    expect(rule).toMatchObject({ status: 'pass', reads: [{ kind: 'k6', count: 1, empty: 1 }] });
    expect(control?.state).not.toBe('held');
  });

  it('k6 leaves out a metric it never observed: no iterations or http_reqs metric is no sample either (both forms)', async () => {
    const metrics: Record<string, unknown> = { ...ZERO_RUN.metrics };
    delete metrics.iterations;
    delete metrics.http_reqs;
    const handle = await collectJson({ ...ZERO_RUN, metrics });
    expect(handle.summary).toMatchObject({ samples: { iterations: null, httpReqs: null } });
    expect(hollowWhy(summaryEntry('k6', 1, handle.summary))).toBeDefined();
    const exported = await collectJson({
      root_group: { name: '', groups: {}, checks: {} },
      metrics: { http_req_duration: { 'p(95)': 0, thresholds: { 'p(95)<500': false } } },
    });
    expect(exported.summary).toMatchObject({
      thresholds: { passed: ['http_req_duration:p(95)<500'], failed: [] },
      samples: { iterations: null, httpReqs: null },
    });
    expect(hollowWhy(summaryEntry('k6', 2, exported.summary))).toBeDefined();
  });

  it('a run that did something holds it and says how much (both forms, from the fixtures)', async () => {
    for (const [name, iterations, httpReqs] of [
      ['handle-summary.handwritten.json', 300, 600],
      ['summary-export.handwritten.json', 400, 800],
    ] as const) {
      const { summary } = await k6Collector.collect({ file: fixture(`k6/${name}`), label: name });
      expect(summary, name).toMatchObject({ samples: { iterations, httpReqs } });
      expect(hollowWhy(summaryEntry('k6', 1, summary)), name).toBeUndefined();
      expect(describeSummary('k6', summary), name).toMatch(
        new RegExp(`; ${iterations} iterations, ${httpReqs} requests$`),
      );
    }
    // An iteration cut short (no iteration completed) that made requests did something.
    const data = JSON.parse(await readFile(fixture('k6/handle-summary.handwritten.json'), 'utf8')) as {
      metrics: Record<string, unknown>;
    };
    delete data.metrics.iterations;
    const cut = await collectJson(data);
    expect(cut.summary).toMatchObject({ samples: { iterations: null, httpReqs: 600 } });
    expect(hollowWhy(summaryEntry('k6', 1, cut.summary))).toBeUndefined();
    expect(describeSummary('k6', cut.summary)).toMatch(/no iterations counted, 600 requests$/);
  });

  it('a summary from before samples were recorded is read as it always was', () => {
    const old = {
      checks: { passed: 0, failed: 0 },
      thresholds: { passed: ['http_req_duration:p(95)<500'], failed: [] },
      httpReqDuration: { p90: null, p95: null, p99: null },
      httpReqFailedRate: null,
    };
    expect(hollowWhy(summaryEntry('k6', 1, old))).toBeUndefined();
    expect(describeSummary('k6', old)).toBe('checks 0 passed, 0 failed; thresholds 1 passed, 0 failed; p95 n/a ms');
  });

  it('refuses a counter count that is not a count, naming the field', async () => {
    const bad = {
      ...ZERO_RUN,
      metrics: { ...ZERO_RUN.metrics, iterations: { type: 'counter', values: { count: -1 } } },
    };
    await expect(collectJson(bad)).rejects.toMatchObject({
      code: 'K6_INVALID',
      issues: [expect.objectContaining({ path: '$.metrics.iterations.values.count' })],
    });
  });
});
