import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/transport/oci/client.js';
import { OCI_EMPTY_DESCRIPTOR, OCI_INDEX, OCI_MANIFEST } from '../../../src/transport/oci/manifest.js';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.js';
import { blobOf, caught, readAll, sha256 } from './support.js';
import { useTmp } from '../../helpers/tmp.js';

/** Folders of the tests that collect a bundle: removed after each test, not left in the system's temporary folder. */
const tmp = useTmp();

const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: OCI_EMPTY_DESCRIPTOR, layers: [] }),
);
const MANIFEST_DIGEST = sha256(MANIFEST);

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handle: (req: SeenRequest, res: ServerResponse) => unknown): Promise<FakeServer> {
  const server = await startFakeServer(handle);
  servers.push(server);
  return server;
}

function sendManifest(res: ServerResponse, bytes: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

describe('manifests from a hostile registry', () => {
  it('by digest: bytes that are not that digest are DIGEST_MISMATCH', async () => {
    const other = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: OCI_EMPTY_DESCRIPTOR,
        layers: [],
        annotations: { evil: 'yes' },
      }),
    );
    const server = await serve((_req, res) => sendManifest(res, other, { 'docker-content-digest': MANIFEST_DIGEST }));
    const client = new RegistryClient(server.host, { plainHttp: true });
    const err = await caught(client.getManifest('r', MANIFEST_DIGEST));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.expected).toBe(MANIFEST_DIGEST);
    expect(err.found).toBe(sha256(other));
    expect(err.algorithm).toBe('sha256');
  });

  it('by tag: returns the digest of the bytes; a Docker-Content-Digest that disagrees is DIGEST_MISMATCH, a malformed one REGISTRY_RESPONSE_INVALID', async () => {
    let header: string | undefined;
    const server = await serve((_req, res) =>
      sendManifest(res, MANIFEST, header === undefined ? {} : { 'docker-content-digest': header }),
    );
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect(await client.getManifest('r', 'v1')).toEqual({
      bytes: MANIFEST,
      mediaType: OCI_MANIFEST,
      digest: MANIFEST_DIGEST,
    });
    header = MANIFEST_DIGEST;
    expect((await client.getManifest('r', 'v1')).digest).toBe(MANIFEST_DIGEST);
    header = OCI_EMPTY_DESCRIPTOR.digest;
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('DIGEST_MISMATCH');
    header = 'md5:abc';
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it('an oversized manifest is REGISTRY_RESPONSE_INVALID, with or without Content-Length', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    let announce = true;
    const server = await serve((_req, res) => {
      if (announce) return sendManifest(res, huge);
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      // Chunked: the client must stop reading on its own.
      for (let i = 0; i < 5; i++) res.write(huge.subarray(0, 1024 * 1024));
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_RESPONSE_INVALID');
    announce = false;
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it.each<[string, Buffer, Record<string, string>, string[]]>([
    ['not JSON', Buffer.from('<html>hello</html>'), {}, [OCI_MANIFEST]],
    ['a JSON array', Buffer.from('[1,2]'), {}, [OCI_MANIFEST]],
    ['Content-Type disagreeing with mediaType', MANIFEST, { 'content-type': OCI_INDEX }, [OCI_MANIFEST, OCI_INDEX]],
    ['a media type not asked for', MANIFEST, {}, [OCI_INDEX]],
    ['no media type at all', Buffer.from('{"schemaVersion":2}'), { 'content-type': '' }, [OCI_MANIFEST]],
  ])('%s is REGISTRY_RESPONSE_INVALID', async (_name, bytes, headers, accept) => {
    const server = await serve((_req, res) => sendManifest(res, bytes, headers));
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.getManifest('r', 'v1', accept))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it('pushManifest: OCI-Subject means the subject was accepted; a Docker-Content-Digest for other bytes is refused', async () => {
    let headers: Record<string, string> = {};
    const server = await serve((_req, res) => {
      res.writeHead(201, headers);
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect(await client.pushManifest('r', 'v1', MANIFEST, OCI_MANIFEST)).toEqual({
      digest: MANIFEST_DIGEST,
      subjectAccepted: false,
    });
    headers = { 'oci-subject': OCI_EMPTY_DESCRIPTOR.digest, 'docker-content-digest': MANIFEST_DIGEST };
    expect(await client.pushManifest('r', 'v1', MANIFEST, OCI_MANIFEST)).toEqual({
      digest: MANIFEST_DIGEST,
      subjectAccepted: true,
    });
    expect(server.requests.at(-1)?.headers['content-type']).toBe(OCI_MANIFEST);
    expect(server.requests.at(-1)?.body.equals(MANIFEST)).toBe(true);
    headers = { 'docker-content-digest': OCI_EMPTY_DESCRIPTOR.digest };
    expect((await caught(client.pushManifest('r', 'v1', MANIFEST, OCI_MANIFEST))).code).toBe(
      'REGISTRY_RESPONSE_INVALID',
    );
  });
});

describe('registry errors', () => {
  it('a 500 with an OCI error body is REGISTRY_ERROR with its codes, bounded and free of control characters', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 500, {
        errors: [
          { code: 'UNKNOWN', message: `\u001b[2Jterminal reset ${'x'.repeat(10_000)}` },
          { code: 'TOOMANYREQUESTS', message: 'slow down' },
          { code: 'not a code <script>', message: 'dropped' },
        ],
      }),
    );
    const client = new RegistryClient(server.host, { plainHttp: true });
    const err = await caught(client.getManifest('r', 'v1'));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.status).toBe(500);
    expect(err.registryCodes).toEqual(['UNKNOWN', 'TOOMANYREQUESTS']);
    expect(err.message).not.toContain('\u001b');
    expect(err.message.length).toBeLessThan(600);
    expect(err.message).toContain(server.host);
  });

  it('a non-JSON error body, or a huge one, is still REGISTRY_ERROR', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(Buffer.alloc(1024 * 1024, 0x41));
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    const err = await caught(client.blobSize('r', OCI_EMPTY_DESCRIPTOR.digest));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.status).toBe(502);
    expect(err.registryCodes).toBeUndefined();
  });

  it('401 without a challenge, or with an unsupported scheme, is REGISTRY_AUTH_FAILED; 403 too', async () => {
    let headers: Record<string, string> = {};
    let status = 401;
    const server = await serve((_req, res) => sendJson(res, status, { errors: [{ code: 'DENIED' }] }, headers));
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      credentials: { username: 'u', password: 'pw-pw-pw' },
    });
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_AUTH_FAILED');
    headers = { 'www-authenticate': 'Negotiate' };
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_AUTH_FAILED');
    headers = { 'www-authenticate': 'Bearer realm="unterminated' };
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_AUTH_FAILED');
    headers = { 'www-authenticate': 'Bearer realm="file:///etc/passwd"' };
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_RESPONSE_INVALID');
    status = 403;
    headers = {};
    const err = await caught(client.getManifest('r', 'v1'));
    expect(err.code).toBe('REGISTRY_AUTH_FAILED');
    expect(err.registryCodes).toEqual(['DENIED']);
  });
});

