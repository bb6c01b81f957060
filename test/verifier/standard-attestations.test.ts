import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * The standard statements signed beside ours (docs/bundle-format.md §6.5),
 * keyless through the real sigstore client against a local Sigstore: one
 * certificate for every statement of a run, each verified, and each required
 * to be exactly what the bundle's own blobs make.
 */
const tmp = useTmp();
const ISSUER = 'https://issuer.example.com';
const RELEASER = 'https://example.com/release-job';
const OTHER = 'https://example.com/someone-else';
const STANDARD = 'attestations/standard.sigstore.jsonl';

let sigstore: Awaited<ReturnType<typeof startLocalSigstore>>;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

async function signedBundle(
  dir: string,
  name: string,
  identity: string,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  await writeFile(join(dir, 'app.tgz'), 'artifact');
  const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
  const token = fakeIdentityToken({ iss: ISSUER, sub: identity });
  return runCli(
    [
      'collect',
      '-o',
      `${name}.tar.gz`,
      '--name',
      'app',
      '--version',
      '1.0.0',
      '--sbom',
      fixture('sbom/cdx-npm-6.0.1-spec1.6.cdx.json'),
      '--sbom',
      fixture('sbom/npm11-sbom.spdx.json'),
      '--junit',
      fixture('junit/vitest.junit.xml'),
      '--sarif',
      fixture('sarif/vulns-trivy-shaped.handwritten.sarif'),
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--subject',
      'app.tgz',
      '--sign',
      '--identity-token',
      token,
      ...s,
      ...extra,
    ],
    { cwd: dir },
  );
}

const verifyArgs = (bundle: string, who: string[] = ['--certificate-identity', RELEASER]) => [
  'verify',
  bundle,
  ...who,
  '--certificate-oidc-issuer',
  ISSUER,
  '--trusted-root',
  'trusted_root.json',
  '--json',
];

interface Report {
  ok: boolean;
  verdict: string;
  checks: { id: string; ok: boolean; code?: string; skipped?: boolean }[];
  standard?: { label: string; predicateType: string }[];
}

