import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/collector/source.js';
import { redactSecrets } from '../../src/core/redact.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const TOKEN = 'prom-token-4f1c2b9d7e6a5c3b';

/**
 * Class: secrets reaching the bundle or a message. One redaction serves every
 * client; recorded URLs keep scheme, host and path only.
 */
describe('secrets never reach the record or a message', () => {
  it.each([
    ['https://example.com/acme/app.git?access_token=SECRET', 'https://example.com/acme/app.git'],
    ['https://x-access-token:SECRET@github.com/acme/app.git#SECRET', 'https://github.com/acme/app.git'],
    ['https://SECRET@gitlab.example/acme/app', 'https://gitlab.example/acme/app'],
    ['ssh://git:SECRET@host:2222/acme/app.git?x=SECRET', 'ssh://host:2222/acme/app.git'],
    ['git@github.com:acme/app.git', 'git@github.com:acme/app.git'],
    ['not a url?token=SECRET', 'not a url'],
  ])('records %s as %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });

  it('collect signs only scheme, host and path of --source-repository', async () => {
    const dir = await tmp();
    const r = await runCli(
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
        '--source-repository',
        'https://u:pw-SECRET@git.example/acme/app?access_token=tok-SECRET#frag-SECRET',
        '-q',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const inspect = JSON.parse((await runCli(['inspect', 'b.tar.gz', '--json'], { cwd: dir })).stdout);
    expect(inspect.source.repository).toBe('https://git.example/acme/app');
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [REDACTED]'],
    ['authorization=Basic dXNlcjpwYXNz', 'authorization=[REDACTED]'],
    ['{"password":"hunter22"}', '{"password":"[REDACTED]"}'],
    ['X-Api-Key: k-123456', 'X-Api-Key: [REDACTED]'],
    ['GET /v2/?access_token=abc123&x=1', 'GET /v2/?access_token=[REDACTED]&x=1'],
    ['https://user:pass@host/x', 'https://[REDACTED]@host/x'],
    ['token ghp_0123456789abcdefghijABCDEFGHIJ0123', 'token [REDACTED]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', '[REDACTED]'],
  ])('redacts the credential in %s', (text, want) => {
    expect(redactSecrets(text)).toBe(want);
  });

  it('redacts known secrets in their plain, URL-encoded and base64 forms', () => {
    const secret = 'p@ss/word+1';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${Buffer.from(secret).toString('base64')}`;
    expect(redactSecrets(text, [secret])).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });
});

describe('a Prometheus that echoes request headers in its error body', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('never makes collect print the bearer token', async () => {
    server = createServer((req, res) => {
      // Echo every header back, as a misconfigured proxy or debug endpoint would.
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: `rejected; request headers were ${JSON.stringify(req.headers)}; raw: authorization: ${req.headers.authorization}`,
        }),
      );
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = await tmp();
    await writeFile(
      join(dir, 'slos.yaml'),
      'version: "prometheus/v1"\nservice: "web"\nslos:\n  - name: "availability"\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n        total_query: sum(rate(http_requests_total[{{.window}}]))\n',
    );
    const r = await runCli(
      [
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
        url,
        '--prometheus-header',
        `Authorization: Bearer ${TOKEN}`,
        '--prometheus-header',
        'X-Scope-OrgID: tenant-secret-77',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[PROMETHEUS_ERROR]');
    expect(r.stderr).toContain('[REDACTED]');
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    expect(r.stderr + r.stdout).not.toContain('tenant-secret-77');
  });
});
