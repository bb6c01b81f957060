import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { evaluatePolicy, loadPolicy } from '../../src/verifier/policy/evaluate.js';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { runCli } from '../helpers/io.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/** Holes found in review of the verify path; each must stay closed. */
const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const EVIL = 'https://github.com/evil/x/.github/workflows/release.yml@refs/heads/main';
let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/** A bundle signed keylessly by someone nobody trusts. */
async function evilBundle(): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const token = fakeIdentityToken({ iss: ISSUER, sub: EVIL, repository: 'evil/x', ref: 'refs/heads/main' });
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
  return dir;
}

describe('review regressions', () => {
  it('a keyless signature dressed up with "publicKey": null does not pass a --key verify', async () => {
    const dir = await evilBundle();
    const { generateKeyPairSync } = await import('node:crypto');
    await writeFile(
      join(dir, 'pub.pem'),
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'pem', type: 'spki' }),
    );
    const file = join(dir, 'b.tar.gz');
    const members = await readMembers(file);
    const att = members.find((m) => m.name === 'attestations/evidence.sigstore.json')!;
    const json = JSON.parse(att.body.toString());
    json.verificationMaterial.publicKey = null;
    att.body = Buffer.from(JSON.stringify(json));
    await writeMembers(file, members);
    const r = await runCli(
      ['verify', 'b.tar.gz', '--key', 'pub.pem', '--trusted-root', 'trusted_root.json', '--json'],
      { cwd: dir },
    );
    // Keyless, and only a key pinned: not signed by the signer pinned, a failed verification (exit 1), not bad input.
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { id: string; ok: boolean; skipped?: boolean; code?: string }[] };
    expect(report.checks.filter((c) => !c.ok && !c.skipped).map((c) => [c.id, c.code])).toEqual([
      ['identity', 'SIGNER_KIND_MISMATCH'],
    ]);
  });

  it.each([
    ['an issuer alone', ['--certificate-oidc-issuer', ISSUER]],
    ['a ref alone', ['--source-ref', 'refs/heads/main']],
    ['an identity without an issuer', ['--certificate-identity', EVIL]],
  ])('%s is not enough to name a signer (exit 2)', async (_n, flags) => {
    const dir = await evilBundle();
    const r = await runCli(['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', ...flags], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IDENTITY_POLICY_REQUIRED/);
  });

  it('a signer the policy file does not allow is an authenticity failure (exit 1) when the policy is what names signers', async () => {
    const dir = await evilBundle();
    await writeFile(
      join(dir, 'policy.yaml'),
      `version: 1\nidentity:\n  - issuer: ${ISSUER}\n    subjectRegexp: ^https://github\\.com/acme/.*$\n`,
    );
    const r = await runCli(
      ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', '--policy', 'policy.yaml', '--json'],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.checks.find((c: { id: string; ok: boolean }) => c.id === 'identity' && !c.ok).code).toBe(
      'IDENTITY_MISMATCH',
    );
  });

  it('a regexp cannot escape its anchors', async () => {
    const dir = await evilBundle();
    const r = await runCli(
      [
        'verify',
        'b.tar.gz',
        '--trusted-root',
        'trusted_root.json',
        '--certificate-identity-regexp',
        'a)|(.*',
        '--certificate-oidc-issuer',
        ISSUER,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/INVALID_OPTION/);
  });

  it('the sbom-version cross-check reads a hostile XML SBOM in linear time', () => {
    const hostile = Buffer.from(`<bom>${'<metadata><component>'.repeat(40_000)}`);
    const hex = sha256Hex(hostile);
    const manifest = {
      mediaType: 'application/vnd.evidence.manifest.v1+json',
      formatVersion: 1,
      name: 'x',
      version: '1',
      created: '2026-01-01T00:00:00Z',
      generator: { name: 'evidence', version: '0' },
      source: {},
      subjects: [],
      entries: [
        {
          path: 'sbom/x.xml',
          kind: 'sbom',
          mediaType: 'application/vnd.cyclonedx+xml',
          digest: `sha256:${hex}`,
          size: hostile.length,
          collector: { name: 'sbom', version: '0' },
          summary: { format: 'cyclonedx', specVersion: '1.6', components: 0, licenses: [], unlicensed: 0 },
        },
      ],
    } as unknown as Manifest;
    const policy = loadPolicy(Buffer.from('version: 1\ncrossChecks: [sbom-version]\n'), 'p.yaml');
    const result = evaluatePolicy(policy, {
      manifest,
      blobs: new Map([[hex, hostile]]),
      mode: 'integrity-only',
      now: new Date(),
    });
    // Read in linear time and refused: not checked, and said so (the policy does not hold on it).
    expect(result.crossChecks[0]?.status).toBe('not-checked');
    expect(result.ok).toBe(false);
  }, 5_000);
});
