import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { runCli } from '../../helpers/io.js';
import { keyPair } from '../../helpers/release-bundles.js';
import { fixture, useTmp } from '../../helpers/tmp.js';

/**
 * attach publishes beside a bundle exactly what the bundle holds (the rule fetch reads them back by:
 * core/release-assets.ts detachedMismatch), and an unsigned bundle only when asked, alone, said to be unsigned.
 */

const tmp = useTmp();
const STEM = 'web-1.4.2.evidence';
const BUNDLE = `${STEM}.tar.gz`;
const BESIDE = [`${STEM}.sigstore.json`, `${STEM}.intoto.jsonl`, `${STEM}.sigstore.jsonl`];

const fakeGitHub = useFakeGitHub();
let gh: FakeGitHub;
beforeEach(() => {
  gh = fakeGitHub();
});

/** collect into a new folder: signed with a key of its own (another signer each time), or unsigned. */
async function collected(signed = true): Promise<string> {
  const dir = await tmp();
  if (signed) await keyPair(dir, 'key');
  const sarif = fixture('sarif/eslint.sarif');
  const r = await runCli(
    ['collect', '-o', BUNDLE, '--name', 'web', '--version', '1.4.2', '--sarif', sarif, '-q'].concat(
      signed ? ['--sign', '--key', 'key.pem'] : [],
    ),
    { cwd: dir },
  );
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

const attachCli = (dir: string, ...more: string[]): ReturnType<typeof runCli> =>
  runCli(['attach', BUNDLE, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, ...more], {
    cwd: dir,
    env: { GITHUB_TOKEN: gh.token },
  });

const uploads = (): number =>
  gh.received.filter((r) => r.method === 'POST' && r.path.startsWith('/api/uploads/')).length;

describe('evidence attach: what goes beside the bundle', () => {
  it('refuses an unsigned bundle beside the real release files (ATTACH_UNSIGNED, exit 2), uploading nothing; --allow-unsigned does not publish those files beside it', async () => {
    const signed = await collected();
    const dir = await collected(false);
    for (const f of BESIDE) await copyFile(join(signed, f), join(dir, f));
    gh.addRelease('v1.4.2');
    const refused = await attachCli(dir);
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    expect(refused.stderr).toContain(`${BUNDLE}: holds no attestation`);
    expect(refused.stderr).toContain('[ATTACH_UNSIGNED]');
    const beside = await attachCli(dir, '--allow-unsigned');
    expect(beside.code).toBe(2);
    expect(beside.stderr).toMatch(
      new RegExp(`^evidence: ${STEM}\\.sigstore\\.json \\(beside .*\\[ATTACH_INPUT_INVALID\\]`),
    );
    expect(uploads()).toBe(0);
    expect(gh.releases[0]?.assets).toEqual([]);
  });

  it('--allow-unsigned attaches an unsigned bundle alone and says it is UNSIGNED, in text and JSON', async () => {
    const dir = await collected(false);
    gh.addRelease('v1.4.2');
    const text = await attachCli(dir, '--allow-unsigned');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('attached an UNSIGNED bundle');
    expect(gh.releases[0]?.assets.map((a) => a.name)).toEqual([BUNDLE]);
    const json = await attachCli(dir, '--allow-unsigned', '--clobber', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ signed: false });
    // --attestations-api records signatures: an unsigned bundle has none.
    const api = await attachCli(dir, '--allow-unsigned', '--clobber', '--attestations-api');
    expect([api.code, api.stderr.includes('[ATTACH_UNSIGNED]')]).toEqual([2, true]);
  });

  it.each([
    [`${STEM}.intoto.jsonl`, 'the DSSE envelope'],
    [`${STEM}.sigstore.json`, 'not the attestation the bundle holds'],
    [`${STEM}.sigstore.jsonl`, 'its first line'],
  ])(
    "refuses the genuine bundle with another signer's %s beside it (ATTACH_INPUT_INVALID, exit 2), naming it",
    async (file, what) => {
      const [dir, other] = await Promise.all([collected(), collected()]);
      await copyFile(join(other, file), join(dir, file));
      gh.addRelease('v1.4.2');
      const r = await attachCli(dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`evidence: ${file} (beside ${BUNDLE}): `);
      expect(r.stderr).toContain(what);
      expect(r.stderr).toContain('[ATTACH_INPUT_INVALID]');
      expect(uploads()).toBe(0);
    },
  );

  it("refuses a NAME.sigstore.jsonl that says more than the bundle holds, and attaches the signing's own files", async () => {
    const dir = await collected();
    const jsonl = join(dir, BESIDE[2] as string);
    const own = await readFile(jsonl);
    await writeFile(jsonl, Buffer.concat([own, await readFile(join(dir, BESIDE[0] as string))]));
    gh.addRelease('v1.4.2');
    const extra = await attachCli(dir);
    expect([extra.code, extra.stderr.includes('standard statements the bundle holds')]).toEqual([2, true]);
    await writeFile(jsonl, own);
    // Older signings wrote no NAME.sigstore.jsonl: the others still go up.
    await rm(jsonl);
    const ok = await attachCli(dir, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ signed: true });
    expect(gh.releases[0]?.assets.map((a) => a.name)).toEqual([BUNDLE, BESIDE[0], BESIDE[1]]);
  });
});
