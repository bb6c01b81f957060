import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * A signer pinned of the other kind than the bundle's signature (only --key for a keyless bundle, only an identity for
 * a key-signed one): the bundle was not signed by the signer pinned, a failed verification (exit 1,
 * SIGNER_KIND_MISMATCH) in every command and format, not an input error. No signer at all stays exit 2.
 */
const tmp = useTmp();
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = ['--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', ISSUER];

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/** rel.tar.gz (subject app.tgz) in a fresh directory: key-signed, or keyless by WORKFLOW; with pub.pem and the root. */
async function bundle(kind: 'key' | 'keyless'): Promise<string> {
  const dir = await tmp();
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  await writeFile(join(dir, 'app.tgz'), 'the artifact');
  const signing =
    kind === 'key'
      ? ['--key', 'key.pem']
      : [
          '--identity-token',
          fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW, repository: 'acme/web', ref: 'refs/tags/v1.4.2' }),
          ...['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url],
        ];
  const r = await runCli(
    [
      'collect',
      ...['-o', 'rel.tar.gz', '--name', 'rel', '--version', '1.4.2', '--subject', 'app.tgz'],
      ...['--sarif', fixture('sarif/eslint.sarif'), '--sign', ...signing, '-q'],
    ],
    { cwd: dir, env: {} },
  );
  expect([r.code, r.stderr]).toEqual([0, '']);
  return dir;
}

type Report = {
  verdict?: string;
  checks: { id: string; ok: boolean; skipped?: boolean; code?: string; expected?: string; found?: string }[];
  assessment?: { authenticity: { status: string; summary: string } };
};
const failed = (r: Report): [string, string | undefined][] =>
  r.checks.filter((c) => !c.ok && !c.skipped).map((c) => [c.id, c.code]);

