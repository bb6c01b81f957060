import type { SerializedBundle } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../../src/core/errors.js';
import {
  MANIFEST_FORMAT_VERSION,
  MANIFEST_MEDIA_TYPE,
  serializeManifest,
  type Manifest,
} from '../../src/core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { bundleChanged } from '../../src/signer/errors.js';
import type { IdentityProvider } from '../../src/signer/identity.js';
import { chooseSigner } from '../../src/signer/choose-signer.js';
import { bundleLine, detachedFiles, signManifest } from '../../src/signer/sign-manifest.js';
import type { PayloadSigner } from '../../src/signer/sigstore.js';

const manifest: Manifest = {
  mediaType: MANIFEST_MEDIA_TYPE,
  formatVersion: MANIFEST_FORMAT_VERSION,
  name: 'app',
  version: '1.0.0',
  created: '2026-01-01T00:00:00Z',
  generator: { name: 'evidence', version: '0.0.0' },
  source: {},
  entries: [],
  subjects: [{ name: 'app.tgz', digest: `sha256:${'1'.repeat(64)}`, size: 10 }],
};
const manifestBytes = serializeManifest(manifest);

/** Records each payload and answers with a bundle that names it. */
function fakeSigner(): PayloadSigner & { payloads: { payload: string; type: string }[] } {
  const payloads: { payload: string; type: string }[] = [];
  return {
    payloads,
    signDsse: (payload, type) => {
      payloads.push({ payload: payload.toString('utf8'), type });
      return Promise.resolve({
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        dsseEnvelope: { payload: payload.toString('base64'), payloadType: type, signatures: [] },
      } as unknown as SerializedBundle);
    },
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e as { code?: string }).code,
  );

const jwt = (claims: Record<string, unknown>): string =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

describe('signManifest', () => {
  it('signs our statement first, then each standard statement, as in-toto DSSE payloads', async () => {
    const signer = fakeSigner();
    const signed = await signManifest(signer, manifest, manifestBytes, () => undefined, { env: {}, noStandard: false });
    expect(signer.payloads.length).toBe(1 + signed.made.statements.length);
    expect(signer.payloads.every((p) => p.type === IN_TOTO_PAYLOAD_TYPE)).toBe(true);
    expect(JSON.parse(signer.payloads[0]?.payload ?? '')).toEqual(signed.statement);
    expect(signed.attestation.toString()).toBe(`${JSON.stringify(signed.sigstore)}\n`);
    const lines = signed.standard?.toString().trimEnd().split('\n') ?? [];
    expect(lines.length).toBe(signed.made.statements.length);
  });

  it('signs our statement alone when the standard ones are left out', async () => {
    const signer = fakeSigner();
    const signed = await signManifest(signer, manifest, manifestBytes, () => undefined, { env: {}, noStandard: true });
    expect(signer.payloads.length).toBe(1);
    expect(signed.standard).toBeUndefined();
    expect(signed.made).toEqual({ statements: [], skipped: [] });
  });
});

describe('detachedFiles', () => {
  it('names the files after the bundle, without its .tar.gz or .tgz', async () => {
    const signed = await signManifest(fakeSigner(), manifest, manifestBytes, () => undefined, {
      env: {},
      noStandard: false,
    });
    const { result, contents } = detachedFiles('/out/app-1.0.0.tar.gz', signed);
    expect(result).toMatchObject({
      bundle: '/out/app-1.0.0.tar.gz',
      sigstoreBundle: '/out/app-1.0.0.sigstore.json',
      intotoJsonl: '/out/app-1.0.0.intoto.jsonl',
      sigstoreJsonl: '/out/app-1.0.0.sigstore.jsonl',
      statement: signed.statement,
      standard: signed.made.statements.map((s) => ({ label: s.label, predicateType: s.predicateType })),
    });
    expect(contents.map(([f]) => f)).toEqual([result.sigstoreBundle, result.intotoJsonl, result.sigstoreJsonl]);
    const bytes = (c: Buffer | string | Buffer[] | undefined): Buffer =>
      Array.isArray(c) ? Buffer.concat(c) : Buffer.from(c ?? '');
    expect(bytes(contents[0]?.[1]).toString()).toBe(`${JSON.stringify(signed.sigstore)}\n`);
    expect(bytes(contents[1]?.[1]).toString()).toBe(`${JSON.stringify(signed.sigstore.dsseEnvelope)}\n`);
    expect(bytes(contents[2]?.[1]).equals(Buffer.concat([signed.attestation, signed.standard!]))).toBe(true);
    // Without the envelope's place in the attestation, or without standard attestations: the same bytes.
    const plain: typeof signed = { ...signed };
    delete plain.envelope;
    delete plain.standard;
    const without = detachedFiles('/out/app-1.0.0.tar.gz', plain).contents;
    expect(bytes(without[1]?.[1]).toString()).toBe(`${JSON.stringify(signed.sigstore.dsseEnvelope)}\n`);
    expect(bytes(without[2]?.[1]).equals(signed.attestation)).toBe(true);
    expect(detachedFiles('/out/b.tgz', signed).result.sigstoreBundle).toBe('/out/b.sigstore.json');
    expect(detachedFiles('/out/b.bundle', signed).result.sigstoreBundle).toBe('/out/b.bundle.sigstore.json');
  });
});

