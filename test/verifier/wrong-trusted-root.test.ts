import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Class: new users. A keyless bundle checked against a trusted root that does
 * not hold the certificate authority that issued its signer's certificate
 * says so, naming the root file, instead of quoting sigstore-js's
 * "Failed to verify certificate chain" alone.
 */
const tmp = useTmp();
const ISSUER = 'https://issuer.example.com';
const IDENTITY = 'https://example.com/release-job';
let signing: LocalSigstore;
let other: LocalSigstore;
let dir: string;

beforeAll(async () => {
  [signing, other] = await Promise.all([startLocalSigstore(), startLocalSigstore()]);
});
afterAll(async () => {
  await Promise.all([signing?.close(), other?.close()]);
});

async function signedBundle(): Promise<string> {
  const d = await tmp();
  await writeFile(join(d, 'small.txt'), 'x');
  const s = ['--fulcio-url', signing.url, '--rekor-url', signing.url, '--tsa-url', signing.url];
  const token = fakeIdentityToken({ iss: ISSUER, sub: IDENTITY });
  const r = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'b',
      '--version',
      '1',
      '--file',
      'small.txt',
      '--sign',
      '--identity-token',
      token,
      ...s,
      '-q',
    ],
    { cwd: d },
  );
  expect(r.code, r.stderr).toBe(0);
  return d;
}

async function verifyJson(
  root: unknown,
  name: string,
): Promise<{ code: number; check?: { code?: string; message: string }; stdout: string }> {
  await writeFile(join(dir, name), JSON.stringify(root));
  const r = await runCli(
    [
      'verify',
      'b.tar.gz',
      '--certificate-identity',
      IDENTITY,
      '--certificate-oidc-issuer',
      ISSUER,
      '--trusted-root',
      name,
      '--json',
    ],
    { cwd: dir },
  );
  const report = JSON.parse(r.stdout) as { checks: { id: string; ok: boolean; code?: string; message: string }[] };
  return { code: r.code, check: report.checks.find((c) => c.id === 'signature'), stdout: r.stdout };
}

describe('a keyless bundle against the wrong trusted root', () => {
  it('the right root verifies (the setup is sound)', async () => {
    dir = await signedBundle();
    const r = await verifyJson(signing.trustedRoot, 'right_root.json');
    expect(r.code).toBe(0);
  });

  it("a root whose certificate authorities are another instance's: SIGNATURE_INVALID, saying the issuing authority is not in that root, and naming the file", async () => {
    dir = await signedBundle();
    const root = { ...signing.trustedRoot, certificateAuthorities: other.trustedRoot.certificateAuthorities };
    const r = await verifyJson(root, 'other_ca_root.json');
    expect(r.code).toBe(1);
    expect(r.check?.code).toBe('SIGNATURE_INVALID');
    expect(r.check?.message).toContain('other_ca_root.json');
    expect(r.check?.message).toContain('issuing authority');
  });

  it("another instance's root altogether (its log and timestamps fail first): the same words", async () => {
    dir = await signedBundle();
    const r = await verifyJson(other.trustedRoot, 'other_root.json');
    expect(r.code).toBe(1);
    expect(r.check?.code).toBe('SIGNATURE_INVALID');
    expect(r.check?.message).toContain('other_root.json');
    expect(r.check?.message).toContain('issuing authority');
  });

  it("the right authority with another instance's log: the failure is not blamed on the authority", async () => {
    dir = await signedBundle();
    const root = { ...other.trustedRoot, certificateAuthorities: signing.trustedRoot.certificateAuthorities };
    const r = await verifyJson(root, 'other_log_root.json');
    expect(r.code).toBe(1);
    expect(r.check?.code).toBe('SIGNATURE_INVALID');
    expect(r.check?.message).toContain('other_log_root.json');
    expect(r.check?.message).not.toContain('issuing authority');
  });
});