describe('a signer of the other kind than the signature', () => {
  it('verify: a key-signed bundle checked with only an identity fails (exit 1), naming the key and the identity', async () => {
    const dir = await bundle('key');
    const args = ['verify', 'rel.tar.gz', '--trusted-root', 'trusted_root.json', ...IDENTITY];
    const json = await runCli([...args, '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Report;
    expect(failed(report)).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
    const check = report.checks.find((c) => c.code === 'SIGNER_KIND_MISMATCH');
    expect(check?.found).toMatch(/^signed with a key \(hint [0-9a-f]{64}\)$/);
    expect(check?.expected).toContain(WORKFLOW);
    // The signature was not checked, and is not said to have been.
    expect(report.checks.find((c) => c.id === 'signature')).toMatchObject({ ok: false, skipped: true });
    expect(report.verdict).toBe('failed');
    expect(report.assessment?.authenticity).toMatchObject({ status: 'failed' });
    expect(report.assessment?.authenticity.summary).toMatch(/not signed by the signer pinned \(signed with a key/);
    // Every format says it.
    const text = await runCli(args, { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL identity +\[SIGNER_KIND_MISMATCH\] not signed by the signer pinned/m);
    expect(text.stderr).not.toMatch(/KEY_REQUIRED/);
    for (const format of ['markdown', 'html']) {
      const r = await runCli([...args, '--format', format], { cwd: dir });
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toContain('SIGNER_KIND_MISMATCH');
      expect(r.stdout, format).toContain('not signed by the signer pinned');
    }
  });

  it("verify: a keyless bundle checked with only --key fails (exit 1), naming the certificate's subject as not checked", async () => {
    const dir = await bundle('keyless');
    const r = await runCli(
      ['verify', 'rel.tar.gz', '--trusted-root', 'trusted_root.json', '--key', 'pub.pem', '--json'],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(failed(report)).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
    const check = report.checks.find((c) => c.code === 'SIGNER_KIND_MISMATCH');
    expect(check?.found).toBe(`signed keylessly (a certificate naming ${WORKFLOW}, not checked)`);
    expect(check?.expected).toBe('the key pub.pem');
  });

  it("verify: a key-signed bundle held to a policy's signers alone fails its authenticity (exit 1, not 3 or 2)", async () => {
    const dir = await bundle('key');
    await writeFile(
      join(dir, 'policy.yaml'),
      `version: 1\nidentity:\n  - issuer: ${ISSUER}\n    subject: ${WORKFLOW}\n`,
    );
    const r = await runCli(['verify', 'rel.tar.gz', '--policy', 'policy.yaml', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(failed(report)).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
    expect(report.checks.find((c) => c.code === 'SIGNER_KIND_MISMATCH')?.expected).toBe(
      "a signer identity (one of the policy's 1 signer)",
    );
  });

  it('verify: no signer of either kind is still an input error (exit 2), as before', async () => {
    const keyed = await bundle('key');
    const none = await runCli(['verify', 'rel.tar.gz'], { cwd: keyed });
    expect([none.code, none.stderr.includes('[KEY_REQUIRED]')]).toEqual([2, true]);
    const keyless = await bundle('keyless');
    const anyone = await runCli(['verify', 'rel.tar.gz', '--trusted-root', 'trusted_root.json'], { cwd: keyless });
    expect([anyone.code, anyone.stderr.includes('[IDENTITY_POLICY_REQUIRED]')]).toEqual([2, true]);
  });

  it('extract: fails (exit 1) and writes nothing, both ways', async () => {
    for (const [kind, signer] of [
      ['key', IDENTITY],
      ['keyless', ['--key', 'pub.pem']],
    ] as const) {
      const dir = await bundle(kind);
      const r = await runCli(
        ['extract', 'rel.tar.gz', '-o', 'out', '--trusted-root', 'trusted_root.json', ...signer, '--json'],
        { cwd: dir },
      );
      expect(r.code, kind).toBe(1);
      expect(failed(JSON.parse(r.stdout) as Report), kind).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
      expect(existsSync(join(dir, 'out')), kind).toBe(false);
    }
  });

  it('verify --attestation and verify-attestation: the same failure (exit 1); with no signer, exit 2', async () => {
    for (const [kind, signer] of [
      ['key', IDENTITY],
      ['keyless', ['--key', 'pub.pem']],
    ] as const) {
      const dir = await bundle(kind);
      const root = ['--trusted-root', 'trusted_root.json'];
      const beside = await runCli(
        ['verify', 'rel.tar.gz', '--attestation', 'rel.sigstore.json', ...root, ...signer, '--json'],
        { cwd: dir },
      );
      expect(beside.code, kind).toBe(1);
      expect(failed(JSON.parse(beside.stdout) as Report), kind).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
      const one = await runCli(
        ['verify-attestation', 'rel.sigstore.json', '--artifact', 'app.tgz', ...root, ...signer, '--json'],
        { cwd: dir },
      );
      expect(one.code, kind).toBe(1);
      expect(failed(JSON.parse(one.stdout) as Report), kind).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
      const text = await runCli(
        ['verify-attestation', 'rel.sigstore.json', '--artifact', 'app.tgz', ...root, ...signer],
        {
          cwd: dir,
        },
      );
      expect(text.stdout, kind).toContain('[SIGNER_KIND_MISMATCH] not signed by the signer pinned');
      // Several artifacts against the JSON lines of bundles: each bundle fails the same way.
      await writeFile(join(dir, 'other.tgz'), 'another artifact');
      const set = await runCli(
        [
          'verify-attestation',
          'rel.sigstore.jsonl',
          ...['--artifact', 'app.tgz', '--artifact', 'other.tgz'],
          ...root,
          ...signer,
          '--json',
        ],
        { cwd: dir },
      );
      expect(set.code, kind).toBe(1);
      const bundles = (JSON.parse(set.stdout) as { bundles: Report[] }).bundles;
      expect(bundles.length, kind).toBeGreaterThan(0);
      for (const b of bundles) expect(failed(b), kind).toEqual([['identity', 'SIGNER_KIND_MISMATCH']]);
      const unpinned = await runCli(['verify-attestation', 'rel.sigstore.json', '--artifact', 'app.tgz', ...root], {
        cwd: dir,
      });
      expect([unpinned.code, unpinned.stderr], kind).toEqual([
        2,
        expect.stringMatching(kind === 'key' ? /\[KEY_REQUIRED\]/ : /\[IDENTITY_POLICY_REQUIRED\]/),
      ]);
      const unpinnedSet = await runCli(
        ['verify-attestation', 'rel.sigstore.jsonl', '--artifact', 'app.tgz', '--artifact', 'other.tgz', ...root],
        { cwd: dir },
      );
      expect([unpinnedSet.code, unpinnedSet.stderr], kind).toEqual([
        2,
        expect.stringMatching(kind === 'key' ? /\[KEY_REQUIRED\]/ : /\[IDENTITY_POLICY_REQUIRED\]/),
      ]);
    }
  });
});
