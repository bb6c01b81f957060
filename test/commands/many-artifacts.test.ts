import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * Ten artifacts verified with one command (cli/cli#11803, cosign#4496):
 * `verify --subjects-file` against the evidence bundle, and
 * `verify-attestation NAME.sigstore.jsonl --subjects-file` against the
 * standard statements, each artifact reported on its own.
 */
const tmp = useTmp();
const ISSUER = 'https://issuer.example.com';
const RELEASER = 'https://example.com/release-job';
let sigstore: Awaited<ReturnType<typeof startLocalSigstore>>;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const who = [
  '--certificate-identity',
  RELEASER,
  '--certificate-oidc-issuer',
  ISSUER,
  '--trusted-root',
  'trusted_root.json',
];

async function release(dir: string): Promise<string[]> {
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const names = Array.from({ length: 10 }, (_, i) => `app-${i}.tgz`);
  for (const n of names) await writeFile(join(dir, n), `artifact ${n}`);
  const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
  const c = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'app',
      '--version',
      '1',
      '--sbom',
      fixture('sbom/npm11-sbom.cdx.json'),
      ...names.flatMap((n) => ['--subject', n]),
      '--sign',
      '--identity-token',
      fakeIdentityToken({ iss: ISSUER, sub: RELEASER }),
      ...s,
      '-q',
    ],
    { cwd: dir },
  );
  expect(c.code, c.stderr).toBe(0);
  await writeFile(join(dir, 'SHA256SUMS'), names.map((n) => `${sha256(`artifact ${n}`)}  ${n}\n`).join(''));
  return names;
}

describe('many artifacts in one run', () => {
  it('verify --subjects-file reports each of ten artifacts, and fails on the one that differs', async () => {
    const dir = await tmp();
    const names = await release(dir);
    const ok = await runCli(['verify', 'b.tar.gz', ...who, '--subjects-file', 'SHA256SUMS', '--json'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    const checks = (JSON.parse(ok.stdout) as { checks: { id: string; ok: boolean; path?: string }[] }).checks.filter(
      (c) => c.id === 'subjects',
    );
    expect(checks.map((c) => [c.path, c.ok])).toEqual(names.map((n) => [n, true]));

    await writeFile(
      join(dir, 'SHA256SUMS.bad'),
      names.map((n, i) => `${sha256(i === 7 ? 'something else' : `artifact ${n}`)}  ${n}\n`).join(''),
    );
    const bad = await runCli(['verify', 'b.tar.gz', ...who, '--subjects-file', 'SHA256SUMS.bad', '--json'], {
      cwd: dir,
    });
    expect(bad.code).toBe(1);
    const failed = (
      JSON.parse(bad.stdout) as { checks: { id: string; ok: boolean; path?: string; code?: string }[] }
    ).checks.filter((c) => c.id === 'subjects' && !c.ok);
    expect(failed).toEqual([expect.objectContaining({ path: 'app-7.tgz', code: 'SUBJECT_DIGEST_MISMATCH' })]);
  });

  it('verify-attestation over NAME.sigstore.jsonl reports ten artifacts, by predicate type', async () => {
    const dir = await tmp();
    const names = await release(dir);
    const r = await runCli(
      [
        'verify-attestation',
        'b.sigstore.jsonl',
        '--subjects-file',
        'SHA256SUMS',
        '--predicate-type',
        'https://cyclonedx.org/bom',
        ...who,
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      bundles: { ok: boolean }[];
      artifacts: { name: string; ok: boolean; coveredBy: { predicateType: string }[] }[];
    };
    expect(report.artifacts.map((a) => [a.name, a.ok, a.coveredBy.map((c) => c.predicateType)])).toEqual(
      names.map((n) => [n, true, ['https://cyclonedx.org/bom']]),
    );
    // Ours, the CycloneDX statement and the release statement: each verified once.
    expect(report.bundles).toHaveLength(3);
    expect(report.bundles.every((b) => b.ok)).toBe(true);

    const text = await runCli(
      ['verify-attestation', 'b.sigstore.jsonl', ...names.slice(0, 3).flatMap((n) => ['--artifact', n]), ...who],
      { cwd: dir },
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^VERIFIED: b\.sigstore\.jsonl: 3 of 3 artifacts covered; 3 of 3 bundles verified/);

    const none = await runCli(
      [
        'verify-attestation',
        'b.sigstore.jsonl',
        '--subjects-file',
        'SHA256SUMS',
        '--predicate-type',
        'https://spdx.dev/Document',
        ...who,
      ],
      { cwd: dir },
    );
    expect(none.code).toBe(1);
    expect(
      none.stdout.match(/^FAIL app-\d\.tgz: no verified statement of type https:\/\/spdx\.dev\/Document/gm),
    ).toHaveLength(10);
  });

  it('refuses a list that is not sha256sum output, naming the line (exit 2)', async () => {
    const dir = await tmp();
    await release(dir);
    await writeFile(join(dir, 'bad.txt'), `${'a'.repeat(64)}  one\nnot a line\n`);
    const r = await runCli(['verify', 'b.tar.gz', ...who, '--subjects-file', 'bad.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CHECKSUMS_INVALID]');
    expect(r.stderr).toContain('line 2');
  });
});
