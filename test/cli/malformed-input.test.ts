import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** Input that holds nothing to verify is invalid input (exit 2), whatever its kind of wrong: never a verdict (1). */
describe('verify-attestation: a file that is no Sigstore bundle', () => {
  it.each([
    ['not JSON', 'att.sigstore.json', 'hello', 'ATTESTATION_UNREADABLE'],
    ['JSON, but no Sigstore bundle', 'att.sigstore.json', '{"hello": "world"}', 'ATTESTATION_MALFORMED'],
    [
      'a bundle without its verification material',
      'att.sigstore.json',
      '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AA=="}]}}',
      'ATTESTATION_MALFORMED',
    ],
    ['JSON lines, one of which is no bundle', 'att.sigstore.jsonl', '{"hello": "world"}\n', 'ATTESTATION_MALFORMED'],
  ])('%s: exit 2, naming the file', async (_, file, text, code) => {
    const dir = await tmp();
    await writeFile(join(dir, file), text);
    await writeFile(join(dir, 'app.tgz'), 'the artifact');
    const r = await runCli(['verify-attestation', file, '--artifact', 'app.tgz'], { cwd: dir, env: { HOME: dir } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^evidence: ${file.replace(/\./g, '\\.')}.*\\[${code}\\]\n$`));
  });
});

/** A key-signed bundle (b.tar.gz, b.sigstore.json beside it) with its public key (pub.pem) and another (other.pem). */
async function keySigned(): Promise<string> {
  const dir = await tmp();
  const { generateKeyPairSync } = await import('node:crypto');
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
  await writeFile(join(dir, 'other.pem'), other.export({ format: 'pem', type: 'spki' }));
  const c = await runCli(
    ['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--sarif', fixture('sarif/eslint.sarif')].concat([
      '--sign',
      '--key',
      'key.pem',
      '-q',
    ]),
    { cwd: dir, env: {} },
  );
  expect([c.code, c.stderr]).toEqual([0, '']);
  return dir;
}

describe('verify and extract --attestation: a file that is no Sigstore bundle', () => {
  it.each([
    ['JSON, but no Sigstore bundle', '{"hello": "world"}'],
    [
      'a bundle without its verification material',
      '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AA=="}]}}',
    ],
  ])('%s: exit 2 (ATTESTATION_MALFORMED), naming the file, as verify-attestation does', async (_, text) => {
    const dir = await keySigned();
    await writeFile(join(dir, 'att.sigstore.json'), text);
    for (const command of [['verify'], ['extract', '-o', 'out']]) {
      const r = await runCli([...command, 'b.tar.gz', '--attestation', 'att.sigstore.json', '--key', 'pub.pem'], {
        cwd: dir,
        env: {},
      });
      expect(r.code, `${command[0]}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^evidence: att\.sigstore\.json: not a valid Sigstore bundle: .*\[ATTESTATION_MALFORMED\]\n$/,
      );
    }
  });

  it('a well-formed Sigstore bundle that does not verify is still a verdict (exit 1)', async () => {
    const dir = await keySigned();
    const r = await runCli(['verify', 'b.tar.gz', '--attestation', 'b.sigstore.json', '--key', 'other.pem', '--json'], {
      cwd: dir,
      env: {},
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { ok: boolean; skipped?: boolean; code?: string }[] };
    expect(report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code)).toEqual(['SIGNATURE_INVALID']);
  });
});
