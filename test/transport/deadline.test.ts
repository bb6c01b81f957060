import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { githubActionsToken } from '../../src/transport/github/oidc.js';
import { ReleasesClient, type Release, type ReleaseAsset } from '../../src/transport/github/releases.js';
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_MIN_BYTES_PER_SECOND,
  NetworkTimeout,
  deadlineFor,
  timedFetch,
  withDeadline,
} from '../../src/transport/http/timeout.js';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { prometheusClient } from '../../src/transport/prometheus.js';
import { trickleServer, type Answer, type TrickleServer } from './hostile-servers.js';

/**
 * Every request has an overall deadline besides the silence timeout: a server
 * that sends a byte every 2 s never stays silent for the 5 s allowed, and is
 * cut off by the 3 s deadline instead, for each kind of client. Its answer
 * would take 24 s to complete, so a client without the deadline fails the
 * time bound (or the test's own timeout).
 */
const EVERY_MS = 2000;
const SILENCE_MS = 5000;
const DEADLINE_MS = 3000;
const SLOW = ' '.repeat(10);
const deadline = { deadlineMs: DEADLINE_MS };

async function within<T>(server: TrickleServer, run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    await run();
  } catch (error) {
    return { error, ms: Date.now() - t0 };
  } finally {
    // The client gave up before the server was done trickling.
    for (const t of server.trickled) expect(t.sent).toBeLessThan(t.of);
    expect(server.trickled.length).toBeGreaterThan(0);
    await server.close();
  }
  throw new Error('expected the request to be cut off');
}

function cutAtDeadline(ms: number): void {
  expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
  expect(ms).toBeLessThan(DEADLINE_MS + 3000);
}

const json = (body: string, trickle: Answer['trickle'] = 'body'): Answer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body,
  trickle,
});

describe('the deadline', () => {
  it("is the larger of 60 s and twice the silence timeout, plus a transfer's size at 256 KiB/s, and never past what a timer can hold", () => {
    expect(deadlineFor()).toBe(DEFAULT_DEADLINE_MS);
    expect(deadlineFor(10_000)).toBe(60_000);
    expect(deadlineFor(45_000)).toBe(90_000);
    expect(deadlineFor(30_000, {}, 1024 * 1024 * 1024)).toBe(
      60_000 + (1024 * 1024 * 1024 * 1000) / DEFAULT_MIN_BYTES_PER_SECOND,
    );
    expect(deadlineFor(30_000, { deadlineMs: 5000, minBytesPerSecond: 1000 }, 2000)).toBe(7000);
    expect(deadlineFor(30_000, {}, 2 ** 50)).toBe(2 ** 31 - 1);
    expect(() => deadlineFor(30_000, { deadlineMs: 0 })).toThrow(RangeError);
    expect(() => deadlineFor(30_000, { minBytesPerSecond: Number.NaN })).toThrow(RangeError);
  });

  it('cuts a body even when the inner fetch ignores the abort signal (NETWORK_DEADLINE)', async () => {
    let pulls = 0;
    const endless: typeof fetch = () =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(c) {
              // A byte every 50 ms for at most 200 pulls (10 s): bounded, and never silent.
              if (++pulls > 200) return c.close();
              await new Promise((r) => setTimeout(r, 50));
              c.enqueue(new Uint8Array([32]));
            },
          }),
        ),
      );
    const t0 = Date.now();
    const res = await withDeadline(300, endless)('http://127.0.0.1:9/');
    await expect(res.arrayBuffer()).rejects.toMatchObject({ code: 'NETWORK_DEADLINE' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(pulls).toBeLessThan(200);
  });

  it('cuts an answer whose headers never come, even when the inner fetch ignores the signal', async () => {
    let settle: (r: Response) => void = () => undefined;
    const hanging: typeof fetch = () => new Promise<Response>((r) => (settle = r));
    const pending = withDeadline(200, hanging)('http://127.0.0.1:9/');
    await expect(pending).rejects.toBeInstanceOf(NetworkTimeout);
    await expect(pending).rejects.toMatchObject({ code: 'NETWORK_DEADLINE' });
    settle(new Response('late'));
  });
});

