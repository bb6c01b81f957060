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
const bin = join(root, 'dist', 'cli', 'bin.js');
const bundle = join(out, 'acme-web-1.4.2.evidence.tar.gz');
const artifact = 'examples/acme-web/dist/acme-web-1.4.2.tgz';
// The identity a GitHub Actions release workflow of acme/web would have.
const identity = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const issuer = 'https://token.actions.githubusercontent.com';

// Asynchronous on purpose: the local Sigstore is served from this process.
function run(cmd, args, { env = {}, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: quiet ? 'ignore' : 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args[0]} exited ${code}`))));
  });
}

function evidence(args, options) {
  const shown = args.map((a) => (a.length > 80 ? `${a.slice(0, 12)}…` : a));
  console.log(`\n$ evidence ${shown.join(' ')}`);
  return run(process.execPath, [bin, ...args], options);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const sigstore = await startLocalSigstore();
try {
  writeFileSync(join(out, 'trusted_root.json'), `${JSON.stringify(sigstore.trustedRoot, null, 2)}\n`);
  console.log(`local Sigstore (Fulcio, Rekor, TSA) on ${sigstore.url}; its trusted root: demo-out/trusted_root.json`);
  const token = fakeIdentityToken({
    iss: issuer,
    sub: identity,
    repository: 'acme/web',
    ref: 'refs/tags/v1.4.2',
    sha: '3d7e7e989f80962dbb8678a994ad7c0b8269bf98',
    workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
    job_workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
    event_name: 'push',
    runner_environment: 'github-hosted',
  });
  // acme-web's git history, rebuilt with fixed dates so its commit ids match history/deployments.jsonl.
  await run('bash', [join(root, 'examples/acme-web/history/make-repo.sh'), join(out, 'acme-web-git')], { quiet: true });
  // The release job: collect (with DORA and SLO snapshots as of one instant) and sign.
  // The token comes from the environment, as in CI.
  await evidence(
    [
      'collect', '--config', 'examples/acme-web/evidence.yaml', '-o', bundle,
      '--as-of', '2026-11-01T00:00:00Z',
      '--dora', '--git', join(out, 'acme-web-git'), '--deployments', 'examples/acme-web/history/deployments.jsonl', '--incidents', 'examples/acme-web/history/incidents.jsonl',
      '--slo-snapshot', 'examples/acme-web/slo/availability.snapshot.json',
      '--sign', '--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url,
    ],
    { env: { SIGSTORE_ID_TOKEN: token } },
  );
} finally {
  await sigstore.close();
}
// The auditor: offline, from the release assets alone.
await evidence(['inspect', bundle]);
await evidence(['verify', bundle, '--trusted-root', join(out, 'trusted_root.json'), '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--source-repository', 'acme/web', '--subject', artifact]);
await evidence(['verify-attestation', join(out, 'acme-web-1.4.2.evidence.sigstore.json'), '--artifact', artifact, '--trusted-root', join(out, 'trusted_root.json'), '--certificate-identity', identity, '--certificate-oidc-issuer', issuer]);
await evidence(['extract', bundle, '-o', join(out, 'extracted'), '--trusted-root', join(out, 'trusted_root.json'), '--certificate-identity', identity, '--certificate-oidc-issuer', issuer]);

// An organisation's store: push to an OCI registry (Debian's docker-registry
// on 127.0.0.1), verify straight from it, pull it back byte for byte.
const noRegistry = registrySkipReason();
if (noRegistry) console.log(`\n(OCI registry part skipped: ${noRegistry})`);
else {
  const registry = await startRegistry();
  try {
    const ref = `oci://${registry.host}/acme/web-evidence:1.4.2`;
    console.log(`\nlocal OCI registry (docker-registry) on ${registry.host}`);
    await evidence(['push', bundle, ref, '--plain-http']);
    await evidence(['verify', ref, '--plain-http', '--trusted-root', join(out, 'trusted_root.json'), '--certificate-identity', identity, '--certificate-oidc-issuer', issuer]);
    await evidence(['pull', ref, '-o', join(out, 'pulled.evidence.tar.gz'), '--plain-http']);
    await run('cmp', [bundle, join(out, 'pulled.evidence.tar.gz')]);
    console.log('pulled bundle is byte-identical to the pushed one');
  } finally {
    await registry.stop();
  }
}
console.log(`\nDemo outputs are in ${out}:`);
console.log('  acme-web-1.4.2.evidence.tar.gz         the signed evidence bundle');
console.log('  acme-web-1.4.2.evidence.sigstore.json  its Sigstore bundle (a release asset)');
console.log('  acme-web-1.4.2.evidence.intoto.jsonl   its DSSE envelope (a release asset)');
console.log('  trusted_root.json                      the local Sigstore\'s trusted root');
console.log('  extracted/                             the evidence, under its logical paths');
if (!noRegistry) console.log('  pulled.evidence.tar.gz                 the bundle pulled back from the OCI registry');
