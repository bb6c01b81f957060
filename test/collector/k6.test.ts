import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../../src/collector/errors.js';
import { k6Collector } from '../../src/collector/k6.js';
import { k6SummarySchema } from '../../src/core/summaries.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );
const tmp = useTmp();

async function collectJson(value: unknown) {
  const file = join(await tmp(), 'k6.json');
  await writeFile(file, JSON.stringify(value));
  return k6Collector.collect({ file, label: 'k6.json' });
}

// Figures from test/fixtures/k6/README.md, counted with jq. Both fixtures are hand-written from
// k6's source and docs (no k6 binary offline). In --summary-export a threshold's `true` means it
// FAILED (k6 writes `!threshold.ok`); in handleSummary data `ok: true` means it passed.
describe('k6 collector', () => {
  it('summarises a --summary-export file (threshold true = failed)', async () => {
    const out = await k6Collector.collect({
      file: fixture('k6/summary-export.handwritten.json'),
      label: 'export.json',
    });
    expect(out.kind).toBe('k6');
    expect(out.mediaType).toBe('application/json');
    expect(out.summary).toEqual({
      checks: { passed: 1180, failed: 20 },
      thresholds: {
        passed: ['checks:rate>0.95', 'http_req_duration:p(95)<500'],
        failed: [
          'http_req_duration:p(99)<800',
          'http_req_duration{expected_response:true}:p(95)<400',
          'http_req_failed:rate<0.01',
        ],
      },
      httpReqDuration: { p90: 351.77, p95: 488.012, p99: 912.5 },
      httpReqFailedRate: 0.0125,
      samples: { iterations: 400, httpReqs: 800 },
    });
    expect(k6SummarySchema.safeParse(out.summary).success).toBe(true);
  });

  it('summarises handleSummary() data (ok true = passed; p99 absent is null)', async () => {
    const out = await k6Collector.collect({
      file: fixture('k6/handle-summary.handwritten.json'),
      label: 'summary.json',
    });
    expect(out.summary).toEqual({
      checks: { passed: 1195, failed: 5 },
      thresholds: {
        passed: ['checks:rate>0.99', 'http_req_duration:avg<200', 'http_req_failed:rate<0.01'],
        failed: ['http_req_duration:p(95)<250'],
      },
      httpReqDuration: { p90: 210.33, p95: 262.8, p99: null },
      httpReqFailedRate: 0.0033333333333333335,
      samples: { iterations: 300, httpReqs: 600 },
    });
    expect(k6SummarySchema.safeParse(out.summary).success).toBe(true);
  });

  it('adds up root_group checks when there is no checks metric', async () => {
    // handleSummary form: 598+300+297 passed, 2+0+3 failed (as in the fixture's groups).
    const { readFile } = await import('node:fs/promises');
    const data = JSON.parse(await readFile(fixture('k6/handle-summary.handwritten.json'), 'utf8')) as {
      metrics: Record<string, unknown>;
    };
    delete data.metrics.checks;
    delete data.metrics.http_req_failed;
    expect((await collectJson(data)).summary).toMatchObject({
      checks: { passed: 1195, failed: 5 },
      httpReqFailedRate: null,
    });
    // export form: groups and checks are objects keyed by name.
    const exp = {
      root_group: {
        groups: { g: { groups: {}, checks: { a: { passes: 3, fails: 1 } } } },
        checks: { b: { passes: 2, fails: 0 } },
      },
      metrics: { vus: { value: 1, min: 1, max: 1 } },
    };
    expect((await collectJson(exp)).summary).toEqual({
      checks: { passed: 5, failed: 1 },
      thresholds: { passed: [], failed: [] },
      httpReqDuration: { p90: null, p95: null, p99: null },
      httpReqFailedRate: null,
      samples: { iterations: null, httpReqs: null },
    });
  });

  it('refuses JSON that is not a k6 summary, naming the fields', async () => {
    const e = await err(
      collectJson({
        metrics: {
          checks: { passes: 1.5, fails: -1 },
          http_req_duration: { 'p(95)': 'fast', thresholds: { 'p(95)<500': 'no' } },
          http_req_failed: { value: 2 },
        },
      }),
    );
    expect(e.code).toBe('K6_INVALID');
    expect(e.file).toBe('k6.json');
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      '$.metrics.checks.fails',
      '$.metrics.checks.passes',
      '$.metrics.http_req_duration.p(95)',
      '$.metrics.http_req_duration.thresholds.p(95)<500',
      '$.metrics.http_req_failed.value',
    ]);
    expect((await err(collectJson({ root_group: {} }))).issues.map((i) => i.path)).toEqual(['$.metrics']);
    expect((await err(collectJson([1, 2]))).code).toBe('K6_INVALID');
  });

  it('refuses handleSummary data with a bad threshold or metric type', async () => {
    const e = await err(
      collectJson({
        state: {},
        metrics: {
          http_reqs: { type: 'histogram', values: { count: 1 } },
          checks: { type: 'rate', values: { rate: 1, passes: 1, fails: 0 }, thresholds: { 'rate>0.9': { ok: 'yes' } } },
        },
      }),
    );
    expect(e.code).toBe('K6_INVALID');
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      '$.metrics.checks.thresholds.rate>0.9.ok',
      '$.metrics.http_reqs.type',
    ]);
  });

  it('refuses a file that is not JSON', async () => {
    const file = join(await tmp(), 'k6.json');
    await writeFile(file, '{"metrics": {');
    expect((await err(k6Collector.collect({ file, label: 'k6.json' }))).code).toBe('JSON_INVALID');
  });
});