describe.concurrent('a server that trickles a byte every 2 s is cut off at the deadline', () => {
  it('timedFetch with a deadline: NETWORK_DEADLINE', async () => {
    const server = await trickleServer(() => json(`${SLOW}[]`), EVERY_MS);
    const { error, ms } = await within(server, async () => {
      const res = await timedFetch(SILENCE_MS, fetch, deadline)(`${server.origin}/x`);
      await res.arrayBuffer();
    });
    expect(error).toMatchObject({ code: 'NETWORK_DEADLINE' });
    cutAtDeadline(ms);
  });

  it('GitHub API through octokit: GITHUB_UNREACHABLE', async () => {
    const server = await trickleServer(() => json(`${SLOW}[]`), EVERY_MS);
    const client = new ReleasesClient({
      owner: 'acme',
      repo: 'web',
      apiUrl: server.origin,
      timeoutMs: SILENCE_MS,
      deadline,
      retry: { retries: 0 },
    });
    const { error, ms } = await within(server, () => client.listReleases());
    expect(error).toMatchObject({ name: 'GitHubError', code: 'GITHUB_UNREACHABLE' });
    cutAtDeadline(ms);
  });

  it('GitHub asset download: GITHUB_UNREACHABLE', async () => {
    const server = await trickleServer(
      () => ({
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: 'abcdefghijkl',
        trickle: 'body',
      }),
      EVERY_MS,
    );
    const client = new ReleasesClient({
      owner: 'acme',
      repo: 'web',
      apiUrl: server.origin,
      timeoutMs: SILENCE_MS,
      deadline,
      retry: { retries: 0 },
    });
    const asset: ReleaseAsset = {
      id: 1,
      name: 'a.tar.gz',
      size: 12,
      url: `${server.origin}/repos/acme/web/releases/assets/1`,
      browser_download_url: `${server.origin}/a.tar.gz`,
    };
    const { error, ms } = await within(server, () => client.download(asset));
    expect(error).toMatchObject({ name: 'GitHubError', code: 'GITHUB_UNREACHABLE' });
    cutAtDeadline(ms);
  });

  it('GitHub asset upload whose answer trickles: GITHUB_UNREACHABLE', async () => {
    const server = await trickleServer(() => json(`${SLOW}{}`), EVERY_MS);
    const client = new ReleasesClient({
      owner: 'acme',
      repo: 'web',
      token: 'ghp_0123456789abcdefghij0123456789abcdef',
      apiUrl: server.origin,
      timeoutMs: SILENCE_MS,
      deadline,
      retry: { retries: 0 },
    });
    const release: Release = {
      id: 1,
      tag_name: 'v1',
      upload_url: `${server.origin}/uploads/1/assets{?name,label}`,
      html_url: `${server.origin}/r`,
    };
    const { error, ms } = await within(server, () =>
      client.uploadAsset(release, 'a.txt', 3, 'text/plain', () => Readable.from([Buffer.from('abc')])),
    );
    expect(error).toMatchObject({ name: 'GitHubError', code: 'GITHUB_UNREACHABLE' });
    cutAtDeadline(ms);
  });

  it('registry manifest: REGISTRY_UNREACHABLE caused by NETWORK_DEADLINE', async () => {
    const server = await trickleServer(() => json(`${SLOW}{}`), EVERY_MS);
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      fetch: timedFetch(SILENCE_MS),
      timeoutMs: SILENCE_MS,
      deadline,
    });
    const { error, ms } = await within(server, () => client.getManifest('acme/web', 'v1'));
    expect(error).toMatchObject({
      name: 'OciError',
      code: 'REGISTRY_UNREACHABLE',
      cause: { code: 'NETWORK_DEADLINE' },
    });
    cutAtDeadline(ms);
  });

  it('registry blob download: the stream fails REGISTRY_UNREACHABLE caused by NETWORK_DEADLINE', async () => {
    const bytes = Buffer.from('abcdefghijkl');
    const server = await trickleServer(
      () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes, trickle: 'body' }),
      EVERY_MS,
    );
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      fetch: timedFetch(SILENCE_MS),
      timeoutMs: SILENCE_MS,
      deadline,
    });
    const desc = { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
    const { error, ms } = await within(server, async () => {
      for await (const _ of await client.getBlob('acme/web', desc)) void _;
    });
    expect(error).toMatchObject({
      name: 'OciError',
      code: 'REGISTRY_UNREACHABLE',
      cause: { code: 'NETWORK_DEADLINE' },
    });
    cutAtDeadline(ms);
  });

  it('registry token service: REGISTRY_UNREACHABLE caused by NETWORK_DEADLINE', async () => {
    const server = await trickleServer(
      (_method, path, origin) =>
        path.startsWith('/token')
          ? json(`${SLOW}{"token":"abcdefgh"}`)
          : { status: 401, headers: { 'www-authenticate': `Bearer realm="${origin}/token",service="r"` } },
      EVERY_MS,
    );
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      fetch: timedFetch(SILENCE_MS),
      timeoutMs: SILENCE_MS,
      deadline,
    });
    const { error, ms } = await within(server, () => client.getManifest('acme/web', 'v1'));
    expect(error).toMatchObject({
      name: 'OciError',
      code: 'REGISTRY_UNREACHABLE',
      cause: { code: 'NETWORK_DEADLINE' },
    });
    cutAtDeadline(ms);
  });

  it('registry whole-blob PATCH over node:http, its status line trickled: REGISTRY_UNREACHABLE caused by NETWORK_DEADLINE', async () => {
    const server = await trickleServer((method): Answer => {
      if (method === 'POST') return { status: 202, headers: { location: '/v2/acme/web/blobs/uploads/1' } };
      if (method === 'PATCH') return { status: 202, headers: { range: '0-2' }, trickle: 'head' };
      return { status: 204 };
    }, EVERY_MS);
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      fetch: timedFetch(SILENCE_MS),
      timeoutMs: SILENCE_MS,
      deadline,
    });
    const { error, ms } = await within(server, () =>
      client.pushBlobStream(
        'acme/web',
        Readable.from([Buffer.from('abc')]),
        () => Promise.resolve('sha256:'.padEnd(71, '0')),
        {
          size: 3,
        },
      ),
    );
    expect(error).toMatchObject({
      name: 'OciError',
      code: 'REGISTRY_UNREACHABLE',
      cause: { code: 'NETWORK_DEADLINE' },
    });
    cutAtDeadline(ms);
  });

  it('Prometheus: PROMETHEUS_UNREACHABLE', async () => {
    const server = await trickleServer(
      () => json(`${SLOW}{"status":"success","data":{"resultType":"vector","result":[]}}`),
      EVERY_MS,
    );
    const client = prometheusClient({ url: server.origin, timeoutMs: SILENCE_MS, deadline, retries: 0 });
    const { error, ms } = await within(server, () => client.query('up', new Date()));
    expect(error).toMatchObject({ name: 'CollectError', code: 'PROMETHEUS_UNREACHABLE' });
    cutAtDeadline(ms);
  });

  it('GitHub Actions OIDC token: IDENTITY_TOKEN_REQUEST_FAILED', async () => {
    const server = await trickleServer(() => json(`${SLOW}{"value":"x"}`), EVERY_MS);
    const provider = githubActionsToken(`${server.origin}/token`, 'runner-token-123', {
      timeoutMs: SILENCE_MS,
      deadline,
    });
    const { error, ms } = await within(server, () => provider.getToken());
    expect(error).toMatchObject({ name: 'SignError', code: 'IDENTITY_TOKEN_REQUEST_FAILED' });
    cutAtDeadline(ms);
  });
});

