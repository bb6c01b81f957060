import { resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { identityProvider, type ActionsTokenRequest } from './identity.js';
import { keySigner, keylessSigner, loadSigningKey, type PayloadSigner } from './sigstore.js';

/** How to sign: with a key, or keyless through Fulcio with an OIDC identity token. */
export interface SignerOptions {
  /** Key-based signing (PKCS#8 PEM); otherwise keyless. */
  key?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  noTsa?: boolean;
  /** Silence allowed before a request to Fulcio, Rekor, the TSA or the OIDC endpoint fails; default 30 s. */
  timeoutMs?: number;
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
): Promise<PayloadSigner> {
  if (options.key) {
    const key = await loadSigningKey(resolve(options.cwd, options.key));
    return keySigner(key, {
      ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
      ...(options.tsaUrl && !options.noTsa ? { tsaUrl: options.tsaUrl } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  const source = identityProvider({
    ...(options.identityToken ? { token: options.identityToken } : {}),
    env,
    githubActions,
  });
  // Asked once, before any work, so a missing token fails fast; Fulcio gets the same one.
  const token = await source.getToken();
  const identity = { getToken: () => Promise.resolve(token) };
  return keylessSigner({
    identity,
    ...(options.fulcioUrl ? { fulcioUrl: options.fulcioUrl } : {}),
    ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
    ...(options.tsaUrl ? { tsaUrl: options.tsaUrl } : {}),
    ...(options.noTsa ? { noTsa: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
