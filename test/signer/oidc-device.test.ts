import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { deviceFlowRequest } from '../../src/transport/oidc-device.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * The interactive sign-in (OAuth 2.0 device authorization, RFC 8628) against an OpenID provider on 127.0.0.1 that
 * answers as the RFC and OpenID discovery describe: the code, then `authorization_pending` until the user signs in.
 */
const tmp = useTmp();
const USER = 'me@example.com';

interface Provider {
  url: string;
  asked: string[];
  close(): Promise<void>;
}

type Step = { status: number; body: Record<string, unknown> };

/** `script`: what the token endpoint answers, poll after poll (the last one repeats); given the provider's URL. */
async function provider(
  script: Step[] | ((url: string) => Step[]),
  options: { issuer?: string; device?: boolean } = {},
): Promise<Provider> {
  const asked: string[] = [];
  let polls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const path = (req.url ?? '').split('?')[0] as string;
      asked.push(`${req.method} ${path} ${Buffer.concat(chunks).toString('utf8')}`);
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/.well-known/openid-configuration')
        return send(200, {
          issuer: options.issuer ?? url,
          token_endpoint: `${url}/token`,
          ...(options.device === false ? {} : { device_authorization_endpoint: `${url}/device/code` }),
        });
      if (path === '/device/code')
        return send(200, {
          device_code: 'device-code-1',
          user_code: 'WDJB-MJHT\u001b[2J',
          verification_uri: `${url}/device`,
          expires_in: 600,
          interval: 1,
        });
      if (path === '/token') {
        const steps = typeof script === 'function' ? script(url) : script;
        const step = steps[Math.min(polls++, steps.length - 1)] as Step;
        return send(step.status, step.body);
      }
      send(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const pending = { status: 400, body: { error: 'authorization_pending' } };
const quick = deviceFlowRequest({ sleep: () => Promise.resolve() });

describe('the interactive sign-in (device flow)', () => {
  it('tells the user the code (without control characters), polls while pending and slowed down, and returns the ID token', async () => {
    const idToken = fakeIdentityToken({ iss: 'x', sub: USER });
    const p = await provider([
      pending,
      { status: 400, body: { error: 'slow_down' } },
      { status: 200, body: { id_token: idToken } },
    ]);
    try {
      const prompts: string[] = [];
      expect(await quick(p.url, 'sigstore', (m) => prompts.push(m)).getToken()).toBe(idToken);
      expect(prompts.join()).toContain('WDJB-MJHT');
      expect(prompts.join()).not.toContain('\u001b');
      const polls = p.asked.filter((a) => a.startsWith('POST /token'));
      expect(polls).toHaveLength(3);
      expect(polls[0]).toContain('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code');
      expect(polls[0]).toContain('client_id=sigstore');
    } finally {
      await p.close();
    }
  });

  it.each([
    ['a refused sign-in', [{ status: 400, body: { error: 'access_denied' } }], {}, 'refused'],
    ['an expired code', [{ status: 400, body: { error: 'expired_token' } }], {}, 'expired'],
    ['a token that is no JWT', [{ status: 200, body: { id_token: 'nope' } }], {}, 'JWT'],
    ['another issuer in discovery', [pending], { issuer: 'https://evil.example' }, 'another issuer'],
    ['no device authorization', [pending], { device: false }, 'no device authorization'],
  ] as const)('%s: refused, naming why', async (_, script, options, why) => {
    const p = await provider([...script], options);
    try {
      await expect(quick(p.url, 'sigstore', () => {}).getToken()).rejects.toMatchObject({
        code: expect.stringMatching(/^IDENTITY_TOKEN_(REQUEST_FAILED|INVALID)$/),
        message: expect.stringContaining(why),
      });
    } finally {
      await p.close();
    }
  });

  it('refuses an issuer that is not https (plain http only on loopback)', async () => {
    await expect(quick('http://oidc.example.com', 'sigstore', () => {}).getToken()).rejects.toMatchObject({
      code: 'IDENTITY_TOKEN_REQUEST_FAILED',
    });
  });
});

describe('collect --sign --oidc-device, end to end against the local Sigstore', () => {
  let sigstore: LocalSigstore;
  beforeAll(async () => {
    sigstore = await startLocalSigstore();
  });
  afterAll(async () => {
    await sigstore?.close();
  });

  it("signs in at the signing config's OpenID provider, and the signature names who signed in", async () => {
    // The provider's issuer is its own URL: its token says so.
    const token = (url: string) => fakeIdentityToken({ iss: url, sub: USER, email: USER, email_verified: true });
    const q = await provider((url) => [pending, { status: 200, body: { id_token: token(url) } }]);
    try {
      const dir = await tmp();
      const start = new Date(Date.now() - 86400_000).toISOString();
      const config = { ...sigstore.signingConfig, oidcUrls: [{ url: q.url, majorApiVersion: 1, validFor: { start } }] };
      await writeFile(join(dir, 'sc.json'), JSON.stringify(config));
      await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
      await writeFile(join(dir, 'a.txt'), 'x');
      const c = await runCli(
        ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--file', 'a.txt', '--sign'].concat([
          '--signing-config',
          'sc.json',
          '--oidc-device',
        ]),
        { cwd: dir },
      );
      expect(c.code, c.stderr).toBe(0);
      expect(c.stderr).toContain('WDJB-MJHT');
      const v = await runCli(
        ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', '--certificate-identity', USER].concat([
          '--certificate-oidc-issuer',
          q.url,
        ]),
        { cwd: dir },
      );
      expect(v.code, v.stdout).toBe(0);
    } finally {
      await q.close();
    }
  });
});