describe('the silence timeout', () => {
  it('counts each piece of a streamed request body (an async iterable or a Node stream) as progress', async () => {
    const server = createServer((req, res) => {
      let got = 0;
      req.on('data', (d: Buffer) => (got += d.length));
      req.on('end', () => res.end(String(got)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // Eight pieces 300 ms apart: 2.4 s in all, never 1 s without progress.
      const slowly = async function* (): AsyncGenerator<Buffer> {
        for (let i = 0; i < 8; i++) {
          await new Promise((r) => setTimeout(r, 300));
          yield Buffer.from('abcd');
        }
      };
      for (const body of [slowly(), Readable.from(slowly())]) {
        const res = await timedFetch(1000)(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          body,
          duplex: 'half',
        });
        expect(await res.text()).toBe('32');
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("a transfer gets its size's worth of time on top of the deadline", () => {
  it('a blob trickled over 2.2 s arrives whole under a 1 s deadline at 4 bytes/s (12 bytes: +3 s), where a manifest is cut', async () => {
    const bytes = Buffer.from('abcdefghijkl');
    const desc = { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
    const server = await trickleServer(
      (_m, path) =>
        path.includes('/blobs/')
          ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes, trickle: 'body' }
          : json(`${SLOW}{}`),
      200,
    );
    try {
      const client = new RegistryClient(server.host, {
        plainHttp: true,
        fetch: timedFetch(SILENCE_MS),
        timeoutMs: SILENCE_MS,
        deadline: { deadlineMs: 1000, minBytesPerSecond: 4 },
      });
      const parts: Buffer[] = [];
      for await (const part of await client.getBlob('acme/web', desc)) parts.push(part as Buffer);
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      await expect(client.getManifest('acme/web', 'v1')).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        cause: { code: 'NETWORK_DEADLINE' },
      });
    } finally {
      await server.close();
    }
  });
});
