import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDockerConfig } from '../../../src/transport/oci/auth.js';
import { RegistryClient } from '../../../src/transport/oci/client.js';
import {
  OCI_EMPTY,
  OCI_EMPTY_BYTES,
  OCI_EMPTY_DESCRIPTOR,
  OCI_INDEX,
  OCI_MANIFEST,
  type Descriptor,
  type ImageManifest,
} from '../../../src/transport/oci/manifest.js';
import { freePort } from '../../helpers/net.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../../helpers/registry.js';
import { useTmp } from '../../helpers/tmp.js';
import { blobOf, caught, readAll } from './support.js';

if (registrySkipReason) console.warn(`skipping: ${registrySkipReason}`);

/** Deterministic pseudo-random bytes, so a failure reproduces. */
function bytesOf(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let block: Buffer;
  for (let i = 0, n = 0; i < size; i += block.length, n++) {
    block = createHash('sha256').update(`${seed}:${n}`).digest();
    block.copy(out, i);
  }
  return out;
}

/** Streams `data` in small pieces, as a file would be read. */
function streamOf(data: Buffer, piece = 16 * 1024): () => Readable {
  return () =>
    Readable.from(
      (function* () {
        for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
      })(),
    );
}

function manifestBytes(manifest: ImageManifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

/** A fetch that records what the client sent. */
function recordingFetch(
  log: { method: string; url: string; contentRange: string | null; streamed: boolean }[],
): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    log.push({
      method: init?.method ?? 'GET',
      url: input instanceof Request ? input.url : String(input),
      contentRange: headers.get('content-range'),
      streamed: init?.body != null && !(init.body instanceof Uint8Array),
    });
    return fetch(input, init);
  };
}

