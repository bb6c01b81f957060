#!/usr/bin/env node
// npm run demo: the release job's main path on examples/, end to end, into
// demo-out/: collect, sign (keylessly, against a local Sigstore on
// 127.0.0.1, over real HTTP), then verify offline as an auditor would; and,
// where Debian's docker-registry is installed, push to and verify from an
// OCI registry on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registrySkipReason, startRegistry } from './local-registry.mjs';
import { fakeIdentityToken, startLocalSigstore } from './local-sigstore.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'demo-out');
const bin = join(root, 'dist', 'bin', 'evidence.js');
const bundle = join(out, 'acme-web-1.4.2.evidence.tar.gz');
const artifact = 'examples/acme-web/dist/acme-web-1.4.2.tgz';
// The identity a GitHub Actions release workflow of acme/web would have.
const identity = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const issuer = 'https://token.actions.githubusercontent.com';
// How the auditor pins the release's signer, offline: the local Sigstore's trusted root and the workflow identity.
const trusted = [
  '--trusted-root',
  join(out, 'trusted_root.json'),
  '--certificate-identity',
  identity,
  '--certificate-oidc-issuer',
  issuer,
];

/** A small container image (config and one layer) pushed with the project's own OCI client; its manifest digest. */
async function pushDemoImage(host, repository, tag) {
  const { RegistryClient } = await import(join(root, 'dist', 'src', 'transport', 'oci', 'client.js'));
  const { Readable } = await import('node:stream');
  const { createHash } = await import('node:crypto');
  const client = new RegistryClient(host, { plainHttp: true });
  const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = Buffer.from('acme-web 1.4.2 (a stand-in for the real image layer)');
  for (const b of [config, layer])
    await client.pushBlob(repository, { digest: sha(b), size: b.length }, () => Readable.from([b]));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  return (await client.pushManifest(repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json')).digest;
}

// Asynchronous on purpose: the local Sigstore is served from this process.
function run(cmd, args, { env = {}, quiet = false, expect = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: quiet ? 'ignore' : 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) =>
      expect.includes(code) ? resolve(code) : reject(new Error(`${cmd} ${args[0]} exited ${code}`)),
    );
  });
}