async function verify(dir: string, bundle: string, who?: string[]): Promise<{ code: number; report: Report }> {
  const r = await runCli(verifyArgs(bundle, who), { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe('standard attestations', () => {
  it('are signed beside ours under one certificate, listed by sign, kept in the bundle and in NAME.sigstore.jsonl, and verify', async () => {
    const dir = await tmp();
    const c = await signedBundle(dir, 'b', RELEASER);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('b.sigstore.jsonl');
    expect(c.stdout).toMatch(/no standard statement for sarif\/eslint\.sarif: .*no vulnerability id/);
    const members = await readMembers(join(dir, 'b.tar.gz'));
    expect(members.map((m) => m.name).slice(0, 2)).toEqual(['manifest.json', 'SHA256SUMS']);
    expect(members.map((m) => m.name).slice(-2)).toEqual(['attestations/evidence.sigstore.json', STANDARD]);
    const lines = (members.find((m) => m.name === STANDARD)?.body.toString('utf8') ?? '').trimEnd().split('\n');
    const types = lines.map(
      (l) =>
        JSON.parse(Buffer.from(JSON.parse(l).dsseEnvelope.payload, 'base64').toString('utf8')).predicateType as string,
    );
    expect(types.sort()).toEqual(
      [
        'https://cyclonedx.org/bom',
        'https://in-toto.io/attestation/release/v0.1',
        'https://in-toto.io/attestation/test-result/v0.1',
        'https://in-toto.io/attestation/vulns/v0.2',
        'https://spdx.dev/Document',
      ].sort(),
    );
    // One certificate for the whole run: ours and every standard one.
    const evidence = JSON.parse(
      members.find((m) => m.name === 'attestations/evidence.sigstore.json')?.body.toString('utf8') ?? '{}',
    );
    const certOf = (b: { verificationMaterial: { certificate: { rawBytes: string } } }): string =>
      new X509Certificate(Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64')).fingerprint256;
    expect(new Set([evidence, ...lines.map((l) => JSON.parse(l))].map(certOf)).size).toBe(1);
    // Each has its own transparency log entry.
    expect(new Set(lines.map((l) => JSON.parse(l).verificationMaterial.tlogEntries[0].logIndex)).size).toBe(
      lines.length,
    );
    const jsonl = (await readFile(join(dir, 'b.sigstore.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(jsonl).toEqual([JSON.stringify(evidence), ...lines]);
    const v = await verify(dir, 'b.tar.gz');
    expect(v.code).toBe(0);
    expect(v.report.checks.find((x) => x.id === 'standard')).toMatchObject({ ok: true });
    expect(v.report.standard?.map((s) => s.predicateType)).toHaveLength(5);
  });

  it('fail verification when a line is missing, moved, or signed by someone else; a bundle without them verifies as before', async () => {
    const dir = await tmp();
    expect((await signedBundle(dir, 'b', RELEASER)).code).toBe(0);
    expect((await signedBundle(dir, 'other', OTHER)).code).toBe(0);
    const members = await readMembers(join(dir, 'b.tar.gz'));
    const lines = (members.find((m) => m.name === STANDARD)?.body.toString('utf8') ?? '').trimEnd().split('\n');
    const otherLines = (
      (await readMembers(join(dir, 'other.tar.gz'))).find((m) => m.name === STANDARD)?.body.toString('utf8') ?? ''
    )
      .trimEnd()
      .split('\n');
    const withStandard = async (file: string, body: string | undefined): Promise<void> => {
      const list = members.filter((m) => m.name !== STANDARD);
      if (body !== undefined) list.push({ name: STANDARD, body: Buffer.from(body) });
      await writeMembers(join(dir, file), list);
    };
    const codes = (r: Report): string[] =>
      r.checks.filter((x) => x.id === 'standard' && !x.ok).map((x) => x.code ?? '');

    await withStandard('dropped.tar.gz', `${lines.slice(1).join('\n')}\n`);
    const dropped = await verify(dir, 'dropped.tar.gz');
    expect(dropped.code).toBe(1);
    expect(codes(dropped.report)).toContain('STANDARD_MISMATCH');

    await withStandard('moved.tar.gz', `${[lines[1], lines[0], ...lines.slice(2)].join('\n')}\n`);
    const moved = await verify(dir, 'moved.tar.gz');
    expect(moved.code).toBe(1);
    expect(codes(moved.report)).toContain('STANDARD_MISMATCH');

    await withStandard('garbage.tar.gz', `${lines.slice(0, -1).join('\n')}\n{"not":\n`);
    expect(codes((await verify(dir, 'garbage.tar.gz')).report)).toContain('STANDARD_MALFORMED');

    // Another signer's statement for the same evidence (the same bytes: same subject, same blobs).
    await withStandard('swapped.tar.gz', `${[otherLines[0], ...lines.slice(1)].join('\n')}\n`);
    expect(codes((await verify(dir, 'swapped.tar.gz')).report)).toContain('IDENTITY_MISMATCH');
    const both = ['--certificate-identity-regexp', 'https://example\\.com/.*'];
    const swapped = await verify(dir, 'swapped.tar.gz', both);
    expect(swapped.code, JSON.stringify(swapped.report.checks.filter((x) => !x.ok))).toBe(1);
    expect(codes(swapped.report)).toEqual(['STANDARD_SIGNER_MISMATCH']);
    expect((await verify(dir, 'b.tar.gz', both)).code).toBe(0);

    await withStandard('none.tar.gz', undefined);
    const none = await verify(dir, 'none.tar.gz');
    expect(none.code).toBe(0);
    expect(none.report.checks.filter((x) => x.id === 'standard')).toEqual([
      expect.objectContaining({ ok: false, skipped: true, code: 'STANDARD_ABSENT' }),
    ]);
  });

  it('are left out with --no-standard-attestations', async () => {
    const dir = await tmp();
    const c = await signedBundle(dir, 'b', RELEASER, ['--no-standard-attestations']);
    expect(c.code, c.stderr).toBe(0);
    expect((await readMembers(join(dir, 'b.tar.gz'))).map((m) => m.name)).not.toContain(STANDARD);
    expect((await readFile(join(dir, 'b.sigstore.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(1);
    expect((await verify(dir, 'b.tar.gz')).code).toBe(0);
  });
});
