// A real CNCF distribution registry (Debian's docker-registry, 2.8.x) on
// 127.0.0.1, for the tests and the bench: filesystem storage in a temporary
// directory, and optionally htpasswd Basic auth (bcrypt, the only hash
// distribution accepts, made with apache2-utils' htpasswd).
import { execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const HTPASSWD_BIN = '/usr/bin/htpasswd';

/** Why a registry cannot be started here (with htpasswd when `auth`), or undefined when it can. */
export function registrySkipReason(options = {}) {
  if (!existsSync(REGISTRY_BIN)) return 'docker-registry not installed (apt-get install docker-registry)';
  if (options.auth && !existsSync(HTPASSWD_BIN)) return 'htpasswd not installed (apt-get install apache2-utils)';
  return undefined;
}

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(() => r()));
  return port;
}

/**
 * Starts the registry and waits until /v2/ answers. `stop()` ends it and
 * removes its directory; `stopSync()` does the same from an exit handler.
 */
export async function startRegistry(options = {}) {
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
    const { stdout } = await promisify(execFile)(HTPASSWD_BIN, [
      '-Bbn',
      options.htpasswd.username,
      options.htpasswd.password,
    ]);
    const file = join(dir, 'htpasswd');
    await writeFile(file, `${stdout.trim()}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: test', `    path: ${JSON.stringify(file)}`);
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);

  let stderr = '';
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => {
    if (stderr.length < 16_384) stderr += d.toString('utf8');
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stopSync = () => {
    if (running()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const stop = async () => {
    if (running()) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not up yet
    }
    if (!running() || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not become ready on ${host}: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, storageDir, pid: child.pid, stop, stopSync };
}
