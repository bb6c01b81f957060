#!/usr/bin/env node
// A renovation must not change what the verifier decides. This prints, as one
// JSON document, what the built verifier says of fixed inputs:
//   - every Sigstore conformance case and real-world bundle in ../shared/
//     (through the built library's verifyAttestation, as the tests call it);
//   - the one-file verifier (dist/evidence-verify.mjs) over a bundle made by
//     `npm run demo`, in several modes, and over tampered copies of it.
// Run it before and after a change and compare the two files byte for byte:
//   node scripts/verifier-snapshot.mjs DEMO_OUT > before.json
// DEMO_OUT is a demo-out/ folder kept from before the change (the demo signs
// anew each run, so the bundle itself must be the same one both times).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = new URL('..', import.meta.url).pathname;
const shared = join(here, '..', 'shared');
const demoOut = process.argv[2] ?? join(here, 'demo-out');
const { verifyAttestation } = await import(join(here, 'dist/src/commands/verify-attestation.js'));

const out = { conformance: {}, realworld: {}, standalone: {} };

/** What a verification decided: accepted or not, and every failing check's code and message. */
async function decide(options) {
  try {
    const { report } = await verifyAttestation(options);
    return { ok: report.ok, failed: report.checks.filter((c) => !c.ok).map((c) => `${c.code}: ${c.message}`) };
  } catch (e) {
    return { error: `${e.code ?? 'ERROR'}: ${e.message}` };
  }
}

const cases = join(shared, 'sigstore-conformance', 'bundle-verify');
const publicGood = join(shared, 'sigstore-conformance', 'trusted-roots', 'public-good.trusted_root.json');
if (existsSync(cases)) {
  for (const name of readdirSync(cases)
    .filter((d) => statSync(join(cases, d)).isDirectory())
    .sort()) {
    const dir = join(cases, name);
    const has = (f) => existsSync(join(dir, f));
    const read = (f) => readFileSync(join(dir, f), 'utf8').trim();
    out.conformance[name] = await decide({
      cwd: dir,
      env: {},
      attestation: 'bundle.sigstore.json',
      artifact: has('artifact') ? join(dir, 'artifact') : join(cases, 'a.txt'),
      trustedRoot: [has('trusted_root.json') ? join(dir, 'trusted_root.json') : publicGood],
      ...(has('key.pub') ? { key: [join(dir, 'key.pub')] } : {}),
      identity: has('key.pub')
        ? {}
        : {
            certificateIdentity: has('identity')
              ? read('identity')
              : 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
            certificateOidcIssuer: has('issuer') ? read('issuer') : 'https://token.actions.githubusercontent.com',
          },
    });
  }
}

const realworld = join(shared, 'sigstore-realworld');
if (existsSync(realworld)) {
  for (const file of readdirSync(realworld)
    .filter((f) => f.endsWith('.sigstore.json'))
    .sort()) {
    const bundle = JSON.parse(readFileSync(join(realworld, file), 'utf8'));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    const [alg, hex] = Object.entries(statement.subject[0].digest)[0];
    out.realworld[file] = await decide({
      cwd: realworld,
      env: {},
      attestation: file,
      digest: `${alg}:${hex}`,
      trustedRoot: [publicGood],
      identity: { certificateIdentity: 'brian@dehamer.com', certificateOidcIssuer: 'https://github.com/login/oauth' },
    });
  }
}

const bundle = join(demoOut, 'acme-web-1.4.2.evidence.tar.gz');
if (existsSync(bundle)) {
  const work = mkdtempSync(join(tmpdir(), 'evidence-snapshot-'));
  copyFileSync(bundle, join(work, 'b.tar.gz'));
  // A tampered copy: one byte of the compressed stream flipped near its middle.
  const bytes = readFileSync(bundle);
  bytes[bytes.length >> 1] ^= 0x01;
  writeFileSync(join(work, 'flipped.tar.gz'), bytes);
  const root = ['--trusted-root', join(demoOut, 'trusted_root.json')];
  const who = [
    '--certificate-identity',
    'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
    '--certificate-oidc-issuer',
    'https://token.actions.githubusercontent.com',
  ];
  const modes = {
    'integrity-only': ['b.tar.gz', '--integrity-only', '--json'],
    keyless: ['b.tar.gz', ...root, ...who, '--json'],
    'wrong-identity': [
      'b.tar.gz',
      ...root,
      '--certificate-identity',
      'https://example.com/x',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      '--json',
    ],
    'public-good-root': ['b.tar.gz', ...who, '--json'],
    policy: ['b.tar.gz', ...root, ...who, '--policy', join(here, 'examples/policies/soc2-cc8.1.yaml'), '--json'],
    flipped: ['flipped.tar.gz', ...root, ...who, '--json'],
    text: ['b.tar.gz', ...root, ...who],
    missing: ['absent.tar.gz', '--integrity-only'],
  };
  for (const [mode, args] of Object.entries(modes)) {
    const r = await run(process.execPath, [join(here, 'dist/evidence-verify.mjs'), ...args, '-q'], {
      cwd: work,
      env: { ...process.env, EVIDENCE_NO_NODE_WARNING: '1', NO_COLOR: '1' },
    }).then(
      (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
      (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    // Times of this run are not behaviour.
    const scrub = (s) =>
      s
        .replaceAll(work, 'WORK')
        .replace(/"(verifiedAt|evaluatedAt|durationMs|elapsedMs)":\s*("[^"]*"|[0-9.]+)/g, '"$1":"…"');
    out.standalone[mode] = { code: r.code, stdout: scrub(r.stdout), stderr: scrub(r.stderr) };
  }
}

process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
