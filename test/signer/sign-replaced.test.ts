import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { sign } from '../../src/commands/sign.js';
import { ATTESTATION_MEMBER } from '../../src/core/layout.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * sign over a bundle that is signed already replaces its signature: it says so on stderr (and in its result), naming
 * the signer the old signature states (a key's hint, a certificate's identity and issuer, or that it cannot be read),
 * and that it was not checked.
 */
const tmp = useTmp();
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/** b.tar.gz in a fresh directory, unsigned, with two private keys beside it (old.pem, new.pem). */
async function unsigned(): Promise<string> {
  const dir = await tmp();
  for (const name of ['old', 'new']) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, `${name}.pem`), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  }
  const r = await runCli(
    ['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
    { cwd: dir, env: {} },
  );
  expect([r.code, r.stderr]).toEqual([0, '']);
  return dir;
}

const hintOf = async (dir: string): Promise<string> =>
  (
    JSON.parse(await readFile(join(dir, 'b.sigstore.json'), 'utf8')) as {
      verificationMaterial: { publicKey: { hint: string } };
    }
  ).verificationMaterial.publicKey.hint;

describe('sign over a signed bundle', () => {
  it('an unsigned bundle: nothing replaced, nothing said', async () => {
    const dir = await unsigned();
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'old.pem', '-q'], { cwd: dir, env: {} });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect((await sign({ cwd: dir, bundle: 'b.tar.gz', key: 'new.pem' })).replaced).toMatchObject({
      signer: { kind: 'public-key' },
    });
  });

  it("--key over a key signature names the old key's hint, and says it was not checked", async () => {
    const dir = await unsigned();
    expect((await runCli(['sign', 'b.tar.gz', '--key', 'old.pem', '-q'], { cwd: dir, env: {} })).code).toBe(0);
    const old = await hintOf(dir);
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'new.pem', '-q'], { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `evidence: b.tar.gz: replaced the bundle's previous signature, signed with a key (hint ${old}); that signature was not checked, so this is only what it states\n`,
    );
    expect(await hintOf(dir)).not.toBe(old);
    // The library says it too, as data.
    const current = await hintOf(dir);
    expect(await sign({ cwd: dir, bundle: 'b.tar.gz', key: 'old.pem' })).toMatchObject({
      replaced: { signer: { kind: 'public-key', keyHint: current }, checked: false },
    });
  });

  it('--key over a keyless signature names the identity and issuer its certificate states', async () => {
    const dir = await unsigned();
    const token = fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
    const keyless = await runCli(
      [
        'sign',
        'b.tar.gz',
        '--identity-token',
        token,
        ...['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url, '-q'],
      ],
      { cwd: dir, env: {} },
    );
    expect([keyless.code, keyless.stderr]).toEqual([0, '']);
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'new.pem', '-q'], { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `evidence: b.tar.gz: replaced the bundle's previous signature, signed keylessly by ${WORKFLOW} (issuer ${ISSUER}); that signature was not checked, so this is only what it states\n`,
    );
  });

  it('a previous signature that cannot be read is named unreadable', async () => {
    const dir = await unsigned();
    expect((await runCli(['sign', 'b.tar.gz', '--key', 'old.pem', '-q'], { cwd: dir, env: {} })).code).toBe(0);
    const file = join(dir, 'b.tar.gz');
    const members = await readMembers(file);
    const att = members.find((m) => m.name === ATTESTATION_MEMBER);
    if (!att) throw new Error('no signature member');
    att.body = Buffer.from('{"not": "a Sigstore bundle"}');
    await writeMembers(file, members);
    const r = await runCli(['sign', 'b.tar.gz', '--key', 'new.pem', '-q'], { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^evidence: b\.tar\.gz: replaced the bundle's previous signature, unreadable: not a valid Sigstore bundle: .*; that signature was not checked/,
    );
  });
});
