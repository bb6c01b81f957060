import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
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

  it('a .jsonl with a malformed line: every line reported; a bundle altered fails (1), a malformed line alone is 2', async () => {
    const dir = await tmp();
    const names = await release(dir);
    const lines = (await readFile(join(dir, 'b.sigstore.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    type Line = { line: number; ok: boolean; malformed?: boolean; checks: { ok: boolean; code?: string }[] };
    type Report = { ok: boolean; verdict: string; bundles: Line[]; artifacts: { ok: boolean }[] };
    const run = async (text: string, json = true): Promise<{ code: number; report?: Report; stdout: string }> => {
      await writeFile(join(dir, 'x.sigstore.jsonl'), text);
      const r = await runCli(
        [
          'verify-attestation',
          'x.sigstore.jsonl',
          '--subjects-file',
          'SHA256SUMS',
          ...who,
          ...(json ? ['--json'] : []),
        ],
        { cwd: dir },
      );
      return {
        code: r.code,
        stdout: r.stdout,
        ...(json && r.stdout ? { report: JSON.parse(r.stdout) as Report } : {}),
      };
    };
    const failedCodes = (b: Line | undefined): (string | undefined)[] =>
      (b?.checks ?? []).filter((c) => !c.ok).map((c) => c.code);

    // A line that is not JSON and one that is JSON but no bundle: listed as malformed, not checked; the others verify.
    const [first, second, third] = lines as [string, string, string];
    const mixed = [first, 'not json {', second, '{"hello": "world"}', third].join('\n');
    const incomplete = await run(mixed);
    expect(incomplete.code).toBe(2);
    expect(incomplete.report?.verdict).toBe('incomplete');
    expect(incomplete.report?.bundles.map((b) => [b.line, b.ok, b.malformed ?? false])).toEqual([
      [1, true, false],
      [2, false, true],
      [3, true, false],
      [4, false, true],
      [5, true, false],
    ]);
    expect(failedCodes(incomplete.report?.bundles[1])).toEqual(['ATTESTATION_MALFORMED']);
    // Every artifact is still covered by the lines that verified.
    expect(incomplete.report?.artifacts.every((a) => a.ok)).toBe(true);
    const text = await run(mixed, false);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(
      /^INCOMPLETE: x\.sigstore\.jsonl: 10 of 10 artifacts covered; 3 of 5 bundles verified; 2 lines MALFORMED, not checked/,
    );
    expect(text.stdout).toMatch(/^OK {3}line 1: verified/m);
    expect(text.stdout).toMatch(
      /^MALFORMED line 2: line 2: not valid JSON .*; not checked \[ATTESTATION_MALFORMED\]$/m,
    );
    expect(text.stdout).toMatch(/^MALFORMED line 4: line 4: not a valid Sigstore bundle/m);

    // A bit flipped in a signature, or in a timestamp: a Sigstore bundle whose content was altered, a failed line (1),
    // never malformed input, whatever else the file holds.
    const flipped = (
      line: string,
      at: (b: {
        dsseEnvelope: { signatures: { sig: string }[] };
        verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
      }) => { get: () => string; set: (v: string) => void },
      byte: number,
    ): string => {
      const b = JSON.parse(line);
      const field = at(b);
      const bytes = Buffer.from(field.get(), 'base64');
      const i = byte < 0 ? bytes.length + byte : byte;
      bytes[i] = (bytes[i] as number) ^ 0x01;
      field.set(bytes.toString('base64'));
      return JSON.stringify(b);
    };
    const signature = (b: { dsseEnvelope: { signatures: { sig: string }[] } }) => ({
      get: () => b.dsseEnvelope.signatures[0]?.sig as string,
      set: (v: string) => ((b.dsseEnvelope.signatures[0] as { sig: string }).sig = v),
    });
    const timestamp = (b: {
      verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
    }) => ({
      get: () => b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]?.signedTimestamp as string,
      set: (v: string) =>
        ((
          b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0] as { signedTimestamp: string }
        ).signedTimestamp = v),
    });
    for (const [what, altered] of [
      ['signature', flipped(first, signature, 10)],
      // Its outer length: the timestamp no longer reads (it was refused as malformed input, exit 2, before).
      ['timestamp, its length', flipped(first, timestamp, 1)],
      // The authority's signature, its last byte: it reads, and does not verify.
      ['timestamp, its signature', flipped(first, timestamp, -1)],
    ] as const) {
      const failed = await run([altered, 'not json {', second, third].join('\n'));
      expect(failed.code, what).toBe(1);
      expect(failed.report?.verdict, what).toBe('failed');
      expect(failed.report?.bundles[0]?.malformed, what).toBeUndefined();
      expect(failed.report?.bundles[0]?.ok, what).toBe(false);
      expect(failedCodes(failed.report?.bundles[0]), what).not.toContain('ATTESTATION_MALFORMED');
      expect(failed.report?.bundles[1]?.malformed, what).toBe(true);
      expect(
        failed.report?.bundles.slice(2).every((b) => b.ok),
        what,
      ).toBe(true);
    }

    // A file with no line of JSON is no JSON lines at all: exit 2, as before, naming the first line.
    const none = await run('not json\nnor this\n');
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    // Nor is one whose every line is JSON but no bundle.
    expect((await run('{"hello": "world"}\n{"a": 1}\n')).code).toBe(2);
    void names;
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