describe('blobs from a hostile registry', () => {
  const data = Buffer.from('the real evidence bundle bytes');
  const desc = blobOf(data);

  it('different bytes of the same length: the stream fails with DIGEST_MISMATCH', async () => {
    const server = await serve((_req, res) => res.end(Buffer.from('the fake evidence bundle bytes')));
    const client = new RegistryClient(server.host, { plainHttp: true });
    const err = await caught(readAll(await client.getBlob('r', desc)));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.expected).toBe(desc.digest);
    expect(err.found).toBe(sha256('the fake evidence bundle bytes'));
  });

  it('more bytes than announced, or fewer, are DIGEST_MISMATCH', async () => {
    let body = Buffer.concat([data, data]);
    let chunked = false;
    const server = await serve((_req, res) => {
      if (chunked) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(body);
        res.end();
      } else res.end(body);
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    // Content-Length says too much: refused before streaming.
    expect((await caught(client.getBlob('r', desc))).code).toBe('DIGEST_MISMATCH');
    chunked = true;
    expect((await caught(readAll(await client.getBlob('r', desc)))).code).toBe('DIGEST_MISMATCH');
    body = data.subarray(0, 10);
    expect((await caught(readAll(await client.getBlob('r', desc)))).code).toBe('DIGEST_MISMATCH');
    body = data;
    expect((await readAll(await client.getBlob('r', desc))).equals(data)).toBe(true);
  });

  it('follows a redirect to storage on another origin without our Authorization header', async () => {
    const storage = await serve((_req, res) => res.end(data));
    const server = await serve((req, res) => {
      if (req.headers.authorization !== 'Basic dTpwYXNzd29yZC0x') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      res.writeHead(307, { location: `${storage.origin}/bucket/${desc.digest}?sig=abc` });
      res.end();
    });
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      credentials: { username: 'u', password: 'password-1' },
    });
    expect((await readAll(await client.getBlob('r', desc))).equals(data)).toBe(true);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]?.url).toBe(`/bucket/${desc.digest}?sig=abc`);
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('a relative redirect on the same origin keeps the Authorization header', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization !== 'Basic dTpwYXNzd29yZC0x') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      if (req.url.startsWith('/v2/')) {
        res.writeHead(302, { location: '/storage/blob' });
        return res.end();
      }
      res.end(data);
    });
    const client = new RegistryClient(server.host, {
      plainHttp: true,
      credentials: { username: 'u', password: 'password-1' },
    });
    expect((await readAll(await client.getBlob('r', desc))).equals(data)).toBe(true);
    expect(server.requests.at(-1)?.url).toBe('/storage/blob');
  });

  it('redirect loops and redirects to other schemes are REGISTRY_RESPONSE_INVALID', async () => {
    let location = '/loop';
    const server = await serve((_req, res) => {
      res.writeHead(302, { location });
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.getBlob('r', desc))).code).toBe('REGISTRY_RESPONSE_INVALID');
    location = 'file:///etc/passwd';
    expect((await caught(client.getBlob('r', desc))).code).toBe('REGISTRY_RESPONSE_INVALID');
    location = 'ftp://example.com/x';
    expect((await caught(client.getBlob('r', desc))).code).toBe('REGISTRY_RESPONSE_INVALID');
    location = 'http://user:pw@example.com/x';
    expect((await caught(client.getBlob('r', desc))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it('uploads to a relative upload Location, keeping its query', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
      if (req.method === 'POST') {
        res.writeHead(202, { location: '/v2/r/blobs/uploads/uuid-1?_state=a%2Bb%3D%3D' });
        return res.end();
      }
      res.writeHead(201);
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect(await client.pushBlob('r', desc, () => Readable.from([data]))).toBe('uploaded');
    const put = server.requests.at(-1);
    expect(put?.method).toBe('PUT');
    expect(put?.url).toBe(`/v2/r/blobs/uploads/uuid-1?_state=a%2Bb%3D%3D&digest=${encodeURIComponent(desc.digest)}`);
    expect(put?.body.equals(data)).toBe(true);
    expect(put?.headers['content-length']).toBe(String(data.length));
  });

  it('a registry that computes another digest (400 DIGEST_INVALID) is DIGEST_MISMATCH; one that accepts the wrong bytes too', async () => {
    let finish = (res: ServerResponse): void =>
      sendJson(res, 400, {
        errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }],
      });
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return sendJson(res, 404, {});
      if (req.method === 'POST') {
        res.writeHead(202, { location: '/v2/r/blobs/uploads/u' });
        return res.end();
      }
      finish(res);
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    const err = await caught(client.pushBlob('r', desc, () => Readable.from([data])));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.registryCodes).toEqual(['DIGEST_INVALID']);
    expect(err.expected).toBe(desc.digest);
    finish = (res) => {
      res.writeHead(201);
      res.end();
    };
    const wrong = Buffer.from('the fake evidence bundle bytes');
    const accepted = await caught(client.pushBlob('r', desc, () => Readable.from([wrong])));
    expect(accepted.code).toBe('DIGEST_MISMATCH');
    expect(accepted.found).toBe(sha256(wrong));
  });

  it('refuses a registry that acknowledges the wrong range for a chunk', async () => {
    const big = Buffer.alloc(100, 1);
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return sendJson(res, 404, {});
      if (req.method === 'DELETE') return sendJson(res, 204, {});
      res.writeHead(202, { location: '/v2/r/blobs/uploads/u', range: '0-3' });
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true, chunkSize: 40 });
    expect((await caught(client.pushBlob('r', blobOf(big), () => Readable.from([big])))).code).toBe(
      'REGISTRY_RESPONSE_INVALID',
    );
    expect(server.requests.at(-1)?.method).toBe('DELETE');
  });

  it('a registry that claims the blob with another size is REGISTRY_RESPONSE_INVALID', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '999' });
      res.end();
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.pushBlob('r', desc, () => Readable.from([data])))).code).toBe(
      'REGISTRY_RESPONSE_INVALID',
    );
  });
});

