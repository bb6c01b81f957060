import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../../scripts/local-sigstore.mjs';
import { attach } from '../../../src/commands/attach.js';
import { fetchRelease } from '../../../src/commands/fetch.js';
import { useFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { runCli } from '../../helpers/io.js';
import { fixture, useTmp } from '../../helpers/tmp.js';

const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const NAMES = [
  'web-1.4.2.evidence.tar.gz',
  'web-1.4.2.evidence.sigstore.json',
  'web-1.4.2.evidence.intoto.jsonl',
  'web-1.4.2.evidence.sigstore.jsonl',
];
const JSONL = NAMES[3] as string;

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});
const fakeGitHub = useFakeGitHub();
let gh: FakeGitHub;
beforeEach(() => {
  gh = fakeGitHub();
});

/** A keylessly signed bundle (local Sigstore), attached to release v1.4.2 of a public repository. */
async function published(): Promise<{ dir: string; jsonl: { bytes: Buffer }; lines: string[] }> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
  const c = await runCli(
    [
      'collect',
      '-o',
      NAMES[0] as string,
      '--name',
      'web',
      '--version',
      '1.4.2',
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
  expect(c.code, c.stderr).toBe(0);
  gh.addRelease('v1.4.2');
  await attach({
    cwd: dir,
    env: { GITHUB_TOKEN: gh.token },
    bundle: NAMES[0] as string,
    repo: 'acme/web',
    tag: 'v1.4.2',
    apiUrl: gh.apiUrl,
    retry: { baseDelayMs: 5 },
  });
  gh.public = true;
  const jsonl = gh.releases[0]?.assets.find((a) => a.name === JSONL) as { bytes: Buffer } | undefined;
  if (!jsonl) throw new Error('no NAME.sigstore.jsonl asset');
  const lines = jsonl.bytes.toString('utf8').trimEnd().split('\n');
  expect(lines.length).toBeGreaterThan(1);
  return { dir, jsonl, lines };
}

const fetchArgs = (dir: string, out: string, extra: string[] = []): string[] => [
  'fetch',
  '--repo',
  'acme/web',
  '--tag',
  'v1.4.2',
  '--api-url',
  gh.apiUrl,
  '-o',
  out,
  '--trusted-root',
  join(dir, 'trusted_root.json'),
  '--certificate-identity',
  SIGNER,
  '--certificate-oidc-issuer',
  ISSUER,
  '-q',
  ...extra,
];

describe("fetch: a NAME.sigstore.jsonl that is not exactly the bundle's own statements", () => {
  it('the genuine file passes in every output and is kept', async () => {
    const { dir } = await published();
    const out = await tmp();
    const text = await runCli(fetchArgs(dir, out), { cwd: dir, env: {} });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^VERIFIED/);
    expect((await readdir(out)).sort()).toEqual([...NAMES].sort());
  });

  // Each way the file can be foreign: extra statements after the bundle's own, too few, and a first line that is not
  // ours.
  const tamperings: [string, (lines: string[]) => string][] = [
    ['a statement the bundle does not carry, appended', (lines) => `${[...lines, lines[1]].join('\n')}\n`],
    ["the bundle's standard statements missing", (lines) => `${lines[0]}\n`],
    ['a first line that is not NAME.sigstore.json', (lines) => `${[lines[1], ...lines.slice(1)].join('\n')}\n`],
  ];
  for (const [what, tamper] of tamperings) {
    it(`${what}: text, --json (ok, verdict) and the exit code all fail, and no such file is left in -o`, async () => {
      const { dir, jsonl, lines } = await published();
      jsonl.bytes = Buffer.from(tamper(lines));

      const outText = await tmp();
      const text = await runCli(fetchArgs(dir, outText), { cwd: dir, env: {} });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^RELEASE MISMATCH/);
      expect(text.stdout).not.toMatch(/^VERIFIED/m);
      expect(text.stderr).toContain('[SIGSTORE_JSONL_MISMATCH]');
      // Nothing foreign in the folder: not the file, not a temporary of it.
      expect((await readdir(outText)).sort()).toEqual(NAMES.filter((n) => n !== JSONL).sort());

      const outJson = await tmp();
      const json = await runCli(fetchArgs(dir, outJson, ['--json']), { cwd: dir, env: {} });
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout);
      // Failed, as a release check: the bundle's signature did verify, so it is not called not authentic.
      expect([
        report.ok,
        report.verdict,
        report.assessment.authenticity.status,
        report.assessment.release.status,
      ]).toEqual([false, 'failed', 'authentic', 'mismatch']);
      expect(
        report.checks
          .filter((c: { ok: boolean; skipped?: boolean }) => !c.ok && !c.skipped)
          .map((c: { id: string; code: string }) => `${c.id} ${c.code}`),
      ).toEqual(['release SIGSTORE_JSONL_MISMATCH']);
      expect(await readdir(outJson)).not.toContain(JSONL);

      const lib = await fetchRelease({
        cwd: dir,
        repo: 'acme/web',
        tag: 'v1.4.2',
        apiUrl: gh.apiUrl,
        output: await tmp(),
        verify: {
          trustedRoot: [join(dir, 'trusted_root.json')],
          identity: { certificateIdentity: SIGNER, certificateOidcIssuer: ISSUER },
        },
      });
      expect([lib.verdict, lib.problems.map((p) => p.code), lib.sigstoreJsonl, lib.verification?.report.ok]).toEqual([
        'failed',
        ['SIGSTORE_JSONL_MISMATCH'],
        undefined,
        false,
      ]);
    });
  }

  it('with --force over an earlier fetch, the earlier NAME.sigstore.jsonl does not stay beside the new bundle', async () => {
    const { dir, jsonl, lines } = await published();
    const out = await tmp();
    expect((await runCli(fetchArgs(dir, out), { cwd: dir, env: {} })).code).toBe(0);
    expect(await readdir(out)).toContain(JSONL);
    jsonl.bytes = Buffer.from(`${[...lines, lines[1]].join('\n')}\n`);
    const again = await runCli(fetchArgs(dir, out, ['--force']), { cwd: dir, env: {} });
    expect(again.code).toBe(1);
    expect((await readdir(out)).sort()).toEqual(NAMES.filter((n) => n !== JSONL).sort());
  });

  it('with --download-only, a first line that is not ours fails (exit 1) and the file is not kept; a genuine one is', async () => {
    const { dir, jsonl, lines } = await published();
    const good = await tmp();
    const ok = await runCli(
      ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', good, '--download-only', '-q'],
      { cwd: dir, env: {} },
    );
    expect(ok.code).toBe(0);
    expect((await readFile(join(good, JSONL))).equals(jsonl.bytes)).toBe(true);
    jsonl.bytes = Buffer.from(`${lines.slice(1).join('\n')}\n`);
    const out = await tmp();
    const bad = await runCli(
      ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', out, '--download-only', '-q'],
      { cwd: dir, env: {} },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[SIGSTORE_JSONL_MISMATCH]');
    expect((await readdir(out)).sort()).toEqual(NAMES.filter((n) => n !== JSONL).sort());
  });
});
