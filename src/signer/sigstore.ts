import { SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { commonJsExports } from '../core/commonjs.js';
import { keySha256Hex } from '../core/digest.js';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { bundleToJSON, toDSSEBundle, type SerializedBundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import type { DSSEBundleBuilder, Signer, Witness } from '@sigstore/sign';
import type { SigningContext } from '../core/predicate.js';
import { SignError, redact } from './errors.js';
import type { IdentityProvider } from './identity.js';

/**
 * Each request to Fulcio, Rekor and the TSA when the caller names none (the figure transport/http/timeout.ts uses for
 * every other request).
 */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Signs a DSSE payload into a Sigstore bundle (v0.3). The one interface every signing path implements. */
export interface PayloadSigner {
  signDsse(payload: Buffer, payloadType: string): Promise<SerializedBundle>;
  /** The services it signs through, for the signed statement (set by chooseSigner). */
  context?: SigningContext;
}

/** The transparency logs and timestamp authorities that witness each signature (src/signer/signing-config.ts). */
export interface Witnesses {
  tlogs: { url: string; majorApiVersion: number }[];
  /** Base URLs (without `/api/v1/timestamp`). */
  tsas: string[];
}

export interface KeylessOptions extends Witnesses {
  identity: IdentityProvider;
  /** Fulcio's base URL. */
  ca: string;
  /** Each request to Fulcio, Rekor and the TSA; default 30 s. */
  timeoutMs?: number;
}

/** Rekor v2 integrates an entry before it answers: sigstore-js gives it at least 20 s. */
const REKOR_V2_MIN_TIMEOUT_MS = 20_000;

/**
 * sigstore-js's signing package, loaded when a signature needs Fulcio, a log or a timestamp authority: it brings its
 * HTTP stack (about a third of a second to load), which a key-signed bundle without witnesses never uses.
 */
type SignModule = typeof import('@sigstore/sign');
const signModule = async (): Promise<SignModule> => commonJsExports(await import('@sigstore/sign'));

function witnessesOf(
  { RekorWitness, TSAWitness }: Pick<SignModule, 'RekorWitness' | 'TSAWitness'>,
  w: Witnesses,
  timeout: number,
): Witness[] {
  return [
    ...w.tlogs.map(
      (t) =>
        new RekorWitness({
          rekorBaseURL: t.url,
          majorApiVersion: t.majorApiVersion,
          fetchOnConflict: true,
          timeout: t.majorApiVersion === 2 ? Math.max(timeout, REKOR_V2_MIN_TIMEOUT_MS) : timeout,
        }),
    ),
    ...w.tsas.map((url) => new TSAWitness({ tsaBaseURL: url, timeout })),
  ];
}

/** Keyless: a short-lived Fulcio certificate for the OIDC identity, a Rekor entry, a TSA timestamp. */
export function keylessSigner(options: KeylessOptions): PayloadSigner {
  let token: string | undefined;
  const identity = { getToken: async () => (token = await options.identity.getToken()) };
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // P-256, in memory for this signer's life only, as sigstore-js's own ephemeral signer.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  // A throw of cryptoSign rejects (the executor runs at once, as an async body does).
  const signWithKey = (data: Buffer): Promise<Buffer> =>
    new Promise((resolve) => resolve(cryptoSign('sha256', data, privateKey)));
  const keyHolder: Signer = {
    sign: async (data: Buffer) => ({
      signature: await signWithKey(data),
      key: { $case: 'publicKey', publicKey: publicKeyPem },
    }),
  };
  let builder: Promise<DSSEBundleBuilder> | undefined;
  const built = async (): Promise<DSSEBundleBuilder> => {
    const sign = await signModule();
    return new sign.DSSEBundleBuilder({
      signer: oneCertificate(
        new sign.FulcioSigner({
          fulcioBaseURL: options.ca,
          identityProvider: identity,
          timeout,
          keyHolder,
        }),
        signWithKey,
      ),
      witnesses: witnessesOf(sign, options, timeout),
    });
  };
  return {
    async signDsse(payload, payloadType) {
      try {
        return bundleToJSON(await (await (builder ??= built())).create({ data: payload, type: payloadType }));
      } catch (e) {
        throw serviceError(e, [token]);
      }
    },
  };
}

/**
 * Every payload of one signing run under one Fulcio certificate: the first
 * signature asks Fulcio (proof of possession, then the certificate), later
 * ones sign with the same ephemeral key and carry the same certificate. Rekor
 * and the TSA still witness each signature.
 */
function oneCertificate(fulcio: Signer, signWithKey: (data: Buffer) => Promise<Buffer>): Signer {
  let certified: Promise<Awaited<ReturnType<Signer['sign']>>['key']> | undefined;
  return {
    async sign(data: Buffer) {
      if (!certified) {
        const first = fulcio.sign(data);
        certified = first.then((s) => s.key);
        certified.catch(() => (certified = undefined));
        return first;
      }
      const key = await certified;
      return { signature: await signWithKey(data), key };
    },
  };
}

/** Transparency logs and timestamps are opt-in for keys: air-gapped users have neither. */
export interface KeyOptions extends Witnesses {
  timeoutMs?: number;
}

export interface LoadedKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** Hex sha256 of the SPKI DER: the bundle's key hint and the DSSE keyid. */
  hint: string;
}

export async function loadSigningKey(file: string): Promise<LoadedKey> {
  const pem = (
    await readSmallFile(file, file, {
      what: 'a private key',
      max: SMALL_FILE_LIMITS.key,
      notFound: (l) => new SignError('KEY_UNREADABLE', `${l}: no such file`),
    })
  ).toString('utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SignError('KEY_INVALID', `${file}: not an unencrypted PKCS#8 PEM private key`);
  }
  const type = privateKey.asymmetricKeyType;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (!(type === 'ed25519' || (type === 'ec' && curve === 'prime256v1'))) {
    throw new SignError(
      'KEY_UNSUPPORTED',
      `${file}: a ${type}${curve ? ` ${curve}` : ''} key; ECDSA P-256 or Ed25519 are supported`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    hint: keySha256Hex(publicKey),
  };
}

export function keySigner(key: LoadedKey, options: KeyOptions = { tlogs: [], tsas: [] }): PayloadSigner {
  const signer: Signer = {
    // A throw of cryptoSign rejects (the executor runs at once, as an async body does).
    sign: (data: Buffer) =>
      new Promise((resolve) => {
        const alg = key.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
        resolve({
          signature: cryptoSign(alg, data, key.privateKey),
          key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.hint },
        });
      }),
  };
  const witnessed = options.tlogs.length > 0 || options.tsas.length > 0;
  let builder: Promise<DSSEBundleBuilder> | undefined;
  const built = async (): Promise<DSSEBundleBuilder> => {
    const sign = await signModule();
    const witnesses = witnessesOf(sign, options, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return new sign.DSSEBundleBuilder({ signer, witnesses });
  };
  return {
    async signDsse(payload, payloadType) {
      try {
        // No witness: the bundle is the envelope and the key's hint, as sigstore-js's DSSE builder makes it.
        if (!witnessed) {
          const { signature } = await signer.sign(dsse.preAuthEncoding(payloadType, payload));
          return bundleToJSON(
            toDSSEBundle({
              artifact: payload,
              artifactType: payloadType,
              signature,
              keyHint: key.hint,
              certificateChain: false,
            }),
          );
        }
        return bundleToJSON(await (await (builder ??= built())).create({ data: payload, type: payloadType }));
      } catch (e) {
        throw serviceError(e, []);
      }
    },
  };
}

/** A signing failure, told without the token: sigstore's errors can quote it. */
function serviceError(e: unknown, secrets: (string | undefined)[]): SignError {
  if (e instanceof SignError) return e;
  const parts: string[] = [];
  for (let cur: unknown = e; cur && parts.length < 4; cur = (cur as { cause?: unknown }).cause) {
    const err = cur as { code?: unknown; message?: unknown };
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever was thrown, shown as String() shows it
    parts.push(`${typeof err.code === 'string' ? `${err.code}: ` : ''}${String(err.message ?? cur)}`);
  }
  return new SignError('SIGNING_SERVICE_FAILED', redact(`signing failed: ${parts.join(' ← ')}`, secrets));
}
