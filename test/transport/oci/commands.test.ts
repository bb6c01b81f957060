import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../../scripts/local-sigstore.mjs';
import { BUNDLE_ARTIFACT_TYPE, BUNDLE_MEDIA_TYPE } from '../../../src/core/manifest.js';
import { RegistryClient } from '../../../src/transport/oci/client.js';
import { OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST, imageManifestSchema } from '../../../src/transport/oci/manifest.js';
import { runCli } from '../../helpers/io.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../../helpers/registry.js';
import { fixture, useTmp } from '../../helpers/tmp.js';
import { readAll } from './support.js';

if (registrySkipReason) console.warn(`skipping the OCI command tests: ${registrySkipReason}`);

const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe.skipIf(registrySkipReason !== undefined)(
  'push, pull and verify by reference against docker-registry 2.8',
  () => {
    let sigstore: LocalSigstore;
    let registry: RunningRegistry;
    let client: RegistryClient;
    let dir: string;
    let identity: string[];
    beforeAll(async () => {
      [sigstore, registry] = await Promise.all([startLocalSigstore(), startRegistry()]);
      client = new RegistryClient(registry.host, { plainHttp: true });
    });
    afterAll(async () => {
      await Promise.all([sigstore?.close(), registry?.stop()]);
    });

    /** A signed bundle in a fresh directory; extra collect arguments (e.g. --subject-image) added. */
    async function signed(extra: string[] = [], env: Record<string, string> = {}): Promise<string> {
      dir = await tmp();
      await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
      identity = [
        '--trusted-root',
        join(dir, 'trusted_root.json'),
        '--certificate-identity',
        SIGNER,
        '--certificate-oidc-issuer',
        ISSUER,
      ];
      const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
      const r = await runCli(
        [
          'collect',
          '-o',
          'b.tar.gz',
          '--name',
          'web',
          '--version',
          '1.4.2',
          '--sarif',
          fixture('sarif/eslint.sarif'),
          ...extra,
          '--sign',
          '--identity-token',
          token,
          '--fulcio-url',
          sigstore.url,
          '--rekor-url',
          sigstore.url,
          '--tsa-url',
          sigstore.url,
          '-q',
        ],
        { cwd: dir, env },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return join(dir, 'b.tar.gz');
    }

    const cli = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
      runCli(args, { cwd: dir, ...options });
    const ref = (path: string): string => `oci://${registry.host}/${path}`;

    /** A minimal container image (config + one layer) pushed to the registry; its manifest digest. */
    async function pushImage(repository: string, tag: string): Promise<string> {
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      );
      const layer = Buffer.from(`layer of ${tag}`);
      for (const b of [config, layer])
        await client.pushBlob(repository, { digest: sha256(b), size: b.length }, () => Readable.from([b]));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: sha256(config),
            size: config.length,
          },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
        }),
      );
      return (await client.pushManifest(repository, tag, manifest, OCI_MANIFEST)).digest;
    }

    it('push then pull gives back the same bytes; the manifest is an evidence artifact; a second push finds the blob there', async () => {
      const bundle = await signed();
      const pushed = await cli(['push', bundle, ref('acme/web-evidence:1.4.2'), '--plain-http', '--json']);
      expect(pushed.code, pushed.stderr).toBe(0);
      const result = JSON.parse(pushed.stdout) as {
        digest: string;
        bundleDigest: string;
        blob: string;
        signature?: { digest: string };
        fallbackTag: boolean;
      };
      const bytes = await readFile(bundle);
      expect(result.bundleDigest).toBe(sha256(bytes));
      expect(result.blob).toBe('uploaded');

      const pulled = await cli(['pull', ref('acme/web-evidence:1.4.2'), '-o', 'pulled.tar.gz', '--plain-http']);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect((await readFile(join(dir, 'pulled.tar.gz'))).equals(bytes)).toBe(true);
      const byDigest = await cli([
        'pull',
        ref(`acme/web-evidence@${result.digest}`),
        '-o',
        'by-digest.tar.gz',
        '--plain-http',
      ]);
      expect(byDigest.code).toBe(0);
      expect((await readFile(join(dir, 'by-digest.tar.gz'))).equals(bytes)).toBe(true);

      const manifest = imageManifestSchema.parse(
        JSON.parse((await client.getManifest('acme/web-evidence', result.digest)).bytes.toString()),
      );
      expect(manifest.artifactType).toBe(BUNDLE_ARTIFACT_TYPE);
      expect(manifest.config).toEqual(OCI_EMPTY_DESCRIPTOR);
      expect(manifest.layers).toHaveLength(1);
      expect(manifest.layers[0]).toMatchObject({
        mediaType: BUNDLE_MEDIA_TYPE,
        digest: sha256(bytes),
        size: bytes.length,
      });
      expect(manifest.annotations).toMatchObject({
        'org.opencontainers.image.version': '1.4.2',
        'dev.evidence-bundle.name': 'web',
      });
      expect(manifest.annotations?.['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT/);

      const again = await cli(['push', bundle, ref('acme/web-evidence:again'), '--plain-http', '--json']);
      expect(JSON.parse(again.stdout).blob).toBe('exists');
      const mounted = await cli([
        'push',
        bundle,
        ref('acme/mirror:1.4.2'),
        '--mount-from',
        'acme/web-evidence',
        '--plain-http',
        '--json',
      ]);
      expect(JSON.parse(mounted.stdout).blob).toBe('mounted');
    });

    it("the Sigstore bundle is a referrer of the evidence, found through the registry's fallback tag", async () => {
      const bundle = await signed();
      const r = JSON.parse(
        (await cli(['push', bundle, ref('acme/web-evidence:sig'), '--plain-http', '--json'])).stdout,
      ) as { digest: string; signature: { digest: string }; fallbackTag: boolean };
      // distribution 2.8 has no referrers API: the fallback tag holds the index.
      expect(r.fallbackTag).toBe(true);
      const referrers = await client.referrers('acme/web-evidence', r.digest, {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      });
      expect(referrers.map((d) => d.digest)).toEqual([r.signature.digest]);
      expect(referrers[0]?.annotations).toMatchObject({
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://evidence-bundle.dev/attestation/release-evidence/v1',
      });
      const referrer = imageManifestSchema.parse(
        JSON.parse((await client.getManifest('acme/web-evidence', r.signature.digest)).bytes.toString()),
      );
      expect(referrer.subject?.digest).toBe(r.digest);
      const layer = referrer.layers[0];
      if (!layer) throw new Error('no layer');
      const attestation = await readAll(await client.getBlob('acme/web-evidence', layer));
      expect(attestation.equals(await readFile(join(dir, 'b.sigstore.json')))).toBe(true);
    });

    it("verify oci://… verifies straight from the registry, with verify's exit codes", async () => {
      const bundle = await signed();
      await cli(['push', bundle, ref('acme/web-evidence:v'), '--plain-http']);
      const ok = await cli(['verify', ref('acme/web-evidence:v'), '--plain-http', ...identity, '--json']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        verdict: 'verified',
        bundle: { path: ref('acme/web-evidence:v'), digest: sha256(await readFile(bundle)) },
      });
      const wrongSigner = await cli([
        'verify',
        ref('acme/web-evidence:v'),
        '--plain-http',
        ...identity.slice(0, 2),
        '--certificate-identity',
        'https://github.com/evil/x/.github/workflows/r.yml@refs/heads/main',
        '--certificate-oidc-issuer',
        ISSUER,
      ]);
      expect(wrongSigner.code).toBe(1);
      await writeFile(join(dir, 'policy.yaml'), 'version: 1\nrequire:\n  - kind: junit\n');
      const policy = await cli([
        'verify',
        ref('acme/web-evidence:v'),
        '--plain-http',
        ...identity,
        '--policy',
        'policy.yaml',
      ]);
      expect(policy.code).toBe(3);
    });

    it('--subject-image: the evidence is a referrer of a release image, and verify --image finds and checks it', async () => {
      const image = await pushImage('acme/web', 'v1.4.2');
      const bundle = await signed(['--subject-image', ref('acme/web:v1.4.2'), '--plain-http']);
      // Another image, with no evidence.
      await pushImage('acme/web', 'other');
      const pushed = await cli([
        'push',
        bundle,
        ref('acme/web:v1.4.2-evidence'),
        '--subject-image',
        ref(`acme/web@${image}`),
        '--plain-http',
        '--json',
      ]);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(JSON.parse(pushed.stdout)).toMatchObject({ subject: { digest: image }, fallbackTag: true });
      const evidence = await client.referrers('acme/web', image, { artifactType: BUNDLE_ARTIFACT_TYPE });
      expect(evidence.map((d) => d.digest)).toEqual([JSON.parse(pushed.stdout).digest]);

      const ok = await cli(['verify', '--image', ref('acme/web:v1.4.2'), '--plain-http', ...identity, '--json']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      const report = JSON.parse(ok.stdout) as { checks: Array<{ id: string; ok: boolean; found?: string }> };
      expect(report.checks.find((c) => c.id === 'subjects')).toMatchObject({ ok: true, found: image });

      const none = await cli(['verify', '--image', ref('acme/web:other'), '--plain-http', ...identity]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('[ARTIFACT_NOT_FOUND]');

      // Signed keylessly, and only a key pinned: not signed by the signer pinned (exit 1), not an input error.
      const { generateKeyPairSync } = await import('node:crypto');
      const pub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
      await writeFile(join(dir, 'pub.pem'), pub.export({ format: 'pem', type: 'spki' }));
      const keyOnly = await cli([
        'verify',
        '--image',
        ref('acme/web:v1.4.2'),
        '--plain-http',
        ...['--trusted-root', join(dir, 'trusted_root.json'), '--key', join(dir, 'pub.pem'), '--json'],
      ]);
      expect(keyOnly.code, keyOnly.stderr).toBe(1);
      const failed = (
        JSON.parse(keyOnly.stdout) as { checks: Array<{ ok: boolean; skipped?: boolean; code?: string }> }
      ).checks
        .filter((c) => !c.ok && !c.skipped)
        .map((c) => c.code);
      expect(failed).toEqual(['SIGNER_KIND_MISMATCH']);
    });

    it('verify --image fails (exit 1) when a referrer claims the image but its signed subjects do not cover it', async () => {
      const image = await pushImage('acme/forged', 'v1');
      const bundle = await signed();
      const pushed = JSON.parse(
        (await cli(['push', bundle, ref('acme/forged:evidence'), '--plain-http', '--json'])).stdout,
      ) as { digest: string };
      // Someone with push access re-points genuine evidence of another release at this image: the OCI subject is
      // unsigned.
      const original = imageManifestSchema.parse(
        JSON.parse((await client.getManifest('acme/forged', pushed.digest)).bytes.toString()),
      );
      const forged = Buffer.from(
        JSON.stringify({
          ...original,
          subject: {
            mediaType: OCI_MANIFEST,
            digest: image,
            size: (await client.getManifest('acme/forged', image)).bytes.length,
          },
        }),
      );
      const forgedDigest = sha256(forged);
      await client.pushManifest('acme/forged', forgedDigest, forged, OCI_MANIFEST);
      await client.addReferrerToFallbackIndex('acme/forged', image, {
        mediaType: OCI_MANIFEST,
        digest: forgedDigest,
        size: forged.length,
        artifactType: BUNDLE_ARTIFACT_TYPE,
      });
      const r = await cli(['verify', '--image', ref('acme/forged:v1'), '--plain-http', ...identity, '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { checks: Array<{ id: string; ok: boolean; code?: string }> };
      expect(report.checks.find((c) => c.id === 'subjects')).toMatchObject({
        ok: false,
        code: 'SUBJECT_NOT_IN_MANIFEST',
      });
    });

    it('verify --image judges the newest evidence by its signed created time, not by an annotation anyone with push access can write', async () => {
      const image = await pushImage('acme/rollback', 'v2');
      const args = ['--subject-image', ref('acme/rollback:v2'), '--plain-http'];
      // The older bundle has JUnit; the newer (a re-scan) has none, and the policy requires it.
      const older = await signed([...args, '--junit', fixture('junit/vitest.junit.xml')], {
        SOURCE_DATE_EPOCH: '1767225600',
      });
      const newer = await signed(args, { SOURCE_DATE_EPOCH: '1769904000' });
      const pushOld = JSON.parse(
        (
          await cli([
            'push',
            older,
            ref('acme/rollback:ev-old'),
            '--subject-image',
            ref(`acme/rollback@${image}`),
            '--plain-http',
            '--json',
          ])
        ).stdout,
      ) as { digest: string };
      expect(
        (
          await cli([
            'push',
            newer,
            ref('acme/rollback:ev-new'),
            '--subject-image',
            ref(`acme/rollback@${image}`),
            '--plain-http',
          ])
        ).code,
      ).toBe(0);
      await writeFile(join(dir, 'policy.yaml'), 'version: 1\nrequire:\n  - kind: junit\n');
      const before = await cli([
        'verify',
        '--image',
        ref('acme/rollback:v2'),
        '--plain-http',
        ...identity,
        '--policy',
        'policy.yaml',
      ]);
      expect(before.code, before.stderr).toBe(3);

      // The old manifest pushed again with a created annotation far in the future, and listed as a referrer.
      const old = JSON.parse((await client.getManifest('acme/rollback', pushOld.digest)).bytes.toString()) as Record<
        string,
        unknown
      > & { annotations: Record<string, string> };
      const replay = Buffer.from(
        JSON.stringify({
          ...old,
          annotations: { ...old.annotations, 'org.opencontainers.image.created': '9999-12-31T23:59:59Z' },
        }),
      );
      await client.pushManifest('acme/rollback', sha256(replay), replay, OCI_MANIFEST);
      await client.addReferrerToFallbackIndex('acme/rollback', image, {
        mediaType: OCI_MANIFEST,
        digest: sha256(replay),
        size: replay.length,
        artifactType: BUNDLE_ARTIFACT_TYPE,
        annotations: { 'org.opencontainers.image.created': '9999-12-31T23:59:59Z' },
      });
      const after = await cli([
        'verify',
        '--image',
        ref('acme/rollback:v2'),
        '--plain-http',
        ...identity,
        '--policy',
        'policy.yaml',
      ]);
      expect(after.code, after.stderr).toBe(3);
      expect(after.stderr).toContain('the newest authentic of 3');

      // A referrer over --max-bundle-size is not checked, so the image's evidence is not known in full: exit 2 naming the
      // size (it said 'Premature close'), even when another referrer passes: the one skipped may be the newer, failing one.
      const declared = async (bundle: string): Promise<number> =>
        (
          JSON.parse((await cli(['inspect', bundle, '--json'])).stdout) as { entries: { size: number }[] }
        ).entries.reduce((n, e) => n + e.size, 0);
      const [big, small] = [await declared(older), await declared(newer)];
      expect(big).toBeGreaterThan(small);
      const limited = (bytes: number) =>
        cli([
          'verify',
          '--image',
          ref('acme/rollback:v2'),
          '--plain-http',
          ...identity,
          '--max-bundle-size',
          `${bytes}`,
        ]);
      const between = await limited(Math.floor((big + small) / 2));
      expect(between.code, between.stderr).toBe(2);
      expect(between.stderr).toContain('BUNDLE_TOO_LARGE');
      // None under the limit: the size error, exit 2, naming the option.
      const none = await limited(10);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('BUNDLE_TOO_LARGE');
    });

    it('refuses to make evidence a referrer of an image its signed subjects do not cover', async () => {
      const image = await pushImage('acme/api', 'v1');
      const bundle = await signed();
      const r = await cli([
        'push',
        bundle,
        ref('acme/api:evidence'),
        '--subject-image',
        ref(`acme/api@${image}`),
        '--plain-http',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[ARTIFACT_INVALID]');
      const elsewhere = await cli([
        'push',
        bundle,
        ref('acme/other:evidence'),
        '--subject-image',
        ref(`acme/api@${image}`),
        '--plain-http',
      ]);
      expect(elsewhere.stderr).toContain('[REFERENCE_INVALID]');
    });

    it('a blob tampered with in the registry storage is refused on pull (exit 1, nothing written) and fails verify', async () => {
      const bundle = await signed();
      const bytes = await readFile(bundle);
      await cli(['push', bundle, ref('acme/tamper:1'), '--plain-http']);
      const hex = sha256(bytes).slice('sha256:'.length);
      const data = join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
      const evil = Buffer.from(bytes);
      evil[evil.length - 30] = (evil[evil.length - 30] as number) ^ 0x01;
      await writeFile(data, evil);
      const pulled = await cli(['pull', ref('acme/tamper:1'), '-o', 'p.tar.gz', '--plain-http']);
      expect(pulled.code).toBe(1);
      expect(pulled.stderr).toContain('[DIGEST_MISMATCH]');
      expect((await readdir(dir)).filter((f) => f.startsWith('p.tar.gz') || f.includes('.partial'))).toEqual([]);
      const verified = await cli(['verify', ref('acme/tamper:1'), '--plain-http', ...identity]);
      expect(verified.code).toBe(1);
      await writeFile(data, bytes);
    });

    it('bad references, missing artifacts and non-evidence artifacts are clear errors (exit 2)', async () => {
      const bundle = await signed();
      const image = await pushImage('acme/plain', 'v1');
      const cases: Array<[string[], string]> = [
        [['push', bundle, `oci://${registry.host}/Acme/Web:1`, '--plain-http'], 'REFERENCE_INVALID'],
        [['push', bundle, ref('acme/web-evidence'), '--plain-http'], 'REFERENCE_INVALID'],
        [['pull', ref('acme/web-evidence:no-such-tag'), '-o', 'x.tar.gz', '--plain-http'], 'REGISTRY_NOT_FOUND'],
        [['pull', ref(`acme/plain@${image}`), '-o', 'x.tar.gz', '--plain-http'], 'ARTIFACT_INVALID'],
        [['pull', 'oci://user:secret@example.com/x:1', '-o', 'x.tar.gz'], 'REFERENCE_INVALID'],
        [['push', bundle, 'oci://127.0.0.1:9/acme/x:1', '--plain-http'], 'REGISTRY_UNREACHABLE'],
        [
          [
            'push',
            bundle,
            'oci://registry.example.com/acme/x:1',
            '--plain-http',
            '--registry-username',
            'u',
            '--registry-password-stdin',
          ],
          'CREDENTIALS_INVALID',
        ],
      ];
      for (const [args, code] of cases) {
        const r = await cli(args, { stdin: 'secret-password\n' });
        expect([args.join(' '), r.code, r.stderr.includes(`[${code}]`)], r.stderr).toEqual([args.join(' '), 2, true]);
        expect(r.stderr).not.toContain('secret');
      }
    });
  },
);

describe.skipIf(registrySkipReason !== undefined)('a registry with basic auth (htpasswd)', () => {
  let registry: RunningRegistry;
  const user = 'release-bot';
  const password = 'correct-horse-battery-staple';
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { username: user, password } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('push needs credentials: refused without, with a wrong password (never printed), accepted from stdin and from a docker config', async () => {
    const dir = await tmp();
    const r0 = await runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'web', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    expect(r0.code).toBe(0);
    const target = `oci://${registry.host}/acme/private:1`;
    const env = { HOME: dir };
    const anonymous = await runCli(['push', 'b.tar.gz', target, '--plain-http'], { cwd: dir, env });
    expect([anonymous.code, anonymous.stderr.includes('[REGISTRY_AUTH_FAILED]')]).toEqual([2, true]);
    const wrong = await runCli(
      ['push', 'b.tar.gz', target, '--plain-http', '--registry-username', user, '--registry-password-stdin'],
      { cwd: dir, env, stdin: 'wrong-password-0123\n' },
    );
    expect([wrong.code, wrong.stderr.includes('[REGISTRY_AUTH_FAILED]')]).toEqual([2, true]);
    expect(wrong.stdout + wrong.stderr).not.toContain('wrong-password-0123');
    const noStdin = await runCli(['push', 'b.tar.gz', target, '--plain-http', '--registry-username', user], {
      cwd: dir,
      env,
    });
    expect([noStdin.code, noStdin.stderr.includes('[USAGE]')]).toEqual([2, true]);

    const withStdin = await runCli(
      ['push', 'b.tar.gz', target, '--plain-http', '--registry-username', user, '--registry-password-stdin'],
      { cwd: dir, env, stdin: `${password}\n` },
    );
    expect(withStdin.code, withStdin.stderr).toBe(0);
    expect(withStdin.stdout + withStdin.stderr).not.toContain(password);

    const dockerDir = join(dir, 'docker');
    await mkdir(dockerDir);
    await writeFile(
      join(dockerDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }),
    );
    const pulled = await runCli(
      ['pull', 'oci://' + registry.host + '/acme/private:1', '-o', 'p.tar.gz', '--plain-http'],
      { cwd: dir, env: { HOME: dir, DOCKER_CONFIG: dockerDir } },
    );
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await readFile(join(dir, 'p.tar.gz'))).equals(await readFile(join(dir, 'b.tar.gz')))).toBe(true);
  });
});
