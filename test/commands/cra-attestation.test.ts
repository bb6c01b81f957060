/**
 * `evidence cra file` for a release whose signature is kept beside its bundle (a GitHub release's NAME.sigstore.json
 * asset): the index verified it with that signature, so the Annex VII folder must be able to as well. Without
 * --attestation the bundle alone does not verify and nothing is written (exit 1, the message says how to give it);
 * with it, the folder is written and its verification report names the signature used.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/commands/collect.js';
import { indexReleases } from '../../src/commands/release-index.js';
import { sign } from '../../src/commands/sign.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runCli } from '../helpers/io.js';

let dir: string;
let gh: FakeGitHub;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-cra-attestation-'));
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'key.pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  await collect({
    cwd: dir,
    env: { SOURCE_DATE_EPOCH: '1796371200' },
    output: 'web-1.0.0.evidence.tar.gz',
    name: 'web',
    version: '1.0.0',
    sbom: [join(process.cwd(), 'examples/acme-web/sbom/acme-web.cdx.json')],
  });
  // Signed in a copy: the release keeps its bundle unsigned and the signature beside it.
  await copyFile(join(dir, 'web-1.0.0.evidence.tar.gz'), join(dir, 'signed.tar.gz'));
  const signed = await sign({ cwd: dir, bundle: 'signed.tar.gz', key: join(dir, 'key.pem'), noStandard: true });
  await copyFile(signed.sigstoreBundle, join(dir, 'web-1.0.0.evidence.sigstore.json'));
  gh = await startFakeGitHub();
  const release = gh.addRelease('v1.0.0');
  gh.addAsset(release, 'web-1.0.0.evidence.tar.gz', await readFile(join(dir, 'web-1.0.0.evidence.tar.gz')));
  gh.addAsset(
    release,
    'web-1.0.0.evidence.sigstore.json',
    await readFile(join(dir, 'web-1.0.0.evidence.sigstore.json')),
  );
}, 60_000);

/** `evidence cra file web 1.0.0` into `output`, from the local bundle and key, with `more` options. */
const craFile = (output: string, ...more: string[]) =>
  runCli(
    ['cra', 'file', 'web', '1.0.0', '--db', 'ix.db', '-o', output, '--bundle', 'web-1.0.0.evidence.tar.gz'].concat(
      ['--key', 'key.pub.pem'],
      more,
    ),
    { cwd: dir },
  );

afterAll(async () => {
  await gh?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cra file --attestation', () => {
  it('verifies the bundle with the signature kept beside it, as the index did', async () => {
    const indexed = await indexReleases({
      cwd: dir,
      env: { GITHUB_TOKEN: gh.token },
      db: join(dir, 'ix.db'),
      sources: [`github:${gh.owner}/${gh.repo}`],
      key: [join(dir, 'key.pub.pem')],
      apiUrl: gh.apiUrl,
      cache: join(dir, 'gh-cache'),
      concurrency: 1,
      retry: { retries: 0 },
    });
    expect(indexed.indexed).toBe(1);
    const alone = await craFile('annex-alone');
    expect(alone.code, alone.stderr).toBe(1);
    expect(alone.stderr).toContain('--attestation');
    // Where the signature the index verified it with was read: the release's asset, by its sha256.
    const sigstore = await readFile(join(dir, 'web-1.0.0.evidence.sigstore.json'));
    const hex = createHash('sha256').update(sigstore).digest('hex');
    expect(alone.stderr).toMatch(
      new RegExp(
        `the index verified it with a signature kept outside the bundle, sha256:${hex} from \\S+/releases/download/v1\\.0\\.0/web-1\\.0\\.0\\.evidence\\.sigstore\\.json: give it with --attestation`,
      ),
    );
    expect(existsSync(join(dir, 'annex-alone'))).toBe(false);
    const beside = await craFile('annex', '--attestation', 'web-1.0.0.evidence.sigstore.json');
    expect(beside.code, beside.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'annex', 'verification.json'), 'utf8')) as {
      ok: boolean;
      authenticity?: string;
      signature?: { attestation?: { uri: string; sha256: string } };
    };
    expect(report.ok).toBe(true);
    const sha256 = createHash('sha256')
      .update(await readFile(join(dir, 'web-1.0.0.evidence.sigstore.json')))
      .digest('hex');
    // The folder holds the signature, and the README's command verifies from inside it (an outside review: it named
    // only the bundle, which alone does not verify).
    const readme = await readFile(join(dir, 'annex', 'README.md'), 'utf8');
    const command = /`evidence verify (bundle\/\S+) --attestation (bundle\/\S+)`/.exec(readme);
    expect(command, readme).not.toBeNull();
    const again = await runCli(
      ['verify', command![1]!, '--attestation', command![2]!, '--key', join(dir, 'key.pub.pem')],
      {
        cwd: join(dir, 'annex'),
      },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(report.signature?.attestation).toEqual({
      uri: 'bundle/web-1.0.0.evidence.sigstore.json',
      sha256,
    });
  });

  it('keeps the signature as the bundle\u2019s NAME.sigstore.json, whatever it was called: never over the bundle', async () => {
    // An outside review: a signature file named like the bundle replaced the bundle in the folder.
    await mkdir(join(dir, 'sigs'), { recursive: true });
    await copyFile(join(dir, 'web-1.0.0.evidence.sigstore.json'), join(dir, 'sigs', 'web-1.0.0.evidence.tar.gz'));
    const r = await craFile('annex-same-name', '--attestation', 'sigs/web-1.0.0.evidence.tar.gz');
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'annex-same-name', 'bundle', 'web-1.0.0.evidence.tar.gz'))).toEqual(
      await readFile(join(dir, 'web-1.0.0.evidence.tar.gz')),
    );
    expect(existsSync(join(dir, 'annex-same-name', 'bundle', 'web-1.0.0.evidence.sigstore.json'))).toBe(true);
    // A signature that is not there is named (exit 2), and nothing is written.
    const missing = await craFile('annex-missing', '--attestation', 'nope.sigstore.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[ATTESTATION_NOT_FOUND]');
    expect(existsSync(join(dir, 'annex-missing'))).toBe(false);
  });
});
