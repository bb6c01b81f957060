import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { chooseServices } from '../../src/signer/choose-signer.js';
import {
  SIGNING_CONFIG_MEDIA_TYPE,
  parseSigningConfig,
  selectServices,
  type SigningConfig,
} from '../../src/signer/signing-config.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const STANDALONE = new URL('../../dist/evidence-verify.mjs', import.meta.url).pathname;
const NOW = new Date('2026-12-05T00:00:00Z');
const svc = (url: string, majorApiVersion = 1, start = '2025-01-01T00:00:00Z', end?: string, operator?: string) => ({
  url,
  majorApiVersion,
  validFor: { start, ...(end ? { end } : {}) },
  ...(operator ? { operator } : {}),
});
const config = (over: Partial<SigningConfig> = {}): SigningConfig =>
  parseSigningConfig(
    {
      mediaType: SIGNING_CONFIG_MEDIA_TYPE,
      caUrls: [svc('https://fulcio.example')],
      rekorTlogUrls: [svc('https://rekor.example')],
      tsaUrls: [svc('https://tsa.example/api/v1/timestamp')],
      rekorTlogConfig: { selector: 'ANY' },
      tsaConfig: { selector: 'ANY' },
      ...over,
    },
    'sc.json',
  );
const pick = (c: SigningConfig, options: { keyless?: boolean; noTsa?: boolean } = {}) =>
  selectServices(c, NOW, 'sc.json', { keyless: options.keyless ?? true, ...(options.noTsa ? { noTsa: true } : {}) });

