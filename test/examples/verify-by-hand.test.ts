import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { TYPEFLAG, gzip, member, sumsFor, tarOf } from '../helpers/craft.js';
import { readMembers } from '../helpers/members.js';
import { runCli } from '../helpers/io.js';

const SCRIPT = new URL('../../examples/verify-by-hand.sh', import.meta.url).pathname;
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';
const TOKEN = fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
const STEPS = ['archive', 'extract', 'sha256sums', 'attestation', 'payload-type', 'pae', 'certificate', 'dsse-signature', 'chain', 'identity', 'issuer', 'statement-manifest', 'statement-subjects', 'artifact'];

const missing = ['jq', 'openssl'].filter((tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status !== 0);
if (missing.length) console.warn(`skipping examples/verify-by-hand.sh tests: ${missing.join(' and ')} not installed`);

interface Run {
  code: number;
  out: string;
}

function script(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

const line = (status: 'OK' | 'FAIL', step: string): RegExp => new RegExp(`^${status} +${step.replace(/[-]/g, '\\-')} `, 'm');

describe.skipIf(missing.length > 0)('examples/verify-by-hand.sh (coreutils, tar, jq, openssl only)', () => {
  let sigstore: LocalSigstore;
  let other: LocalSigstore;
  let dir: string;
  const good = (): string[] => ['rel.tar.gz', 'trusted_root.json', WORKFLOW, ISSUER];

  beforeAll(async () => {
    sigstore = await startLocalSigstore();
    other = await startLocalSigstore();
    dir = await mkdtemp(join(tmpdir(), 'evidence-byhand-'));
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    await writeFile(join(dir, 'other_root.json'), JSON.stringify(other.trustedRoot));
    await writeFile(join(dir, 'app.tgz'), 'the released artifact\n');
    await writeFile(join(dir, 'notes.md'), '# Release notes\n');
    await writeFile(join(dir, 'not-a-subject.tgz'), 'something else\n');
    const services = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
    const r = await runCli(
      ['collect', '-o', 'rel.tar.gz', '--name', 'rel', '--version', '1.4.2', '--file', 'notes.md=release-notes', '--subject', 'app.tgz', '--sign', '--identity-token', TOKEN, ...services, '-q'],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  afterAll(async () => {
    await sigstore?.close();
    await other?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The bundle's members, changed by `edit`, re-packed into NAME. */
  async function repacked(name: string, edit: (list: { name: string; body: Buffer }[]) => { name: string; body: Buffer }[] | void): Promise<string> {
    const list = await readMembers(join(dir, 'rel.tar.gz'));
    const out = edit(list) ?? list;
    await writeFile(join(dir, name), gzip(tarOf(out.map((m) => member(m.name, m.body)))));
    return name;
  }

  it('verifies the signed bundle: every step OK, exit 0', async () => {
    const r = await script(dir, [...good(), 'app.tgz']);
    expect(r.out).toMatch(/^result: OK/m);
    for (const step of STEPS) expect(r.out).toMatch(line('OK', step));
    expect(r.out).not.toMatch(/^FAIL/m);
    expect(r.out).toContain(`URI:${WORKFLOW}`);
    expect(r.out).toMatch(/DSSEv1 28 application\/vnd\.in-toto\+json \d+ <payload>/);
    expect(r.code).toBe(0);
  });

  it('fails with a wrong expected identity', async () => {
    const r = await script(dir, ['rel.tar.gz', 'trusted_root.json', 'https://github.com/evil/web/.github/workflows/release.yml@refs/tags/v1.4.2', ISSUER]);
    expect(r.out).toMatch(line('FAIL', 'identity'));
    expect(r.out).toMatch(line('OK', 'dsse-signature'));
    expect(r.code).not.toBe(0);
  });

  it('fails with an identity that is only a prefix of the SAN', async () => {
    const r = await script(dir, ['rel.tar.gz', 'trusted_root.json', WORKFLOW.slice(0, -1), ISSUER]);
    expect(r.out).toMatch(line('FAIL', 'identity'));
    expect(r.code).not.toBe(0);
  });

  it('fails with a wrong expected issuer', async () => {
    const r = await script(dir, ['rel.tar.gz', 'trusted_root.json', WORKFLOW, 'https://accounts.google.com']);
    expect(r.out).toMatch(line('FAIL', 'issuer'));
    expect(r.out).toMatch(line('OK', 'identity'));
    expect(r.code).not.toBe(0);
  });

  it('fails on a tampered DSSE payload: the signature no longer verifies', async () => {
    const name = await repacked('tampered.tar.gz', (list) => {
      const att = list.find((m) => m.name === 'attestations/evidence.sigstore.json') as { body: Buffer };
      const json = JSON.parse(att.body.toString());
      const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
      statement.subject[1].digest.sha256 = 'f'.repeat(64);
      json.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      att.body = Buffer.from(JSON.stringify(json));
    });
    const r = await script(dir, [name, 'trusted_root.json', WORKFLOW, ISSUER]);
    expect(r.out).toMatch(line('OK', 'sha256sums'));
    expect(r.out).toMatch(line('FAIL', 'dsse-signature'));
    expect(r.out).toMatch(line('FAIL', 'statement-subjects'));
    expect(r.code).not.toBe(0);
  });

  it('fails on a changed manifest with a matching SHA256SUMS: the statement signs another manifest', async () => {
    const name = await repacked('manifest.tar.gz', (list) => {
      const m = list.find((x) => x.name === 'manifest.json') as { body: Buffer };
      m.body = Buffer.from(m.body.toString().replace('"version":"1.4.2"', '"version":"1.4.3"'));
      const blobs = list.filter((x) => x.name.startsWith('blobs/')).map((x) => x.name.slice('blobs/sha256/'.length));
      (list.find((x) => x.name === 'SHA256SUMS') as { body: Buffer }).body = sumsFor(m.body, blobs);
    });
    const r = await script(dir, [name, 'trusted_root.json', WORKFLOW, ISSUER]);
    expect(r.out).toMatch(line('OK', 'sha256sums'));
    expect(r.out).toMatch(line('OK', 'dsse-signature'));
    expect(r.out).toMatch(line('FAIL', 'statement-manifest'));
    expect(r.code).not.toBe(0);
  });

  it('fails with the trusted root of another Sigstore', async () => {
    const r = await script(dir, ['rel.tar.gz', 'other_root.json', WORKFLOW, ISSUER]);
    expect(r.out).toMatch(line('FAIL', 'chain'));
    expect(r.code).not.toBe(0);
  });

  it('fails with an artifact that is not a subject', async () => {
    const r = await script(dir, [...good(), 'not-a-subject.tgz']);
    expect(r.out).toMatch(line('FAIL', 'artifact'));
    expect(r.code).not.toBe(0);
  });

  it('refuses to extract a bundle with a symlink member', async () => {
    const list = await readMembers(join(dir, 'rel.tar.gz'));
    const hostile = [...list.map((m) => member(m.name, m.body)), member('blobs/sha256/' + 'a'.repeat(64), '', { typeflag: TYPEFLAG.symlink, linkname: '/etc/passwd' })];
    await writeFile(join(dir, 'symlink.tar.gz'), gzip(tarOf(hostile)));
    const r = await script(dir, ['symlink.tar.gz', 'trusted_root.json', WORKFLOW, ISSUER]);
    expect(r.out).toMatch(line('FAIL', 'archive'));
    expect(r.out).not.toMatch(line('OK', 'extract'));
    expect(r.code).not.toBe(0);
  });
});