describe.skipIf(registrySkipReason !== undefined)(
  'RegistryClient against a real docker-registry (distribution 2.8)',
  () => {
    let registry: RunningRegistry;
    let client: RegistryClient;

    beforeAll(async () => {
      registry = await startRegistry();
      client = new RegistryClient(registry.host, { plainHttp: true, chunkSize: 64 * 1024 });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    describe('blobs', () => {
      it('pushes a small blob in one streamed PUT and reads it back byte for byte; a second push finds it', async () => {
        const data = bytesOf(1000, 1);
        const desc = blobOf(data);
        const log: Parameters<typeof recordingFetch>[0] = [];
        const recording = new RegistryClient(registry.host, {
          plainHttp: true,
          chunkSize: 64 * 1024,
          fetch: recordingFetch(log),
        });
        expect(await recording.blobSize('blobs/small', desc.digest)).toBeUndefined();
        expect(await recording.pushBlob('blobs/small', desc, streamOf(data))).toBe('uploaded');
        expect(log.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'POST', 'PUT']);
        expect(log[3]?.streamed).toBe(true);
        expect(await recording.blobSize('blobs/small', desc.digest)).toBe(1000);
        expect(await readAll(await client.getBlob('blobs/small', desc))).toEqual(data);
        expect(await client.pushBlob('blobs/small', desc, () => Readable.from([]))).toBe('exists');
      });

      it('pushes an empty blob', async () => {
        const desc = blobOf(Buffer.alloc(0));
        expect(await client.pushBlob('blobs/empty', desc, () => Readable.from([]))).toBe('uploaded');
        expect(await readAll(await client.getBlob('blobs/empty', desc))).toHaveLength(0);
      });

      it('pushes a blob bigger than chunkSize in PATCH chunks with inclusive Content-Range, one chunk at a time', async () => {
        const data = bytesOf(5 * 64 * 1024 + 12_345, 2);
        const desc = blobOf(data);
        const log: Parameters<typeof recordingFetch>[0] = [];
        const recording = new RegistryClient(registry.host, {
          plainHttp: true,
          chunkSize: 64 * 1024,
          fetch: recordingFetch(log),
        });
        // Pieces that straddle chunk boundaries.
        expect(await recording.pushBlob('blobs/big', desc, streamOf(data, 50_000))).toBe('uploaded');
        const patches = log.filter((r) => r.method === 'PATCH').map((r) => r.contentRange);
        expect(patches).toEqual([
          '0-65535',
          '65536-131071',
          '131072-196607',
          '196608-262143',
          '262144-327679',
          `327680-${data.length - 1}`,
        ]);
        expect(log.at(-1)?.method).toBe('PUT');
        expect(log.at(-1)?.url).toContain(`digest=${encodeURIComponent(desc.digest)}`);
        expect((await readAll(await client.getBlob('blobs/big', desc))).equals(data)).toBe(true);
      });

      it('refuses a stream that does not match its descriptor (DIGEST_MISMATCH), monolithic and chunked', async () => {
        const data = bytesOf(100, 3);
        const other = bytesOf(100, 4);
        expect((await caught(client.pushBlob('blobs/bad', blobOf(data), streamOf(other)))).code).toBe(
          'DIGEST_MISMATCH',
        );
        expect((await caught(client.pushBlob('blobs/bad', blobOf(data), streamOf(data.subarray(0, 50))))).code).toBe(
          'DIGEST_MISMATCH',
        );
        expect(
          (await caught(client.pushBlob('blobs/bad', blobOf(data), streamOf(Buffer.concat([data, data]))))).code,
        ).toBe('DIGEST_MISMATCH');
        const big = bytesOf(200_000, 5);
        const bigOther = bytesOf(200_000, 6);
        const err = await caught(client.pushBlob('blobs/bad', blobOf(big), streamOf(bigOther)));
        expect(err.code).toBe('DIGEST_MISMATCH');
        expect(err.expected).toBe(blobOf(big).digest);
        expect(err.found).toBe(blobOf(bigOther).digest);
        expect((await caught(client.pushBlob('blobs/bad', blobOf(big), streamOf(big.subarray(0, 150_000))))).code).toBe(
          'DIGEST_MISMATCH',
        );
        expect(
          (await caught(client.pushBlob('blobs/bad', blobOf(big), streamOf(Buffer.concat([big, big]))))).code,
        ).toBe('DIGEST_MISMATCH');
        expect(await client.blobSize('blobs/bad', blobOf(data).digest)).toBeUndefined();
        expect(await client.blobSize('blobs/bad', blobOf(big).digest)).toBeUndefined();
      });

      it('passes on the caller stream’s own error', async () => {
        const boom = new Error('disk on fire');
        const failing = (): Readable =>
          new Readable({
            read() {
              this.destroy(boom);
            },
          });
        await expect(client.pushBlob('blobs/fail', blobOf(bytesOf(10, 9)), failing)).rejects.toBe(boom);
        await expect(client.pushBlob('blobs/fail', blobOf(bytesOf(100_000, 9)), failing)).rejects.toBe(boom);
      });

      it('mounts a blob from another repository', async () => {
        const data = bytesOf(3000, 7);
        const desc = blobOf(data);
        expect(await client.pushBlob('mount/a', desc, streamOf(data))).toBe('uploaded');
        expect(await client.pushBlob('mount/b', desc, () => Readable.from([]), { mountFrom: 'mount/a' })).toBe(
          'mounted',
        );
        expect(await readAll(await client.getBlob('mount/b', desc))).toEqual(data);
      });

      it('uploads when the mount source does not have the blob (202 from the mount request)', async () => {
        const data = bytesOf(2000, 8);
        const desc = blobOf(data);
        expect(await client.pushBlob('mount/c', desc, streamOf(data), { mountFrom: 'mount/nothing-here' })).toBe(
          'uploaded',
        );
        expect(await client.blobSize('mount/c', desc.digest)).toBe(2000);
      });

      it('reports a missing blob as REGISTRY_NOT_FOUND', async () => {
        expect((await caught(client.getBlob('blobs/none', blobOf(Buffer.from('nope'))))).code).toBe(
          'REGISTRY_NOT_FOUND',
        );
      });

      it('detects a blob tampered with in the registry storage (DIGEST_MISMATCH on the stream)', async () => {
        const data = bytesOf(4096, 10);
        const desc = blobOf(data);
        await client.pushBlob('tamper/a', desc, streamOf(data));
        const hex = desc.digest.slice('sha256:'.length);
        const file = join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
        const tampered = Buffer.from(data);
        tampered[100] = (tampered[100] ?? 0) ^ 0xff;
        await writeFile(file, tampered);
        const stream = await client.getBlob('tamper/a', desc);
        const err = await caught(readAll(stream));
        expect(err.code).toBe('DIGEST_MISMATCH');
        expect(err.expected).toBe(desc.digest);
        expect(err.found).toBe(blobOf(tampered).digest);
        // A truncated file: the registry now announces fewer bytes.
        await writeFile(file, data.subarray(0, 4000));
        expect((await caught((async () => readAll(await client.getBlob('tamper/a', desc)))())).code).toBe(
          'DIGEST_MISMATCH',
        );
      });
    });

    describe('manifests and referrers', () => {
      const repo = 'evidence/app';
      let subject: Descriptor;

      beforeAll(async () => {
        await client.pushBlob(repo, OCI_EMPTY_DESCRIPTOR, () => Readable.from([Buffer.from(OCI_EMPTY_BYTES)]));
        const layer = bytesOf(500, 20);
        await client.pushBlob(repo, blobOf(layer), streamOf(layer));
        const bytes = manifestBytes({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: OCI_EMPTY_DESCRIPTOR,
          layers: [{ mediaType: 'application/octet-stream', ...blobOf(layer) }],
        });
        const { digest, subjectAccepted } = await client.pushManifest(repo, 'v1', bytes, OCI_MANIFEST);
        expect(subjectAccepted).toBe(false);
        subject = { mediaType: OCI_MANIFEST, digest, size: bytes.length };
      });

      it('pushes a manifest by tag and gets it by tag and by digest, with the digest of the exact bytes', async () => {
        const byTag = await client.getManifest(repo, 'v1', [OCI_MANIFEST]);
        expect(byTag.digest).toBe(subject.digest);
        expect(byTag.digest).toBe(blobOf(byTag.bytes).digest);
        expect(byTag.mediaType).toBe(OCI_MANIFEST);
        const byDigest = await client.getManifest(repo, subject.digest, [OCI_MANIFEST, OCI_INDEX]);
        expect(byDigest.bytes).toEqual(byTag.bytes);
      });

      it('pushes a manifest by digest, and refuses bytes that are not that digest', async () => {
        const bytes = manifestBytes({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: OCI_EMPTY_DESCRIPTOR,
          layers: [],
          annotations: { n: '1' },
        });
        const digest = blobOf(bytes).digest;
        expect((await client.pushManifest(repo, digest, bytes, OCI_MANIFEST)).digest).toBe(digest);
        expect((await client.getManifest(repo, digest)).bytes).toEqual(bytes);
        expect((await caught(client.pushManifest(repo, OCI_EMPTY_DESCRIPTOR.digest, bytes, OCI_MANIFEST))).code).toBe(
          'DIGEST_MISMATCH',
        );
      });

      it('reports unknown manifests and repositories as REGISTRY_NOT_FOUND, registry refusals as REGISTRY_ERROR with its codes', async () => {
        expect((await caught(client.getManifest(repo, 'no-such-tag'))).code).toBe('REGISTRY_NOT_FOUND');
        expect((await caught(client.getManifest('no/such/repo', 'v1'))).code).toBe('REGISTRY_NOT_FOUND');
        const dangling = manifestBytes({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: OCI_EMPTY_DESCRIPTOR,
          layers: [{ mediaType: 'application/octet-stream', ...blobOf(Buffer.from('absent')) }],
        });
        const err = await caught(client.pushManifest(repo, 'dangling', dangling, OCI_MANIFEST));
        expect(err.code).toBe('REGISTRY_ERROR');
        expect(err.status).toBe(400);
        expect(err.registryCodes).toEqual(['MANIFEST_BLOB_UNKNOWN']);
      });

      it('refuses a media type that was not asked for', async () => {
        // distribution 2.8 answers 404 when the Accept header leaves out the OCI manifest type.
        expect((await caught(client.getManifest(repo, 'v1', [OCI_INDEX]))).code).toBe('REGISTRY_NOT_FOUND');
      });

      it('has no referrers API (404), so referrers go through the sha256-<hex> fallback tag', async () => {
        const res = await fetch(`http://${registry.host}/v2/${repo}/referrers/${subject.digest}`, {
          headers: { accept: OCI_INDEX },
        });
        expect(res.status).toBe(404);
        await res.body?.cancel();
        expect(await client.referrers(repo, subject.digest)).toEqual([]);

        const referrer = async (artifactType: string, n: number): Promise<Descriptor> => {
          const bytes = manifestBytes({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType,
            config: OCI_EMPTY_DESCRIPTOR,
            layers: [OCI_EMPTY_DESCRIPTOR],
            subject,
            annotations: { 'org.opencontainers.image.created': `2026-01-0${n}T00:00:00Z` },
          });
          const pushed = await client.pushManifest(repo, blobOf(bytes).digest, bytes, OCI_MANIFEST);
          // distribution 2.8 stores subject and artifactType verbatim but says nothing of them.
          expect(pushed.subjectAccepted).toBe(false);
          const fetched = await client.getManifest(repo, pushed.digest, [OCI_MANIFEST]);
          expect(fetched.bytes).toEqual(bytes);
          return {
            mediaType: OCI_MANIFEST,
            digest: pushed.digest,
            size: bytes.length,
            artifactType,
            annotations: { 'org.opencontainers.image.created': `2026-01-0${n}T00:00:00Z` },
          };
        };
        const evidence = await referrer('application/vnd.example.evidence.v1+tar', 1);
        const sbom = await referrer('application/spdx+json', 2);

        expect(await client.addReferrerToFallbackIndex(repo, subject.digest, evidence)).toMatchObject({
          updated: true,
        });
        const second = await client.addReferrerToFallbackIndex(repo, subject.digest, sbom);
        expect(second.updated).toBe(true);
        expect(await client.addReferrerToFallbackIndex(repo, subject.digest, evidence)).toEqual({
          digest: second.digest,
          updated: false,
        });

        expect(await client.referrers(repo, subject.digest)).toEqual([evidence, sbom]);
        expect(
          await client.referrers(repo, subject.digest, { artifactType: 'application/vnd.example.evidence.v1+tar' }),
        ).toEqual([evidence]);
        expect(await client.referrers(repo, subject.digest, { artifactType: 'application/x-none' })).toEqual([]);

        const index = await client.getManifest(repo, `sha256-${subject.digest.slice(7)}`, [OCI_INDEX]);
        expect(index.mediaType).toBe(OCI_INDEX);
        expect(index.digest).toBe(second.digest);
        expect(JSON.parse(index.bytes.toString('utf8'))).toEqual({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [evidence, sbom],
        });
      });

      it('refuses bad repositories, tags and digests before any request (REFERENCE_INVALID)', async () => {
        for (const call of [
          () => client.getManifest('Upper/Case', 'v1'),
          () => client.getManifest('../etc', 'v1'),
          () => client.getManifest(repo, 'bad tag'),
          () => client.getManifest(repo, '?x=1'),
          () => client.getManifest(repo, `sha512:${'a'.repeat(128)}`),
          () => client.referrers(repo, 'sha256:abc'),
          () => client.blobSize(repo, 'md5:abc'),
        ]) {
          expect((await caught(call())).code).toBe('REFERENCE_INVALID');
        }
        expect(
          (await caught(client.pushBlob(repo, { digest: 'sha256:xyz', size: 1 }, () => Readable.from([])))).code,
        ).toBe('DESCRIPTOR_INVALID');
        expect(
          (
            await caught(
              client.pushBlob(repo, { digest: OCI_EMPTY_DESCRIPTOR.digest, size: -1 }, () => Readable.from([])),
            )
          ).code,
        ).toBe('DESCRIPTOR_INVALID');
        expect(
          (
            await caught(
              client.addReferrerToFallbackIndex(repo, OCI_EMPTY_DESCRIPTOR.digest, {
                mediaType: OCI_EMPTY,
                digest: 'sha256:short',
                size: 1,
              }),
            )
          ).code,
        ).toBe('DESCRIPTOR_INVALID');
      });
    });
  },
);

describe.skipIf(registrySkipReason !== undefined)(
  'RegistryClient against docker-registry with htpasswd (Basic auth)',
  () => {
    const username = 'releaser';
    const password = 'correct-horse-battery-staple';
    let registry: RunningRegistry;
    const tmp = useTmp();

    beforeAll(async () => {
      registry = await startRegistry({ htpasswd: { username, password } });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    const data = Buffer.from('{"evidence":true}');
    const desc = blobOf(data);

    it('without credentials: REGISTRY_AUTH_FAILED', async () => {
      const anonymous = new RegistryClient(registry.host, { plainHttp: true });
      const err = await caught(anonymous.pushBlob('auth/app', desc, streamOf(data)));
      expect(err.code).toBe('REGISTRY_AUTH_FAILED');
      expect((await caught(anonymous.getManifest('auth/app', 'v1'))).code).toBe('REGISTRY_AUTH_FAILED');
    });

    it('with a wrong password: REGISTRY_AUTH_FAILED, and the password appears nowhere in the error', async () => {
      const wrong = 'wrong-password-do-not-print';
      const client = new RegistryClient(registry.host, { plainHttp: true, credentials: { username, password: wrong } });
      for (const call of [
        () => client.pushBlob('auth/app', desc, streamOf(data)),
        () => client.getManifest('auth/app', 'v1'),
        () => client.referrers('auth/app', desc.digest),
      ]) {
        const err = await caught(call());
        expect(err.code).toBe('REGISTRY_AUTH_FAILED');
        expect(err.status).toBe(401);
        const shown = `${err.message} ${err.stack ?? ''} ${JSON.stringify(err)}`;
        expect(shown).not.toContain(wrong);
        expect(shown).not.toContain(Buffer.from(`${username}:${wrong}`).toString('base64'));
        expect(err.message).toContain(registry.host);
      }
    });

    it('with the right credentials: pushes, pulls and lists referrers', async () => {
      const client = new RegistryClient(registry.host, {
        plainHttp: true,
        credentials: { username, password },
        chunkSize: 8,
      });
      // 17 bytes in chunks of 8: PATCH requests carry the Basic credentials learnt from the POST's challenge.
      expect(await client.pushBlob('auth/app', desc, streamOf(data, 5))).toBe('uploaded');
      expect(await readAll(await client.getBlob('auth/app', desc))).toEqual(data);
      expect(await client.referrers('auth/app', desc.digest)).toEqual([]);
    });

    it('with credentials from a docker config.json', async () => {
      const dir = await tmp();
      const file = join(dir, 'config.json');
      const auth = Buffer.from(`${username}:${password}`).toString('base64');
      await writeFile(
        file,
        JSON.stringify({ auths: { [`http://${registry.host}/v1/`]: { auth } }, credsStore: 'desktop' }),
      );
      const credentials = await readDockerConfig(file, registry.host);
      expect(credentials).toEqual({ username, password });
      const client = new RegistryClient(registry.host, { plainHttp: true, ...(credentials ? { credentials } : {}) });
      expect(await client.blobSize('auth/app', desc.digest)).toBe(data.length);
    });
  },
);

describe('an unreachable registry', () => {
  it('is REGISTRY_UNREACHABLE naming the registry (closed port)', async () => {
    const port = await freePort();
    const client = new RegistryClient(`127.0.0.1:${port}`, { plainHttp: true });
    const err = await caught(client.getManifest('some/repo', 'v1'));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(
      (await caught(client.pushBlob('some/repo', OCI_EMPTY_DESCRIPTOR, () => Readable.from([Buffer.from('{}')])))).code,
    ).toBe('REGISTRY_UNREACHABLE');
  });

  it('is REGISTRY_UNREACHABLE when the name does not resolve', async () => {
    const client = new RegistryClient('registry.invalid', { plainHttp: true });
    expect((await caught(client.blobSize('some/repo', OCI_EMPTY_DESCRIPTOR.digest))).code).toBe('REGISTRY_UNREACHABLE');
  });
});