describe('bearer token authentication', () => {
  const username = 'robot';
  const password = 'robot-password-do-not-print';
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  /** A registry that wants `Bearer token-N` for the scope it was issued for, and its token service, on one server. */
  async function bearerRegistry(options: { tokenBody?: (n: number) => unknown; expireFirstPut?: boolean } = {}) {
    let issued = 0;
    const tokens = new Map<string, string>();
    let putRejected = false;
    const blobs = new Map<string, Buffer>();
    const server: FakeServer = await serve((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== basic)
          return sendJson(res, 401, {
            errors: [
              { code: 'UNAUTHORIZED', message: `bad credentials ${String(req.headers.authorization)} ${password}` },
            ],
          });
        const token = `token-${++issued}-${'s'.repeat(20)}`;
        tokens.set(token, url.searchParams.getAll('scope').join(' '));
        return sendJson(res, 200, options.tokenBody ? options.tokenBody(issued) : { token, expires_in: 300 });
      }
      const repo = /^\/v2\/(.+?)\/(?:blobs|manifests)\//.exec(url.pathname)?.[1] ?? '';
      const needed = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
      const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const scope = presented === undefined ? undefined : tokens.get(presented);
      const ok =
        scope !== undefined &&
        scope
          .split(' ')
          .some((s) => s === `repository:${repo}:pull,push` || (needed === 'pull' && s === `repository:${repo}:pull`));
      const expire = options.expireFirstPut === true && req.method === 'PUT' && !putRejected;
      if (!ok || expire) {
        if (expire) putRejected = true;
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${server.origin}/token",service="fake-registry",scope="repository:${repo}:${needed}"`,
          'content-type': 'application/json',
        });
        return res.end(
          JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: `token ${String(presented)} rejected` }] }),
        );
      }
      if (url.pathname === '/v2/r/manifests/leak') {
        return sendJson(res, 500, {
          errors: [{ code: 'UNKNOWN', message: `I saw ${String(req.headers.authorization)}` }],
        });
      }
      if (url.pathname.includes('/manifests/')) return sendManifest(res, MANIFEST);
      if (req.method === 'HEAD') {
        const blob = blobs.get(url.pathname.split('/').at(-1) ?? '');
        res.writeHead(blob ? 200 : 404, blob ? { 'content-length': String(blob.length) } : {});
        return res.end();
      }
      if (req.method === 'POST') {
        res.writeHead(202, { location: `${server.origin}/v2/${repo}/blobs/uploads/1` });
        return res.end();
      }
      if (req.method === 'PUT') {
        blobs.set(url.searchParams.get('digest') ?? '', req.body);
        res.writeHead(201);
        return res.end();
      }
      return sendJson(res, 405, {});
    });
    return { server, tokenRequests: () => server.requests.filter((r) => r.url.startsWith('/token')) };
  }

  it('gets a token with Basic credentials for the scope, caches it, and never leaks it or the password', async () => {
    const { server, tokenRequests } = await bearerRegistry();
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password } });
    expect((await client.getManifest('r', 'v1')).digest).toBe(MANIFEST_DIGEST);
    expect((await client.getManifest('r', 'v1')).digest).toBe(MANIFEST_DIGEST);
    expect(tokenRequests()).toHaveLength(1);
    const first = new URL(tokenRequests()[0]?.url ?? '', 'http://x');
    expect(first.searchParams.get('service')).toBe('fake-registry');
    expect(first.searchParams.getAll('scope')).toEqual(['repository:r:pull']);
    // The token is sent proactively for the next call with the same scope: no 401 round trip.
    const before = server.requests.length;
    await client.getManifest('r', 'v2');
    expect(server.requests.length - before).toBe(1);

    const err = await caught(client.getManifest('r', 'leak'));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toContain('[REDACTED]');
    expect(err.message).not.toContain('token-1-');
    expect(err.message).not.toContain(password);
  });

  it('pushes with a pull,push token, and re-authenticates and reopens the stream when a streamed PUT meets a 401', async () => {
    const { server, tokenRequests } = await bearerRegistry({ expireFirstPut: true });
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password } });
    const data = Buffer.from('bundle');
    let opened = 0;
    const open = (): Readable => {
      opened++;
      return Readable.from([data]);
    };
    expect(await client.pushBlob('r', blobOf(data), open)).toBe('uploaded');
    expect(opened).toBe(2);
    expect(tokenRequests().map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope'))).toEqual([
      ['repository:r:pull,push'],
      ['repository:r:pull,push'],
    ]);
    expect(await client.pushBlob('r', blobOf(data), open)).toBe('exists');
  });

  it('asks for pull on the mount source and push on the target in one token', async () => {
    const { server, tokenRequests } = await bearerRegistry();
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password } });
    const data = Buffer.from('bundle');
    expect(await client.pushBlob('r', blobOf(data), () => Readable.from([data]), { mountFrom: 'other/repo' })).toBe(
      'uploaded',
    );
    expect(new URL(tokenRequests()[0]?.url ?? '', 'http://x').searchParams.getAll('scope')).toEqual([
      'repository:other/repo:pull',
      'repository:r:pull,push',
    ]);
  });

  it('a wrong password is REGISTRY_AUTH_FAILED from the token service, and the password is not in the message', async () => {
    const { server } = await bearerRegistry();
    const wrong = 'wrong-password-xyz-123';
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password: wrong } });
    const err = await caught(client.getManifest('r', 'v1'));
    expect(err.code).toBe('REGISTRY_AUTH_FAILED');
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(wrong);
    expect(err.message).not.toContain(Buffer.from(`${username}:${wrong}`).toString('base64'));
  });

  it('anonymous: no Authorization goes to the token service, which refuses → REGISTRY_AUTH_FAILED', async () => {
    const { server, tokenRequests } = await bearerRegistry();
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_AUTH_FAILED');
    expect(tokenRequests()[0]?.headers.authorization).toBeUndefined();
  });

  it.each<[string, (n: number) => unknown]>([
    ['no token', () => ({ expires_in: 60 })],
    ['a token with a line break', () => ({ token: 'abc\r\nX-Injected: 1' })],
    ['oversized', () => ({ token: 'x', padding: 'p'.repeat(100 * 1024) })],
  ])('a token response with %s is REGISTRY_RESPONSE_INVALID', async (_name, tokenBody) => {
    const { server } = await bearerRegistry({ tokenBody });
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password } });
    expect((await caught(client.getManifest('r', 'v1'))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it('access_token (OAuth style) works too', async () => {
    const { server } = await bearerRegistry({ tokenBody: (n) => ({ access_token: `token-${n}-${'s'.repeat(20)}` }) });
    const client = new RegistryClient(server.host, { plainHttp: true, credentials: { username, password } });
    expect((await client.getManifest('r', 'v1')).digest).toBe(MANIFEST_DIGEST);
  });
});

