import { parseJsonShallow } from '../../core/strict-json.js';
import { SignError } from '../../signer/errors.js';
import type { IdentityProvider } from '../../core/services.js';
import { checkJwt } from '../../signer/identity.js';
import { BodyTooLarge, MAX_SMALL_BODY, discard, readBounded } from '../http/body.js';
import { NetworkTimeout, deadlineFor, timedFetch, withDeadline, type DeadlineOptions } from '../http/timeout.js';

/**
 * The OIDC token of a GitHub Actions job, audience `sigstore`, from the
 * endpoint the runner names (ACTIONS_ID_TOKEN_REQUEST_URL, with its bearer
 * token); the job needs `permissions: id-token: write`. Fails as SignError
 * IDENTITY_TOKEN_REQUEST_FAILED, naming only the endpoint's origin. The
 * answer is read up to 64 KiB (a token is a few KiB), within the silence
 * timeout and the overall deadline of a small answer.
 */
export function githubActionsToken(
  requestUrl: string,
  requestToken: string,
  options: { fetch?: typeof fetch; timeoutMs?: number; deadline?: DeadlineOptions } = {},
): IdentityProvider {
  const doFetch = withDeadline(
    deadlineFor(options.timeoutMs, options.deadline),
    timedFetch(options.timeoutMs, options.fetch ?? fetch),
  );
  return {
    async getToken() {
      const url = new URL(requestUrl);
      url.searchParams.set('audience', 'sigstore');
      const failed = (why: string): SignError =>
        new SignError(
          'IDENTITY_TOKEN_REQUEST_FAILED',
          `GitHub Actions OIDC token request to ${url.origin} failed (${why})`,
        );
      let res: Response;
      try {
        res = await doFetch(url, { headers: { authorization: `bearer ${requestToken}`, accept: 'application/json' } });
      } catch (e) {
        throw failed(e instanceof NetworkTimeout ? e.message : (e as Error).name);
      }
      if (!res.ok) {
        await discard(res);
        throw new SignError(
          'IDENTITY_TOKEN_REQUEST_FAILED',
          `GitHub Actions OIDC token request to ${url.origin} answered HTTP ${res.status}; does the job have \`permissions: id-token: write\`?`,
        );
      }
      let bytes: Buffer;
      try {
        bytes = await readBounded(res, MAX_SMALL_BODY);
      } catch (e) {
        throw failed(
          e instanceof BodyTooLarge
            ? `the answer is larger than ${MAX_SMALL_BODY} bytes`
            : e instanceof NetworkTimeout
              ? e.message
              : 'the answer broke off',
        );
      }
      let body: { value?: unknown } | undefined;
      try {
        body = parseJsonShallow(bytes.toString('utf8')) as { value?: unknown } | undefined;
      } catch {
        body = undefined;
      }
      if (typeof body?.value !== 'string')
        throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', 'GitHub Actions OIDC token response has no "value"');
      checkJwt(body.value, 'the GitHub Actions OIDC token');
      return body.value;
    },
  };
}
