import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const exec = promisify(execFile);

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const HTPASSWD_BIN = '/usr/bin/htpasswd';

/** Why the real-registry tests are skipped on this machine, or undefined when they can run. */
export const registrySkipReason: string | undefined = !existsSync(REGISTRY_BIN)
  ? 'docker-registry not installed (apt-get install docker-registry)'
  : !existsSync(HTPASSWD_BIN)
    ? 'htpasswd not installed (apt-get install apache2-utils)'
    : undefined;
export const registryAvailable = registrySkipReason === undefined;

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  /** The filesystem driver's root: blobs are under `docker/registry/v2/blobs/sha256/<ab>/<hex>/data`. */
  storageDir: string;
  stop(): Promise<void>;
}


/**
 * A real CNCF distribution registry (Debian's docker-registry, 2.8.x) on
 * 127.0.0.1 with filesystem storage in a temporary directory, and optionally
 * htpasswd (bcrypt, the only hash distribution accepts) Basic auth. Stop it when done.
 */
export async function startRegistry(options: { htpasswd?: { username: string; password: string } } = {}): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'evidence-registry-'));
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    // No in-memory descriptor cache: the tamper tests overwrite blob files under the registry.
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (options.htpasswd) {
    const { stdout } = await exec(HTPASSWD_BIN, ['-Bbn', options.htpasswd.username, options.htpasswd.password]);
    const file = join(dir, 'htpasswd');
    await writeFile(file, stdout.trim() + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: test', `    path: ${JSON.stringify(file)}`);
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');

  let stderr = '';
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 16_384) stderr += d.toString('utf8');
  });
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not become ready on ${host}: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, storageDir, stop };
}
