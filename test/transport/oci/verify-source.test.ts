import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE_ARTIFACT_TYPE, BUNDLE_MEDIA_TYPE } from '../../../src/core/manifest.js';
import { OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST } from '../../../src/transport/oci/manifest.js';
import { runCli } from '../../helpers/io.js';
import { fixture, useTmp } from '../../helpers/tmp.js';
import { startFakeServer, type FakeServer } from './fake-server.js';

const tmp = useTmp();
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A registry on loopback serving one evidence manifest whose blob is sent by `blob`. */
async function registryServing(
  bundle: Buffer,
  blob: (res: import('node:http').ServerResponse) => void,
): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(bundle).digest('hex')}`;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE_ARTIFACT_TYPE,
      config: OCI_EMPTY_DESCRIPTOR,
      layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest, size: bundle.length }],
    }),
  );
  server = await startFakeServer((req, res) => {
    if (req.url.endsWith('/manifests/1')) {
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(manifest.length) });
      res.end(manifest);
    } else if (req.url.endsWith(`/blobs/${digest}`)) blob(res);
    else res.writeHead(404).end();
  });
  return `oci://${server.host}/acme/evidence:1`;
}

describe('verify oci://: what the source does is not a verdict on the bundle', () => {
  async function bundle(): Promise<{ dir: string; bytes: Buffer }> {
    const dir = await tmp();
    const r = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'web', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    return { dir, bytes: await readFile(join(dir, 'b.tar.gz')) };
  }

  it('a connection that breaks off mid-blob exits 2 (unreachable source), not 1', async () => {
    const { dir, bytes } = await bundle();
    const ref = await registryServing(bytes, (res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const r = await runCli(['verify', ref, '--plain-http', '--integrity-only'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
  });

  it('bytes that are not the digest exit 1 (integrity), and the whole blob verifies (exit 0)', async () => {
    const { dir, bytes } = await bundle();
    const evil = Buffer.from(bytes);
    evil[evil.length - 40] = (evil[evil.length - 40] as number) ^ 1;
    const bad = await registryServing(bytes, (res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(evil.length) });
      res.end(evil);
    });
    expect((await runCli(['verify', bad, '--plain-http', '--integrity-only'], { cwd: dir })).code).toBe(1);
    await server?.close();
    const good = await registryServing(bytes, (res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      res.end(bytes);
    });
    expect((await runCli(['verify', good, '--plain-http', '--integrity-only'], { cwd: dir })).code).toBe(0);
  });
});
