import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST } from '../../src/transport/oci/manifest.js';
import { runCli } from '../helpers/io.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { fixture, useTmp } from '../helpers/tmp.js';
import {
  KYVERNO_MAX_REFERRERS,
  cosignVerifyAttestation,
  cosignVerifyBlobAttestation,
  ghBundlesFromOci,
  ghReadBundleFile,
  ghVerify,
  kyvernoVerifyImage,
} from './oracle.js';

/**
 * Our output as gh, cosign and Kyverno would take it: the oracle of
 * ./oracle.ts (their acceptance rules, cited there) over the files the CLI
 * writes and the referrers it pushes to Debian's docker-registry.
 */
const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const CLAIMS = { iss: ISSUER, sub: SIGNER, repository: 'acme/web', repository_owner: 'acme', ref: 'refs/tags/v1.4.2' };
const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

const evidence = [
  '--sbom',
  fixture('sbom/npm11-sbom.cdx.json'),
  '--sbom',
  fixture('sbom/npm11-sbom.spdx.json'),
  '--junit',
  fixture('junit/vitest.junit.xml'),
  '--sarif',
  fixture('sarif/vulns-trivy-shaped.handwritten.sarif'),
];

async function collectSigned(dir: string, extra: string[]): Promise<void> {
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
  const c = await runCli(
    [
      'collect',
      '-o',
      'web.tar.gz',
      '--name',
      'web',
      '--version',
      '1.4.2',
      ...evidence,
      ...extra,
      '--sign',
      '--identity-token',
      fakeIdentityToken(CLAIMS),
      ...s,
      '-q',
    ],
    { cwd: dir },
  );
  expect(c.code, c.stderr).toBe(0);
}

describe('gh attestation verify ARTIFACT --bundle NAME.sigstore.jsonl --owner acme, and cosign verify-blob-attestation (oracle)', () => {
  it('takes every standard statement of the file, by predicate type, and turns down what it should', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'web.tgz'), 'the release artifact');
    await collectSigned(dir, ['--subject', 'web.tgz']);
    const bundles = await ghReadBundleFile(join(dir, 'web.sigstore.jsonl'));
    expect(bundles).toHaveLength(6);
    const base = {
      digest: { alg: 'sha256' as const, hex: sha256('the release artifact') },
      owner: 'acme',
      trustedRoot: sigstore.trustedRoot,
    };
    for (const predicateType of [
      'https://cyclonedx.org/bom',
      'https://spdx.dev/Document',
      'https://in-toto.io/attestation/test-result/v0.1',
      'https://in-toto.io/attestation/vulns/v0.2',
      'https://in-toto.io/attestation/release/v0.1',
      'https://evidence-bundle.dev/attestation/release-evidence/v1',
    ]) {
      const v = ghVerify(bundles, { ...base, predicateType });
      expect(v, predicateType).toMatchObject({ ok: true, verified: 1 });
    }
    expect(ghVerify(bundles, { ...base, predicateType: 'https://cyclonedx.org/bom', repo: 'acme/web' }).ok).toBe(true);
    // gh's default predicate type is SLSA provenance, which we do not make.
    expect(ghVerify(bundles, base)).toMatchObject({
      ok: false,
      reasons: ['no attestation of predicate type https://slsa.dev/provenance/v1'],
    });
    // Another owner, another repository, another artifact, a changed statement: refused.
    expect(ghVerify(bundles, { ...base, predicateType: 'https://cyclonedx.org/bom', owner: 'evil' }).ok).toBe(false);
    expect(ghVerify(bundles, { ...base, predicateType: 'https://cyclonedx.org/bom', repo: 'acme/other' }).ok).toBe(
      false,
    );
    expect(
      ghVerify(bundles, {
        ...base,
        predicateType: 'https://cyclonedx.org/bom',
        digest: { alg: 'sha256', hex: sha256('another artifact') },
      }).ok,
    ).toBe(false);
    const tampered = bundles.map((b) => JSON.parse(JSON.stringify(b)) as { dsseEnvelope: { payload: string } });
    for (const b of tampered) {
      const s = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8')) as {
        predicate?: Record<string, unknown>;
      };
      s.predicate = { ...s.predicate, injected: true };
      b.dsseEnvelope.payload = Buffer.from(JSON.stringify(s)).toString('base64');
    }
    const t = ghVerify(tampered, { ...base, predicateType: 'https://cyclonedx.org/bom' });
    expect(t.ok).toBe(false);
    expect(t.reasons.join(' ')).toMatch(/does not verify/);

    // cosign verify-blob-attestation reads one bundle per file: the line of the type wanted, taken out of the .jsonl.
    const who = { certificateIdentity: SIGNER, certificateOidcIssuer: ISSUER, trustedRoot: sigstore.trustedRoot };
    const lines = (await readFile(join(dir, 'web.sigstore.jsonl'), 'utf8')).trimEnd().split('\n');
    const line = (type: string): string =>
      lines.find(
        (l) =>
          JSON.parse(
            Buffer.from(
              (JSON.parse(l) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload,
              'base64',
            ).toString('utf8'),
          ).predicateType === type,
      ) ?? '';
    await writeFile(join(dir, 'sbom.sigstore.json'), line('https://cyclonedx.org/bom'));
    await writeFile(join(dir, 'spdx.sigstore.json'), line('https://spdx.dev/Document'));
    expect(
      await cosignVerifyBlobAttestation(join(dir, 'sbom.sigstore.json'), base.digest.hex, {
        ...who,
        type: 'cyclonedx',
      }),
    ).toMatchObject({ ok: true });
    expect(
      await cosignVerifyBlobAttestation(join(dir, 'spdx.sigstore.json'), base.digest.hex, { ...who, type: 'spdxjson' }),
    ).toMatchObject({ ok: true });
    expect(
      (
        await cosignVerifyBlobAttestation(join(dir, 'sbom.sigstore.json'), base.digest.hex, {
          ...who,
          type: 'spdxjson',
        })
      ).ok,
    ).toBe(false);
    expect(
      (
        await cosignVerifyBlobAttestation(join(dir, 'sbom.sigstore.json'), sha256('another artifact'), {
          ...who,
          type: 'cyclonedx',
        })
      ).ok,
    ).toBe(false);
  });
});

