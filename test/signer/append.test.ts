import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isAttestationsTar, locateAttestationsMember } from '../../src/core/attestations-member.js';
import { attestationsMember } from '../../src/core/bundle-writer.js';
import { ATTESTATION_MEMBER, MANIFEST_MEMBER, STANDARD_MEMBER, SUMS_MEMBER } from '../../src/core/layout.js';
import { MTIME, bundleOf, member, membersOf, parts, tarOf, writeBaseline } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { readMembers } from '../helpers/members.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * The attestations member (docs/bundle-format.md §1.3): a bundle is its
 * content in one gzip member and its attestations in a last one, so signing
 * replaces a few kilobytes instead of recompressing the whole bundle.
 */
const tmp = useTmp();

async function keyPair(dir: string): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
}

describe('the attestations member', () => {
  it('an unsigned bundle ends with one: the end-of-archive alone, found from the end', async () => {
    const bytes = await writeBaseline();
    const at = locateAttestationsMember(bytes);
    expect(at).toBeGreaterThan(0);
    const last = gunzipSync(bytes.subarray(at));
    expect(last.equals(Buffer.alloc(1024))).toBe(true);
    // The content member before it holds no end-of-archive; together they are one tar.
    const content = gunzipSync(bytes.subarray(0, at));
    expect(content.length % 512).toBe(0);
    expect(content.subarray(-1024).every((b) => b === 0)).toBe(false);
    expect(await attestationsMember({ mtime: MTIME })).toEqual(bytes.subarray(at as number));
  });

  it('is the tar of its members gzipped at level 1 in one call, though streamed', async () => {
    const attestation = Buffer.from(
      `${JSON.stringify({ payload: randomBytes(3 * 1024 * 1024).toString('base64') })}\n`,
    );
    const standard = Buffer.from(`${JSON.stringify({ payload: randomBytes(1024 * 1024).toString('base64') })}\n`);
    for (const input of [{ attestation, standard }, { attestation }, { standard }, {}]) {
      const made = await attestationsMember({ ...input, mtime: MTIME });
      expect(gzipSync(gunzipSync(made), { level: 1 }).equals(made)).toBe(true);
      expect(isAttestationsTar(gunzipSync(made))).toBe(true);
    }
  });

  it('is found in a signed bundle, and not in one written before it existed', async () => {
    const signed = await writeBaseline({ attestation: Buffer.from('{"x":1}\n') });
    const at = locateAttestationsMember(signed) as number;
    expect(isAttestationsTar(gunzipSync(signed.subarray(at)))).toBe(true);
    const legacy = bundleOf(membersOf(parts(), { attestation: Buffer.from('{}') }));
    expect(locateAttestationsMember(legacy)).toBeUndefined();
  });

  it('gives up on a tail crafted to repeat the gzip header, instead of trying each', async () => {
    const real = await writeBaseline();
    const header = real.subarray(0, 10);
    const crafted = Buffer.concat([Buffer.concat(Array.from({ length: 100_000 }, () => header)), Buffer.alloc(20)]);
    expect(locateAttestationsMember(crafted)).toBeUndefined();
  });

  it('takes only attestation members, in order, then zeros', () => {
    expect(isAttestationsTar(Buffer.alloc(1024))).toBe(true);
    expect(isAttestationsTar(tarOf([member(ATTESTATION_MEMBER, '{}'), member(STANDARD_MEMBER, '{}\n')]))).toBe(true);
    expect(isAttestationsTar(Buffer.alloc(512))).toBe(false);
    expect(isAttestationsTar(Buffer.concat([Buffer.alloc(1024), Buffer.from('x')]))).toBe(false);
    expect(isAttestationsTar(tarOf([member(STANDARD_MEMBER, '{}\n'), member(ATTESTATION_MEMBER, '{}')]))).toBe(false);
    expect(isAttestationsTar(tarOf([member(MANIFEST_MEMBER, '{}')]))).toBe(false);
    expect(isAttestationsTar(tarOf([member(ATTESTATION_MEMBER, '{}'), member(ATTESTATION_MEMBER, '{}')]))).toBe(false);
  });
});

