import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadCache } from '../../src/fs/download-cache.js';
import { runCli } from '../helpers/io.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: leftovers of a run killed with SIGKILL. Every command that writes
 * (collect, extract, sign, pull, audit's download cache) removes, in the
 * folder it writes in, `.NAME.PID.RANDOM.partial` whose process is gone, and
 * leaves those of a process still running.
 */

/** The pid of a process that has been killed with SIGKILL and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid as number;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // Never a running process, else the test would prove nothing.
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

/** Plants a dead run's leftover (a file, or a staging folder) and a live one (this process's), both old. */
async function plant(
  dir: string,
  name: string,
  options: { folder?: boolean } = {},
): Promise<{ dead: string; live: string }> {
  const dead = `.${name}.${await deadPid()}.0123456789ab.partial`;
  const live = `.${name}.${process.pid}.ba9876543210.partial`;
  for (const n of [dead, live]) {
    if (options.folder) {
      await mkdir(join(dir, n, '.blobs'), { recursive: true });
      await writeFile(join(dir, n, '.blobs', 'x'), 'partial blob');
    } else await writeFile(join(dir, n), 'partial');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, n), past, past);
  }
  return { dead, live };
}

async function expectSwept(dir: string, planted: { dead: string; live: string }): Promise<void> {
  const names = await readdir(dir);
  expect(names).not.toContain(planted.dead);
  expect(names).toContain(planted.live);
}

async function bundleIn(dir: string, name = 'b.tar.gz'): Promise<void> {
  await writeFile(join(dir, 'small.txt'), 'x');
  const r = await runCli(['collect', '-o', name, '--name', 'b', '--version', '1', '--file', 'small.txt', '-q'], {
    cwd: dir,
  });
  expect(r.code, r.stderr).toBe(0);
}

describe('the next run in the folder removes what a killed run left', () => {
  it('collect', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'small.txt'), 'x');
    const planted = await plant(dir, 'out.tar.gz');
    const r = await runCli(
      ['collect', '-o', 'out.tar.gz', '--name', 'b', '--version', '1', '--file', 'small.txt', '-q'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    await expectSwept(dir, planted);
  });

  it("extract (a dead run's staging folder, and a dead collect's file beside it)", async () => {
    const dir = await tmp();
    await bundleIn(dir);
    const staging = await plant(dir, 'out', { folder: true });
    const file = await plant(dir, 'other.tar.gz');
    const r = await runCli(['extract', 'b.tar.gz', '-o', 'out', '--integrity-only'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await expectSwept(dir, staging);
    await expectSwept(dir, file);
  });

  it('sign --key', async () => {
    const dir = await tmp();
    await bundleIn(dir);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const planted = await plant(dir, 'b.tar.gz');
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await expectSwept(dir, planted);
  });

  it("audit's download cache, in both of its folders", async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'sha256'));
    await mkdir(join(dir, 'refs'));
    const downloads = await plant(join(dir, 'sha256'), 'download');
    const refs = await plant(join(dir, 'refs'), 'a'.repeat(64));
    // Any use of the cache prepares it.
    expect(await new DownloadCache(dir).get('0'.repeat(64))).toBeUndefined();
    await expectSwept(join(dir, 'sha256'), downloads);
    await expectSwept(join(dir, 'refs'), refs);
  });

  it('a leftover of a dead process that is younger than 2 s stays (a writer on another machine may own it)', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'small.txt'), 'x');
    const young = `.out.tar.gz.${await deadPid()}.0123456789ab.partial`;
    await writeFile(join(dir, young), 'partial');
    const r = await runCli(
      ['collect', '-o', 'out.tar.gz', '--name', 'b', '--version', '1', '--file', 'small.txt', '-q'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(dir)).toContain(young);
  });
});

describe.skipIf(registrySkipReason !== undefined)('pull sweeps its output folder (docker-registry)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('pull', async () => {
    const dir = await tmp();
    await bundleIn(dir);
    const ref = `oci://${registry.host}/acme/leftovers:1`;
    const pushed = await runCli(['push', 'b.tar.gz', ref, '--plain-http'], { cwd: dir });
    expect(pushed.code, pushed.stderr).toBe(0);
    const planted = await plant(dir, 'pulled.tar.gz');
    const r = await runCli(['pull', ref, '-o', 'pulled.tar.gz', '--plain-http'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await expectSwept(dir, planted);
  });
});