describe('referrers from a registry with the referrers API', () => {
  const subject = MANIFEST_DIGEST;
  const entry = (n: number, artifactType: string) => ({
    mediaType: OCI_MANIFEST,
    digest: sha256(`referrer ${n}`),
    size: 100 + n,
    artifactType,
  });

  it('collects every page and filters by artifactType itself', async () => {
    const server = await serve((req, res) => {
      const page2 = req.url.includes('page=2');
      const manifests = page2 ? [entry(3, 'application/b')] : [entry(1, 'application/a'), entry(2, 'application/b')];
      sendJson(
        res,
        200,
        { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
        page2 ? {} : { link: `</v2/r/referrers/${subject}?page=2>; rel="next"` },
      );
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect(await client.referrers('r', subject)).toEqual([
      entry(1, 'application/a'),
      entry(2, 'application/b'),
      entry(3, 'application/b'),
    ]);
    expect(await client.referrers('r', subject, { artifactType: 'application/b' })).toEqual([
      entry(2, 'application/b'),
      entry(3, 'application/b'),
    ]);
    expect(server.requests.at(-2)?.url).toBe(
      `/v2/r/referrers/${subject}?artifactType=${encodeURIComponent('application/b')}`,
    );
  });

  it.each<[string, unknown, Record<string, string>]>([
    [
      'a sha512 referrer',
      { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: `sha512:${'a'.repeat(128)}`, size: 1 }] },
      {},
    ],
    [
      'a negative size',
      { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: MANIFEST_DIGEST, size: -1 }] },
      {},
    ],
    ['no manifests', { schemaVersion: 2 }, {}],
    ['a next page elsewhere', { schemaVersion: 2, manifests: [] }, { link: '<http://evil.example.com/x>; rel="next"' }],
  ])('%s is REGISTRY_RESPONSE_INVALID', async (_name, body, headers) => {
    const server = await serve((_req, res) => sendJson(res, 200, body, headers));
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.referrers('r', subject))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });

  it('a fallback tag that holds something other than an index is REGISTRY_RESPONSE_INVALID', async () => {
    const server = await serve((req, res) => {
      if (req.url.includes('/referrers/')) return sendJson(res, 404, {});
      sendManifest(res, MANIFEST);
    });
    const client = new RegistryClient(server.host, { plainHttp: true });
    expect((await caught(client.referrers('r', subject))).code).toBe('REGISTRY_RESPONSE_INVALID');
  });
});

