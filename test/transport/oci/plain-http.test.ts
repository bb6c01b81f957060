import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/transport/oci/client.js';
import { tlsMetPlainHttp } from '../../../src/transport/oci/errors.js';
import { runCli } from '../../helpers/io.js';
import { useTmp } from '../../helpers/tmp.js';
import { sendJson, startFakeServer, type FakeServer } from './fake-server.js';
import { caught } from './support.js';

/**
 * Class: new users. A registry that serves plain HTTP (a local one), asked
 * over HTTPS, is told apart from one that cannot be reached, and the
 * message names --plain-http.
 */
const tmp = useTmp();
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function plainRegistry(): Promise<FakeServer> {
  const server = await startFakeServer((_req, res) => sendJson(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  servers.push(server);
  return server;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('an HTTPS request to a plain-HTTP registry', () => {
  it('is REGISTRY_PLAIN_HTTP, and the message names --plain-http', async () => {
    const server = await plainRegistry();
    const err = await caught(new RegistryClient(server.host).getManifest('acme/x', '1'));
    expect(err.code).toBe('REGISTRY_PLAIN_HTTP');
    expect(err.registry).toBe(server.host);
    expect(err.message).toContain('--plain-http');
  });

  it('with --plain-http the same registry is reached (its 404 is REGISTRY_NOT_FOUND)', async () => {
    const server = await plainRegistry();
    const err = await caught(new RegistryClient(server.host, { plainHttp: true }).getManifest('acme/x', '1'));
    expect(err.code).toBe('REGISTRY_NOT_FOUND');
  });

  it('a port where nothing listens stays REGISTRY_UNREACHABLE, with no --plain-http advice', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const err = await caught(new RegistryClient(host).getManifest('acme/x', '1'));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.message).not.toContain('--plain-http');
  });

  it('pull from the command line: exit 2, the code, and --plain-http on standard error', async () => {
    const server = await plainRegistry();
    const dir = await tmp();
    const r = await runCli(['pull', `oci://${server.host}/acme/x:1`, '-o', 'x.tar.gz'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('REGISTRY_PLAIN_HTTP');
    expect(r.stderr).toContain('--plain-http');
  });

  it('tells the TLS errors of a plain-HTTP answer from other connection errors', () => {
    expect(
      tlsMetPlainHttp(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('ssl3_get_record:wrong version number'), {
            code: 'ERR_SSL_WRONG_VERSION_NUMBER',
          }),
        }),
      ),
    ).toBe(true);
    expect(
      tlsMetPlainHttp(
        Object.assign(new Error('write EPROTO 0A0000C6:SSL routines:tls_get_more_records:packet length too long'), {
          code: 'EPROTO',
        }),
      ),
    ).toBe(true);
    expect(
      tlsMetPlainHttp(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        }),
      ),
    ).toBe(false);
    expect(
      tlsMetPlainHttp(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })),
    ).toBe(false);
  });
});
