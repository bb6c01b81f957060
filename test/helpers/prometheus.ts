import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const exec = promisify(execFile);

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
export const prometheusPresent = existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN);

/** The installed Prometheus's major version: range selectors changed at 3.0. */
export const PROMETHEUS_MAJOR = prometheusPresent
  ? Number(
      /version (\d+)\./.exec(
        execFileSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      )?.[1] ?? 2,
    )
  : 2;

export interface Series {
  /** e.g. `http_requests_total{code="200"}` */
  selector: string;
  /** [unix seconds, value] */
  points: [number, number][];
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian's package) on 127.0.0.1 with `series` backfilled
 * through `promtool tsdb create-blocks-from openmetrics`. Stop it when done.
 */
export async function startPrometheus(series: Series[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'evidence-prom-'));
  const metrics = new Map<string, Series[]>();
  for (const s of series) {
    const name = s.selector.replace(/\{.*$/, '');
    metrics.set(name, [...(metrics.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, list] of metrics) {
    lines.push(`# TYPE ${name.replace(/_total$/, '')} counter`);
    for (const s of list) for (const [t, v] of s.points) lines.push(`${s.selector} ${v} ${t}`);
  }
  lines.push('# EOF');
  await writeFile(join(dir, 'data.om'), `${lines.join('\n')}\n`);
  await mkdir(join(dir, 'tsdb'));
  await exec(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], {
    maxBuffer: 64 * 1024 * 1024,
  });
  await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}
