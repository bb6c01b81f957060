import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { readSmallFile, SMALL_FILE_LIMITS } from '../fs/small-file.js';
import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import type { SigningContext } from '../core/predicate.js';
import { SignError } from './errors.js';
import { identityProvider, type ActionsTokenRequest, type DeviceTokenRequest } from './identity.js';
import publicGood from './public-good-signing-config.json' with { type: 'json' };
import { parseSigningConfig, selectServices, type SelectedServices, type SigningConfig } from './signing-config.js';
import { keySigner, keylessSigner, loadSigningKey, type PayloadSigner } from './sigstore.js';

/** How to sign: with a key, or keyless through Fulcio with an OIDC identity token. */
export interface SignerOptions {
  /** Key-based signing (PKCS#8 PEM); otherwise keyless. */
  key?: string;
  identityToken?: string;
  /** A file holding the OIDC token (as CI systems that write one to a file give it; kept out of the command line). */
  identityTokenFile?: string;
  /** Sign in interactively (OAuth device flow) at the signing config's OpenID provider, or `oidcIssuer`. */
  oidcDevice?: boolean;
  oidcIssuer?: string;
  /** Default `sigstore`, the client public-good's provider knows. */
  oidcClientId?: string;
  /** Where the sign-in's instructions go (the terminal's standard error). */
  onDeviceCode?: (message: string) => void;
  /** A Sigstore signing config naming the services (src/signer/signing-config.ts). */
  signingConfig?: string;
  /** Sign through the public-good Rekor v2 signing config that `trust-root update` keeps. */
  rekorV2?: boolean;
  /** Services named one by one, as before signing configs: a Rekor v1 log. */
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  noTsa?: boolean;
  /** Silence allowed before a request to Fulcio, Rekor, the TSA or the OIDC endpoint fails; default 30 s. */
  timeoutMs?: number;
  /** The instant the signing config's services are chosen at (default: now). */
  now?: Date;
}

/** The signing configs `evidence trust-root update` keeps beside the trusted root, by the names TUF gives them. */
export const SIGNING_CONFIG_TARGET = 'signing_config.v0.2.json';
export const SIGNING_CONFIG_REKOR_V2_TARGET = 'signing_config_rekor_v2.v0.2.json';

export function refreshedSigningConfigPath(env: Env, rekorV2 = false): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'evidence', rekorV2 ? SIGNING_CONFIG_REKOR_V2_TARGET : SIGNING_CONFIG_TARGET);
}

/** Where the services come from, for the record and for messages. */
export interface ServicesChoice {
  services: SelectedServices;
  /** `--signing-config FILE`, the refreshed public-good config, the one in the package, or the options one by one. */
  source: string;
  from: SigningContext['from'];
  /** sha256 of the signing config's bytes, when one was used. */
  digest?: string;
}

/**
 * The services a signing run uses (docs/signing.md): a signing config given (`--signing-config`), the public-good
 * Rekor v2 config kept by `trust-root update` (`--rekor-v2`), services named one by one (`--fulcio-url`,
 * `--rekor-url`, `--tsa-url`: Rekor v1), or, for keyless signing, the public-good signing config (the refreshed one,
 * else the one in the package). A key signs with no log or timestamp unless some are named.
 */
export async function chooseServices(options: SignerOptions & { cwd: string }, env: Env): Promise<ServicesChoice> {
  const keyless = !options.key;
  const named = options.fulcioUrl ?? options.rekorUrl ?? options.tsaUrl;
  if (named !== undefined && (options.signingConfig || options.rekorV2))
    throw new SignError(
      'SIGNING_CONFIG_UNSUPPORTED',
      '--signing-config or --rekor-v2 names every service: leave out --fulcio-url, --rekor-url and --tsa-url',
    );
  if (options.signingConfig && options.rekorV2)
    throw new SignError('SIGNING_CONFIG_UNSUPPORTED', '--signing-config and --rekor-v2: give one of them');
  const now = options.now ?? new Date();
  const select = (
    read: { config: SigningConfig; digest: string },
    source: string,
    from: SigningContext['from'],
  ): ServicesChoice => ({
    services: selectServices(read.config, now, source, { keyless, ...(options.noTsa ? { noTsa: true } : {}) }),
    source,
    from,
    digest: read.digest,
  });
  if (options.signingConfig) {
    const file = resolve(options.cwd, options.signingConfig);
    return select(await readConfig(file, options.signingConfig), options.signingConfig, 'signing-config');
  }
  if (options.rekorV2) {
    const file = refreshedSigningConfigPath(env, true);
    const config = await readConfig(file, file).catch((e: unknown) => {
      if (e instanceof SignError && e.code === 'SIGNING_CONFIG_UNAVAILABLE')
        throw new SignError(
          'SIGNING_CONFIG_UNAVAILABLE',
          `--rekor-v2: no Rekor v2 signing config at ${file}; run \`evidence trust-root update\` to fetch it from Sigstore's TUF repository, or give one with --signing-config`,
        );
      throw e;
    });
    return select(config, file, 'trust-root-update-rekor-v2');
  }
  if (named !== undefined || !keyless) {
    const tsa = options.tsaUrl ?? (keyless ? PUBLIC_GOOD_TSA : undefined);
    return {
      services: {
        ca: options.fulcioUrl ?? PUBLIC_GOOD_CA,
        oidc: null,
        tlogs:
          (options.rekorUrl ?? (keyless ? PUBLIC_GOOD_REKOR : undefined))
            ? [{ url: options.rekorUrl ?? PUBLIC_GOOD_REKOR, majorApiVersion: 1 }]
            : [],
        tsas: tsa && !options.noTsa ? [tsa] : [],
      },
      source: 'the services named by option',
      from: 'options',
    };
  }
  const refreshed = refreshedSigningConfigPath(env);
  const kept = await readConfig(refreshed, refreshed).catch((e: unknown) => {
    if (e instanceof SignError && e.code === 'SIGNING_CONFIG_UNAVAILABLE') return undefined;
    throw e;
  });
  return kept
    ? select(kept, refreshed, 'trust-root-update')
    : select(
        {
          config: parseSigningConfig(publicGood, PUBLIC_GOOD_SOURCE),
          digest: `sha256:${sha256Hex(canonicalBytes(publicGood))}`,
        },
        PUBLIC_GOOD_SOURCE,
        'public-good-packaged',
      );
}

