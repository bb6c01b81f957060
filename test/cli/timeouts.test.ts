import { createServer, type Server, type Socket } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { timedFetch } from '../../src/transport/http/timeout.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * A server that accepts connections and then says nothing (or sends headers
 * and then nothing): every client must give up within its timeout, exit 2,
 * and name the server. Each test runs with --timeout 1.
 */
interface Stalled {
  url: string;
  host: string;
  close: () => Promise<void>;
}

async function stalledServer(mode: 'silent' | 'headers-then-silence' = 'silent'): Promise<Stalled> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (mode === 'headers-then-silence') {
      socket.once('data', () =>
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\nabc'),
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let stalled: Stalled | undefined;
afterEach(async () => {
  await stalled?.close();
  stalled = undefined;
});

describe('no request waits forever', () => {
  it('timedFetch: a silent server fails within the timeout, naming it', async () => {
    stalled = await stalledServer();
    const t0 = Date.now();
    await expect(timedFetch(300)(stalled.url)).rejects.toMatchObject({
      code: 'NETWORK_TIMEOUT',
      message: expect.stringContaining(stalled.host),
    });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('timedFetch: a body that stops mid-way fails too', async () => {
    stalled = await stalledServer('headers-then-silence');
    const res = await timedFetch(300)(stalled.url);
    await expect(res.arrayBuffer()).rejects.toMatchObject({ code: 'NETWORK_TIMEOUT' });
  });

  const cases: [string, (s: Stalled, dir: string) => string[] | Promise<string[]>, Record<string, string>?][] = [
    [
      'fetch (GitHub API)',
      (s) => ['fetch', '--repo', 'acme/web', '--tag', 'v1', '--download-only', '--api-url', s.url],
    ],
    [
      'attach (GitHub API)',
      async (s, dir) => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
        await runCli(
          [
            'collect',
            '-o',
            'b.tar.gz',
            '--name',
            'a',
            '--version',
            '1',
            '--junit',
            fixture('junit/pytest.junit.xml'),
            '--sign',
            '--key',
            'key.pem',
            '-q',
          ],
          { cwd: dir },
        );
        return ['attach', 'b.tar.gz', '--repo', 'acme/web', '--tag', 'v1', '--api-url', s.url];
      },
      { GITHUB_TOKEN: 'ghp_0123456789abcdefghij0123456789abcdef' },
    ],
    ['pull (registry)', (s) => ['pull', `oci://${s.host}/acme/web:1`, '-o', 'b.tar.gz', '--plain-http']],
    [
      'push (registry)',
      async (s, dir) => {
        await runCli(
          [
            'collect',
            '-o',
            'p.tar.gz',
            '--name',
            'a',
            '--version',
            '1',
            '--junit',
            fixture('junit/pytest.junit.xml'),
            '-q',
          ],
          { cwd: dir },
        );
        return ['push', 'p.tar.gz', `oci://${s.host}/acme/web:1`, '--plain-http'];
      },
    ],
    ['verify oci:// (registry)', (s) => ['verify', `oci://${s.host}/acme/web:1`, '--plain-http', '--integrity-only']],
    [
      'collect --slo (Prometheus)',
      async (s, dir) => {
        await writeFile(
          join(dir, 'slos.yaml'),
          'version: "prometheus/v1"\nservice: "web"\nslos:\n  - name: "availability"\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n',
        );
        return [
          'collect',
          '-o',
          'b.tar.gz',
          '--name',
          'a',
          '--version',
          '1',
          '--slo',
          'slos.yaml',
          '--prometheus',
          s.url,
        ];
      },
    ],
    [
      'sign (Fulcio)',
      async (s, dir) => {
        await runCli(
          [
            'collect',
            '-o',
            'p.tar.gz',
            '--name',
            'a',
            '--version',
            '1',
            '--junit',
            fixture('junit/pytest.junit.xml'),
            '-q',
          ],
          { cwd: dir },
        );
        return [
          'sign',
          'p.tar.gz',
          '--identity-token',
          'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiaXNzIjoieSJ9.',
          '--fulcio-url',
          s.url,
          '--rekor-url',
          s.url,
          '--tsa-url',
          s.url,
        ];
      },
    ],
    [
      'sign (GitHub Actions OIDC token)',
      async (s, dir) => {
        await runCli(
          [
            'collect',
            '-o',
            'p.tar.gz',
            '--name',
            'a',
            '--version',
            '1',
            '--junit',
            fixture('junit/pytest.junit.xml'),
            '-q',
          ],
          { cwd: dir },
        );
        return ['sign', 'p.tar.gz'];
      },
    ],
    [
      'trust-root update (TUF)',
      async (s, dir) => {
        // Sigstore's own TUF root, so that TUF goes to the mirror for what follows it.
        const seeds = JSON.parse(
          await readFile(createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json'), 'utf8'),
        ) as Record<string, { 'root.json': string }>;
        await writeFile(
          join(dir, 'tuf-root.json'),
          Buffer.from(Object.values(seeds)[0]?.['root.json'] ?? '', 'base64'),
        );
        return ['trust-root', 'update', '--mirror-url', s.url, '--tuf-root', 'tuf-root.json', '-o', 'root.json'];
      },
    ],
  ];

  it.each(cases)('%s: exit 2 within the timeout, naming the server', async (name, argv, extraEnv = {}) => {
    stalled = await stalledServer();
    const dir = await tmp();
    const env: Record<string, string> = { ...extraEnv, HOME: dir };
    if (name.includes('OIDC'))
      Object.assign(env, {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${stalled.url}/token`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-token-123',
      });
    const t0 = Date.now();
    const r = await runCli([...(await argv(stalled, dir)), '--timeout', '1'], { cwd: dir, env });
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('127.0.0.1');
    // Retries may repeat the wait a few times; never the default 30 s, never forever.
    expect(took).toBeLessThan(25_000);
  });
});
