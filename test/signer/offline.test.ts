import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { fakeIdentityToken, startLocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

it('verify and verify-attestation never touch the network', async () => {
  const dir = await tmp();
  const sigstore = await startLocalSigstore();
  const identity = 'https://example.com/release-job';
  try {
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    await writeFile(join(dir, 'app.tgz'), 'artifact');
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
            '--subject',
            'app.tgz',
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
  } finally {
    await sigstore.close();
  }
  const attempts: string[] = [];
  const refuse = (what: string) => () => {
    attempts.push(what);
    throw new Error(`network use: ${what}`);
  };
  vi.stubGlobal('fetch', refuse('fetch'));
  vi.spyOn(http, 'request').mockImplementation(refuse('http.request'));
  vi.spyOn(http, 'get').mockImplementation(refuse('http.get'));
  vi.spyOn(https, 'request').mockImplementation(refuse('https.request'));
  vi.spyOn(https, 'get').mockImplementation(refuse('https.get'));
  vi.spyOn(net, 'connect').mockImplementation(refuse('net.connect'));
  vi.spyOn(net, 'createConnection').mockImplementation(refuse('net.createConnection'));
  vi.spyOn(dns, 'lookup').mockImplementation(refuse('dns.lookup'));
  // The blocks work: a request is refused and counted.
  expect(() => http.request('http://127.0.0.1:1')).toThrow(/network use/);
  expect(() => net.connect(1, '127.0.0.1')).toThrow(/network use/);
  attempts.length = 0;
  const who = [
    '--certificate-identity',
    identity,
    '--certificate-oidc-issuer',
    'https://issuer.example.com',
    '--trusted-root',
    'trusted_root.json',
  ];
  const v = await runCli(['verify', 'b.tar.gz', ...who, '--subject', 'app.tgz'], { cwd: dir });
  expect(v.code).toBe(0);
  const a = await runCli(['verify-attestation', 'b.sigstore.json', '--artifact', 'app.tgz', ...who], { cwd: dir });
  expect(a.code).toBe(0);
  expect(attempts).toEqual([]);
});
