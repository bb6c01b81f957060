import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkCredentials,
  credentialsFromDockerConfig,
  parseTokenResponse,
  parseWwwAuthenticate,
  readDockerConfig,
  repositoryScopes,
} from '../../../src/transport/oci/auth.js';
import { OciError } from '../../../src/transport/oci/errors.js';
import { useTmp } from '../../helpers/tmp.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return err instanceof OciError ? err.code : `not an OciError: ${String(err)}`;
  }
  return undefined;
}

describe('docker config credentials', () => {
  const tmp = useTmp();

  it('reads auth (base64 user:pass, password with ":") and username/password entries, matching keys by host', () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:hubpass') },
        'registry.example.com': { auth: b64('alice:pa:ss') },
        'http://localhost:5000/v1/': { username: 'bob', password: 'bobpass' },
        'https://ghcr.io': { auth: b64('carol:ghpass') },
      },
    };
    expect(credentialsFromDockerConfig(config, 'registry.example.com', 'c.json')).toEqual({
      username: 'alice',
      password: 'pa:ss',
    });
    expect(credentialsFromDockerConfig(config, 'localhost:5000', 'c.json')).toEqual({
      username: 'bob',
      password: 'bobpass',
    });
    expect(credentialsFromDockerConfig(config, 'ghcr.io', 'c.json')).toEqual({ username: 'carol', password: 'ghpass' });
    expect(credentialsFromDockerConfig(config, 'docker.io', 'c.json')).toEqual({
      username: 'hub',
      password: 'hubpass',
    });
    expect(credentialsFromDockerConfig(config, 'GHCR.IO', 'c.json')).toEqual({ username: 'carol', password: 'ghpass' });
    expect(credentialsFromDockerConfig(config, 'localhost:5001', 'c.json')).toBeUndefined();
    expect(credentialsFromDockerConfig(config, 'other.example.com', 'c.json')).toBeUndefined();
  });

  it('prefers the exact key over another spelling of the same host', () => {
    const config = {
      auths: { 'https://r.example.com/v1/': { auth: b64('old:old') }, 'r.example.com': { auth: b64('new:new') } },
    };
    expect(credentialsFromDockerConfig(config, 'r.example.com', 'c.json')).toEqual({
      username: 'new',
      password: 'new',
    });
  });

  it('returns undefined for registries covered only by credential helpers or identity tokens', () => {
    const config = {
      auths: { 'helper.example.com': {}, 'token.example.com': { identitytoken: 'refresh-token' } },
      credsStore: 'desktop',
      credHelpers: { 'ecr.example.com': 'ecr-login' },
    };
    expect(credentialsFromDockerConfig(config, 'helper.example.com', 'c.json')).toBeUndefined();
    expect(credentialsFromDockerConfig(config, 'token.example.com', 'c.json')).toBeUndefined();
    expect(credentialsFromDockerConfig(config, 'ecr.example.com', 'c.json')).toBeUndefined();
    expect(credentialsFromDockerConfig({}, 'r.io', 'c.json')).toBeUndefined();
  });

  it('refuses malformed configs with CREDENTIALS_INVALID naming the file, not the secret', () => {
    const bad = [
      { auths: 'nope' },
      { auths: { 'r.io': { auth: 42 } } },
      { auths: { 'r.io': { auth: b64('no-colon-secretvalue') } } },
      { auths: { 'r.io': { auth: '!!!notbase64' } } },
      [],
    ];
    for (const config of bad) {
      let err: unknown;
      try {
        credentialsFromDockerConfig(config, 'r.io', '/home/u/.docker/config.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OciError);
      expect((err as OciError).code).toBe('CREDENTIALS_INVALID');
      expect((err as OciError).message).toContain('/home/u/.docker/config.json');
      expect((err as OciError).message).not.toContain('secretvalue');
    }
  });

  it('reads a config file; a missing one is no credentials; bad JSON or unreadable is CREDENTIALS_INVALID', async () => {
    const dir = await tmp();
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('u:p') } } }));
    expect(await readDockerConfig(file, '127.0.0.1:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await readDockerConfig(join(dir, 'missing.json'), '127.0.0.1:5000')).toBeUndefined();
    await writeFile(file, '{"auths": {');
    expect(await codeOf(readDockerConfig(file, 'r.io'))).toBe('CREDENTIALS_INVALID');
    expect(await codeOf(readDockerConfig(dir, 'r.io'))).toBe('CREDENTIALS_INVALID');
    if (process.getuid?.() !== 0) {
      await writeFile(file, '{}');
      await chmod(file, 0o000);
      expect(await codeOf(readDockerConfig(file, 'r.io'))).toBe('CREDENTIALS_INVALID');
    }
  });

  it('checks credentials given directly', async () => {
    expect(checkCredentials({ username: 'u', password: '' })).toEqual({ username: 'u', password: '' });
    expect(await codeOf(() => checkCredentials({ username: '', password: 'p' }))).toBe('CREDENTIALS_INVALID');
    expect(await codeOf(() => checkCredentials({ username: 'a:b', password: 'p' }))).toBe('CREDENTIALS_INVALID');
    expect(await codeOf(() => checkCredentials({ username: 'u', password: 'p\r\nX-Evil: 1' }))).toBe(
      'CREDENTIALS_INVALID',
    );
  });
});