function evidence(args, options) {
  const shown = args.map((a) => (a.length > 80 ? `${a.slice(0, 12)}…` : a));
  console.log(`\n$ evidence ${shown.join(' ')}`);
  return run(process.execPath, [bin, ...args], options);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// An organisation's registry (Debian's docker-registry on 127.0.0.1), where
// the release's container image is: its digest becomes a signed subject.
const noRegistry = registrySkipReason();
const registry = noRegistry ? undefined : await startRegistry();
let image;
if (registry) {
  image = await pushDemoImage(registry.host, 'acme/web', '1.4.2');
  console.log(
    `local OCI registry (docker-registry) on ${registry.host}, with the release image acme/web:1.4.2 (${image})`,
  );
} else console.log(`(OCI registry part skipped: ${noRegistry})`);
try {
  const sigstore = await startLocalSigstore();
  try {
    writeFileSync(join(out, 'trusted_root.json'), `${JSON.stringify(sigstore.trustedRoot, null, 2)}\n`);
    // Its services as a Sigstore signing config whose log is Rekor v2, as public-good's Rekor v2 config is.
    writeFileSync(join(out, 'signing_config.json'), `${JSON.stringify(sigstore.signingConfigRekorV2, null, 2)}\n`);
    console.log(
      `local Sigstore (Fulcio, Rekor v1 and v2, TSA) on ${sigstore.url}; its trusted root: demo-out/trusted_root.json; its signing config (Rekor v2): demo-out/signing_config.json`,
    );
    const token = fakeIdentityToken({
      iss: issuer,
      sub: identity,
      repository: 'acme/web',
      repository_owner: 'acme',
      ref: 'refs/tags/v1.4.2',
      sha: '575a6274f0d3179e1416c7b3695dda3154dda13b',
      workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
      job_workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
      event_name: 'push',
      runner_environment: 'github-hosted',
    });
    // acme-web's git history, rebuilt with fixed dates so its commit ids match history/deployments.jsonl.
    await run('bash', [join(root, 'examples/acme-web/history/make-repo.sh'), join(out, 'acme-web-git')], {
      quiet: true,
    });
    // The release job: collect (with DORA and SLO snapshots as of one instant) and sign.
    // The token comes from the environment, as in CI.
    await evidence(
      [
        'collect',
        '--config',
        'examples/acme-web/evidence.yaml',
        '-o',
        bundle,
        '--as-of',
        '2026-11-01T00:00:00Z',
        '--dora',
        '--git',
        join(out, 'acme-web-git'),
        '--deployments',
        'examples/acme-web/history/deployments.jsonl',
        '--incidents',
        'examples/acme-web/history/incidents.jsonl',
        // Every change since the previous production deployment (history/deployments.jsonl), from git alone.
        '--changes',
        'd4876bfacb54a3c87b869e821d1b34a9ab1ae221..HEAD',
        // What was released: acme-web's release commit (the last line of make-repo.sh), not this checkout's.
        '--source-repository',
        'https://github.com/acme/web',
        '--source-commit',
        '575a6274f0d3179e1416c7b3695dda3154dda13b',
        '--source-ref',
        'refs/tags/v1.4.2',
        '--slo-snapshot',
        'examples/acme-web/slo/availability.snapshot.json',
        ...(registry ? ['--subject-image', `oci://${registry.host}/acme/web:1.4.2`, '--plain-http'] : []),
        '--sign',
        '--signing-config',
        join(out, 'signing_config.json'),
      ],
      { env: { SIGSTORE_ID_TOKEN: token } },
    );
  } finally {
    await sigstore.close();
  }
  // The auditor: offline, from the release assets alone.
  await evidence(['inspect', bundle]);
  await evidence(['verify', bundle, ...trusted, '--source-repository', 'acme/web', '--subject', artifact]);
  await evidence([
    'verify-attestation',
    join(out, 'acme-web-1.4.2.evidence.sigstore.json'),
    '--artifact',
    artifact,
    ...trusted,
  ]);
  await evidence(['extract', bundle, '-o', join(out, 'extracted'), ...trusted]);
  // The same bundle with the one-file verifier (dist/evidence-verify.mjs, nothing else installed), and its Sigstore
  // bundle (a Rekor v2 entry and a TSA timestamp) with @sigstore/verify alone.
  console.log('\n$ node dist/evidence-verify.mjs acme-web-1.4.2.evidence.tar.gz …');
  await run(process.execPath, [join(root, 'dist', 'evidence-verify.mjs'), bundle, ...trusted]);
  {
    const { readFileSync } = await import('node:fs');
    const { bundleFromJSON } = await import('@sigstore/bundle');
    const { TrustedRoot } = await import('@sigstore/protobuf-specs');
    const { Verifier, toSignedEntity, toTrustMaterial } = await import('@sigstore/verify');
    const read = (f) => JSON.parse(readFileSync(join(out, f), 'utf8'));
    const sigstoreBundle = read('acme-web-1.4.2.evidence.sigstore.json');
    const material = toTrustMaterial(TrustedRoot.fromJSON(read('trusted_root.json')));
    new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(
      toSignedEntity(bundleFromJSON(sigstoreBundle)),
    );
    const entry = sigstoreBundle.verificationMaterial.tlogEntries[0];
    console.log(
      `@sigstore/verify: verified (log entry ${entry.kindVersion.kind} ${entry.kindVersion.version}, ${sigstoreBundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length} TSA timestamp)`,
    );
  }
  // The standard statements, as other verifiers read them: NAME.sigstore.jsonl
  // against the artifact, the CycloneDX SBOM statement by its predicate type.
  await evidence([
    'verify-attestation',
    join(out, 'acme-web-1.4.2.evidence.sigstore.jsonl'),
    '--artifact',
    artifact,
    '--predicate-type',
    'https://cyclonedx.org/bom',
    ...trusted,
  ]);
  // Vulnerabilities handled: the Trivy report's critical finding is not affected per acme-web's OpenVEX statement,
  // so the example vulnerability policy holds, and the release's dispositions are signed as OpenVEX.
  await evidence(['verify', bundle, ...trusted, '--policy', 'examples/policies/vulnerabilities.yaml']);
  await evidence([
    'verify-attestation',
    join(out, 'acme-web-1.4.2.evidence.sigstore.jsonl'),
    '--artifact',
    artifact,
    '--predicate-type',
    'https://openvex.dev/ns',
    ...trusted,
  ]);
  // The evidence index (docs/index.md): the bundle verified and indexed, then asked which release ships a
  // component and how a vulnerability was handled there.
  const db = join(out, 'evidence.db');
  await evidence(['index', bundle, '--db', db, ...trusted, '-q']);
  await evidence(['query', '--db', db, '--purl', 'pkg:npm/deep-extend@0.6.0']);
  await evidence(['query', '--db', db, '--cve', 'CVE-2018-3750']);
  // A Cyber Resilience Act Article 14 draft for it, and the release's Annex VII technical documentation folder.
  await evidence([
    'cra',
    'notify',
    'CVE-2018-3750',
    '--db',
    db,
    '--product',
    'acme-web',
    '-o',
    join(out, 'cra-notify.md'),
  ]);
  await evidence(['cra', 'file', 'acme-web', '1.4.2', '--db', db, ...trusted, '-o', join(out, 'annex-vii')]);

  // An organisation's store: push to the OCI registry, with every attestation
  // also a referrer of the image (where cosign and Kyverno look); verify
  // straight from it, pull it back byte for byte.
  if (registry) {
    {
      const ref = `oci://${registry.host}/acme/web:1.4.2-evidence`;
      await evidence([
        'push',
        bundle,
        ref,
        '--subject-image',
        `oci://${registry.host}/acme/web@${image}`,
        '--plain-http',
      ]);
      await evidence(['verify', '--image', `oci://${registry.host}/acme/web:1.4.2`, '--plain-http', ...trusted]);
      await evidence(['verify', ref, '--plain-http', ...trusted]);
      await evidence(['pull', ref, '-o', join(out, 'pulled.evidence.tar.gz'), '--plain-http']);
      await run('cmp', [bundle, join(out, 'pulled.evidence.tar.gz')]);
      console.log('pulled bundle is byte-identical to the pushed one');
      // An auditor's period view of the repository: every tag, each verified and held to the SOC 2 CC8.1 policy of the
      // pack.
      // Both tags have the release's evidence (the image through its referrers). The example release carries failing
      // tests
      // and a destructive migration on purpose, so it fails CC8.1: exit 3 (authentic, policy failed) is the expected
      // answer.
      const today = new Date().toISOString().slice(0, 10);
      const auditArgs = [
        'audit',
        `oci://${registry.host}/acme/web`,
        '--plain-http',
        '--since',
        '2026-01-01',
        '--until',
        today,
        ...trusted,
        '--policy',
        'examples/policies/soc2-cc8.1.yaml',
        // The CC8.1 test sheet: a reproducible sample of the period's changes.
        '--sample-changes',
        '2',
        '--seed',
        'demo',
        '--cache',
        join(out, 'audit-cache'),
      ];
      const code = await evidence(auditArgs, { expect: [3] });
      console.log(
        `audit exit ${code}: authentic evidence for every tag, and the release fails SOC 2 CC8.1 as the example intends`,
      );
      await evidence([...auditArgs, '-q', '--format', 'html', '-o', join(out, 'audit.html')], { expect: [3] });
      await evidence([...auditArgs, '-q', '--format', 'oscal', '-o', join(out, 'assessment-results.json')], {
        expect: [3],
      });
      // The organisation's index over its registry: each tag's bundle (the image's referrer and the evidence tag are
      // one bundle, indexed once) verified and stored; asked which release ships a component.
      const orgDb = join(out, 'registry-index.db');
      await evidence([
        'index',
        `oci://${registry.host}/acme/web`,
        '--plain-http',
        '--db',
        orgDb,
        ...trusted,
        '--cache',
        join(out, 'audit-cache'),
        '-q',
      ]);
      await evidence(['query', '--db', orgDb, '--purl', 'pkg:npm/deep-extend']);
    }
  }
} finally {
  await registry?.stop();
}
console.log(`\nDemo outputs are in ${out}:`);
console.log('  acme-web-1.4.2.evidence.tar.gz         the signed evidence bundle');
console.log('  acme-web-1.4.2.evidence.sigstore.json  its Sigstore bundle (a release asset)');
console.log('  acme-web-1.4.2.evidence.intoto.jsonl   its DSSE envelope (a release asset)');
console.log(
  '  acme-web-1.4.2.evidence.sigstore.jsonl every Sigstore bundle of the signing: ours and the standard SBOM, test-result and release statements (a release asset; gh attestation verify --bundle)',
);
console.log("  trusted_root.json                      the local Sigstore's trusted root");
console.log('  extracted/                             the evidence, under its logical paths');
console.log('  evidence.db                            the evidence index of the release (evidence query --db)');
console.log('  cra-notify.md, annex-vii/              CRA drafts: an Article 14 notification, the Annex VII folder');
if (!noRegistry)
  console.log(
    "  registry-index.db                      the evidence index of the registry's tags (evidence query --db)",
  );
if (!noRegistry) console.log('  pulled.evidence.tar.gz                 the bundle pulled back from the OCI registry');
if (!noRegistry)
  console.log(
    "  audit.html, assessment-results.json    the period audit of the registry's tags, as HTML and as OSCAL assessment results",
  );
