import { parseJsonShallow } from '../core/strict-json.js';
import { isSecureOrLoopback } from '../core/loopback.js';
import type { IdentityProvider } from '../core/services.js';
import { SignError } from '../signer/errors.js';
import { checkJwt, type DeviceTokenRequest } from '../signer/identity.js';
import { BodyTooLarge, MAX_SMALL_BODY, readBounded } from './http/body.js';
import { NetworkTimeout, deadlineFor, timedFetch } from './http/timeout.js';

/**
 * The interactive sign-in for keyless signing on a laptop: OAuth 2.0 device authorization (RFC 8628) against an
 * OpenID provider (by default the signing config's, public-good's `https://oauth2.sigstore.dev/auth`). The provider is
 * found by OpenID discovery, whose `issuer` must be the one asked; its endpoints must be https (plain http only on
 * loopback). The user is told a code and a URL (`prompt`), then the token endpoint is polled at the interval it asks,
 * at least a second apart, until it gives an ID token, refuses, or the code expires (at most 15 minutes). Every answer
 * is read bounded; every failure is IDENTITY_TOKEN_REQUEST_FAILED naming the provider's origin, never a secret.
 */

/** C0 and C1 control characters: the provider's words reach a terminal without them. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** The longest wait between two polls, whatever the provider asks. */
const MAX_INTERVAL_MS = 60_000;

/** The longest a sign-in is waited for, whatever the provider says. */
const MAX_WAIT_MS = 15 * 60_000;

interface Options {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Waits between polls (tests pass a quicker one). */
  sleep?: (ms: number) => Promise<void>;
}

function checkEndpoint(text: unknown, what: string, origin: string): URL {
  let url: URL;
  try {
    url = new URL(String(text));
  } catch {
    throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', `${origin}: its ${what} is not a URL`);
  }
  if (!isSecureOrLoopback(url))
    throw new SignError('IDENTITY_TOKEN_REQUEST_FAILED', `${origin}: its ${what} is not https`);
  return url;
}

export function deviceFlowRequest(options: Options = {}): DeviceTokenRequest {
  // Each request bounded in silence and in all (a provider that trickles bytes is cut off).
  const doFetch = timedFetch(options.timeoutMs, options.fetch ?? fetch, { deadlineMs: deadlineFor(options.timeoutMs) });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return (issuer, clientId, prompt): IdentityProvider => ({
    async getToken() {
      const base = checkEndpoint(issuer, 'issuer', 'the OpenID provider');
      const origin = base.origin;
      const failed = (why: string): SignError =>
        new SignError('IDENTITY_TOKEN_REQUEST_FAILED', `interactive sign-in at ${origin} failed: ${why}`);
      const call = async (url: URL, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
        let res: Response;
        try {
          res = await doFetch(url, { ...init, headers: { accept: 'application/json', ...init?.headers } });
        } catch (e) {
          throw failed(e instanceof NetworkTimeout ? e.message : `${url.pathname} unreachable`);
        }
        let bytes: Buffer;
        try {
          bytes = await readBounded(res, MAX_SMALL_BODY);
        } catch (e) {
          throw failed(
            e instanceof BodyTooLarge ? `an answer larger than ${MAX_SMALL_BODY} bytes` : 'an answer broke off',
          );
        }
        let body: unknown;
        try {
          body = parseJsonShallow(bytes.toString('utf8'));
        } catch {
          body = undefined;
        }
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw failed(`${url.pathname} answered HTTP ${res.status} without a JSON object`);
        return { status: res.status, body: body as Record<string, unknown> };
      };
      const form = (fields: Record<string, string>): RequestInit => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const discovery = await call(new URL(`${base.href.replace(/\/+$/, '')}/.well-known/openid-configuration`));
      if (discovery.body.issuer !== issuer.replace(/\/+$/, '') && discovery.body.issuer !== issuer)
        throw failed(
          `its discovery document names another issuer (${String(discovery.body.issuer).replace(CONTROL, '').slice(0, 200)})`,
        );
      if (!discovery.body.device_authorization_endpoint) throw failed('it offers no device authorization (RFC 8628)');
      const deviceUrl = checkEndpoint(discovery.body.device_authorization_endpoint, 'device endpoint', origin);
      const tokenUrl = checkEndpoint(discovery.body.token_endpoint, 'token endpoint', origin);
      const started = await call(deviceUrl, form({ client_id: clientId, scope: 'openid email' }));
      const { device_code: code, user_code: userCode, verification_uri: uri } = started.body;
      if (started.status !== 200 || typeof code !== 'string' || typeof userCode !== 'string' || typeof uri !== 'string')
        throw failed(`the device endpoint answered HTTP ${started.status} without a code`);
      const complete = started.body.verification_uri_complete;
      const expires = started.body.expires_in;
      const expiresIn =
        typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires * 1000 : MAX_WAIT_MS;
      // RFC 8628's default is 5 s; a provider's own is kept between 1 s and a minute.
      const asked = started.body.interval;
      let interval =
        typeof asked === 'number' && Number.isFinite(asked)
          ? Math.min(MAX_INTERVAL_MS, Math.max(1000, asked * 1000))
          : 5000;
      // The provider's words reach a terminal: no control characters, bounded.
      const shown = (text: string, max: number): string => text.replace(CONTROL, '').slice(0, max);
      prompt(
        `To sign, open ${shown(uri, 300)} and enter the code ${shown(userCode, 40)}${typeof complete === 'string' ? ` (or open ${shown(complete, 300)})` : ''}; waiting for the sign-in…`,
      );
      const until = Date.now() + Math.min(expiresIn, MAX_WAIT_MS);
      while (Date.now() < until) {
        await sleep(Math.max(0, Math.min(interval, until - Date.now())));
        const polled = await call(
          tokenUrl,
          form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code, client_id: clientId }),
        );
        const error = polled.body.error;
        if (polled.status === 200 && typeof polled.body.id_token === 'string') {
          checkJwt(polled.body.id_token, `the ID token from ${origin}`);
          return polled.body.id_token.trim();
        }
        if (error === 'authorization_pending') continue;
        if (error === 'slow_down') {
          interval = Math.min(MAX_INTERVAL_MS, interval + 5000);
          continue;
        }
        if (error === 'access_denied') throw failed('the sign-in was refused');
        if (error === 'expired_token') throw failed('the code expired before the sign-in');
        throw failed(
          polled.status === 200
            ? 'the token endpoint gave no ID token'
            : `the token endpoint answered HTTP ${polled.status}${typeof error === 'string' ? ` (${error.replace(CONTROL, '').slice(0, 100)})` : ''}`,
        );
      }
      throw failed('no sign-in before the code expired');
    },
  });
}