describe('bundleLine', () => {
  const bundle = (envelope: Record<string, unknown>, extra: Record<string, unknown> = {}): SerializedBundle =>
    ({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'é\u2028"' }, tlogEntries: [] },
      ...extra,
      dsseEnvelope: envelope,
    }) as unknown as SerializedBundle;

  it("is the bundle's JSON line, its envelope a view of it", () => {
    for (const b of [
      bundle({ payload: Buffer.from('{"a":1}'.repeat(1000)).toString('base64'), payloadType: 't', signatures: [] }),
      bundle({ payload: 'QQ==', payloadType: 'é', signatures: [{ sig: 'c2ln', keyid: '' }] }),
    ]) {
      const { line, envelope } = bundleLine(b);
      expect(line.toString()).toBe(`${JSON.stringify(b)}\n`);
      expect(envelope?.toString()).toBe(JSON.stringify(b.dsseEnvelope));
    }
  });

  it('writes the JSON whole where the envelope is not last, or its payload not first or not base64', () => {
    for (const b of [
      { dsseEnvelope: { payload: 'QQ==' }, mediaType: 'm' } as unknown as SerializedBundle,
      bundle({ payloadType: 't', payload: 'QQ==' }),
      bundle({ payload: 'not "base64"', payloadType: 't' }),
      bundle({ payload: 7 }),
      { mediaType: 'm' } as unknown as SerializedBundle,
      // Objects JSON.stringify does not write member by member: a toJSON of their own, or another prototype.
      bundle({ payload: 'QQ==', payloadType: 't', toJSON: () => ({ z: 1 }) }),
      Object.assign(Object.create({ toJSON: () => 'x' }) as object, {
        dsseEnvelope: { payload: 'QQ==' },
      }) as SerializedBundle,
      bundle(Object.assign(Object.create({ extra: 1 }) as object, { payload: 'QQ==', payloadType: 't' })),
    ]) {
      const { line, envelope } = bundleLine(b);
      expect(line.toString()).toBe(`${JSON.stringify(b)}\n`);
      expect(envelope).toBeUndefined();
    }
  });
});

describe('chooseSigner', () => {
  const never = (): IdentityProvider => {
    throw new Error('GitHub Actions was asked');
  };

  it('fails before any work without an identity token', async () => {
    expect(await codeOf(chooseSigner({ cwd: '/' }, {}, never))).toBe('IDENTITY_TOKEN_MISSING');
    expect(await codeOf(chooseSigner({ cwd: '/', identityToken: 'not-a-jwt' }, {}, never))).toBe(
      'IDENTITY_TOKEN_INVALID',
    );
  });

  it('asks GitHub Actions through the request it is given, once', async () => {
    const asked: string[][] = [];
    const token = jwt({ sub: 'x' });
    const signer = await chooseSigner(
      { cwd: '/' },
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/t', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' },
      (url, t) => {
        asked.push([url, t]);
        return { getToken: () => Promise.resolve(token) };
      },
    );
    expect(asked).toEqual([['https://oidc.example/t', 'req']]);
    expect(typeof signer.signDsse).toBe('function');
  });

  it('prefers the token it is given to the environment', async () => {
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/t', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' };
    const signer = await chooseSigner({ cwd: '/', identityToken: jwt({ sub: 'y' }), noTsa: true }, env, never);
    expect(typeof signer.signDsse).toBe('function');
  });
});

describe('bundleChanged', () => {
  it('is a BundleError with its code', () => {
    const e = bundleChanged('b.tar.gz');
    expect(e).toBeInstanceOf(BundleError);
    expect(e.code).toBe('BUNDLE_CHANGED_WHILE_SIGNING');
  });
});