describe('parseWwwAuthenticate', () => {
  it('parses Bearer with realm, service and scope', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
  });

  it('parses Basic, unquoted values, spaces, case and several challenges', () => {
    expect(parseWwwAuthenticate('Basic realm="test"')).toEqual([{ scheme: 'basic', params: { realm: 'test' } }]);
    expect(parseWwwAuthenticate('BASIC Realm=test , charset="UTF-8"')).toEqual([
      { scheme: 'basic', params: { realm: 'test', charset: 'UTF-8' } },
    ]);
    expect(
      parseWwwAuthenticate('Negotiate, Bearer realm="https://a/t", error="invalid_token", Basic realm="x"'),
    ).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'bearer', params: { realm: 'https://a/t', error: 'invalid_token' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(parseWwwAuthenticate('Negotiate abc+/==, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('handles escapes and commas inside quoted strings; the first duplicate wins', () => {
    expect(parseWwwAuthenticate('Bearer realm="a\\"b,c\\\\d", scope="x,y", realm="second"')).toEqual([
      { scheme: 'bearer', params: { realm: 'a"b,c\\d', scope: 'x,y' } },
    ]);
  });

  it.each([
    'Bearer realm="unterminated',
    'Bearer realm=',
    'Bearer realm="a" junk',
    '=x',
    'Bearer realm="a\\',
    `Basic realm="${'x'.repeat(20000)}"`,
  ])('returns undefined for malformed %j', (header) => {
    expect(parseWwwAuthenticate(header)).toBeUndefined();
  });

  it('parses an empty header to no challenges', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});

describe('bearer token responses and scopes', () => {
  it('accepts token or access_token and computes expiry', () => {
    expect(parseTokenResponse({ token: 'abc.def', expires_in: 300 }, 1000)).toEqual({
      token: 'abc.def',
      expiresAt: 1000 + 290_000,
    });
    expect(parseTokenResponse({ access_token: 'xyz' }, 0)).toEqual({ token: 'xyz', expiresAt: 50_000 });
    expect(parseTokenResponse({ token: '', access_token: 'xyz' }, 0)?.token).toBe('xyz');
  });

  it.each([
    {},
    { token: 42 },
    { token: 'has space' },
    { token: 'line\nbreak' },
    null,
    'token',
    { token: 'x'.repeat(20000) },
  ])('refuses %j', (body) => {
    expect(parseTokenResponse(body, 0)).toBeUndefined();
  });

  it('builds sorted repository scopes', () => {
    expect(
      repositoryScopes(
        new Map([
          ['b/repo', 'push'],
          ['a/repo', 'pull'],
        ]),
      ),
    ).toEqual(['repository:a/repo:pull', 'repository:b/repo:pull,push']);
  });
});
