import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore } from '../../scripts/local-sigstore.mjs';
import { startLocalTuf } from '../helpers/tuf-repo.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const require = createRequire(import.meta.url);

describe('the trusted root', () => {
  it("ships the public-good root taken from @sigstore/tuf's seed", () => {
    const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8'));
    const fromSeed = JSON.parse(
      Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev'].targets['trusted_root.json'], 'base64').toString('utf8'),
    );
    const shipped = JSON.parse(
      readFileSync(new URL('../../src/verifier/public-good-trusted-root.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(fromSeed);
  });

  it('trust-root update fails with exit 2, writing nothing, when the TUF repository cannot be used', async () => {
    const dir = await tmp();
    const env = { HOME: dir };
    // A mirror it has no TUF root for.
    const out = ['-o', 'out/trusted_root.json'];
    const unknown = await runCli(['trust-root', 'update', '--mirror-url', 'http://127.0.0.1:9', ...out], {
      cwd: dir,
      env,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/TRUST_ROOT_UPDATE_FAILED/);
    // A mirror on loopback that fails: the request is really made, and refused.
    const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8'));
    await writeFile(
      join(dir, 'root.json'),
      Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev']['root.json'], 'base64'),
    );
    const paths: string[] = [];
    const mirror = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(503).end('unavailable');
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
      const down = await runCli(['trust-root', 'update', '--mirror-url', url, '--tuf-root', 'root.json', ...out], {
        cwd: dir,
        env,
      });
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/TRUST_ROOT_UPDATE_FAILED/);
      expect(paths.length).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => mirror.close(() => r()));
    }
    // A mirror that never answers: the timeout is said as one, not as a DOMException's numeric code (23).
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      const slow = await runCli(
        ['trust-root', 'update', '--mirror-url', url, '--tuf-root', 'root.json', '--timeout', '0.5', ...out],
        { cwd: dir, env },
      );
      expect(slow.code).toBe(2);
      expect(slow.stderr).toMatch(/no answer within the timeout \(--timeout\) \[TRUST_ROOT_UPDATE_FAILED\]/);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((r) => hung.close(() => r()));
    }
    expect(existsSync(join(dir, '.config', 'evidence', 'trusted_root.json'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('trust-root update: the trusted root and both signing configs from a TUF repository, each checked by TUF; keyless signing then uses them', async () => {
    const sigstore = await startLocalSigstore();
    const tuf = await startLocalTuf({
      'trusted_root.json': JSON.stringify(sigstore.trustedRoot),
      'signing_config.v0.2.json': JSON.stringify(sigstore.signingConfig),
      'signing_config_rekor_v2.v0.2.json': JSON.stringify(sigstore.signingConfigRekorV2),
    });
    try {
      const dir = await tmp();
      const env = { HOME: dir };
      await writeFile(join(dir, 'tuf-root.json'), tuf.root);
      const kept = join(dir, '.config', 'evidence');
      // Another repository's root takes over verify and keyless sign by default only when that path is asked for.
      const update = ['trust-root', 'update', '--mirror-url', tuf.url, '--tuf-root', 'tuf-root.json'];
      const refused = await runCli(update, { cwd: dir, env });
      expect([refused.code, refused.stderr.includes('[TRUST_ROOT_OUTPUT_REQUIRED]')]).toEqual([2, true]);
      expect(existsSync(kept)).toBe(false);
      const r = await runCli([...update, '-o', join(kept, 'trusted_root.json')], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(kept, 'signing_config_rekor_v2.v0.2.json'), 'utf8'))).toEqual(
        sigstore.signingConfigRekorV2,
      );
      expect(r.stdout).toContain('signing_config.v0.2.json');
      expect(tuf.asked).toContain('/targets/signing_config_rekor_v2.v0.2.json');
      // Keyless signing now takes its services from the refreshed configs: v1 by default, v2 with --rekor-v2.
      const { chooseServices } = await import('../../src/signer/choose-signer.js');
      expect((await chooseServices({ cwd: dir }, env)).services.tlogs).toEqual([
        { url: sigstore.url, majorApiVersion: 1 },
      ]);
      expect((await chooseServices({ cwd: dir, rekorV2: true }, env)).services.tlogs).toEqual([
        { url: `${sigstore.url}/rekor-v2`, majorApiVersion: 2 },
      ]);
      // verify then uses that root and names it by where it came from, never as public-good.
      const root = join(kept, 'trusted_root.json');
      const origin = JSON.parse(readFileSync(join(kept, 'trusted_root.origin.json'), 'utf8'));
      const tufRootDigest = `sha256:${createHash('sha256')
        .update(readFileSync(join(dir, 'tuf-root.json')))
        .digest('hex')}`;
      expect(origin).toMatchObject({ mirror: tuf.url, tufRoot: tufRootDigest });
      const identity = 'https://example.com/release';
      const token = fakeIdentityToken({ iss: 'https://issuer.example.com', sub: identity });
      const sarif = fixture('sarif/eslint.sarif');
      const collect = ['collect', '-o', 'b.tar.gz', '--name', 'b', '--version', '1', '--sarif', sarif, '-q'];
      const c = await runCli([...collect, '--sign', '--identity-token', token], { cwd: dir, env });
      expect(c.code, c.stderr).toBe(0);
      const verify = ['verify', 'b.tar.gz', '--certificate-identity', identity];
      verify.push('--certificate-oidc-issuer', 'https://issuer.example.com');
      const label = `${root} (refreshed from ${tuf.url}, TUF root ${tufRootDigest}: not public-good)`;
      const text = await runCli(verify, { cwd: dir, env });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`trusted root:    ${label}`);
      expect(text.stdout).not.toContain('refreshed public-good');
      const json = await runCli([...verify, '--json'], { cwd: dir, env });
      expect(JSON.parse(json.stdout).signature.trustedRoot.source).toBe(label);
      // A root replaced without its record (by hand, or by a version that kept none) is not labelled by that record.
      await writeFile(root, `${JSON.stringify(sigstore.trustedRoot)}\n`);
      const replaced = await runCli([...verify, '--json'], { cwd: dir, env });
      expect(JSON.parse(replaced.stdout).signature.trustedRoot.source).toBe(
        `${root} (refreshed, origin not recorded: the record beside it is of another file)`,
      );
    } finally {
      await tuf.close();
      await sigstore.close();
    }
  });

  it.each([
    ['a trusted root that is not one', { 'trusted_root.json': '{"not": "a root"}' }, []],
    ['a signing config that is not one', { 'trusted_root.json': '{}', 'signing_config.v0.2.json': '{}' }, []],
    ['a target whose bytes are not those TUF signed for', { 'trusted_root.json': '{}' }, ['trusted_root.json']],
  ] as const)('trust-root update refuses %s, and writes nothing', async (_, targets, tampered) => {
    const sigstore = await startLocalSigstore();
    const served: Record<string, string> = { ...targets };
    if (served['trusted_root.json'] === '{}') served['trusted_root.json'] = JSON.stringify(sigstore.trustedRoot);
    await sigstore.close();
    const tuf = await startLocalTuf(served, [...tampered]);
    try {
      const dir = await tmp();
      await writeFile(join(dir, 'tuf-root.json'), tuf.root);
      const r = await runCli(
        ['trust-root', 'update', '--mirror-url', tuf.url, '--tuf-root', 'tuf-root.json', '-o', 'out/root.json'],
        { cwd: dir, env: { HOME: dir } },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[TRUST_ROOT_UPDATE_FAILED]');
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(existsSync(join(dir, '.config', 'evidence', 'trusted_root.json'))).toBe(false);
    } finally {
      await tuf.close();
    }
  });

  it('verify uses a refreshed root when one is present, and says so', async () => {
    const sigstore = await startLocalSigstore();
    try {
      const dir = await tmp();
      const identity = 'https://example.com/release';
      const token = fakeIdentityToken({ iss: 'https://issuer.example.com', sub: identity });
      const s = ['--fulcio-url', sigstore.url, '--rekor-url', sigstore.url, '--tsa-url', sigstore.url];
      expect(
        (
          await runCli(
            [
              'collect',
              '-o',
              'b.tar.gz',
              '--name',
              'b',
              '--version',
              '1',
              '--sarif',
              fixture('sarif/eslint.sarif'),
              '--sign',
              '--identity-token',
              token,
              ...s,
              '-q',
            ],
            { cwd: dir },
          )
        ).code,
      ).toBe(0);
      const args = [
        'verify',
        'b.tar.gz',
        '--certificate-identity',
        identity,
        '--certificate-oidc-issuer',
        'https://issuer.example.com',
        '--json',
      ];
      // Without it: the embedded public-good root, which did not sign this.
      const embedded = await runCli(args, { cwd: dir, env: { HOME: dir } });
      expect(embedded.code).toBe(1);
      await mkdir(join(dir, 'cfg', 'evidence'), { recursive: true });
      await writeFile(join(dir, 'cfg', 'evidence', 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
      const refreshed = await runCli(args, { cwd: dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') } });
      expect(refreshed.code).toBe(0);
      // Written by hand (or by a version that kept no record): nothing says where it came from, so neither does verify.
      expect(JSON.parse(refreshed.stdout).signature.trustedRoot.source).toBe(
        `${join(dir, 'cfg', 'evidence', 'trusted_root.json')} (refreshed, origin not recorded)`,
      );
      expect((await readdir(dir)).sort()).toEqual([
        'b.intoto.jsonl',
        'b.sigstore.json',
        'b.sigstore.jsonl',
        'b.tar.gz',
        'cfg',
      ]);
    } finally {
      await sigstore.close();
    }
  });
});