describe('choosing services from a signing config, as the specification says', () => {
  it('the valid service of the highest supported API version, then the newest; an expired or future one is not used', () => {
    const c = config({
      rekorTlogUrls: [
        svc('https://old-rekor.example', 1, '2021-01-01T00:00:00Z'),
        svc('https://log2026.example', 2, '2026-06-01T00:00:00Z'),
        svc('https://log2025.example', 2, '2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z'),
        svc('https://log2027.example', 2, '2027-01-01T00:00:00Z'),
        svc('https://rekor-v3.example', 3, '2026-01-01T00:00:00Z'),
      ],
    });
    expect(pick(c)).toEqual({
      ca: 'https://fulcio.example',
      oidc: null,
      tlogs: [{ url: 'https://log2026.example', majorApiVersion: 2 }],
      tsas: ['https://tsa.example'],
    });
  });

  it('selectors: ANY one, ALL one per operator, EXACT as many as asked or an error', () => {
    const logs = [
      svc('https://a1.example', 1, '2024-01-01T00:00:00Z', undefined, 'a'),
      svc('https://a2.example', 1, '2025-01-01T00:00:00Z', undefined, 'a'),
      svc('https://b.example', 1, '2024-01-01T00:00:00Z', undefined, 'b'),
    ];
    const urls = (sel: SigningConfig['rekorTlogConfig']) =>
      pick(config({ rekorTlogUrls: logs, rekorTlogConfig: sel })).tlogs.map((t) => t.url);
    expect(urls({ selector: 'ANY' })).toEqual(['https://a2.example']);
    expect(urls({ selector: 'ALL' })).toEqual(['https://a2.example', 'https://b.example']);
    expect(urls({ selector: 'EXACT', count: 2 })).toEqual(['https://a2.example', 'https://b.example']);
    expect(() => urls({ selector: 'EXACT', count: 3 })).toThrow(
      expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED' }),
    );
    // Versions are never mixed: ALL takes every operator's service of the highest version valid now.
    const mixed = [...logs, svc('https://v2.example', 2, '2025-01-01T00:00:00Z', undefined, 'c')];
    expect(pick(config({ rekorTlogUrls: mixed, rekorTlogConfig: { selector: 'ALL' } })).tlogs).toEqual([
      { url: 'https://v2.example', majorApiVersion: 2 },
    ]);
    // Services that name no operator are one operator; a window includes its end.
    const unnamed = [svc('https://x.example'), svc('https://y.example', 1, '2024-01-01T00:00:00Z', NOW.toISOString())];
    expect(pick(config({ rekorTlogUrls: unnamed, rekorTlogConfig: { selector: 'ALL' } })).tlogs).toHaveLength(1);
    expect(pick(config({ rekorTlogUrls: [unnamed[1] as never] })).tlogs).toHaveLength(1);
    expect(() => pick(config({ rekorTlogConfig: undefined }))).toThrow(
      expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED' }),
    );
    expect(() => pick(config({ caUrls: [svc('http://fulcio.example')] }))).toThrow(
      expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED' }),
    );
    expect(() => urls({ selector: 'EXACT' })).toThrow(expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED' }));
  });

  it('refuses what it cannot honour: Rekor v2 without a timestamp, Rekor v2 with a key, no CA for keyless, no usable log', () => {
    const v2 = config({ rekorTlogUrls: [svc('https://log.example', 2)] });
    const refused = (f: () => unknown) =>
      expect(f).toThrow(expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED' }));
    refused(() => pick(v2, { noTsa: true }));
    refused(() => pick(config({ rekorTlogUrls: [svc('https://log.example', 2)], tsaUrls: [] })));
    refused(() => pick(v2, { keyless: false }));
    refused(() => pick(config({ caUrls: [svc('https://fulcio.example', 2)] })));
    refused(() =>
      pick(
        config({ rekorTlogUrls: [svc('https://rekor.example', 1, '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z')] }),
      ),
    );
    refused(() => pick(config({ tsaUrls: [svc('https://tsa.example/timestamp')] })));
    // With a key, a config without a CA is fine, and v1 logs are used.
    expect(pick(config({ caUrls: [] }), { keyless: false }).tlogs).toHaveLength(1);
  });

  it('a document that is not a signing config, or of another media type: the file and what is wrong', () => {
    expect(() =>
      parseSigningConfig({ mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.1+json' }, 'sc.json'),
    ).toThrow(
      expect.objectContaining({ code: 'SIGNING_CONFIG_UNSUPPORTED', message: expect.stringContaining('sc.json') }),
    );
    expect(() =>
      parseSigningConfig({ mediaType: SIGNING_CONFIG_MEDIA_TYPE, caUrls: [{ url: 'x' }] }, 'sc.json'),
    ).toThrow(
      expect.objectContaining({ code: 'SIGNING_CONFIG_INVALID', message: expect.stringContaining('$.caUrls[0]') }),
    );
  });

  it('by default, keyless signs through the public-good signing config (refreshed by trust-root update, else the packaged one); a key through none', async () => {
    const dir = await tmp();
    const packaged = await chooseServices({ cwd: dir }, { HOME: dir });
    expect(packaged.source).toContain('package');
    expect(packaged.services).toEqual({
      ca: 'https://fulcio.sigstore.dev',
      oidc: 'https://oauth2.sigstore.dev/auth',
      tlogs: [{ url: 'https://rekor.sigstore.dev', majorApiVersion: 1 }],
      tsas: ['https://timestamp.sigstore.dev'],
    });
    expect((await chooseServices({ cwd: dir, key: 'k.pem' }, { HOME: dir })).services).toMatchObject({
      tlogs: [],
      tsas: [],
    });
    await expect(chooseServices({ cwd: dir, rekorV2: true }, { HOME: dir })).rejects.toMatchObject({
      code: 'SIGNING_CONFIG_UNAVAILABLE',
    });
    await expect(
      chooseServices({ cwd: dir, signingConfig: 'sc.json', rekorUrl: 'https://r.example' }, { HOME: dir }),
    ).rejects.toMatchObject({ code: 'SIGNING_CONFIG_UNSUPPORTED' });
    await expect(chooseServices({ cwd: dir, signingConfig: 'missing.json' }, { HOME: dir })).rejects.toMatchObject({
      code: 'SIGNING_CONFIG_UNAVAILABLE',
    });
  });
});

describe('signing through a signing config, end to end against the local Sigstore', () => {
  const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
  const ISSUER = 'https://token.actions.githubusercontent.com';
  const TOKEN = fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW });
  let sigstore: LocalSigstore;
  /** collect --sign of app.tgz in `dir`, through the signing config sc.json there. */
  const signWith = (dir: string, ...extra: string[]) =>
    runCli(
      ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--subject', 'app.tgz', '--sign'].concat(
        ['--identity-token', TOKEN, '--signing-config', 'sc.json'],
        extra,
      ),
      { cwd: dir },
    );
  beforeAll(async () => {
    sigstore = await startLocalSigstore();
  });
  afterAll(async () => {
    await sigstore?.close();
  });

  it.each([
    ['Rekor v1', 'signingConfig', '/api/v1/log/entries', '0.0.1'],
    ['Rekor v2', 'signingConfigRekorV2', '/rekor-v2/api/v2/log/entries', '0.0.2'],
  ] as const)('%s: collect --sign --signing-config, then verify offline', async (_, which, path, version) => {
    const dir = await tmp();
    await writeFile(join(dir, 'sc.json'), JSON.stringify(sigstore[which]));
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    await writeFile(join(dir, 'app.tgz'), 'the release');
    const before = sigstore.requests.filter((r) => r.path === path).length;
    const c = await signWith(dir, '-q');
    expect(c.code, c.stderr).toBe(0);
    expect(sigstore.requests.filter((r) => r.path === path).length).toBeGreaterThan(before);
    const bundle = JSON.parse(await readFile(join(dir, 'b.sigstore.json'), 'utf8')) as {
      dsseEnvelope: { payload: string };
      verificationMaterial: {
        tlogEntries: { kindVersion: { version: string }; inclusionPromise?: unknown }[];
        timestampVerificationData?: { rfc3161Timestamps: unknown[] };
      };
    };
    // The signed statement names the services it was signed through, and the config they came from.
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      predicate: { signing?: unknown };
    };
    const configBytes = await readFile(join(dir, 'sc.json'));
    expect(statement.predicate.signing).toEqual({
      from: 'signing-config',
      signingConfigDigest: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
      ca: sigstore.url,
      tlogs: [
        {
          url: path.startsWith('/rekor-v2') ? `${sigstore.url}/rekor-v2` : sigstore.url,
          majorApiVersion: version === '0.0.2' ? 2 : 1,
        },
      ],
      tsas: [sigstore.url],
    });
    const entry = bundle.verificationMaterial.tlogEntries[0];
    expect(entry?.kindVersion.version).toBe(version);
    // Rekor v2 gives no signed entry timestamp: the TSA's timestamp is what dates the signature.
    if (version === '0.0.2') expect(entry?.inclusionPromise).toBeUndefined();
    expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length).toBe(1);
    const v = await runCli(
      ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', '--certificate-identity', WORKFLOW].concat([
        '--certificate-oidc-issuer',
        ISSUER,
        '--json',
      ]),
      { cwd: dir },
    );
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // @sigstore/verify alone, demanding a log entry, an SCT and a timestamp, accepts it too.
    const material = toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot));
    expect(() =>
      new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(
        toSignedEntity(bundleFromJSON(bundle)),
      ),
    ).not.toThrow();
    // And so does the one-file verifier, where it was built.
    if (!existsSync(STANDALONE))
      console.warn('SKIPPED (one-file verifier): dist/evidence-verify.mjs is absent; npm test builds it');
    else {
      await copyFile(STANDALONE, join(dir, 'evidence-verify.mjs'));
      const args = ['evidence-verify.mjs', 'b.tar.gz', '--trusted-root', 'trusted_root.json'];
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...args, '--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', ISSUER],
        { cwd: dir },
      );
      expect(stdout).toContain('signature verified');
    }
  });

  it('Rekor v2 with --no-tsa is refused before anything is signed (exit 2)', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'sc.json'), JSON.stringify(sigstore.signingConfigRekorV2));
    await writeFile(join(dir, 'app.tgz'), 'the release');
    const c = await signWith(dir, '--no-tsa');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('[SIGNING_CONFIG_UNSUPPORTED]');
    expect(c.stderr).toContain('sc.json');
  });
});