describe('sign appends', () => {
  it('keeps every byte of the content: only the last gzip member changes, and signing again replaces it', async () => {
    const dir = await tmp();
    await keyPair(dir);
    await writeFile(join(dir, 'app.tgz'), 'artifact');
    const c = await runCli(
      [
        'collect',
        '-o',
        'b.tar.gz',
        '--name',
        'b',
        '--version',
        '1',
        '--sbom',
        fixture('sbom/npm11-sbom.cdx.json'),
        '--junit',
        fixture('junit/vitest.junit.xml'),
        '--subject',
        'app.tgz',
        '-q',
      ],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
    );
    expect(c.code, c.stderr).toBe(0);
    const unsigned = await readFile(join(dir, 'b.tar.gz'));
    const contentEnd = locateAttestationsMember(unsigned) as number;
    const s1 = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(s1.code, s1.stderr).toBe(0);
    const once = await readFile(join(dir, 'b.tar.gz'));
    expect(once.subarray(0, contentEnd).equals(unsigned.subarray(0, contentEnd))).toBe(true);
    expect(locateAttestationsMember(once)).toBe(contentEnd);
    const s2 = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(s2.code, s2.stderr).toBe(0);
    const twice = await readFile(join(dir, 'b.tar.gz'));
    expect(twice.subarray(0, contentEnd).equals(unsigned.subarray(0, contentEnd))).toBe(true);
    expect(Math.abs(twice.length - once.length)).toBeLessThan(64);
    const names = (await readMembers(join(dir, 'b.tar.gz'))).map((m) => m.name);
    expect(names.filter((n) => n.startsWith('attestations/'))).toEqual([
      'attestations/evidence.sigstore.json',
      'attestations/standard.sigstore.jsonl',
    ]);
    expect((await runCli(['verify', 'b.tar.gz', '--key', 'pub.pem', '--subject', 'app.tgz'], { cwd: dir })).code).toBe(
      0,
    );
    // GNU tar and sha256sum read it as they read any .tar.gz.
    const x = spawnSync('tar', ['xzf', 'b.tar.gz', '-C', dir, '--one-top-level=x'], { cwd: dir });
    expect(x.status, String(x.stderr)).toBe(0);
    expect(spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: join(dir, 'x') }).status).toBe(0);
  });

  it('is not fooled by a gzip stream hidden in a stored attestations member: the result still verifies', async () => {
    const dir = await tmp();
    await keyPair(dir);
    const plain = await writeBaseline();
    const at = locateAttestationsMember(plain) as number;
    // The last member stored, not compressed, with a whole gzip member of zeros as the standard attestations' content.
    const hidden = gzipSync(Buffer.alloc(2048));
    const last = gzipSync(tarOf([member(ATTESTATION_MEMBER, '{}'), member(STANDARD_MEMBER, hidden)]), { level: 0 });
    await writeFile(join(dir, 'b.tar.gz'), Buffer.concat([plain.subarray(0, at), last]));
    expect((await runCli(['verify', 'b.tar.gz', '--integrity-only'], { cwd: dir })).code).toBe(0);
    const s = await runCli(['sign', 'b.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect((await runCli(['verify', 'b.tar.gz', '--key', 'pub.pem'], { cwd: dir })).code).toBe(0);
    expect((await readFile(join(dir, 'b.tar.gz'))).subarray(0, at).equals(plain.subarray(0, at))).toBe(true);
  });

  it('rewrites a bundle written before the attestations member into that layout, once; it verifies before and after', async () => {
    const dir = await tmp();
    await keyPair(dir);
    // A bundle as they were written: attestation (here none yet) before the blobs, one gzip member.
    const legacy = bundleOf(membersOf(parts()));
    await writeFile(join(dir, 'old.tar.gz'), legacy);
    expect((await runCli(['verify', 'old.tar.gz', '--integrity-only'], { cwd: dir })).code).toBe(0);
    const s = await runCli(['sign', 'old.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    const now = await readFile(join(dir, 'old.tar.gz'));
    expect(locateAttestationsMember(now)).toBeGreaterThan(0);
    const names = (await readMembers(join(dir, 'old.tar.gz'))).map((m) => m.name);
    expect(names[0]).toBe(MANIFEST_MEMBER);
    expect(names[1]).toBe(SUMS_MEMBER);
    expect(names.slice(-2)).toEqual([ATTESTATION_MEMBER, STANDARD_MEMBER]);
    expect((await runCli(['verify', 'old.tar.gz', '--key', 'pub.pem'], { cwd: dir })).code).toBe(0);
  });
});