export const PUBLIC_GOOD_SOURCE = 'the public-good signing config in the package';
const PUBLIC_GOOD_CA = 'https://fulcio.sigstore.dev';
const PUBLIC_GOOD_REKOR = 'https://rekor.sigstore.dev';
const PUBLIC_GOOD_TSA = 'https://timestamp.sigstore.dev';

async function readConfig(file: string, label: string): Promise<{ config: SigningConfig; digest: string }> {
  const bytes = await readSmallFile(file, label, {
    what: 'a signing config',
    max: SMALL_FILE_LIMITS.config,
    notFound: (l) => new SignError('SIGNING_CONFIG_UNAVAILABLE', `${l}: no such file`),
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SignError('SIGNING_CONFIG_INVALID', `${label}: not JSON`);
  }
  return { config: parseSigningConfig(json, label), digest: `sha256:${sha256Hex(bytes)}` };
}

/**
 * The signer the options describe: a key (its file relative to `cwd`), or
 * keyless with an identity token. `githubActions` asks GitHub Actions' OIDC
 * endpoint for one (the request is transport's; the command wires it in).
 */
export async function chooseSigner(
  options: SignerOptions & { cwd: string },
  env: Env,
  githubActions: ActionsTokenRequest,
  device?: DeviceTokenRequest,
): Promise<PayloadSigner> {
  const choice = await chooseServices(options, env);
  const { services } = choice;
  const timing = options.timeoutMs ? { timeoutMs: options.timeoutMs } : {};
  const context: SigningContext = {
    from: choice.from,
    ...(choice.digest ? { signingConfigDigest: choice.digest } : {}),
    ...(options.key ? {} : { ca: services.ca }),
    tlogs: services.tlogs,
    tsas: services.tsas,
  };
  if (options.key) {
    const key = await loadSigningKey(resolve(options.cwd, options.key));
    return { ...keySigner(key, { tlogs: services.tlogs, tsas: services.tsas, ...timing }), context };
  }
  if (options.identityToken && options.identityTokenFile)
    throw new SignError('IDENTITY_TOKEN_INVALID', '--identity-token and --identity-token-file: give one of them');
  const fromFile = options.identityTokenFile
    ? (
        await readSmallFile(resolve(options.cwd, options.identityTokenFile), options.identityTokenFile, {
          what: 'an identity token',
          max: SMALL_FILE_LIMITS.credentials,
          notFound: (l) => new SignError('IDENTITY_TOKEN_MISSING', `${l}: no such file`),
        })
      ).toString('utf8')
    : undefined;
  if (fromFile !== undefined && fromFile.trim() === '')
    throw new SignError('IDENTITY_TOKEN_INVALID', `${options.identityTokenFile}: the file is empty`);
  const issuer = options.oidcIssuer ?? services.oidc;
  if (options.oidcDevice && (options.identityToken || fromFile !== undefined))
    throw new SignError(
      'IDENTITY_TOKEN_INVALID',
      '--oidc-device signs in for a token: leave out --identity-token(-file)',
    );
  if (options.oidcDevice && (!device || !issuer))
    throw new SignError(
      'SIGNING_CONFIG_UNSUPPORTED',
      `--oidc-device: ${device ? 'the signing config names no OpenID provider; give --oidc-issuer' : 'no interactive sign-in here'}`,
    );
  const source = options.oidcDevice
    ? (device as DeviceTokenRequest)(
        issuer as string,
        options.oidcClientId ?? 'sigstore',
        options.onDeviceCode ?? (() => {}),
      )
    : identityProvider({
        ...(options.identityToken ? { token: options.identityToken } : {}),
        ...(fromFile !== undefined ? { token: fromFile, tokenFrom: options.identityTokenFile } : {}),
        env,
        githubActions,
      });
  // Asked once, before any work, so a missing token fails fast; Fulcio gets the same one.
  const token = await source.getToken();
  const identity = { getToken: () => Promise.resolve(token) };
  return {
    ...keylessSigner({ identity, ca: services.ca, tlogs: services.tlogs, tsas: services.tsas, ...timing }),
    context,
  };
}
