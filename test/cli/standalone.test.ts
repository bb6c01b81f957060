import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture } from '../helpers/tmp.js';

const exec = promisify(execFile);
const VERIFIER = new URL('../../dist/evidence-verify.mjs', import.meta.url).pathname;
const ISSUER = 'https://issuer.example.com';
const SIGNER = 'https://example.com/release-job';
const built = existsSync(VERIFIER);
if (!built) {
  console.warn('SKIPPED: dist/evidence-verify.mjs is absent; npm test builds it (npm run build)');
}

let sigstore: LocalSigstore;
let dir: string;
beforeAll(async () => {
  if (!built) return;
  sigstore = await startLocalSigstore();
  // An empty directory outside the project: no node_modules anywhere above it.
  dir = await mkdtemp(join(tmpdir(), 'evidence-standalone-'));
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  await writeFile(join(dir, 'app.tgz'), 'artifact');
  const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER });
  const r = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'b',
      '--version',
      '1',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--subject',
      'app.tgz',
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
    { cwd: dir },
  );
  expect(r.code).toBe(0);
  await copyFile(VERIFIER, join(dir, 'evidence-verify.mjs'));
});
afterAll(async () => {
  await sigstore?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verifier(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['evidence-verify.mjs', ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe.skipIf(!built)('the one-file verifier, run with Node alone', () => {
  const who = [
    '--trusted-root',
    'trusted_root.json',
    '--certificate-identity',
    SIGNER,
    '--certificate-oidc-issuer',
    ISSUER,
  ];
  it("verifies a signed bundle with verify's options and exit codes", async () => {
    const ok = await verifier(['b.tar.gz', ...who, '--subject', 'app.tgz']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED/);
    expect(JSON.parse((await verifier(['b.tar.gz', ...who, '--json'])).stdout).ok).toBe(true);
  });

  it('a verification that never finishes is no pass: exit 1, and it says so', async () => {
    // Every file open of the program's left waiting forever, and nothing else to wait on.
    await writeFile(
      join(dir, 'hang.mjs'),
      "import fs from 'node:fs';\nfs.promises.open = () => new Promise(() => {});\n",
    );
    const r = await exec(process.execPath, ['--import', './hang.mjs', 'evidence-verify.mjs', 'b.tar.gz', ...who], {
      cwd: dir,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r).toEqual({ code: 1, stderr: 'evidence-verify: the verification did not finish; nothing was verified\n' });
  });

  it('fails as verify fails: wrong signer 1, no identity 2, missing bundle 2', async () => {
    expect(
      (
        await verifier([
          'b.tar.gz',
          '--trusted-root',
          'trusted_root.json',
          '--certificate-identity',
          'https://example.com/other',
          '--certificate-oidc-issuer',
          ISSUER,
        ])
      ).code,
    ).toBe(1);
    expect((await verifier(['b.tar.gz', '--trusted-root', 'trusted_root.json'])).code).toBe(2);
    expect((await verifier(['missing.tar.gz', ...who])).code).toBe(2);
  });

  it('embeds the public-good trusted root: without --trusted-root it uses it (which did not sign this)', async () => {
    const r = await verifier([
      'b.tar.gz',
      '--certificate-identity',
      SIGNER,
      '--certificate-oidc-issuer',
      ISSUER,
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === 'signature').code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('prints help, with examples, and its version', async () => {
    const r = await verifier(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--certificate-identity/);
    // Examples the one-file verifier accepts as written (test/cli/standalone-usage.test.ts runs them).
    expect(r.stdout).toMatch(/Examples:\n {2}\$ node evidence-verify\.mjs /);
    const v = await verifier(['--version']);
    expect(v).toMatchObject({
      code: 0,
      stdout: `${JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`,
    });
  });

  it('stands alone: under 1.1 MB, and none of the GitHub, signing or TUF code in it', async () => {
    const text = await readFile(VERIFIER, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1_100_000);
    for (const name of ['octokit', 'FulcioSigner', 'RekorWitness', 'TSAWitness', 'tuf-js', 'getTrustedRoot'])
      expect(text.includes(name), name).toBe(false);
  });

  it('applies a policy and writes every report format, as verify does', async () => {
    await writeFile(join(dir, 'policy.yaml'), 'version: 1\nrules:\n  - name: has-sarif\n    expr: size(sarif) == 1\n');
    const held = await verifier(['b.tar.gz', ...who, '--policy', 'policy.yaml', '--json']);
    expect(held.code).toBe(0);
    expect(JSON.parse(held.stdout).policy.ok).toBe(true);
    for (const [format, start] of [
      ['markdown', /^# Evidence audit: /],
      ['html', /^<!DOCTYPE html>/],
      ['text', /^VERIFIED/],
    ] as const) {
      const r = await verifier(['b.tar.gz', ...who, '--format', format]);
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toMatch(start);
    }
    await writeFile(join(dir, 'strict.yaml'), 'version: 1\nrules:\n  - name: two\n    expr: size(sarif) == 2\n');
    expect((await verifier(['b.tar.gz', ...who, '--policy', 'strict.yaml'])).code).toBe(3);
    // Registries are not its business: it says so.
    const oci = await verifier(['oci://127.0.0.1:1/a/b:1', ...who]);
    expect(oci.code).toBe(2);
    expect(oci.stderr).toContain('reads bundle files only');
  });

  it('a file that is no bundle: one line, exit 1, as inspect says it', async () => {
    await writeFile(join(dir, 'notes.tar.gz'), 'just some notes\n');
    const r = await verifier(['notes.tar.gz', ...who]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/notes\.tar\.gz: not a readable evidence bundle .*\[BUNDLE_INVALID\]/);
  });
});
