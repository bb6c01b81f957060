import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { readMembers } from '../helpers/members.js';
import { PROMETHEUS_MAJOR, prometheusPresent, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
if (!prometheusPresent) {
  console.warn(
    "SKIPPED: the SLO tests need Debian's prometheus package (/usr/bin/prometheus, promtool); .ci/run installs it",
  );
}

/**
 * 31 days of per-minute counters ending at AS_OF. Requests grow by 100 a
 * minute; 5xx errors by 0.05 a minute (a 0.05 % error ratio), by 0.5 a minute
 * in the 5 hours before the last hour, and by 2 a minute in the last hour.
 */
const AS_OF = Date.parse('2026-11-01T00:00:00Z') / 1000;
const STEP = 60;
const START = AS_OF - 31 * 86400;
const errorsPerMinute = (t: number): number => (t > AS_OF - 3600 ? 2 : t > AS_OF - 6 * 3600 ? 0.5 : 0.05);
const times: number[] = [];
for (let t = START; t <= AS_OF; t += STEP) times.push(t);
const total = new Map<number, number>();
const errors = new Map<number, number>();
{
  let e = 0;
  times.forEach((t, i) => {
    if (i > 0) e += errorsPerMinute(t);
    total.set(t, i * 100);
    errors.set(t, Math.round(e * 1000) / 1000);
  });
}
const ok = new Map(times.map((t) => [t, (total.get(t) as number) - (errors.get(t) as number)]));

/**
 * The error ratio over a window as Prometheus computes it from these series:
 * the ratio of the increments between the first sample in the window and the
 * last (rate() and increase() extrapolate both counters by the same factor).
 * Prometheus 2.x (Debian's 2.42) includes a sample at exactly T − window;
 * from 3.0 on the window is left-open and the first sample is one step later.
 */
function errorRatio(windowSeconds: number): number {
  const first = AS_OF - windowSeconds + (PROMETHEUS_MAJOR >= 3 ? STEP : 0);
  return (
    ((errors.get(AS_OF) as number) - (errors.get(first) as number)) /
    ((total.get(AS_OF) as number) - (total.get(first) as number))
  );
}
const WINDOWS: Record<string, number> = {
  '5m': 300,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '6h': 21600,
  '1d': 86400,
  '3d': 259200,
};

const SLOTH = `version: "prometheus/v1"
service: "acme-web"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
`;
const OPENSLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: requests-availability-28d
spec:
  service: acme-web
  budgetingMethod: Occurrences
  indicator:
    metadata: { name: good-requests }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{code="200"}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total' } } }
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - target: 0.995
`;

let prom: RunningPrometheus | undefined;
beforeAll(async () => {
  if (!prometheusPresent) return;
  prom = await startPrometheus([
    { selector: 'http_requests_total{code="200"}', points: times.map((t) => [t, ok.get(t) as number]) },
    { selector: 'http_requests_total{code="500"}', points: times.map((t) => [t, errors.get(t) as number]) },
  ]);
}, 180_000);
afterAll(async () => {
  await prom?.stop();
});

const close = (a: number, b: number): void => {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(b)));
};

async function collectSlo(
  dir: string,
  extra: string[] = [],
): Promise<{
  code: number;
  stderr: string;
  summary?: { live: boolean; asOf: string; slos: Record<string, unknown>[] };
}> {
  const r = await runCli(
    [
      'collect',
      '-o',
      's.tar.gz',
      '--name',
      's',
      '--version',
      '1',
      '--as-of',
      '2026-11-01T00:00:00Z',
      '--force',
      '-q',
      ...extra,
    ],
    { cwd: dir },
  );
  if (r.code !== 0) return { code: r.code, stderr: r.stderr };
  const inspect = JSON.parse((await runCli(['inspect', 's.tar.gz', '--json'], { cwd: dir })).stdout);
  return {
    code: 0,
    stderr: r.stderr,
    summary: inspect.entries.find((e: { kind: string }) => e.kind === 'slo').summary,
  };
}

describe.skipIf(!prometheusPresent)('SLO snapshots from a real Prometheus', () => {
  it('computes SLI, error budget, burn rates and alerts at the as-of instant (Sloth)', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    const r = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', (prom as RunningPrometheus).url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = r.summary as unknown as {
      live: boolean;
      asOf: string;
      slos: {
        name: string;
        objective: number;
        period: string;
        sli: number;
        errorBudget: { total: number; consumed: number; remaining: number };
        burnRates: Record<string, number>;
        alerts: { page: boolean; ticket: boolean };
      }[];
    };
    expect(s.live).toBe(true);
    expect(s.asOf).toBe('2026-11-01T00:00:00Z');
    const slo = s.slos[0]!;
    expect(slo).toMatchObject({ name: 'requests-availability', objective: 0.999, period: '30d' });
    const budget = 0.001;
    close(slo.sli, 1 - errorRatio(30 * 86400));
    close(slo.errorBudget.total, budget);
    close(slo.errorBudget.consumed, errorRatio(30 * 86400) / budget);
    close(slo.errorBudget.remaining, 1 - errorRatio(30 * 86400) / budget);
    for (const [w, secs] of Object.entries(WINDOWS)) close(slo.burnRates[w] as number, errorRatio(secs) / budget);
    // By hand, per minute: the last hour has 2 errors in 100 requests, the 5 hours before 0.5, earlier 0.05.
    // 5m, 1h: 2/100 = 0.02 → burn 20 (> 14.4 on both): page.
    // 2h: (60×2 + 60×0.5)/12000 = 0.0125 → 12.5; 1d: (120 + 150 + 1080×0.05)/144000 = 0.00225 → 2.25 (< 3).
    // 6h: (120 + 150)/36000 = 0.0075 → 7.5; 3d: (120 + 150 + 3960×0.05)/432000 = 468/432000 → 1.0833 (> 1): ticket.
    close(slo.burnRates['5m'] as number, 20);
    close(slo.burnRates['1h'] as number, 20);
    close(slo.burnRates['2h'] as number, 12.5);
    close(slo.burnRates['1d'] as number, 2.25);
    close(slo.burnRates['6h'] as number, 7.5);
    close(slo.burnRates['3d'] as number, 468 / 432000 / 0.001);
    expect(slo.alerts).toEqual({ page: true, ticket: true });
  });

  it('reads OpenSLO v1 (good/total counters, a 28d rolling window)', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'openslo.yaml'), OPENSLO);
    const r = await collectSlo(dir, ['--slo', 'openslo.yaml', '--prometheus', (prom as RunningPrometheus).url]);
    expect(r.code).toBe(0);
    const slo = (
      r.summary as unknown as {
        slos: { name: string; period: string; sli: number; objective: number; burnRates: Record<string, number> }[];
      }
    ).slos[0]!;
    expect(slo).toMatchObject({ name: 'requests-availability-28d', period: '28d', objective: 0.995 });
    close(slo.sli, 1 - errorRatio(28 * 86400));
    close(slo.burnRates['6h'] as number, errorRatio(6 * 3600) / 0.005);
  });

  it('keeps every query and its raw answer in the blob, and a saved snapshot gives the same figures offline', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    const live = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', (prom as RunningPrometheus).url]);
    const blob = (await readMembers(join(dir, 's.tar.gz'))).find((m) => m.name.startsWith('blobs/'))!.body;
    const snapshot = JSON.parse(blob.toString());
    expect(snapshot.results).toHaveLength(8);
    expect(
      snapshot.results.every(
        (r: { time: string; data: { resultType: string } }) =>
          r.time === '2026-11-01T00:00:00Z' && r.data.resultType === 'vector',
      ),
    ).toBe(true);
    await writeFile(join(dir, 'saved.json'), blob);
    const offline = await collectSlo(dir, ['--slo-snapshot', 'saved.json']);
    expect(offline.code).toBe(0);
    expect(offline.summary?.live).toBe(false);
    expect(offline.summary?.slos).toEqual(live.summary?.slos);
    // A figure edited by hand is caught: values are recomputed from the raw answers.
    snapshot.results[0].value = '0';
    await writeFile(join(dir, 'edited.json'), JSON.stringify(snapshot));
    const edited = await collectSlo(dir, ['--slo-snapshot', 'edited.json']);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/SLO_SNAPSHOT_INVALID/);
    // A snapshot dated to a day that does not exist is refused, not read as the day after.
    await writeFile(
      join(dir, 'misdated.json'),
      JSON.stringify({ ...JSON.parse(blob.toString()), asOf: '2026-02-30T00:00:00Z' }),
    );
    const misdated = await collectSlo(dir, ['--slo-snapshot', 'misdated.json']);
    expect(misdated.code).toBe(2);
    expect(misdated.stderr).toMatch(/SLO_SNAPSHOT_INVALID/);
  });

  it('a query with no series is an error (exit 2, nothing written), never a silent zero', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH.replaceAll('http_requests_total', 'no_such_metric_total'));
    const r = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', (prom as RunningPrometheus).url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PROMETHEUS_NO_DATA/);
    expect(await readdir(dir)).toEqual(['slos.yaml']);
  });
});

describe('SLO collection failures', () => {
  let fake: Server;
  let calls: { auth: string | undefined }[] = [];
  let failFirst = 0;
  let status = 200;
  let answer = '0.0005';
  beforeAll(async () => {
    fake = createServer((req, res) => {
      calls.push({ auth: req.headers.authorization });
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(503).end('busy');
        return;
      }
      if (status !== 200) {
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [AS_OF, answer] }] },
        }),
      );
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));
  const url = (): string => `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

  it('retries 5xx with back-off, sends --prometheus-header, and never stores it', async () => {
    calls = [];
    failFirst = 2;
    status = 200;
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    const r = await collectSlo(dir, [
      '--slo',
      'slos.yaml',
      '--prometheus',
      url(),
      '--prometheus-header',
      'Authorization: Bearer s3cr3t-token',
    ]);
    expect(r.code).toBe(0);
    expect(calls.length).toBe(8 + 2);
    expect(calls.every((c) => c.auth === 'Bearer s3cr3t-token')).toBe(true);
    const all = Buffer.concat((await readMembers(join(dir, 's.tar.gz'))).map((m) => m.body));
    expect(all.includes('s3cr3t')).toBe(false);
  });

  it("an HTTP error is exit 2 with Prometheus's message; an unreachable server is exit 2", async () => {
    status = 400;
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    const bad = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', url()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parse error.*\[PROMETHEUS_ERROR\]/);
    status = 200;
    const down = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', 'http://127.0.0.1:9']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/PROMETHEUS_UNREACHABLE/);
    expect(await readdir(dir)).toEqual(['slos.yaml']);
  }, 30_000);

  it.each([
    ['objective out of range', SLOTH.replace('99.9', '120'), '$.slos[0].objective'],
    [
      'no queries',
      'version: "prometheus/v1"\nservice: x\nslos:\n  - name: a\n    objective: 99\n    sli: {}\n',
      '$.slos[0].sli',
    ],
    ['an unknown format', 'kind: Nope\n', undefined],
    [
      'a calendar window in OpenSLO',
      OPENSLO.replace('isRolling: true', 'isRolling: false'),
      '$.spec.timeWindow[0].isRolling',
    ],
  ])('refuses a definition with %s, naming the field', async (_n, yaml, path) => {
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), yaml);
    const r = await runCli(
      ['collect', '-o', 's.tar.gz', '--name', 's', '--version', '1', '--slo', 'slos.yaml', '--prometheus', url()],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SLO_DEFINITION_INVALID/);
    if (path) expect(r.stderr).toContain(path);
  });

  it('an error ratio below 0 or above 1 is refused (exit 2, naming the SLO and its query), never clamped to 0', async () => {
    // More good events than events: `1 - good/total` below 0. Clamped, it read as SLI 100 %, budget 100 % left.
    status = 200;
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    for (const value of ['-0.02', '1.5']) {
      answer = value;
      const r = await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', url()]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toContain('[SLO_ERROR_RATIO_INVALID]');
      expect(r.stderr).toContain(
        `SLO requests-availability: its error ratio over 30d is ${value}, not between 0 and 1`,
      );
      expect(r.stderr).toContain(
        'SLO requests-availability, query (sum(rate(http_requests_total{code=~"5.."}[30d]))) / (sum(rate(http_requests_total[30d]))): evaluated to',
      );
      expect(await readdir(dir)).toEqual(['slos.yaml']);
    }
    // A saved snapshot whose answers say so is refused too, though each value agrees with its raw answer.
    answer = '0.0005';
    expect((await collectSlo(dir, ['--slo', 'slos.yaml', '--prometheus', url()])).code).toBe(0);
    const blob = (await readMembers(join(dir, 's.tar.gz'))).find((m) => m.name.startsWith('blobs/'))!.body;
    const snapshot = JSON.parse(blob.toString()) as {
      results: { value: string; data: { result: { value: [number, string] }[] } }[];
    };
    for (const r of snapshot.results) {
      r.value = '-0.02';
      (r.data.result[0] as { value: [number, string] }).value[1] = '-0.02';
    }
    await writeFile(join(dir, 'saved.json'), JSON.stringify(snapshot));
    const offline = await collectSlo(dir, ['--slo-snapshot', 'saved.json']);
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/saved\.json: SLO requests-availability: .* \[SLO_ERROR_RATIO_INVALID\]/s);
  });

  it('--slo without --prometheus is a usage error', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'slos.yaml'), SLOTH);
    const r = await runCli(['collect', '-o', 's.tar.gz', '--name', 's', '--version', '1', '--slo', 'slos.yaml'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
  });
});
