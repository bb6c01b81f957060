import { SignError } from '../../signer/errors.js';
import { checkJwt, type IdentityProvider } from '../../signer/identity.js';
import { NetworkTimeout, timedFetch } from '../http/timeout.js';

/**
 * The OIDC token of a GitHub Actions job, audience `sigstore`, from the
 * endpoint the runner names (ACTIONS_ID_TOKEN_REQUEST_URL, with its bearer
 * token); the job needs `permissions: id-token: write`. Fails as SignError
 * IDENTITY_TOKEN_REQUEST_FAILED, naming only the endpoint's origin.
 */
export function githubActionsToken(requestUrl: string, requestToken: string, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): IdentityProvider {
  const doFetch = timedFetch(options.timeoutMs, options.fetch ?? fetch);
  return {
    async getToken() {
      const url = new URL(requestUrl);
      url.searchParams.set('audience', 'sigstore');
      let res: Response;
      try {
        res = await doFetch(url, { headers: { authorization: `bearer ${requestToken}`, accept: 'application/json' } });
      } catch (e) {
        throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', `GitHub Actions OIDC token request to ${url.origin} failed (${e instanceof NetworkTimeout ? e.message : (e as Error).name})`);
      }
      if (!res.ok) throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', `GitHub Actions OIDC token request to ${url.origin} answered HTTP ${res.status}; does the job have \`permissions: id-token: write\`?`);
      const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined;
      if (typeof body?.value !== 'string') throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', 'GitHub Actions OIDC token response has no "value"');
      checkJwt(body.value, 'the GitHub Actions OIDC token');
      return body.value;
    },
  };
}