describe("the demo's release (examples/acme-web, as npm run demo collects it)", () => {
  it('its NAME.sigstore.jsonl passes the gh rules for the example artifact, for each standard statement', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    const example = new URL('../../examples/acme-web/', import.meta.url).pathname;
    const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
    const c = await runCli(
      [
        'collect',
        '--config',
        join(example, 'evidence.yaml'),
        '-o',
        'acme-web-1.4.2.evidence.tar.gz',
        '--sign',
        '--identity-token',
        fakeIdentityToken(CLAIMS),
        ...s,
        '-q',
      ],
      { cwd: dir },
    );
    expect(c.code, c.stderr).toBe(0);
    const bundles = await ghReadBundleFile(join(dir, 'acme-web-1.4.2.evidence.sigstore.jsonl'));
    const digest = { alg: 'sha256' as const, hex: sha256(await readFile(join(example, 'dist/acme-web-1.4.2.tgz'))) };
    const types = [
      'https://cyclonedx.org/bom',
      'https://spdx.dev/Document',
      'https://in-toto.io/attestation/test-result/v0.1',
      'https://in-toto.io/attestation/release/v0.1',
    ];
    for (const predicateType of types)
      expect(
        ghVerify(bundles, { digest, owner: 'acme', predicateType, trustedRoot: sigstore.trustedRoot }).ok,
        predicateType,
      ).toBe(true);
    // Two JUnit reports, each with failing tests: two test-result statements, both FAILED, as the JUnit summaries say.
    const results = bundles
      .map(
        (b) =>
          JSON.parse(
            Buffer.from((b as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString('utf8'),
          ) as { predicateType: string; predicate: { result?: string } },
      )
      .filter((st) => st.predicateType === 'https://in-toto.io/attestation/test-result/v0.1')
      .map((st) => st.predicate.result);
    expect(results).toEqual(['FAILED', 'FAILED']);
  });
});

describe.skipIf(registrySkipReason !== undefined)(
  'image referrers in docker-registry 2.8, as cosign, gh oci:// and Kyverno find them (oracle)',
  () => {
    if (registrySkipReason) console.warn(`skipping the image-referrer interop tests: ${registrySkipReason}`);
    let registry: RunningRegistry;
    let client: RegistryClient;
    beforeAll(async () => {
      registry = await startRegistry();
      client = new RegistryClient(registry.host, { plainHttp: true });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    /** A small container image (config and one layer); its manifest digest. */
    async function pushImage(repository: string, tag: string): Promise<string> {
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      );
      const layer = Buffer.from(`layer of ${repository}:${tag}`);
      for (const b of [config, layer])
        await client.pushBlob(repository, { digest: `sha256:${sha256(b)}`, size: b.length }, () => Readable.from([b]));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: `sha256:${sha256(config)}`,
            size: config.length,
          },
          layers: [
            {
              mediaType: 'application/vnd.oci.image.layer.v1.tar',
              digest: `sha256:${sha256(layer)}`,
              size: layer.length,
            },
          ],
        }),
      );
      return (await client.pushManifest(repository, tag, manifest, OCI_MANIFEST)).digest;
    }

    /**
     * The demo's release (examples/acme-web/evidence.yaml, as npm run demo
     * collects it) plus a vulnerability scan, with the image as a subject,
     * pushed as npm run demo pushes it.
     */
    async function released(repository: string): Promise<{ dir: string; image: string }> {
      const image = await pushImage(repository, 'v1.4.2');
      const dir = await tmp();
      const ref = (p: string): string => `oci://${registry.host}/${p}`;
      const example = new URL('../../examples/acme-web/evidence.yaml', import.meta.url).pathname;
      await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
      const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
      const c = await runCli(
        [
          'collect',
          '--config',
          example,
          '-o',
          'web.tar.gz',
          '--sarif',
          fixture('sarif/vulns-trivy-shaped.handwritten.sarif'),
          '--subject-image',
          ref(`${repository}:v1.4.2`),
          '--plain-http',
          '--sign',
          '--identity-token',
          fakeIdentityToken(CLAIMS),
          ...s,
          '-q',
        ],
        { cwd: dir },
      );
      expect(c.code, c.stderr).toBe(0);
      const p = await runCli(
        [
          'push',
          'web.tar.gz',
          ref(`${repository}:v1.4.2-evidence`),
          '--subject-image',
          ref(`${repository}@${image}`),
          '--plain-http',
          '--json',
        ],
        { cwd: dir },
      );
      expect(p.code, p.stderr).toBe(0);
      const pushed = JSON.parse(p.stdout) as { imageAttestations: { predicateType: string }[] };
      expect(pushed.imageAttestations.map((a) => a.predicateType).sort()).toEqual([
        'https://cyclonedx.org/bom',
        'https://evidence-bundle.dev/attestation/release-evidence/v1',
        'https://in-toto.io/attestation/release/v0.1',
        'https://in-toto.io/attestation/test-result/v0.1',
        'https://in-toto.io/attestation/test-result/v0.1',
        'https://in-toto.io/attestation/vulns/v0.2',
        'https://in-toto.io/attestation/vulns/v0.2',
        'https://openvex.dev/ns',
        'https://spdx.dev/Document',
      ]);
      return { dir, image };
    }

    it('push refuses to hang on the image standard statements that are not what the bundle states', async () => {
      const image = await pushImage('acme/tampered', 'v1.4.2');
      const dir = await tmp();
      const ref = (p: string): string => `oci://${registry.host}/${p}`;
      await collectSigned(dir, ['--subject-image', ref('acme/tampered:v1.4.2'), '--plain-http']);
      const members = await readMembers(join(dir, 'web.tar.gz'));
      const standard = members.find((m) => m.name === 'attestations/standard.sigstore.jsonl');
      if (!standard) throw new Error('no standard statements');
      const lines = standard.body.toString('utf8').trimEnd().split('\n');
      standard.body = Buffer.from(`${[lines[1], lines[0], ...lines.slice(2)].join('\n')}\n`);
      await writeMembers(join(dir, 'web.tar.gz'), members);
      const before = (await client.referrers('acme/tampered', image)).length;
      const r = await runCli(
        [
          'push',
          'web.tar.gz',
          ref('acme/tampered:v1.4.2-evidence'),
          '--subject-image',
          ref(`acme/tampered@${image}`),
          '--plain-http',
        ],
        { cwd: dir },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[ARTIFACT_INVALID]');
      expect((await client.referrers('acme/tampered', image)).length).toBe(before);
    });

    it('cosign verify-attestation --type cyclonedx (and spdxjson, and a vulns URI) IMAGE accepts them; a wrong signer is refused', async () => {
      const { image } = await released('acme/cosign');
      const r = { base: `http://${registry.host}` };
      const who = { certificateIdentity: SIGNER, certificateOidcIssuer: ISSUER, trustedRoot: sigstore.trustedRoot };
      for (const [type, count] of [
        ['cyclonedx', 1],
        ['spdxjson', 1],
        // One from the SARIF log, one from the Trivy report (--scan).
        ['https://in-toto.io/attestation/vulns/v0.2', 2],
        ['https://in-toto.io/attestation/test-result/v0.1', 2],
        // The release's dispositions (docs/vulnerabilities.md), as cosign's --type openvex names them.
        ['openvex', 1],
      ] as const) {
        expect(await cosignVerifyAttestation(r, 'acme/cosign', image, { ...who, type }), type).toMatchObject({
          ok: true,
          verified: count,
        });
      }
      expect(
        (await cosignVerifyAttestation(r, 'acme/cosign', image, { ...who, type: 'slsaprovenance1' })).reasons[0],
      ).toMatch(/none of the attestations matched/);
      expect(
        (
          await cosignVerifyAttestation(r, 'acme/cosign', image, {
            ...who,
            type: 'cyclonedx',
            certificateIdentity: 'https://github.com/evil/x/.github/workflows/r.yml@refs/heads/main',
          })
        ).ok,
      ).toBe(false);
      // The image with nothing attached: nothing to find.
      const bare = await pushImage('acme/cosign', 'bare');
      expect((await cosignVerifyAttestation(r, 'acme/cosign', bare, { ...who, type: 'cyclonedx' })).reasons).toEqual([
        'no valid bundles exist in registry',
      ]);
    });

    it('gh attestation verify oci://IMAGE --bundle-from-oci --owner acme --predicate-type … accepts them', async () => {
      const { image } = await released('acme/gh');
      const bundles = await ghBundlesFromOci({ base: `http://${registry.host}` }, 'acme/gh', image);
      expect(bundles).toHaveLength(9);
      for (const [predicateType, count] of [
        ['https://cyclonedx.org/bom', 1],
        ['https://in-toto.io/attestation/test-result/v0.1', 2],
        ['https://openvex.dev/ns', 1],
      ] as const) {
        expect(
          ghVerify(bundles, {
            digest: { alg: 'sha256', hex: image.slice(7) },
            owner: 'acme',
            predicateType,
            trustedRoot: sigstore.trustedRoot,
          }),
          predicateType,
        ).toMatchObject({ ok: true, verified: count });
      }
    });

    it('a Kyverno verifyImages rule (SigstoreBundle) on the image admits it; past 50 referrers it would not, and push refuses to go there', async () => {
      const { dir, image } = await released('acme/kyverno');
      const r = { base: `http://${registry.host}` };
      const rule = {
        attestations: ['https://cyclonedx.org/bom', 'https://in-toto.io/attestation/test-result/v0.1'],
        subject: SIGNER,
        issuer: ISSUER,
        trustedRoot: sigstore.trustedRoot,
      };
      expect(await kyvernoVerifyImage(r, 'acme/kyverno', image, rule)).toMatchObject({ ok: true, verified: 2 });
      expect((await kyvernoVerifyImage(r, 'acme/kyverno', image, { ...rule, attestations: ['cyclonedx'] })).ok).toBe(
        false,
      );
      expect((await kyvernoVerifyImage(r, 'acme/kyverno', image, { ...rule, subject: `${SIGNER}x` })).ok).toBe(false);

      // Pushing the same evidence again adds nothing: the referrers are already there.
      const ref = (p: string): string => `oci://${registry.host}/${p}`;
      const again = await runCli(
        [
          'push',
          'web.tar.gz',
          ref('acme/kyverno:again'),
          '--subject-image',
          ref(`acme/kyverno@${image}`),
          '--plain-http',
          '--json',
        ],
        { cwd: dir },
      );
      expect(again.code, again.stderr).toBe(0);
      const before = (await client.referrers('acme/kyverno', image)).length;
      // Fill the image's referrers up to Kyverno's limit with other artifacts.
      const filler = async (i: number): Promise<void> => {
        const bytes = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType: 'application/vnd.example.filler',
            config: OCI_EMPTY_DESCRIPTOR,
            layers: [OCI_EMPTY_DESCRIPTOR],
            annotations: { n: String(i) },
          }),
        );
        const { digest } = await client.pushManifest('acme/kyverno', `sha256:${sha256(bytes)}`, bytes, OCI_MANIFEST);
        await client.addReferrerToFallbackIndex('acme/kyverno', image, {
          mediaType: OCI_MANIFEST,
          digest,
          size: bytes.length,
          artifactType: 'application/vnd.example.filler',
        });
      };
      for (let i = before; i < KYVERNO_MAX_REFERRERS; i++) await filler(i);
      expect(await kyvernoVerifyImage(r, 'acme/kyverno', image, rule)).toMatchObject({ ok: true });
      await filler(KYVERNO_MAX_REFERRERS);
      expect((await kyvernoVerifyImage(r, 'acme/kyverno', image, rule)).reasons[0]).toMatch(/more than 50/);

      // Another release's evidence for the same image would pass the limit: push refuses before writing anything.
      const other = await tmp();
      await collectSigned(other, ['--subject-image', ref('acme/kyverno:v1.4.2'), '--plain-http']);
      const count = (await client.referrers('acme/kyverno', image)).length;
      const refused = await runCli(
        [
          'push',
          'web.tar.gz',
          ref('acme/kyverno:v2-evidence'),
          '--subject-image',
          ref(`acme/kyverno@${image}`),
          '--plain-http',
        ],
        { cwd: other },
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('[REFERRERS_LIMIT]');
      expect((await client.referrers('acme/kyverno', image)).length).toBe(count);
      const tag = await fetch(`http://${registry.host}/v2/acme/kyverno/manifests/v2-evidence`);
      expect(tag.status).toBe(404);
    });
  },
);
