import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { sumsFor } from '../helpers/craft.js';
import { readMembers, writeMembers } from '../helpers/members.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';
const CLAIMS = {
  iss: ISSUER,
  sub: WORKFLOW,
  repository: 'acme/web',
  ref: 'refs/tags/v1.4.2',
  sha: 'a'.repeat(40),
  workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
  job_workflow_ref: 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2',
  event_name: 'push',
  runner_environment: 'github-hosted',
};
const TOKEN = fakeIdentityToken(CLAIMS);

let sigstore: LocalSigstore;
let other: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
  other = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
  await other?.close();
});

const services = (): string[] => ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
const identity = ['--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', ISSUER];

/** A signed bundle of the example release in a fresh directory, with the local trusted root beside it. */
async function signedBundle(name = 'rel', extra: string[] = []): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  await writeFile(join(dir, 'other_root.json'), JSON.stringify(other.trustedRoot));
  await writeFile(join(dir, 'app.tgz'), `artifact of ${name}`);
  const r = await runCli(
    [
      'collect',
      '-o',
      `${name}.tar.gz`,
      '--name',
      name,
      '--version',
      '1.4.2',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--subject',
      'app.tgz',
      '--sign',
      '--identity-token',
      TOKEN,
      ...services(),
      '-q',
      ...extra,
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

/** Changes the manifest after signing and makes SHA256SUMS agree again: integrity holds, the signature does not. */
async function rehashedManifest(file: string): Promise<void> {
  const list = await readMembers(file);
  const m = list.find((x) => x.name === 'manifest.json') as { body: Buffer };
  m.body = Buffer.from(m.body.toString().replace('"version":"1.4.2"', '"version":"1.4.3"'));
  const blobs = list.filter((x) => x.name.startsWith('blobs/')).map((x) => x.name.slice('blobs/sha256/'.length));
  (list.find((x) => x.name === 'SHA256SUMS') as { body: Buffer }).body = sumsFor(m.body, blobs);
  await writeMembers(file, list);
}

async function verifyJson(
  dir: string,
  argv: string[],
): Promise<{
  code: number;
  report: {
    ok: boolean;
    checks: { id: string; ok: boolean; code?: string; skipped?: boolean }[];
    signature?: Record<string, unknown>;
  };
}> {
  const r = await runCli(['verify', ...argv, '--json'], { cwd: dir });
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : { ok: false, checks: [] } };
}

const failedCodes = (report: { checks: { ok: boolean; code?: string; skipped?: boolean }[] }): string[] =>
  report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code as string);

