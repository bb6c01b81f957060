import type { Env } from '../core/env.js';
import type { IdentityProvider } from '../core/services.js';
import { SignError } from './errors.js';

/** Defined in core (src/core/services.ts), where the transport that implements it sees it too. */
export type { IdentityProvider };

/** Asks GitHub Actions' OIDC endpoint for a token (src/transport/github/oidc.ts; commands wire it in). */
export type ActionsTokenRequest = (requestUrl: string, requestToken: string) => IdentityProvider;

/** The interactive sign-in (src/transport/oidc-device.ts): an ID token from `issuer`, the user told what to do. */
export type DeviceTokenRequest = (
  issuer: string,
  clientId: string,
  prompt: (message: string) => void,
) => IdentityProvider;

/**
 * The OIDC identity token for keyless signing, from (in order) the
 * --identity-token option, SIGSTORE_ID_TOKEN, or GitHub Actions' OIDC
 * endpoint (which needs `permissions: id-token: write`).
 */
export function identityProvider(options: {
  token?: string;
  /** Where `token` came from, for messages (default `--identity-token`). */
  tokenFrom?: string;
  env: Env;
  githubActions: ActionsTokenRequest;
}): IdentityProvider {
  const { env } = options;
  if (options.token) return staticToken(options.token, options.tokenFrom ?? '--identity-token');
  if (env.SIGSTORE_ID_TOKEN) return staticToken(env.SIGSTORE_ID_TOKEN, 'SIGSTORE_ID_TOKEN');
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    return options.githubActions(env.ACTIONS_ID_TOKEN_REQUEST_URL, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  }
  return {
    getToken: () =>
      Promise.reject(
        new SignError(
          'IDENTITY_TOKEN_MISSING',
          'keyless signing needs an OIDC identity token: give --identity-token or --identity-token-file, set SIGSTORE_ID_TOKEN, or run in GitHub Actions with `permissions: id-token: write`; or sign with --key',
        ),
      ),
  };
}

function staticToken(token: string, from: string): IdentityProvider {
  return {
    // An executor runs at once, as an async body does, and its throw (a bad token) rejects.
    getToken: () =>
      new Promise<string>((resolve) => {
        checkJwt(token, from);
        resolve(token.trim());
      }),
  };
}

/** Only the shape is checked here; Fulcio checks the signature. */
export function checkJwt(token: string, from: string): Record<string, unknown> {
  const parts = token.trim().split('.');
  if (parts.length !== 3)
    throw new SignError('IDENTITY_TOKEN_INVALID', `${from}: not a JWT (expected three dot-separated parts)`);
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as unknown;
    if (!claims || typeof claims !== 'object') throw new Error('claims are not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new SignError('IDENTITY_TOKEN_INVALID', `${from}: the JWT's claims are not base64url JSON`);
  }
}