describe('push against a registry that fails the upload', () => {
  it("ends with the registry's error (exit 2), neither hanging nor blaming the bundle, whatever step fails", async () => {
    const { writeFile } = await import('node:fs/promises');
    const { randomBytes } = await import('node:crypto');
    const { runCli } = await import('../../helpers/io.js');
    const dir = await tmp();
    // Incompressible, so that the bundle spans several upload chunks and reads.
    await writeFile(join(dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
    expect(
      (
        await runCli(['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--file', 'big.bin=raw', '-q'], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    for (const failing of ['POST', 'PATCH']) {
      const server = await serve((req, res) => {
        if (req.method === 'HEAD') return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
        if (req.method === failing) return sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: 'disk full' }] });
        if (req.method === 'POST') return sendJson(res, 202, {}, { location: `/v2/r/blobs/uploads/1` });
        if (req.method === 'DELETE') return sendJson(res, 204, {});
        return sendJson(
          res,
          202,
          {},
          { location: `/v2/r/blobs/uploads/1`, range: `0-${Number(req.headers['content-length'] ?? 1) - 1}` },
        );
      });
      const r = await runCli(['push', 'b.tar.gz', `oci://${server.host}/r:1`, '--plain-http'], { cwd: dir });
      expect(r.code, failing).toBe(2);
      expect(r.stderr, failing).toMatch(/\[REGISTRY_ERROR\]|\[REGISTRY_UNREACHABLE\]/);
      expect(r.stderr).not.toContain('BUNDLE_INVALID');
    }
  }, 60_000);
});

describe('push against registries that want chunks, or answer what HTTP cannot say', () => {
  async function bigBundle(): Promise<{ dir: string; bytes: Buffer }> {
    const { writeFile, readFile } = await import('node:fs/promises');
    const { randomBytes } = await import('node:crypto');
    const { runCli } = await import('../../helpers/io.js');
    const dir = await tmp();
    await writeFile(join(dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
    expect(
      (
        await runCli(['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--file', 'big.bin=raw', '-q'], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    return { dir, bytes: await readFile(join(dir, 'b.tar.gz')) };
  }

  it('a registry that refuses a whole-blob PATCH (416) gets the verified bundle in chunks instead, closed under its digest', async () => {
    const { dir, bytes } = await bigBundle();
    const { runCli } = await import('../../helpers/io.js');
    let stored = Buffer.alloc(0);
    let committed: string | undefined;
    const server = await serve((req, res) => {
      const path = req.url.split('?')[0] ?? '';
      if (req.method === 'HEAD') return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
      if (req.method === 'POST') {
        stored = Buffer.alloc(0);
        return sendJson(res, 202, {}, { location: '/v2/r/blobs/uploads/1' });
      }
      if (req.method === 'PATCH') {
        if (req.headers['content-range'] === undefined)
          return sendJson(res, 416, { errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'Content-Range required' }] });
        stored = Buffer.concat([stored, req.body]);
        return sendJson(res, 202, {}, { location: '/v2/r/blobs/uploads/1', range: `0-${stored.length - 1}` });
      }
      if (req.method === 'DELETE') {
        stored = Buffer.alloc(0);
        return sendJson(res, 204, {});
      }
      if (req.method === 'PUT' && path.startsWith('/v2/r/blobs/uploads/')) {
        const digest = new URL(req.url, 'http://x').searchParams.get('digest') ?? '';
        stored = Buffer.concat([stored, req.body]);
        if (digest !== sha256(stored)) return sendJson(res, 400, { errors: [{ code: 'DIGEST_INVALID' }] });
        committed = digest;
        return sendJson(res, 201, {}, { location: `/v2/r/blobs/${digest}` });
      }
      if (req.method === 'PUT' && path.startsWith('/v2/r/manifests/'))
        return sendJson(res, 201, {}, { 'docker-content-digest': sha256(req.body) });
      return sendJson(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    });
    const r = await runCli(['push', 'b.tar.gz', `oci://${server.host}/r:1`, '--plain-http'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('uploading in chunks');
    // The bundle was the first blob committed (the empty config and the manifest follow).
    expect(server.requests.find((q) => q.method === 'PUT' && q.url.includes('digest='))?.url).toContain(
      encodeURIComponent(sha256(bytes)),
    );
    expect(committed).toBeDefined();
    expect(server.requests.some((q) => q.method === 'PATCH' && q.headers['content-range'] === undefined)).toBe(true);
    expect(
      server.requests.filter((q) => q.method === 'PATCH' && q.headers['content-range'] !== undefined).length,
    ).toBeGreaterThan(1);
  }, 60_000);

  it('an answer with a status HTTP has no place for is a registry fault (exit 2), never a crash', async () => {
    const { dir } = await bigBundle();
    const { runCli } = await import('../../helpers/io.js');
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
      if (req.method === 'POST') return sendJson(res, 202, {}, { location: '/v2/r/blobs/uploads/1' });
      if (req.method === 'DELETE') return sendJson(res, 204, {});
      if (req.method === 'PATCH') {
        res.writeHead(600, { 'content-length': '0' });
        return res.end();
      }
      return sendJson(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    });
    const r = await runCli(['push', 'b.tar.gz', `oci://${server.host}/r:1`, '--plain-http'], { cwd: dir });
    expect([r.code, r.stderr.includes('[REGISTRY_RESPONSE_INVALID]')], r.stderr).toEqual([2, true]);
  }, 60_000);
});