describe('keyless signing against a local Sigstore, verified offline', () => {
  it('signs: the bundle carries the attestation, detached copies lie beside it, the token is nowhere', async () => {
    const dir = await signedBundle();
    const names = (await readMembers(join(dir, 'rel.tar.gz'))).map((m) => m.name);
    // The attestations come last, in a gzip member of their own (bundle-format §1.3).
    expect(names.slice(0, 2)).toEqual(['manifest.json', 'SHA256SUMS']);
    expect(names.slice(-2)).toEqual(['attestations/evidence.sigstore.json', 'attestations/standard.sigstore.jsonl']);
    const detached = JSON.parse(await readFile(join(dir, 'rel.sigstore.json'), 'utf8'));
    expect(detached.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const jsonl = (await readFile(join(dir, 'rel.intoto.jsonl'), 'utf8')).trim().split('\n');
    expect(jsonl).toHaveLength(1);
    expect(JSON.parse(jsonl[0] as string).payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(detached.dsseEnvelope.payload, 'base64').toString());
    expect(statement.subject.map((s: { name: string }) => s.name)).toEqual(['manifest.json', 'app.tgz']);
    for (const f of ['rel.tar.gz', 'rel.sigstore.json', 'rel.intoto.jsonl']) {
      const bytes = f.endsWith('.gz') ? gunzipSync(await readFile(join(dir, f))) : await readFile(join(dir, f));
      expect(bytes.includes(TOKEN)).toBe(false);
      expect(bytes.includes(TOKEN.split('.')[1] as string)).toBe(false);
    }
    // Services were reached over real HTTP on loopback.
    expect(sigstore.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/v2/signingCert', '/api/v1/log/entries', '/api/v1/timestamp']),
    );
  });

  it('verifies with identity, issuer and GitHub claims; the report names signer, log entry, times and trust root', async () => {
    const dir = await signedBundle();
    const { code, report } = await verifyJson(dir, [
      'rel.tar.gz',
      '--trusted-root',
      'trusted_root.json',
      ...identity,
      '--signer-workflow',
      'acme/web/.github/workflows/release.yml',
      '--source-repository',
      'acme/web',
      '--source-ref',
      'refs/tags/v1.4.2',
      '--subject',
      'app.tgz',
    ]);
    expect(failedCodes(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual([
      'archive',
      'members',
      'manifest',
      'blobs',
      'entries',
      'sha256sums',
      'subjects',
      'signature',
      'identity',
      'statement',
      'standard',
    ]);
    expect(report.signature).toMatchObject({
      kind: 'certificate',
      identity: WORKFLOW,
      issuer: ISSUER,
      claims: { sourceRepositoryUri: 'https://github.com/acme/web', sourceRepositoryRef: 'refs/tags/v1.4.2' },
      trustedRoot: { source: 'trusted_root.json' },
    });
    const sig = report.signature as {
      tlog: { logIndex: string; integratedTime: string }[];
      timestamps: { time: string }[];
    };
    expect(sig.tlog).toHaveLength(1);
    expect(sig.tlog[0]?.logIndex).toMatch(/^\d+$/);
    expect(Date.parse(sig.tlog[0]?.integratedTime ?? '')).toBeGreaterThan(Date.now() - 600_000);
    expect(sig.timestamps).toHaveLength(1);
  });

  it('verifies a regexp identity, always anchored', async () => {
    const dir = await signedBundle();
    expect(
      (
        await verifyJson(dir, [
          'rel.tar.gz',
          '--trusted-root',
          'trusted_root.json',
          '--certificate-identity-regexp',
          'https://github\\.com/acme/.*',
          '--certificate-oidc-issuer',
          ISSUER,
        ])
      ).code,
    ).toBe(0);
    // A fragment that would match unanchored does not.
    const partial = await verifyJson(dir, [
      'rel.tar.gz',
      '--trusted-root',
      'trusted_root.json',
      '--certificate-identity-regexp',
      'acme',
      '--certificate-oidc-issuer',
      ISSUER,
    ]);
    expect(partial.code).toBe(1);
    expect(failedCodes(partial.report)).toEqual(['IDENTITY_MISMATCH']);
  });

  it.each([
    [
      'a wrong identity',
      [
        '--certificate-identity',
        'https://github.com/evil/x/.github/workflows/r.yml@refs/heads/main',
        '--certificate-oidc-issuer',
        ISSUER,
      ],
      'IDENTITY_MISMATCH',
    ],
    [
      'a wrong issuer',
      ['--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', 'https://accounts.google.com'],
      'ISSUER_MISMATCH',
    ],
    [
      'a wrong workflow',
      [...identity, '--signer-workflow', 'acme/web/.github/workflows/other.yml'],
      'WORKFLOW_MISMATCH',
    ],
    ['a wrong repository', [...identity, '--source-repository', 'acme/other'], 'SOURCE_REPOSITORY_MISMATCH'],
    ['a wrong ref', [...identity, '--source-ref', 'refs/heads/main'], 'SOURCE_REF_MISMATCH'],
    ['the wrong trusted root', ['--trusted-root', 'other_root.json', ...identity], 'SIGNATURE_INVALID'],
  ])('fails with %s: exit 1 and its own code', async (_name, flags, code) => {
    const dir = await signedBundle();
    const args = flags.includes('--trusted-root') ? flags : ['--trusted-root', 'trusted_root.json', ...flags];
    const r = await verifyJson(dir, ['rel.tar.gz', ...args]);
    expect(r.code).toBe(1);
    expect(failedCodes(r.report)).toEqual([code]);
  });

  it('fails on a tampered manifest: integrity holds, but the signature is over another manifest', async () => {
    const dir = await signedBundle();
    await rehashedManifest(join(dir, 'rel.tar.gz'));
    const r = await verifyJson(dir, ['rel.tar.gz', '--trusted-root', 'trusted_root.json', ...identity]);
    expect(r.code).toBe(1);
    expect(failedCodes(r.report)).toEqual(['STATEMENT_MANIFEST_MISMATCH', 'STATEMENT_MANIFEST_MISMATCH']);
  });

  it('extract verifies as verify does: a re-hashed signed bundle exits 1 and writes nothing; keyless needs a signer', async () => {
    const dir = await signedBundle();
    const good = await runCli(
      ['extract', 'rel.tar.gz', '-o', 'good', '--trusted-root', 'trusted_root.json', ...identity],
      { cwd: dir },
    );
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`signature verified, signed by ${WORKFLOW}`);
    // Beside the entries, the record of how it was checked: signature and signer verified, whose, against which root.
    expect((await readdir(join(dir, 'good'))).sort()).toEqual(['EXTRACTED-FROM.json', 'sarif']);
    const record = JSON.parse(await readFile(join(dir, 'good', 'EXTRACTED-FROM.json'), 'utf8'));
    expect(record.authenticity).toMatchObject({
      status: 'authentic',
      method: 'identity',
      signatureChecked: true,
      signerAskedFor: { certificateIdentity: WORKFLOW, certificateOidcIssuer: ISSUER },
      signer: { identity: WORKFLOW, issuer: ISSUER },
      trustedRoot: { source: expect.stringContaining('trusted_root.json') },
    });
    // Without a signer named, keyless is refused as verify refuses it (exit 2), and nothing is written.
    const anyone = await runCli(['extract', 'rel.tar.gz', '-o', 'anyone', '--trusted-root', 'trusted_root.json'], {
      cwd: dir,
    });
    expect(anyone.code).toBe(2);
    expect(anyone.stderr).toContain('[IDENTITY_POLICY_REQUIRED]');
    expect(existsSync(join(dir, 'anyone'))).toBe(false);

    await rehashedManifest(join(dir, 'rel.tar.gz'));
    const bad = await runCli(
      ['extract', 'rel.tar.gz', '-o', 'bad', '--trusted-root', 'trusted_root.json', ...identity, '--json'],
      { cwd: dir },
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).output).toBeNull();
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
    // --integrity-only still extracts it (its hashes agree), and says the signature was not checked.
    const integrity = await runCli(['extract', 'rel.tar.gz', '-o', 'integrity', '--integrity-only'], { cwd: dir });
    expect(integrity.code).toBe(0);
    expect(integrity.stdout).toContain('integrity only: the signature was NOT checked');
    const unchecked = JSON.parse(await readFile(join(dir, 'integrity', 'EXTRACTED-FROM.json'), 'utf8'));
    expect(unchecked.authenticity).toMatchObject({ status: 'not-checked', signatureChecked: false });
    expect(unchecked.authenticity.signer).toBeUndefined();
  });

  it('fails on a tampered payload', async () => {
    const dir = await signedBundle();
    const file = join(dir, 'rel.tar.gz');
    const list = await readMembers(file);
    const att = list.find((x) => x.name === 'attestations/evidence.sigstore.json') as { body: Buffer };
    const json = JSON.parse(att.body.toString());
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
    statement.subject[1].digest.sha256 = 'f'.repeat(64);
    json.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    att.body = Buffer.from(JSON.stringify(json));
    await writeMembers(file, list);
    const r = await verifyJson(dir, ['rel.tar.gz', '--trusted-root', 'trusted_root.json', ...identity]);
    expect(r.code).toBe(1);
    expect(failedCodes(r.report)).toEqual(['SIGNATURE_INVALID']);
  });

  it('fails with an attestation swapped in from another bundle, inside or given with --attestation', async () => {
    const a = await signedBundle('a');
    const b = await signedBundle('b');
    const external = await verifyJson(a, [
      'a.tar.gz',
      '--attestation',
      join(b, 'b.sigstore.json'),
      '--trusted-root',
      'trusted_root.json',
      ...identity,
    ]);
    expect(external.code).toBe(1);
    expect(failedCodes(external.report)).toEqual(
      expect.arrayContaining(['STATEMENT_MANIFEST_MISMATCH', 'STATEMENT_SUBJECT_MISSING']),
    );
    const file = join(a, 'a.tar.gz');
    const list = await readMembers(file);
    (list.find((x) => x.name === 'attestations/evidence.sigstore.json') as { body: Buffer }).body = await readFile(
      join(b, 'b.sigstore.json'),
    );
    await writeMembers(file, list);
    const inside = await verifyJson(a, ['a.tar.gz', '--trusted-root', 'trusted_root.json', ...identity]);
    expect(inside.code).toBe(1);
    expect(failedCodes(inside.report)).toContain('STATEMENT_MANIFEST_MISMATCH');
  });

  it('verifies with the detached attestation when the bundle carries none', async () => {
    const dir = await signedBundle();
    const file = join(dir, 'rel.tar.gz');
    await writeMembers(
      file,
      (await readMembers(file)).filter((m) => !m.name.startsWith('attestations/')),
    );
    expect(
      (await verifyJson(dir, ['rel.tar.gz', '--trusted-root', 'trusted_root.json', ...identity])).report.checks.find(
        (c) => c.id === 'signature',
      )?.code,
    ).toBe('SIGNATURE_MISSING');
    expect(
      (
        await verifyJson(dir, [
          'rel.tar.gz',
          '--attestation',
          'rel.sigstore.json',
          '--trusted-root',
          'trusted_root.json',
          ...identity,
        ])
      ).code,
    ).toBe(0);
  });

  it('refuses a keyless verify without any identity constraint (exit 2), as cosign does', async () => {
    const dir = await signedBundle();
    const r = await runCli(['verify', 'rel.tar.gz', '--trusted-root', 'trusted_root.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[IDENTITY_POLICY_REQUIRED\]/);
  });

  it('exits 2 on an invalid regexp, a missing trusted root, or a trusted root with a key of no validity start', async () => {
    const dir = await signedBundle();
    expect(
      (
        await runCli(
          [
            'verify',
            'rel.tar.gz',
            '--trusted-root',
            'trusted_root.json',
            '--certificate-identity-regexp',
            '(',
            '--certificate-oidc-issuer',
            ISSUER,
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(2);
    expect(
      (await runCli(['verify', 'rel.tar.gz', '--trusted-root', 'nope.json', ...identity], { cwd: dir })).stderr,
    ).toMatch(/TRUSTED_ROOT_NOT_FOUND/);
    const root = structuredClone(sigstore.trustedRoot) as { tlogs: { publicKey: { validFor?: unknown } }[] };
    delete root.tlogs[0]?.publicKey.validFor;
    await writeFile(join(dir, 'bad_root.json'), JSON.stringify(root));
    const bad = await runCli(['verify', 'rel.tar.gz', '--trusted-root', 'bad_root.json', ...identity], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TRUSTED_ROOT_INVALID/);
  });

  it('verify-attestation checks the release artifact by file, by sha256 and by sha512', async () => {
    const dir = await signedBundle();
    const base = ['verify-attestation', 'rel.sigstore.json', '--trusted-root', 'trusted_root.json', ...identity];
    const byFile = await runCli([...base, '--artifact', 'app.tgz', '--json'], { cwd: dir });
    expect(byFile.code).toBe(0);
    // It says which release's evidence covers the artifact: a statement of another release would cover it too.
    expect(JSON.parse(byFile.stdout).release).toMatchObject({ name: 'rel', version: '1.4.2' });
    expect((await runCli([...base, '--artifact', 'app.tgz'], { cwd: dir })).stdout).toContain(
      'it is the evidence of rel 1.4.2 (manifest sha256:',
    );
    const { createHash } = await import('node:crypto');
    const bytes = await readFile(join(dir, 'app.tgz'));
    expect(
      (await runCli([...base, '--digest', `sha256:${createHash('sha256').update(bytes).digest('hex')}`], { cwd: dir }))
        .code,
    ).toBe(0);
    await writeFile(join(dir, 'other.tgz'), 'something else');
    const wrong = await runCli([...base, '--artifact', 'other.tgz', '--json'], { cwd: dir });
    expect(wrong.code).toBe(1);
    expect(failedCodes(JSON.parse(wrong.stdout))).toEqual(['SUBJECT_NOT_IN_ATTESTATION']);
    expect((await runCli([...base, '--digest', 'md5:abc'], { cwd: dir })).code).toBe(2);
    expect((await runCli([...base], { cwd: dir })).code).toBe(2);
  });
});

describe('key-based signing (air-gapped)', () => {
  it.each(['ec', 'ed25519'] as const)(
    'signs with a %s key and verifies with its public key, offline, no log',
    async (type) => {
      const dir = await tmp();
      const pair =
        type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('ed25519');
      await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      await writeFile(join(dir, 'other.pem'), other.publicKey.export({ format: 'pem', type: 'spki' }));
      const c = await runCli(
        [
          'collect',
          '-o',
          'k.tar.gz',
          '--name',
          'k',
          '--version',
          '1',
          '--junit',
          fixture('junit/pytest.junit.xml'),
          '--sign',
          '--key',
          'key.pem',
          '-q',
        ],
        { cwd: dir, env: {} },
      );
      expect(c).toMatchObject({ code: 0, stderr: '' });
      const sig = JSON.parse(await readFile(join(dir, 'k.sigstore.json'), 'utf8'));
      expect(sig.verificationMaterial.publicKey.hint).toMatch(/^[0-9a-f]{64}$/);
      expect(sig.verificationMaterial.certificate).toBeUndefined();
      expect(sig.verificationMaterial.tlogEntries ?? []).toEqual([]);
      const ok = await verifyJson(dir, ['k.tar.gz', '--key', 'pub.pem']);
      expect(failedCodes(ok.report)).toEqual([]);
      expect(ok.code).toBe(0);
      const wrong = await verifyJson(dir, ['k.tar.gz', '--key', 'other.pem']);
      expect(wrong.code).toBe(1);
      expect(failedCodes(wrong.report)).toEqual(['SIGNATURE_INVALID']);
      const none = await runCli(['verify', 'k.tar.gz'], { cwd: dir });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/KEY_REQUIRED/);
    },
  );

  it('signs with a key and a local Rekor and TSA when asked', async () => {
    const dir = await tmp();
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    expect(
      (
        await runCli(
          [
            'collect',
            '-o',
            'k.tar.gz',
            '--name',
            'k',
            '--version',
            '1',
            '--sarif',
            fixture('sarif/eslint.sarif'),
            '--sign',
            '--key',
            'key.pem',
            '--rekor-url',
            sigstore.url,
            '--tsa-url',
            sigstore.url,
            '-q',
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    const r = await verifyJson(dir, ['k.tar.gz', '--key', 'pub.pem', '--trusted-root', 'trusted_root.json']);
    expect(failedCodes(r.report)).toEqual([]);
    expect((r.report.signature as { tlog: unknown[]; timestamps: unknown[] }).tlog).toHaveLength(1);
    expect((r.report.signature as { timestamps: unknown[] }).timestamps).toHaveLength(1);
  });

  it.each([
    [
      'an RSA key',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      'KEY_UNSUPPORTED',
    ],
    [
      'a P-384 key',
      () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      'KEY_UNSUPPORTED',
    ],
    ['not a key', () => 'hello', 'KEY_INVALID'],
  ])('refuses %s (exit 2), writing no signature', async (_n, make, code) => {
    const dir = await tmp();
    await writeFile(join(dir, 'key.pem'), make());
    const c = await runCli(
      ['collect', '-o', 'k.tar.gz', '--name', 'k', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    expect(c.code).toBe(0);
    const s = await runCli(['sign', 'k.tar.gz', '--key', 'key.pem'], { cwd: dir });
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`[${code}]`);
    expect((await readMembers(join(dir, 'k.tar.gz'))).map((m) => m.name)).not.toContain(
      'attestations/evidence.sigstore.json',
    );
  });
});

describe('identity tokens', () => {
  let oidc: Server;
  let seen: { url: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    oidc = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: TOKEN }));
    });
    await new Promise<void>((r) => oidc.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => oidc.close(() => r())));

  it('takes the GitHub Actions OIDC token (audience sigstore) when run in Actions', async () => {
    seen = [];
    const dir = await tmp();
    const port = (oidc.address() as AddressInfo).port;
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-secret',
    };
    await runCli(
      ['collect', '-o', 'g.tar.gz', '--name', 'g', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    const r = await runCli(['sign', 'g.tar.gz', ...services()], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]?.url ?? '', 'http://x').searchParams.get('audience')).toBe('sigstore');
    expect(seen[0]?.auth).toBe('bearer runner-request-secret');
    expect(r.stdout + r.stderr).not.toContain('runner-request-secret');
  });

  it('takes SIGSTORE_ID_TOKEN, and says what to do when there is no token (exit 2)', async () => {
    const dir = await tmp();
    await runCli(
      ['collect', '-o', 's.tar.gz', '--name', 's', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    expect(
      (await runCli(['sign', 's.tar.gz', ...services()], { cwd: dir, env: { SIGSTORE_ID_TOKEN: TOKEN } })).code,
    ).toBe(0);
    const none = await runCli(['sign', 's.tar.gz', ...services()], { cwd: dir, env: {} });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/IDENTITY_TOKEN_MISSING/);
  });

  it('never lets the token reach an error message, even when a service echoes it back', async () => {
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: `bad request: ${body}`, auth: req.headers.authorization })),
      );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const dir = await tmp();
      await runCli(
        ['collect', '-o', 'e.tar.gz', '--name', 'e', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
        { cwd: dir },
      );
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const r = await runCli(
        ['sign', 'e.tar.gz', '--identity-token', TOKEN, '--fulcio-url', url, '--rekor-url', url, '--tsa-url', url],
        { cwd: dir },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/SIGNING_SERVICE_FAILED/);
      for (const part of TOKEN.split('.').slice(0, 2)) expect(r.stderr + r.stdout).not.toContain(part);
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it('exits 2 when the signing services cannot be reached', async () => {
    const dir = await tmp();
    await runCli(
      ['collect', '-o', 'u.tar.gz', '--name', 'u', '--version', '1', '--sarif', fixture('sarif/eslint.sarif'), '-q'],
      { cwd: dir },
    );
    const dead = 'http://127.0.0.1:9';
    const r = await runCli(
      ['sign', 'u.tar.gz', '--identity-token', TOKEN, '--fulcio-url', dead, '--rekor-url', dead, '--tsa-url', dead],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SIGNING_SERVICE_FAILED/);
  });
});

describe('collect --attestation: existing attestations taken in, verified at collection and again at verify', () => {
  const PROVENANCE_SIGNER = 'https://github.com/acme/web/.github/workflows/build.yml@refs/tags/v1.4.2';

  /** An SLSA-provenance-like attestation of app.tgz, signed by the build workflow. */
  async function provenance(dir: string): Promise<void> {
    await writeFile(join(dir, 'app.tgz'), 'the release artifact');
    const { createHash } = await import('node:crypto');
    const { keylessSigner } = await import('../../src/signer/sigstore.js');
    const signer = keylessSigner({
      identity: { getToken: () => Promise.resolve(fakeIdentityToken({ iss: ISSUER, sub: PROVENANCE_SIGNER })) },
      ca: sigstore.url,
      tlogs: [{ url: sigstore.url, majorApiVersion: 1 }],
      tsas: [sigstore.url],
    });
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'app.tgz', digest: { sha256: createHash('sha256').update('the release artifact').digest('hex') } },
      ],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' },
        runDetails: { builder: { id: PROVENANCE_SIGNER } },
      },
    };
    const bundle = await signer.signDsse(Buffer.from(JSON.stringify(statement)), 'application/vnd.in-toto+json');
    await writeFile(join(dir, 'app.provenance.sigstore.json'), JSON.stringify(bundle));
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  }

  it('takes a verified attestation in, records its signer, and verify checks it again', async () => {
    const dir = await tmp();
    await provenance(dir);
    const c = await runCli(
      [
        'collect',
        '-o',
        'p.tar.gz',
        '--name',
        'p',
        '--version',
        '1',
        '--subject',
        'app.tgz',
        '--attestation',
        'app.provenance.sigstore.json',
        '--certificate-identity',
        PROVENANCE_SIGNER,
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        'trusted_root.json',
        '--sign',
        '--identity-token',
        TOKEN,
        ...services(),
        '-q',
      ],
      { cwd: dir },
    );
    expect(c).toMatchObject({ code: 0, stderr: '' });
    const inspect = JSON.parse((await runCli(['inspect', 'p.tar.gz', '--json'], { cwd: dir })).stdout);
    expect(inspect.entries[0]).toMatchObject({
      path: 'attestation/app.provenance.sigstore.json',
      kind: 'attestation',
      summary: {
        content: 'dsse',
        predicateType: 'https://slsa.dev/provenance/v1',
        signer: { kind: 'certificate', identity: PROVENANCE_SIGNER, issuer: ISSUER },
        tlogEntries: 1,
        timestamps: 1,
      },
    });
    const ok = await verifyJson(dir, ['p.tar.gz', '--trusted-root', 'trusted_root.json', ...identity]);
    expect(failedCodes(ok.report)).toEqual([]);
    expect(ok.report.checks.filter((x) => x.id === 'attestations').map((x) => x.ok)).toEqual([true]);
    const integrity = await verifyJson(dir, ['p.tar.gz', '--integrity-only']);
    expect(integrity.code).toBe(0);
    expect(integrity.report.checks.find((x) => x.id === 'attestations')).toMatchObject({
      skipped: true,
      code: 'ATTESTATIONS_NOT_CHECKED',
    });
  });

  it('refuses at collection an attestation from another signer, or without an identity to check (exit 2, nothing written)', async () => {
    const dir = await tmp();
    await provenance(dir);
    const base = [
      'collect',
      '-o',
      'p.tar.gz',
      '--name',
      'p',
      '--version',
      '1',
      '--attestation',
      'app.provenance.sigstore.json',
      '--trusted-root',
      'trusted_root.json',
    ];
    const wrong = await runCli([...base, '--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', ISSUER], {
      cwd: dir,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/IDENTITY_MISMATCH[\s\S]*\[ATTESTATION_INVALID\]/);
    const none = await runCli(base, { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/ATTESTATION_IDENTITY_REQUIRED/);
    expect(existsSync(join(dir, 'p.tar.gz'))).toBe(false);
  });

  it('fails verify when the attestation inside no longer verifies against another trusted root', async () => {
    const dir = await tmp();
    await provenance(dir);
    await writeFile(join(dir, 'other_root.json'), JSON.stringify(other.trustedRoot));
    expect(
      (
        await runCli(
          [
            'collect',
            '-o',
            'p.tar.gz',
            '--name',
            'p',
            '--version',
            '1',
            '--attestation',
            'app.provenance.sigstore.json',
            '--certificate-identity',
            PROVENANCE_SIGNER,
            '--certificate-oidc-issuer',
            ISSUER,
            '--trusted-root',
            'trusted_root.json',
            '--sign',
            '--identity-token',
            TOKEN,
            ...services(),
            '-q',
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    // Both roots given: the bundle's signature verifies with one, the attestation must verify with one of them.
    const ok = await verifyJson(dir, [
      'p.tar.gz',
      '--trusted-root',
      'other_root.json',
      '--trusted-root',
      'trusted_root.json',
      ...identity,
    ]);
    expect(ok.code).toBe(0);
    const onlyOther = await verifyJson(dir, ['p.tar.gz', '--trusted-root', 'other_root.json', ...identity]);
    expect(onlyOther.code).toBe(1);
    expect(failedCodes(onlyOther.report)).toEqual(['SIGNATURE_INVALID', 'ATTESTATION_ENTRY_INVALID']);
  });
});
